// chrF (Popović 2015) and chrF++ (Popović 2017) with sacreBLEU 2.x semantics:
//   - no tokenization: character n-grams of the line with all whitespace removed (unless
//     `whitespace`), orders 1..charOrder, counted by code point;
//   - chrF++ adds word n-grams of orders 1..wordOrder over whitespace-split words, with one ASCII
//     punctuation mark split off the end (or, failing that, the start) of each word;
//   - per order, [hypothesis n-grams, reference n-grams, clipped matches] are summed over the corpus,
//     and the F-beta score (beta = 2: recall weighs more) is computed once from the sums;
//   - with several references, each segment keeps the statistics of the reference with the best
//     segment-level F score (the first one on a tie).
// Averaging (sacreBLEU 2.x's default, eps_smoothing=False): precision and recall are averaged over the
// "effective" orders only, those where both sides have n-grams, then combined into one F-beta. With
// `epsSmoothing` (chrF++.py, Moses and NLTK's way): an F-beta per order, orders without n-grams
// counting as ~0, averaged over all orders.

import { AlignScopeError } from '../errors';
import { referencesByLine, type ReferenceStream } from './references';
import { removeWhitespace, splitWords } from './tokenize';

export interface ChrfOptions {
  /** Character n-gram orders 1..charOrder. Default 6. */
  charOrder?: number;
  /** Word n-gram orders 1..wordOrder: 0 for chrF (default), 2 for chrF++. */
  wordOrder?: number;
  /** Recall is weighted beta times as much as precision. Default 2. */
  beta?: number;
  /** Default false. */
  lowercase?: boolean;
  /** Keep whitespace inside character n-grams. Default false. */
  whitespace?: boolean;
  /** Per-order F scores with epsilon for empty orders (chrF++.py style) instead of effective-order averaging. Default false. */
  epsSmoothing?: boolean;
}

export interface ChrfScore {
  /** 0..100. */
  score: number;
  /** sacreBLEU's name of the variant: 'chrF2', 'chrF2++' (one '+' per word order). */
  name: string;
  charOrder: number;
  wordOrder: number;
  beta: number;
  /**
   * Summed statistics: for each order (character orders first, then word orders) three numbers,
   * hypothesis n-grams, reference n-grams and matches. A hypothesis count is 0 where the chosen
   * reference had no n-gram of that order (as in sacreBLEU).
   */
  stats: number[];
}

// Python's string.punctuation: the ASCII marks chrF++ splits off word edges.
const PUNCTUATION = new Set('!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~');

type Counts = Map<string, number>;

interface ResolvedChrf {
  charOrder: number;
  wordOrder: number;
  beta: number;
  lowercase: boolean;
  whitespace: boolean;
  epsSmoothing: boolean;
}

function resolve(opts: ChrfOptions): ResolvedChrf {
  const r = {
    charOrder: opts.charOrder ?? 6,
    wordOrder: opts.wordOrder ?? 0,
    beta: opts.beta ?? 2,
    lowercase: opts.lowercase ?? false,
    whitespace: opts.whitespace ?? false,
    epsSmoothing: opts.epsSmoothing ?? false,
  };
  if (!Number.isInteger(r.charOrder) || r.charOrder < 0 || !Number.isInteger(r.wordOrder) || r.wordOrder < 0 || r.charOrder + r.wordOrder === 0) {
    throw new AlignScopeError(`chrF: charOrder and wordOrder must be non-negative integers, not both 0; got ${r.charOrder} and ${r.wordOrder}.`, { charOrder: r.charOrder, wordOrder: r.wordOrder });
  }
  if (!(r.beta > 0)) throw new AlignScopeError(`chrF: beta must be positive, got ${r.beta}.`, { beta: r.beta });
  return r;
}

/** Character n-gram counts of orders 1..maxOrder, over code points (Python's str slicing). */
function charNgrams(line: string, maxOrder: number, keepWhitespace: boolean): Counts[] {
  const s = keepWhitespace ? line : removeWhitespace(line);
  // UTF-16 offset of each code point, plus the end, so an n-gram is one slice of the string.
  const offsets: number[] = [];
  for (let i = 0; i < s.length; i += s.codePointAt(i)! > 0xffff ? 2 : 1) offsets.push(i);
  offsets.push(s.length);
  const len = offsets.length - 1;
  const out: Counts[] = [];
  for (let n = 1; n <= maxOrder; n++) {
    const m: Counts = new Map();
    for (let i = 0; i + n <= len; i++) {
      const g = s.slice(offsets[i], offsets[i + n]);
      m.set(g, (m.get(g) ?? 0) + 1);
    }
    out.push(m);
  }
  return out;
}

/**
 * chrF++'s word splitting (after m-popovic/chrF): whitespace-split words, with a trailing ASCII
 * punctuation mark split off, or else a leading one. Only one mark per word: "(hi)" gives "(hi" and ")".
 */
