import { describe, expect, it } from 'vitest';
import { CorpusFormatError, deserializeError, serializeError } from '../errors';
import { SAMPLE_CORPUS } from './sample';
import { readTsv, writeTsv } from './tsv';

// Line numbers on the left are what the problems must report.
const MESSY = [
  /*  1 */ '# a comment before the header',
  /*  2 */ 'id\ten\tzh',
  /*  3 */ 'a\tHello.\t你好。',
  /*  4 */ '',
  /*  5 */ 'b\tOnly two cells',
  /*  6 */ 'c\tToo\tmany\tcells',
  /*  7 */ 'd\t\t空的',
  /*  8 */ 'e\tBell\u0007 rings.\t铃响了。',
  /*  9 */ 'a\tAgain.\t又一次。',
  /* 10 */ 'f\tTrailing tab.\t尾。\t',
  /* 11 */ '\t\t',
  /* 12 */ 'g\tFine.\t好。',
  /* 13 */ 'h Spaces instead of tabs',
  /* 14 */ 'i\t   \t空白。',
  /* 15 */ 'j\tStray\rreturn.\t回车。',
  /* 16 */ '# a comment at the end',
  /* 17 */ 'k\tLast.\t最后。',
];

function expectReport(text: string) {
  const { corpus, problems } = readTsv(text, 'messy.tsv');
  expect(corpus.languages).toEqual(['en', 'zh']);
  expect(corpus.ids).toEqual(['a', 'g', 'k']);
  expect(corpus.tuples).toEqual([
    { en: 'Hello.', zh: '你好。' },
    { en: 'Fine.', zh: '好。' },
    { en: 'Last.', zh: '最后。' },
  ]);
  expect(problems.map((p) => p.line)).toEqual([5, 6, 7, 8, 9, 10, 11, 13, 14, 15]);
  expect(problems.every((p) => p.file === 'messy.tsv')).toBe(true);
  const msg = Object.fromEntries(problems.map((p) => [p.line, p.message]));
  expect(msg[5]).toMatch(/2 columns, the header has 3/);
  expect(msg[6]).toMatch(/4 columns.*tab inside a sentence/);
  expect(msg[7]).toMatch(/empty in column 'en'/);
  expect(msg[8]).toMatch(/U\+0007 at character 5 in column 'en'/);
  expect(msg[9]).toMatch(/duplicate id "a" \(first on line 3\)/);
  expect(msg[10]).toMatch(/trailing tab/);
  expect(msg[11]).toMatch(/empty in column 'id'; empty in column 'en'; empty in column 'zh'/);
  expect(msg[13]).toMatch(/1 column.*spaces/);
  expect(msg[14]).toMatch(/empty in column 'en'/);
  expect(msg[15]).toMatch(/U\+000D \(carriage return\) at character 6/);
  for (const p of problems) expect(p.message).toMatch(/skipped/);
}

describe('readTsv: malformed lines are reported with their line number and skipped', () => {
  it('LF endings', () => expectReport(MESSY.join('\n')));
  it('CRLF endings and a BOM keep the same line numbers', () => expectReport('\ufeff' + MESSY.join('\r\n') + '\r\n'));

  it('a header-only file is an empty corpus, not an error', () => {
    expect(readTsv('en\tzh\n')).toEqual({ corpus: { languages: ['en', 'zh'], tuples: [] }, problems: [] });
  });

  it('the id column may sit anywhere, and tuples get only the languages', () => {
    const { corpus } = readTsv('en\tid\tcs\nHi.\tx1\tAhoj.\n');
    expect(corpus).toEqual({ languages: ['en', 'cs'], tuples: [{ en: 'Hi.', cs: 'Ahoj.' }], ids: ['x1'] });
  });
});

function headerError(text: string): CorpusFormatError {
  try {
    readTsv(text, 'bad.tsv');
  } catch (e) {
    expect(e).toBeInstanceOf(CorpusFormatError);
    const err = e as CorpusFormatError;
    expect(err.name).toBe('CorpusFormatError');
    expect(err.data.file).toBe('bad.tsv');
    expect(err.message).toMatch(/^bad\.tsv: /);
    return err;
  }
  throw new Error(`no error for ${JSON.stringify(text)}`);
}

