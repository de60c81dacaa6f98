import { describe, expect, it } from 'vitest';
import { AlignScopeError } from '../errors';
import { corpusBleu, corpusChrf, scoreTranslations, sentenceBleu, tokenizerFor } from './index';

/** |actual - expected| < tol; scores are on sacreBLEU's 0..100 scale. */
function expectClose(actual: number, expected: number, tol: number): void {
  expect(Math.abs(actual - expected), `${actual} vs ${expected}`).toBeLessThan(tol);
}

describe('tokenizerFor', () => {
  it.each([
    ['zh', 'zh'],
    ['zho_Hans', 'zh'],
    ['zho_Hant', 'zh'],
    ['yue_Hant', 'zh'],
    ['zh-TW', 'zh'],
    ['ja', 'char'],
    ['jpn_Jpan', 'char'],
    ['en', '13a'],
    ['deu_Latn', '13a'],
    ['kor_Hang', '13a'],
  ])('%s -> %s', (lang, tok) => {
    expect(tokenizerFor(lang)).toBe(tok);
  });
});

// Expected values computed with sacreBLEU 2.6.0 on these (our own) sentences.
describe('CJK scoring', () => {
  const JA_H = ['私は猫が好きです。', '今日は天気がいいですね。'];
  const JA_R = ['私は犬が好きです。', '今日はいい天気ですね。'];
  const ZH_H = ['我们今天去公园散步。', '这本书非常有意思。'];
  const ZH_R = ['我们今天去公园走走。', '这本书很有意思。'];

  it('Japanese with the char tokenizer', () => {
    expectClose(corpusBleu(JA_H, [JA_R], { tokenize: 'char' }).score, 51.060548661206894, 1e-9);
    expectClose(sentenceBleu(JA_H[0], [JA_R[0]], { tokenize: 'char' }).score, 66.06328636027612, 1e-9);
    // With 13a each unspaced sentence is one token, so nothing matches: why Japanese needs 'char'.
    expect(corpusBleu(JA_H, [JA_R]).score).toBe(0);
  });

  it('Chinese with the zh tokenizer', () => {
    expectClose(corpusBleu(ZH_H, [ZH_R], { tokenize: 'zh' }).score, 56.89534044568671, 1e-9);
    expect(corpusBleu(ZH_H, [ZH_R]).score).toBe(0);
  });

  it('scoreTranslations picks the tokenizer from the language and adds chrF and chrF++', () => {
    const ja = scoreTranslations(JA_H, JA_R, 'jpn_Jpan');
    expectClose(ja.bleu.score, 51.060548661206894, 1e-9);
    expectClose(ja.chrf.score, 43.844987980355995, 1e-9);
    expectClose(ja.chrfpp.score, 37.58141826887657, 1e-9);
    expect(ja.chrfpp.name).toBe('chrF2++');

    const zh = scoreTranslations(ZH_H, [ZH_R], 'zho_Hans'); // reference streams work too
    expectClose(zh.bleu.score, 56.89534044568671, 1e-9);
    expectClose(zh.chrf.score, 50.24333765102299, 1e-9);
    expectClose(zh.chrfpp.score, 43.06571798659113, 1e-9);
  });

  it('scoreTranslations with 13a for other languages', () => {
    const s = scoreTranslations(['The cat sat on the mat.'], ['The cat sat on the mat.'], 'eng_Latn');
    expect(s.bleu.score).toBeCloseTo(100, 10);
    expect(s.chrf.score).toBeCloseTo(100, 10);
    expect(s.chrfpp.score).toBeCloseTo(100, 10);
    expect(scoreTranslations([], [], 'en').bleu.score).toBe(0);
    expect(corpusChrf([], [[]]).score).toBe(0);
  });

  it('scoreTranslations rejects references mixing strings and streams', () => {
    expect(() => scoreTranslations(['a', 'b'], ['a', ['b']] as unknown as string[], 'en')).toThrow(AlignScopeError);
  });
});
