import { describe, expect, it } from 'vitest';
import { CorpusFormatError } from '../errors';
import { baseLanguage, languageCodeProblem, splitLines, textProblem } from './corpus';

describe('language codes', () => {
  it('accepts ISO 639-1 and Flores-style codes, as given', () => {
    for (const code of ['en', 'zh', 'cs', 'uk', 'eng_Latn', 'zho_Hans', 'zho_Hant', 'yue_Hant']) expect(languageCodeProblem(code)).toBeNull();
  });

  it('says what is wrong with a bad code and how to write it', () => {
    expect(languageCodeProblem('EN')).toMatch(/lowercase, write 'en'/);
    expect(languageCodeProblem('deu')).toMatch(/bare 3-letter code; write 'de' or 'deu_Xxxx'/);
    expect(languageCodeProblem('yue')).toMatch(/write 'yue_Xxxx'/);
    expect(languageCodeProblem('ZHO-hans')).toMatch(/write 'zho_Hans'/);
    expect(languageCodeProblem('en-US')).toMatch(/locale tag.*write 'en'/);
    expect(languageCodeProblem('en ')).toMatch(/whitespace/);
    expect(languageCodeProblem('')).toMatch(/empty language code/);
    expect(languageCodeProblem('français')).toMatch(/not a language code; use ISO 639-1/);
  });

  it('baseLanguage maps Flores codes to ISO 639-1 and keeps two-letter codes', () => {
    const expected: Record<string, string> = {
      zho_Hans: 'zh', zho_Hant: 'zh', eng_Latn: 'en', ces_Latn: 'cs', ukr_Cyrl: 'uk',
      jpn_Jpan: 'ja', deu_Latn: 'de', fra_Latn: 'fr', spa_Latn: 'es', arb_Arab: 'ar', en: 'en', cs: 'cs',
      yue_Hant: 'yue', // no ISO 639-1 code: the ISO 639-3 part
    };
    for (const [code, base] of Object.entries(expected)) expect(baseLanguage(code)).toBe(base);
    expect(() => baseLanguage('English')).toThrow(CorpusFormatError);
  });
});

describe('text checks', () => {
  it('accepts ordinary sentences in any script', () => {
    for (const s of ['Hello.', '你好。', 'Привіт!', '¿Qué?', 'a\u00a0b', '😀 ok']) expect(textProblem(s)).toBeNull();
  });

  it('names empty cells, control characters and broken surrogates', () => {
    expect(textProblem('')).toBe('empty');
    expect(textProblem('  ')).toBe('empty');
    expect(textProblem('a\nb')).toBe('stray control character U+000A (line feed) at character 2');
    expect(textProblem('\t')).toMatch(/U\+0009 \(tab\) at character 1/);
    expect(textProblem('ab\u0085')).toMatch(/U\+0085 at character 3/);
    expect(textProblem('x\ufeffy')).toMatch(/byte-order mark/);
    expect(textProblem('a\ud800b')).toMatch(/unpaired UTF-16 surrogate at character 2/);
  });

  it('splitLines: BOM, CRLF, final newline', () => {
    expect(splitLines('')).toEqual([]);
    expect(splitLines('\ufeffa\r\nb\r\n')).toEqual(['a', 'b']);
    expect(splitLines('a\n\nb')).toEqual(['a', '', 'b']);
    expect(splitLines('a\n\n')).toEqual(['a', '']);
  });
});
