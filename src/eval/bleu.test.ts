import { describe, expect, it } from 'vitest';
import { AlignScopeError } from '../errors';
import { computeBleu, corpusBleu, sentenceBleu, type BleuOptions, type SmoothMethod } from './bleu';
import type { TokenizerName } from './tokenize';

/** |actual - expected| < tol; scores are on sacreBLEU's 0..100 scale. */
function expectClose(actual: number, expected: number, tol: number): void {
  expect(Math.abs(actual - expected), `${actual} vs ${expected}`).toBeLessThan(tol);
}

/** sacreBLEU's compat.raw_corpus_bleu: no tokenization, 'floor' smoothing, effective order. */
function rawCorpusBleu(hyps: string[], refs: string[][], smoothValue?: number) {
  return corpusBleu(hyps, refs, { smoothMethod: 'floor', smoothValue, tokenize: 'none', effectiveOrder: true });
}

// ---------------------------------------------------------------------------------------------
// Ported from the sacreBLEU test suite, test_bleu.py (inputs and expected scores transcribed).
// sacreBLEU checks `score / 100` to 1e-8 there, i.e. 1e-6 on the 0..100 scale (corpus_bleu: 1e-8
// on the 0..100 scale); we keep those tolerances, far inside the 0.01 we need.
// ---------------------------------------------------------------------------------------------
describe('sacreBLEU test_bleu.py', () => {
  const REFS = [
    ['The dog bit the man.', 'It was not unexpected.', 'The man bit him first.'],
    ['The dog had bit the man.', 'No one was surprised.', 'The man had bitten the dog.'],
  ];
  const HYPS = ['The dog bit the man.', "It wasn't surprising.", 'The man had just bitten him.'];

  // test_raw_bleu: raw_corpus_bleu(hyps, refs, .01).score / 100
  it.each([
    [['this is a test', 'another test'], [['ref1', 'ref2']], 0.0], // 0 when nothing matches (sacreBLEU #141)
    [['this is a test'], [['this is a test']], 1.0],
    [['this is a fest'], [['this is a test']], 0.223606797749979],
  ])('raw BLEU %j vs %j = %f', (hyps, refs, expected) => {
    expectClose(rawCorpusBleu(hyps, refs, 0.01).score / 100, expected, 1e-8);
  });

  // test_corpus_bleu, including empty hypotheses (they must count, not be dropped).
  it.each<[string, string[], BleuOptions, number]>([
    ['defaults', HYPS, {}, 48.530827],
    ['empty hypotheses', ['', '', ''], {}, 0.0],
    ["tokenize 'none'", HYPS, { tokenize: 'none' }, 49.1919566],
    ["tokenize '13a'", HYPS, { tokenize: '13a' }, 48.530827],
    ["tokenize 'intl'", HYPS, { tokenize: 'intl' }, 43.91623493],
    ["smooth 'none'", HYPS, { smoothMethod: 'none' }, 48.530827],
  ])('corpus BLEU, %s', (_name, hyps, opts, expected) => {
    expectClose(corpusBleu(hyps, REFS, opts).score, expected, 1e-6);
  });

  // test_effective_order
  it.each([
    [['test'], [['a test']], 0.3678794411714425],
    [['a test'], [['a test']], 1.0],
    [['a little test'], [['a test']], 0.03218297948685433],
  ])('effective order %j vs %j = %f', (hyps, refs, expected) => {
    expectClose(rawCorpusBleu(hyps, refs, 0.01).score / 100, expected, 1e-8);
  });

  // test_statistics
  it('counts and totals', () => {
    const r = rawCorpusBleu(['am I am a character sequence'], [['I am a symbol string sequence a a']], 0.01);
    expect(r.counts).toEqual([4, 2, 1, 0]);
    expect(r.totals).toEqual([6, 5, 4, 3]);
  });

  // test_scoring: compute_bleu from statistics (its default smoothing there is 'none').
  it('BLEU from statistics', () => {
    const r = computeBleu({ counts: [9, 7, 5, 3], totals: [10, 8, 6, 4], sysLen: 11, refLen: 11 }, { smoothMethod: 'none' });
    expectClose(r.score / 100, 0.8375922397, 1e-8);
  });

  // test_offset: floor 0 gives 0; the default floor value (0.1) gives credit for the unmatched 4-grams.
  it('floor offset', () => {
    const hyps = ['am I am a character sequence'];
    const refs = [['I am a symbol string sequence a a']];
    expectClose(rawCorpusBleu(hyps, refs, 0.0).score / 100, 0, 1e-8);
    expectClose(rawCorpusBleu(hyps, refs, undefined).score / 100, 0.1555722182, 1e-8);
    expectClose(rawCorpusBleu(hyps, refs).score / 100, 0.1555722182, 1e-8);
  });

  // test_degenerate_statistics: [counts, totals, sysLen, refLen, floor value] -> exactly 0.
  it.each<[number[], number[], number, number, number]>([
    [[0, 0, 0, 0], [4, 4, 2, 1], 0, 1, 0.0],
    [[0, 0, 0, 0], [10, 11, 12, 0], 14, 10, 0.0],
    [[0, 0, 0, 0], [0, 0, 0, 0], 0, 0, 0.0],
    [[6, 5, 4, 0], [6, 5, 4, 3], 6, 6, 0.0],
    [[0, 0, 0, 0], [0, 0, 0, 0], 0, 0, 0.1],
    [[0, 0, 0, 0], [0, 0, 0, 0], 1, 5, 0.01],
  ])('degenerate statistics %j %j sys=%i ref=%i floor=%f give 0', (counts, totals, sysLen, refLen, smoothValue) => {
    const r = computeBleu({ counts, totals, sysLen, refLen }, { smoothMethod: 'floor', smoothValue });
    expect(r.score).toBe(0);
  });

  // test_max_ngram_order: compared as sacreBLEU formats them, two decimals.
  it.each([
    [1, '77.65'],
    [2, '60.50'],
    [3, '53.93'],
    [4, '48.53'],
    [5, '46.14'],
    [6, '43.28'],
  ])('max n-gram order %i = %s', (order, expected) => {
    expect(corpusBleu(HYPS, REFS, { maxNgramOrder: order }).score.toFixed(2)).toBe(expected);
  });
});

