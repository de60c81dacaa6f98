import { describe, expect, it } from 'vitest';
import { CorpusFormatError } from '../errors';
import { languageOfFileName, readFlores } from './flores';

const file = (name: string, lines: string[], eol = '\n', finalEol = true) => ({ name, text: lines.join(eol) + (finalEol ? eol : '') });

describe('readFlores', () => {
  it('takes the language from the file name before the first dot', () => {
    expect(languageOfFileName('flores200/devtest/eng_Latn.devtest')).toBe('eng_Latn');
    expect(languageOfFileName('C:\\data\\zh.txt')).toBe('zh');
    expect(languageOfFileName('ces_Latn.dev.txt')).toBe('ces_Latn');
  });

  it('keeps the common prefix of files with different line counts and reports each longer file', () => {
    const { corpus, problems } = readFlores([
      file('eng_Latn.devtest', ['One.', 'Two.', 'Three.', 'Four.']),
      file('zho_Hans.devtest', ['一。', '二。', '三。']),
      file('jpn_Jpan.devtest', ['一。', '二。', '三。', '四。', '五。'], '\r\n'),
    ]);
    expect(corpus.languages).toEqual(['eng_Latn', 'zho_Hans', 'jpn_Jpan']);
    expect(corpus.tuples).toEqual([
      { eng_Latn: 'One.', zho_Hans: '一。', jpn_Jpan: '一。' },
      { eng_Latn: 'Two.', zho_Hans: '二。', jpn_Jpan: '二。' },
      { eng_Latn: 'Three.', zho_Hans: '三。', jpn_Jpan: '三。' },
    ]);
    expect(corpus.ids).toEqual(['1', '2', '3']);
    expect(problems).toEqual([
      { file: 'eng_Latn.devtest', line: 4, message: expect.stringMatching(/eng_Latn\.devtest has 4 lines but zho_Hans\.devtest has 3; kept the first 3/) },
      { file: 'jpn_Jpan.devtest', line: 4, message: expect.stringMatching(/jpn_Jpan\.devtest has 5 lines .*lines 4-5 of jpn_Jpan\.devtest were not read/) },
    ]);
  });

  it('reports empty and broken lines per file, drops that index everywhere, and keeps line-number ids', () => {
    const { corpus, problems } = readFlores([
      file('en.txt', ['One.', '', 'Three.', '', 'Five.', 'Six\u0000.']),
      file('cs.txt', ['Jedna.', '', 'Tři.', 'Čtyři.', 'Pět.', 'Šest.']),
      file('uk.txt', ['Один.', '', 'Три.', 'Чотири.', '  ', 'Шість.'], '\n', false),
    ]);
    expect(corpus.ids).toEqual(['1', '3']);
    expect(corpus.tuples).toEqual([
      { en: 'One.', cs: 'Jedna.', uk: 'Один.' },
      { en: 'Three.', cs: 'Tři.', uk: 'Три.' },
    ]);
    expect(problems).toEqual([
      { file: 'en.txt', line: 2, message: 'line 2 is empty in every file; skipped' },
      { file: 'en.txt', line: 4, message: 'empty; line 4 skipped in all files' },
      { file: 'uk.txt', line: 5, message: 'empty; line 5 skipped in all files' },
      { file: 'en.txt', line: 6, message: expect.stringMatching(/^stray control character U\+0000 at character 4; line 6 skipped/) },
    ]);
  });

  it('without a final newline, the last line still counts', () => {
    const { corpus, problems } = readFlores([file('en.txt', ['A.', 'B.'], '\n', false), file('de.txt', ['A.', 'B.'])]);
    expect(problems).toEqual([]);
    expect(corpus.tuples).toHaveLength(2);
  });

  it('throws CorpusFormatError for unusable file names, duplicates and a lone file', () => {
    const en = file('en.txt', ['Hi.']);
    expect(() => readFlores([en, file('english.txt', ['Hi.'])])).toThrow(/^english\.txt: the file name does not start with a language code: "english"/);
    expect(() => readFlores([en, file('data/README', ['Hi.'])])).toThrow(/data\/README.*"README"/);
    expect(() => readFlores([en, file('eng_latn.devtest', ['Hi.'])])).toThrow(/write 'eng_Latn'/);
    expect(() => readFlores([file('eng_Latn.dev', ['a']), file('eng_Latn.devtest', ['a'])])).toThrow(/eng_Latn\.devtest and eng_Latn\.dev are both 'eng_Latn'/);
    expect(() => readFlores([en])).toThrow(/at least two; got 1/);
    expect(() => readFlores([])).toThrow(CorpusFormatError);
    try {
      readFlores([en, file('x y.txt', [])]);
    } catch (e) {
      expect((e as CorpusFormatError).data.file).toBe('x y.txt');
    }
  });
});
