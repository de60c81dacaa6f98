import { describe, expect, it } from 'vitest';
import { AlignScopeError } from '../errors';
import { corpusChrf, sentenceChrf } from './chrf';

/** |actual - expected| < tol; scores are on sacreBLEU's 0..100 scale. */
function expectClose(actual: number, expected: number, tol: number): void {
  expect(Math.abs(actual - expected), `${actual} vs ${expected}`).toBeLessThan(tol);
}

// ---------------------------------------------------------------------------------------------
// Ported from the sacreBLEU test suite, test_chrf.py (inputs and expected scores transcribed;
// tolerance 1e-4 as there). Its corpus cases call corpus_chrf(hyps, [refs], ...): one stream.
// ---------------------------------------------------------------------------------------------
describe('sacreBLEU test_chrf.py', () => {
  // test_chrf_sentence_level: sentence_chrf(hyp, refs, eps_smoothing=True), beta 2.
  it.each([
    [
      'Co nás nejvíc trápí, protože lékaři si vybírají, kdo bude žít a kdo zemře.',
      ['Nejvíce smutní jsme z toho, že musíme rozhodovat o tom, kdo bude žít a kdo zemře.'],
      39.14078509,
    ],
    [
      'Nebo prostě nemají vybavení, které by jim pomohlo, uvedli lékaři.',
      ['A někdy nemáme ani potřebný materiál, abychom jim pomohli, popsali lékaři.'],
      31.22557079,
    ],
    [
      'Lapali po dechu, jejich životy skončily dřív, než skutečně začaly.',
      ['Lapali po dechu a pak jejich život skončil - dřív, než skutečně mohl začít, připomněli.'],
      57.15704367,
    ],
  ])('sentence chrF (eps smoothing) of %j', (hyp, refs, expected) => {
    expectClose(sentenceChrf(hyp, refs, { epsSmoothing: true }).score, expected, 1e-4);
  });

  // test_chrf: char_order=6, word_order=0, beta=3, eps_smoothing=True. Since sacreBLEU 2.0, orders
  // a short segment cannot fill count as ~0, so even a perfect one-character match is 16.67.
  it.each([
    [['abcdefg'], ['hijklmnop'], 0.0],
    [['a'], ['b'], 0.0],
    [[''], ['b'], 0.0],
    [[''], ['ref'], 0.0],
    [[''], ['reference'], 0.0],
    [['aa'], ['ab'], 8.3333],
    [['a', 'b'], ['a', 'c'], 8.3333],
    [['a'], ['a'], 16.6667],
    [['a b c'], ['a b c'], 50.0],
    [['a b c'], ['abc'], 50.0],
    [
      [' risk assessment must be made of those who are qualified and expertise in the sector - these are the scientists .'],
      ['risk assessment has to be undertaken by those who are qualified and expert in that area - that is the scientists .'],
      63.36173,
    ],
    [
      [' Die    Beziehung zwischen  Obama und Netanjahu ist nicht gerade  freundlich. '],
      ['Das Verhältnis zwischen Obama und Netanyahu ist nicht gerade freundschaftlich.'],
      64.1302698,
    ],
    [['Niemand hat die Absicht, eine Mauer zu errichten'], ['Niemand hat die Absicht, eine Mauer zu errichten'], 100.0],
  ])('chrF3 (eps smoothing) %j vs %j = %f', (hyps, refs, expected) => {
    expectClose(corpusChrf(hyps, [refs], { charOrder: 6, wordOrder: 0, beta: 3, epsSmoothing: true }).score, expected, 1e-4);
  });

  // test_chrf_eff_order: the same with sacreBLEU 2.x's default effective-order averaging.
  it.each([
    [['a'], ['a'], 100.0],
    [[''], ['reference'], 0.0],
    [['a b c'], ['a b c'], 100.0],
    [['a b c'], ['abc'], 100.0],
    [[''], ['c'], 0.0],
    [['a', 'b'], ['a', 'c'], 50.0],
    [['aa'], ['ab'], 25.0],
  ])('chrF3 (effective order) %j vs %j = %f', (hyps, refs, expected) => {
    expectClose(corpusChrf(hyps, [refs], { charOrder: 6, wordOrder: 0, beta: 3, epsSmoothing: false }).score, expected, 1e-4);
  });

  // test_chrf_keep_whitespace: remove_whitespace=False, i.e. whitespace inside the n-grams.
  it.each([
    [
      ['Die Beziehung zwischen Obama und Netanjahu ist nicht gerade freundlich.'],
      ['Das Verhältnis zwischen Obama und Netanyahu ist nicht gerade freundschaftlich.'],
      67.3481606,
    ],
    [
      ['risk assessment must be made of those who are qualified and expertise in the sector - these are the scientists .'],
      ['risk assessment has to be undertaken by those who are qualified and expert in that area - that is the scientists .'],
      65.2414427,
    ],
  ])('chrF3 keeping whitespace %j', (hyps, refs, expected) => {
    expectClose(corpusChrf(hyps, [refs], { charOrder: 6, wordOrder: 0, beta: 3, whitespace: true }).score, expected, 1e-4);
  });
});