// ---------------------------------------------------------------------------------------------
// Ported from the sacreBLEU test suite, test_sentence_bleu.py (tolerance 1e-3 as there). sacreBLEU
// runs the first table twice, through compat.sentence_bleu and BLEU(effective_order=True); both are
// our sentenceBleu.
// ---------------------------------------------------------------------------------------------
describe('sacreBLEU test_sentence_bleu.py', () => {
  // Example from sacreBLEU issue #98.
  const REF = 'producţia de zahăr brut se exprimă în zahăr alb;';
  const SYS = 'Producția de zahăr primă va fi exprimată în ceea ce privește zahărul alb;';

  it.each<[SmoothMethod, number | undefined, boolean, TokenizerName, number]>([
    ['exp', undefined, false, '13a', 8.493],
    ['none', undefined, false, '13a', 0.0],
    ['floor', undefined, false, '13a', 4.51688], // default 0.1
    ['floor', 0.1, false, '13a', 4.51688],
    ['floor', 0.5, false, '13a', 10.1],
    ['add-k', undefined, false, '13a', 14.882], // default 1
    ['add-k', 1, false, '13a', 14.882],
    ['add-k', 2, false, '13a', 21.389],
    ['exp', undefined, false, 'none', 7.347],
    ['exp', undefined, false, 'intl', 8.493],
    ['exp', undefined, false, 'char', 40.8759],
    ['exp', undefined, true, 'char', 42.0267],
  ])('smooth=%s value=%s lowercase=%s tokenize=%s: %f', (smoothMethod, smoothValue, lowercase, tokenize, expected) => {
    expectClose(sentenceBleu(SYS, [REF], { smoothMethod, smoothValue, lowercase, tokenize }).score, expected, 1e-3);
  });

  // Example from sacreBLEU issue #141: no match at all is 0 whatever the smoothing.
  it.each<[SmoothMethod, number | undefined]>([
    ['exp', undefined],
    ['none', undefined],
    ['floor', undefined],
    ['floor', 0.1],
    ['add-k', undefined],
    ['add-k', 1],
  ])('no overlap, smooth=%s value=%s: 0', (smoothMethod, smoothValue) => {
    expectClose(sentenceBleu('this is a cat', ['okay thanks'], { smoothMethod, smoothValue }).score, 0, 1e-3);
  });
});