describe('readTsv: header errors throw CorpusFormatError naming the file and the fix', () => {
  it.each([
    ['', /no header line/],
    ['# only a comment\n\n', /no header line/],
    ['en zh ja\nHello 你好 こんにちは\n', /no tab.*tabs, not spaces/],
    ['EN\tzh\n', /lowercase, write 'en'/],
    ['en\tEnglish\n', /"English" is not a language code/],
    ['en\tzho\n', /bare 3-letter code; write 'zh' or 'zho_Xxxx'/],
    ['eng_latn\tzho_Hans\n', /write 'eng_Latn'/],
    ['en\tzh-CN\n', /locale tag.*write 'zh'/],
    ['en\tzh\t\n', /empty language code/],
    ['en\ten\n', /'en' appears twice/],
    ['id\ten\n', /at least two languages, found 1 \(en\)/],
    ['id\ten\tid\tzh\n', /more than one 'id' column/],
  ])('%j', (text, pattern) => {
    const err = headerError(text);
    expect(err.message).toMatch(pattern);
    expect(err.message).toMatch(/language codes separated by tabs/);
  });

  it('reports the header line number after leading comments, and survives the worker boundary', () => {
    const err = headerError('# c\n\nen\tXX\n');
    expect(err.message).toMatch(/line 3 \(header\)/);
    const back = deserializeError(JSON.parse(JSON.stringify(serializeError(err))));
    expect(back).toBeInstanceOf(CorpusFormatError);
    expect(back.message).toBe(err.message);
  });
});

describe('writeTsv', () => {
  it('writes id first, LF endings, a final newline', () => {
    const text = writeTsv(SAMPLE_CORPUS);
    expect(text.split('\n')[0]).toBe('id\ten\tzh\tja\tde\tfr\tes\tcs\tuk');
    expect(text.endsWith('\n')).toBe(true);
    expect(text).not.toMatch(/\r/);
  });

  it('refuses what TSV cannot hold instead of losing it on the way back', () => {
    const base = { languages: ['en', 'zh'], tuples: [{ en: 'Hi.', zh: '嗨。' }] };
    expect(() => writeTsv({ ...base, tuples: [{ en: 'A\tB', zh: '嗨。' }] })).toThrow(/tuple 0, column 'en': stray control character U\+0009/);
    expect(() => writeTsv({ ...base, tuples: [{ en: 'Hi.', zh: '' }] })).toThrow(/column 'zh': empty/);
    expect(() => writeTsv({ ...base, tuples: [{ en: 'Hi.' }] })).toThrow(/column 'zh': missing/);
    expect(() => writeTsv({ ...base, tuples: [{ en: '#1 hit', zh: '嗨。' }] })).toThrow(/comment/);
    expect(() => writeTsv({ ...base, ids: ['a', 'b'] })).toThrow(/2 ids for 1 tuples/);
    expect(() => writeTsv({ ...base, tuples: [...base.tuples, ...base.tuples], ids: ['a', 'a'] })).toThrow(/duplicate id/);
    expect(() => writeTsv({ ...base, languages: ['en', 'EN'] })).toThrow(CorpusFormatError);
  });
});

describe('the split column', () => {
  it('reads a declared split per tuple, reports a bad one, and writes it back', () => {
    const text = 'id\tsplit\ten\tcs\na\ttrain\tOne.\tJedna.\nb\ttest\tTwo.\tDvě.\nc\tholdout\tThree.\tTři.\n';
    const { corpus, problems } = readTsv(text, 'x.tsv');
    expect(corpus.splits).toEqual(['train', 'test']);
    expect(problems).toEqual([{ file: 'x.tsv', line: 4, message: 'split "holdout" is not train, dev or test; line skipped' }]);
    expect(readTsv(writeTsv(corpus)).corpus).toEqual(corpus);
  });
});