// ---------------------------------------------------------------------------------------------
// Our own cases. Values marked "sacreBLEU 2.6.0" were computed with sacreBLEU 2.6.0 itself.
// ---------------------------------------------------------------------------------------------
describe('chrF', () => {
  const REFS = [
    ['The dog bit the man.', 'It was not unexpected.', 'The man bit him first.'],
    ['The dog had bit the man.', 'No one was surprised.', 'The man had bitten the dog.'],
  ];
  const HYPS = ['The dog bit the man.', "It wasn't surprising.", 'The man had just bitten him.'];

  it('is 100 for identical text and 0 for text sharing no character', () => {
    expect(sentenceChrf('Guten Morgen!', ['Guten Morgen!']).score).toBeCloseTo(100, 10);
    expect(sentenceChrf('Guten Morgen!', ['Guten Morgen!'], { wordOrder: 2 }).score).toBeCloseTo(100, 10);
    expect(corpusChrf(['xyz'], [['abc']]).score).toBe(0);
    expect(corpusChrf(['xyz'], [['abc']], { wordOrder: 2 }).score).toBe(0);
  });

  it('names the variant as sacreBLEU does', () => {
    expect(corpusChrf(['a'], [['a']]).name).toBe('chrF2');
    expect(corpusChrf(['a'], [['a']], { wordOrder: 2 }).name).toBe('chrF2++');
  });

  it('agrees with sacreBLEU 2.6.0 on two reference streams (chrF, chrF++, lowercased)', () => {
    expectClose(corpusChrf(HYPS, REFS).score, 59.72751782684763, 1e-9);
    expectClose(corpusChrf(HYPS, REFS, { wordOrder: 2 }).score, 59.15310444399262, 1e-9);
    expectClose(corpusChrf(HYPS, REFS, { lowercase: true }).score, 60.02302725455764, 1e-9);
  });

  it('agrees with sacreBLEU 2.6.0 on empty hypotheses and references', () => {
    expect(corpusChrf([''], [['']]).score).toBe(0);
    expect(corpusChrf(['abc'], [['']]).score).toBe(0);
    expect(corpusChrf([''], [['a b']], { wordOrder: 2 }).score).toBe(0);
  });

  it('ignores hypothesis n-grams of orders the reference lacks, before summing the corpus', () => {
    // Line 1's bigrams ("ab", "bc") face a one-character reference, so they are not counted; line 2
    // has reference bigrams but no hypothesis bigrams. Summed, order 2 then has no hypothesis
    // n-grams and stays out of the average (sacreBLEU 2.6.0: 50.0).
    expectClose(corpusChrf(['abc', 'x'], [['a', 'xyz']]).score, 50, 1e-9);
  });

  it('counts characters by code point, not UTF-16 unit', () => {
    // Two astral characters: 2 unigrams and 1 bigram, all matching, so a perfect score.
    const r = corpusChrf(['😀𠀀'], [['😀𠀀']], { charOrder: 2 });
    expect(r.stats).toEqual([2, 2, 2, 1, 1, 1]);
    expect(r.score).toBeCloseTo(100, 10);
  });

  it("splits one ASCII punctuation mark off word edges for chrF++'s word n-grams", () => {
    // Words of "(hi) there." are "(hi", ")", "there", "."; unigram statistics sit after the 6 char orders.
    const r = corpusChrf(['(hi) there.'], [['(hi) there.']], { wordOrder: 1 });
    expect(r.stats.slice(18)).toEqual([4, 4, 4]);
  });

  it('keeps, per segment, the reference with the best F score', () => {
    const one = corpusChrf(['the cat sat'], [['the cat sat']]).score;
    const both = corpusChrf(['the cat sat'], [['a dog ran'], ['the cat sat']]).score;
    expect(both).toBeCloseTo(one, 12);
  });

  it('rejects bad settings and mismatched references', () => {
    expect(() => corpusChrf(['a'], [['a', 'b']])).toThrow(AlignScopeError);
    expect(() => corpusChrf(['a'], [['a']], { charOrder: 0, wordOrder: 0 })).toThrow(/not both 0/);
    expect(() => corpusChrf(['a'], [['a']], { beta: 0 })).toThrow(/beta/);
  });
});