// ---------------------------------------------------------------------------------------------
// Our own cases.
// ---------------------------------------------------------------------------------------------
describe('BLEU', () => {
  it('is 100 for a hypothesis identical to its reference, 0 for a disjoint one', () => {
    const s = 'The quick brown fox jumps over the lazy dog.';
    expect(sentenceBleu(s, [s]).score).toBeCloseTo(100, 10);
    expect(corpusBleu([s, 'Another one.'], [[s, 'Another one.']]).score).toBeCloseTo(100, 10);
    expect(sentenceBleu('alpha beta gamma delta', ['one two three four']).score).toBe(0);
    expect(corpusBleu(['alpha beta gamma delta'], [['one two three four']]).score).toBe(0);
  });

  it('scores a one-word exact match 100 only with effective order', () => {
    expect(sentenceBleu('Hello', ['Hello']).score).toBeCloseTo(100, 10);
    // Without it the orders a one-word hypothesis has no n-grams of count as zero precisions
    // (smoothing only applies to orders that have n-grams), as in sacreBLEU's corpus BLEU.
    expect(corpusBleu(['Hello'], [['Hello']]).score).toBe(0);
  });

  it('reports the statistics and the brevity penalty', () => {
    const r = corpusBleu(['the cat sat'], [['the cat sat on the mat']], { smoothMethod: 'none' });
    expect(r.sysLen).toBe(3);
    expect(r.refLen).toBe(6);
    expect(r.counts).toEqual([3, 2, 1, 0]);
    expect(r.totals).toEqual([3, 2, 1, 0]);
    expect(r.bp).toBeCloseTo(Math.exp(1 - 6 / 3), 12);
    expect(r.ratio).toBeCloseTo(0.5, 12);
    expect(r.score).toBe(0); // no 4-grams and no smoothing
  });

  it('uses the closest reference length, the shorter one on a tie', () => {
    // Hypothesis of 3 tokens; references of 2 and 4 tokens are equally close: 2 is used.
    const r = corpusBleu(['a b c'], [['a b'], ['a b c d']]);
    expect(r.refLen).toBe(2);
    expect(r.bp).toBe(1);
  });

  it('lowercases only when asked', () => {
    expect(sentenceBleu('THE CAT', ['the cat']).score).toBe(0);
    expect(sentenceBleu('THE CAT', ['the cat'], { lowercase: true }).score).toBeCloseTo(100, 10);
  });

  it('takes a tokenizer function', () => {
    const bySlash = (s: string) => s.split('/').join(' ');
    expect(sentenceBleu('a/b/c', ['a/b/c'], { tokenize: bySlash }).sysLen).toBe(3);
  });

  it('skips missing references of a stream (variable reference counts)', () => {
    const withGap = corpusBleu(['a b c d', 'e f g h'], [['a b c d', 'e f g h'], ['x y', null]]);
    expect(withGap.score).toBeCloseTo(100, 10);
  });

  it('rejects reference streams of the wrong length and unknown options', () => {
    expect(() => corpusBleu(['a', 'b'], [['a']])).toThrow(AlignScopeError);
    expect(() => corpusBleu(['a'], [])).toThrow(/no reference stream/);
    expect(() => corpusBleu(['a'], [[null]])).toThrow(/no reference/);
    expect(() => corpusBleu(['a'], [['a']], { tokenize: 'ja-mecab' as TokenizerName })).toThrow(/Unknown BLEU tokenizer/);
    expect(() => corpusBleu(['a'], [['a']], { smoothMethod: 'nist' as SmoothMethod })).toThrow(/smoothing/);
  });

  it('scores an empty corpus 0', () => {
    expect(corpusBleu([], [[]]).score).toBe(0);
  });

  // Expected values from sacreBLEU 2.6.0 itself on these inputs.
  it('agrees with sacreBLEU on empty hypotheses and references', () => {
    expect(corpusBleu(['a b c'], [['']]).score).toBe(0);
    expect(sentenceBleu('', ['']).score).toBe(0);
  });
});
