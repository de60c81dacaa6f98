import { describe, expect, it } from 'vitest';
import { CorpusFormatError } from '../errors';
import { assertLanguages, baseLanguage, languageCodeProblem, MAX_LANGUAGES, splitLines, textProblem } from './corpus';

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

/** `n` distinct valid Flores-style codes: aaa_Latn, baa_Latn, ... (26^3 per script). */
function manyLanguageCodes(n: number): string[] {
  const letters = (i: number) => String.fromCharCode(97 + (i % 26), 97 + (Math.floor(i / 26) % 26), 97 + (Math.floor(i / 676) % 26));
  return Array.from({ length: n }, (_, i) => `${letters(i)}_${['Latn', 'Cyrl', 'Hans'][Math.floor(i / 17576)]}`);
}

describe('assertLanguages', () => {
  // A hostile header (found while adding the fuzz tier's many-languages mutation, npm run
  // test:fuzz): duplicates were found with indexOf per code, so 50,000 distinct codes (a 450 kB
  // line) took about 12 s, and every data line would then be checked against all of them.
  it('more than MAX_LANGUAGES codes are refused at once, naming the count', () => {
    const t0 = performance.now();
    expect(() => assertLanguages(manyLanguageCodes(50_000), 'c.tsv', 'header', 'fix')).toThrow(/^c\.tsv: header: 50000 language columns; a parallel corpus may have at most 1000/);
    expect(performance.now() - t0).toBeLessThan(1000);
  });

  it('up to MAX_LANGUAGES distinct codes pass, and a repeat is found among them', () => {
    const codes = manyLanguageCodes(MAX_LANGUAGES);
    expect(() => assertLanguages(codes, 'c.tsv', 'header', 'fix')).not.toThrow();
    codes[MAX_LANGUAGES - 1] = codes[500];
    expect(() => assertLanguages(codes, 'c.tsv', 'header', 'fix')).toThrow(new RegExp(`language '${codes[500]}' appears twice`));
  });
});
