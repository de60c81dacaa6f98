import { describe, expect, it } from 'vitest';
import { CorpusFormatError } from '../errors';
import { readJsonl } from './jsonl';

const MESSY = [
  /*  1 */ '{"id": "a", "en": "Hello.", "zh": "你好。"}',
  /*  2 */ '{"id": "b", "en": "Hi."',
  /*  3 */ '',
  /*  4 */ '[1, 2]',
  /*  5 */ '{"id": "c", "en": "Cat."}',
  /*  6 */ '{"id": "d", "en": "Dog.", "zh": 7}',
  /*  7 */ '{"id": "e", "en": "", "zh": "空"}',
  /*  8 */ '{"id": "a", "en": "Again.", "zh": "又一次。"}',
  /*  9 */ '{"en": "No id.", "zh": "没有编号。"}',
  /* 10 */ '{"id": "f", "en": "Fine.", "zh": "好。", "ko": "좋아요."}',
  /* 11 */ '{"id": 12, "en": "Twelve.", "zh": "十二。"}',
  /* 12 */ '{"id": "g", "en": "Tab\\there.", "zh": "制表符。"}',
  /* 13 */ '  ',
  /* 14 */ '{"id": 1.5, "en": "Half.", "zh": "一半。"}',
  /* 15 */ '"just a string"',
  /* 16 */ '{"id": "h", "zh": "最后。", "en": "Last."}',
];

describe('readJsonl', () => {
  it('reports every malformed line with its number and reads the rest', () => {
    const { corpus, problems } = readJsonl(MESSY.join('\r\n'), 'messy.jsonl');
    expect(corpus.languages).toEqual(['en', 'zh']);
    expect(corpus.ids).toEqual(['a', '12', 'h']);
    expect(corpus.tuples).toEqual([
      { en: 'Hello.', zh: '你好。' },
      { en: 'Twelve.', zh: '十二。' },
      { en: 'Last.', zh: '最后。' },
    ]);
    expect(problems.map((p) => p.line)).toEqual([2, 4, 5, 6, 7, 8, 9, 10, 12, 14, 15]);
    expect(problems.every((p) => p.file === 'messy.jsonl' && /skipped$/.test(p.message))).toBe(true);
    const msg = Object.fromEntries(problems.map((p) => [p.line, p.message]));
    expect(msg[2]).toMatch(/^malformed JSON/);
    expect(msg[4]).toMatch(/expected a JSON object.*got an array/);
    expect(msg[5]).toMatch(/missing 'zh'/);
    expect(msg[6]).toMatch(/'zh' is the number 7, expected a string/);
    expect(msg[7]).toMatch(/'en': empty/);
    expect(msg[8]).toMatch(/duplicate id "a" \(first on line 1\)/);
    expect(msg[9]).toMatch(/missing 'id' \(line 1 has one/);
    expect(msg[10]).toMatch(/unexpected key 'ko'.*options\.languages/);
    expect(msg[12]).toMatch(/'en': stray control character U\+0009 \(tab\) at character 4/);
    expect(msg[14]).toMatch(/'id' must be a non-empty string or an integer, got the number 1.5/);
    expect(msg[15]).toMatch(/got the string "just a string"/);
  });

  it('explicit languages select and order columns; other keys are ignored', () => {
    const { corpus, problems } = readJsonl(MESSY.join('\n'), 'messy.jsonl', { languages: ['zh', 'en'] });
    expect(corpus.languages).toEqual(['zh', 'en']);
    expect(corpus.ids).toEqual(['a', 'f', '12', 'h']);
    expect(corpus.tuples[1]).toEqual({ zh: '好。', en: 'Fine.' });
    expect(Object.keys(corpus.tuples[1])).toEqual(['zh', 'en']);
    expect(problems.map((p) => p.line)).not.toContain(10);
  });

  it('takes the languages from the first object line, skipping malformed ones before it', () => {
    const text = 'not json\n{"en": "One.", "cs": "Jedna."}\n{"en": "Two.", "cs": "Dva.", "id": "x"}\n';
    const { corpus, problems } = readJsonl(text);
    expect(corpus).toEqual({ languages: ['en', 'cs'], tuples: [{ en: 'One.', cs: 'Jedna.' }] });
    expect(problems).toEqual([
      { file: 'corpus.jsonl', line: 1, message: expect.stringMatching(/^malformed JSON/) },
      { file: 'corpus.jsonl', line: 3, message: expect.stringMatching(/unexpected 'id' \(line 2 has none/) },
    ]);
  });

  it('throws CorpusFormatError when the language keys are unusable or unknowable', () => {
    const cases: [string, RegExp][] = [
      ['{"English": "Hi.", "Chinese": "嗨。"}\n', /line 1 \(the first object; its keys set the languages\): "English" is not a language code/],
      ['{"en": "Hi."}\n', /at least two languages/],
      ['{"id": "x", "en": "Hi.", "zh_CN": "嗨。"}\n', /locale tag/],
      ['', /no line holds a JSON object/],
      ['{oops\n[]\n', /no line holds a JSON object.*first problem, line 1: malformed JSON/],
    ];
    for (const [text, pattern] of cases) {
      expect(() => readJsonl(text, 'keys.jsonl')).toThrow(CorpusFormatError);
      expect(() => readJsonl(text, 'keys.jsonl')).toThrow(pattern);
      expect(() => readJsonl(text, 'keys.jsonl')).toThrow(/^keys\.jsonl: /);
    }
    expect(() => readJsonl('{}', 'x.jsonl', { languages: ['en', 'English'] })).toThrow(/options\.languages: "English"/);
  });
});

describe('readJsonl with very many keys', () => {
  // Found with the fuzz tier's many-languages mutation (npm run test:fuzz): each line's keys were
  // checked with includes() against the language list (quadratic), and every unexpected key was
  // named, so a line of 60,000 keys gave a 600 kB problem message.
  it('a line of 60,000 unexpected keys: one short problem, in linear time', () => {
    const letters = (i: number) => String.fromCharCode(97 + (i % 26), 97 + (Math.floor(i / 26) % 26), 97 + (Math.floor(i / 676) % 26));
    const obj = Object.fromEntries(Array.from({ length: 60_000 }, (_, i) => [`${letters(i)}_${['Latn', 'Cyrl', 'Hans', 'Arab'][Math.floor(i / 17576)]}`, 'x']));
    const t0 = performance.now();
    const { corpus, problems } = readJsonl(`{"en": "a", "de": "b"}\n${JSON.stringify({ en: 'a', de: 'b', ...obj })}\n`);
    expect(performance.now() - t0).toBeLessThan(4000);
    expect(corpus.tuples).toHaveLength(1);
    expect(problems).toHaveLength(1);
    expect(problems[0].message).toMatch(/^unexpected keys 'aaa_Latn', 'baa_Latn', 'caa_Latn', 'daa_Latn', 'eaa_Latn' and 59995 more \(languages are en, de/);
    expect(problems[0].message.length).toBeLessThan(300);
  });

  it('a first object of 2,000 language keys is a CorpusFormatError naming the count', () => {
    const obj = Object.fromEntries(Array.from({ length: 2000 }, (_, i) => [`${String.fromCharCode(97 + (i % 26), 97 + (Math.floor(i / 26) % 26), 97 + (Math.floor(i / 676) % 26))}_Latn`, 'x']));
    expect(() => readJsonl(JSON.stringify(obj))).toThrow(/2000 language columns; a parallel corpus may have at most 1000/);
  });
});