function chrfWords(line: string): string[] {
  const words: string[] = [];
  for (const w of splitWords(line)) {
    const chars = Array.from(w);
    if (chars.length === 1) words.push(w);
    else if (PUNCTUATION.has(chars[chars.length - 1])) words.push(chars.slice(0, -1).join(''), chars[chars.length - 1]);
    else if (PUNCTUATION.has(chars[0])) words.push(chars[0], chars.slice(1).join(''));
    else words.push(w);
  }
  return words;
}

function wordNgrams(words: readonly string[], n: number): Counts {
  const m: Counts = new Map();
  for (let i = 0; i + n <= words.length; i++) {
    const g = words.slice(i, i + n).join(' ');
    m.set(g, (m.get(g) ?? 0) + 1);
  }
  return m;
}

/** All n-gram counters of a (preprocessed) segment: character orders, then word orders. */
function segmentNgrams(line: string, o: ResolvedChrf): Counts[] {
  const all = charNgrams(line, o.charOrder, o.whitespace);
  if (o.wordOrder > 0) {
    const words = chrfWords(line);
    for (let n = 1; n <= o.wordOrder; n++) all.push(wordNgrams(words, n));
  }
  return all;
}

function sumCounts(m: Counts): number {
  let s = 0;
  for (const c of m.values()) s += c;
  return s;
}

/** [hyp n-grams, ref n-grams, matches] for every order, flattened. */
function matchStats(hyp: readonly Counts[], ref: readonly Counts[]): number[] {
  const stats: number[] = [];
  for (let i = 0; i < hyp.length; i++) {
    let hypCount = 0;
    let matches = 0;
    for (const [g, c] of hyp[i]) {
      hypCount += c;
      const r = ref[i].get(g);
      if (r !== undefined) matches += Math.min(c, r);
    }
    // sacreBLEU records 0 hypothesis n-grams for an order the reference lacks, so that order is not
    // "effective" and costs no precision.
    stats.push(ref[i].size > 0 ? hypCount : 0, sumCounts(ref[i]), matches);
  }
  return stats;
}

/** chrF in 0..100 from (summed) statistics. */
function fScore(stats: readonly number[], o: ResolvedChrf): number {
  const EPS = 1e-16;
  const b2 = o.beta * o.beta;
  const orders = o.charOrder + o.wordOrder;
  let epsSum = 0;
  let precSum = 0;
  let recSum = 0;
  let effective = 0;
  for (let i = 0; i < orders; i++) {
    const [nHyp, nRef, nMatch] = [stats[3 * i], stats[3 * i + 1], stats[3 * i + 2]];
    const prec = nHyp > 0 ? nMatch / nHyp : EPS;
    const rec = nRef > 0 ? nMatch / nRef : EPS;
    const denom = b2 * prec + rec;
    epsSum += denom > 0 ? ((1 + b2) * prec * rec) / denom : EPS;
    if (nHyp > 0 && nRef > 0) {
      precSum += prec;
      recSum += rec;
      effective++;
    }
  }
  if (o.epsSmoothing) return (100 * epsSum) / orders;
  const p = effective ? precSum / effective : 0;
  const r = effective ? recSum / effective : 0;
  return p + r ? (100 * (1 + b2) * p * r) / (b2 * p + r) : 0;
}

function chrfName(o: ResolvedChrf): string {
  return `chrF${o.beta}${'+'.repeat(o.wordOrder)}`;
}

/**
 * Corpus chrF / chrF++ as sacreBLEU's `corpus_chrf` / `CHRF().corpus_score`: `references[k][i]` is
 * the k-th reference of hypothesis i. chrF++ is `{ wordOrder: 2 }`.
 */
export function corpusChrf(hypotheses: readonly string[], references: ReadonlyArray<ReferenceStream>, opts: ChrfOptions = {}): ChrfScore {
  const o = resolve(opts);
  const prep = (s: string): string => (o.lowercase ? s.toLowerCase() : s);
  const refsByLine = referencesByLine('chrF', hypotheses.length, references);
  const total: number[] = new Array(3 * (o.charOrder + o.wordOrder)).fill(0);
  hypotheses.forEach((hyp, i) => {
    const hypNgrams = segmentNgrams(prep(hyp), o);
    let best: number[] | null = null;
    let bestF = -1;
    for (const ref of refsByLine[i]) {
      const stats = matchStats(hypNgrams, segmentNgrams(prep(ref), o));
      const f = fScore(stats, o);
      if (f > bestF) {
        bestF = f;
        best = stats;
      }
    }
    best!.forEach((v, k) => (total[k] += v));
  });
  return { score: fScore(total, o), name: chrfName(o), charOrder: o.charOrder, wordOrder: o.wordOrder, beta: o.beta, stats: total };
}

/** Sentence chrF / chrF++ as sacreBLEU's `sentence_chrf`: one hypothesis against its references. */
export function sentenceChrf(hypothesis: string, references: readonly string[], opts: ChrfOptions = {}): ChrfScore {
  return corpusChrf(
    [hypothesis],
    references.map((r) => [r]),
    opts,
  );
}
