// BLEU (Papineni et al., 2002) with sacreBLEU 2.x semantics, so that a score computed here equals the
// one `sacrebleu` prints for the same text and settings:
//   - each segment is lowercased (optionally), right-stripped, tokenized, then split on whitespace;
//   - clipped n-gram matches use, per n-gram, the largest count found in any one reference;
//   - the brevity penalty uses, per segment, the reference length closest to the hypothesis length
//     (the shorter one on a tie), summed over the corpus;
//   - statistics are summed over segments first and the score is computed once (corpus BLEU is not an
//     average of sentence BLEUs);
//   - smoothing follows Chen & Cherry (2014) as sacreBLEU names it: 'none', 'floor' (method 1),
//     'add-k' (method 2), 'exp' (method 3, the NIST/mteval-v13a default).

import { AlignScopeError } from '../errors';
import { referencesByLine, type ReferenceStream } from './references';
import { getTokenizer, rstripPy, splitWords, type Tokenize, type TokenizerName } from './tokenize';

export type SmoothMethod = 'exp' | 'floor' | 'add-k' | 'none';

/** sacreBLEU's defaults for the smoothing value: 0.1 for 'floor' and 1 for 'add-k' (Chen & Cherry). */
export const SMOOTH_DEFAULTS: Readonly<Record<SmoothMethod, number | null>> = {
  exp: null,
  floor: 0.1,
  'add-k': 1,
  none: null,
};

export const MAX_NGRAM_ORDER = 4;

export interface BleuOptions {
  /** A sacreBLEU tokenizer name or a tokenizer function. Default '13a'. */
  tokenize?: TokenizerName | Tokenize;
  /** Lowercase hypotheses and references before tokenizing. Default false. */
  lowercase?: boolean;
  /** Default 'exp'. */
  smoothMethod?: SmoothMethod;
  /** For 'floor' and 'add-k'; defaults to SMOOTH_DEFAULTS. Ignored by the other methods. */
  smoothValue?: number;
  /** Highest n-gram order. Default 4. */
  maxNgramOrder?: number;
  /**
   * Average the log precisions only over the orders up to the last one the hypothesis has n-grams
   * of, so that a hypothesis shorter than maxNgramOrder tokens can still score. Default false for
   * corpus BLEU, true for sentence BLEU (as in sacreBLEU 2.x).
   */
  effectiveOrder?: boolean;
}

/** BLEU's sufficient statistics, summable over segments. */
export interface BleuStats {
  /** Hypothesis length in tokens. */
  sysLen: number;
  /** Reference length in tokens (closest reference per segment). */
  refLen: number;
  /** Clipped matching n-grams per order (index n-1). */
  counts: number[];
  /** Hypothesis n-grams per order (index n-1). */
  totals: number[];
}

export interface BleuScore extends BleuStats {
  /** 0..100. */
  score: number;
  /** Per-order precisions in percent, smoothing applied; 0 for orders not reached. */
  precisions: number[];
  /** Brevity penalty, 0..1. */
  bp: number;
  /** sysLen / refLen, 0 when refLen is 0. */
  ratio: number;
}

// sacreBLEU floors log(0) at this value instead of -Infinity (utils.my_log); exp() of it over the
// order is 0, so a zero precision still zeroes the score, but the arithmetic never sees NaN.
const LOG_ZERO = -9999999999;
const floorLog = (x: number): number => (x === 0 ? LOG_ZERO : Math.log(x));

/**
 * BLEU from already summed statistics (sacreBLEU's BLEU.compute_bleu). With 'add-k', k is added to
 * counts and totals of orders 2 and up, and the returned counts/totals include it, as sacreBLEU's do.
 * maxNgramOrder defaults to the number of orders in `stats`.
 */
export function computeBleu(
  stats: BleuStats,
  opts: Pick<BleuOptions, 'smoothMethod' | 'smoothValue' | 'effectiveOrder' | 'maxNgramOrder'> = {},
): BleuScore {
  const method = opts.smoothMethod ?? 'exp';
  if (!Object.hasOwn(SMOOTH_DEFAULTS, method)) throw new AlignScopeError(`Unknown BLEU smoothing method '${String(method)}'; use exp, floor, add-k or none.`, { smoothMethod: String(method) });
  const value = opts.smoothValue ?? SMOOTH_DEFAULTS[method] ?? 0;
  const order = opts.maxNgramOrder ?? stats.counts.length;
  if (stats.counts.length < order || stats.totals.length < order) {
    throw new AlignScopeError(`BLEU: statistics for ${order} n-gram orders needed, got ${stats.counts.length} counts and ${stats.totals.length} totals.`, { order });
  }
  const effective = opts.effectiveOrder ?? false;
  const { sysLen, refLen } = stats;
  const counts = stats.counts.slice(0, order);
  const totals = stats.totals.slice(0, order);

  // Brevity penalty: only hypotheses shorter than their references are penalised; an empty one gets 0.
  const bp = sysLen < refLen ? (sysLen > 0 ? Math.exp(1 - refLen / sysLen) : 0) : 1;
  const precisions: number[] = new Array(order).fill(0);
  const ratio = refLen ? sysLen / refLen : 0;

  // No match at any order: 0, whatever the smoothing (sacreBLEU #141; smoothing would otherwise
  // give credit to a hypothesis that shares nothing with the reference).
  if (!counts.some((c) => c !== 0)) return { score: 0, counts, totals, precisions, bp, sysLen, refLen, ratio };

  let expDivisor = 1;
  let usedOrders = order;
  for (let n = 1; n <= order; n++) {
    const i = n - 1;
    if (method === 'add-k' && n > 1) {
      counts[i] += value;
      totals[i] += value;
    }
    // The hypothesis has no n-grams of this order (it is shorter than n), so none of any higher order.
    if (totals[i] === 0) break;
    if (effective) usedOrders = n;
    if (counts[i] === 0) {
      if (method === 'exp') {
        // mteval's smoothing: each further order without a match gets half the previous pseudo-count.
        expDivisor *= 2;
        precisions[i] = 100 / (expDivisor * totals[i]);
      } else if (method === 'floor') {
        precisions[i] = (100 * value) / totals[i];
      }
      // 'none' and 'add-k' (order 1) leave a zero precision, which zeroes the score.
    } else {
      precisions[i] = (100 * counts[i]) / totals[i];
    }
  }

  let logSum = 0;
  for (let i = 0; i < usedOrders; i++) logSum += floorLog(precisions[i]);
  const score = bp * Math.exp(logSum / usedOrders);
  return { score, counts, totals, precisions, bp, sysLen, refLen, ratio };
}

/** Counts of each n-gram (tokens joined by one space) of one order. */
type NgramCounts = Map<string, number>;

/** n-gram counts of orders 1..maxOrder (index n-1). Tokens hold no whitespace, so ' ' joins unambiguously. */
function wordNgrams(tokens: readonly string[], maxOrder: number): NgramCounts[] {
  const out: NgramCounts[] = [];
  for (let n = 1; n <= maxOrder; n++) {
    const m: NgramCounts = new Map();
    for (let i = 0; i + n <= tokens.length; i++) {
      const key = n === 1 ? tokens[i] : tokens.slice(i, i + n).join(' ');
      m.set(key, (m.get(key) ?? 0) + 1);
    }
    out.push(m);
  }
  return out;
}

/** Among the reference lengths, the closest to hypLen; the shorter on a tie (as mteval and sacreBLEU). */
function closestRefLen(hypLen: number, refLens: readonly number[]): number {
  let best = -1;
  let bestDiff = Infinity;
  for (const len of refLens) {
    const diff = Math.abs(hypLen - len);
    if (diff < bestDiff || (diff === bestDiff && len < best)) {
      best = len;
      bestDiff = diff;
    }
  }
  return best;
}

function resolveTokenizer(t: BleuOptions['tokenize']): Tokenize {
  if (typeof t === 'function') return t;
  return getTokenizer(t ?? '13a');
}

/**
 * Summed BLEU statistics of a corpus (per-segment statistics added up), for callers that combine or
 * resample corpora; corpusBleu is computeBleu of this.
 */
export function corpusBleuStats(
  hypotheses: readonly string[],
  references: ReadonlyArray<ReferenceStream>,
  opts: Pick<BleuOptions, 'tokenize' | 'lowercase' | 'maxNgramOrder'> = {},
): BleuStats {
  const order = opts.maxNgramOrder ?? MAX_NGRAM_ORDER;
  if (!Number.isInteger(order) || order < 1) throw new AlignScopeError(`BLEU: maxNgramOrder must be a positive integer, got ${order}.`, { maxNgramOrder: order });
  const tokenizer = resolveTokenizer(opts.tokenize);
  const prep = (s: string): string[] => splitWords(tokenizer(rstripPy(opts.lowercase ? s.toLowerCase() : s)));
  const refsByLine = referencesByLine('BLEU', hypotheses.length, references);

  const stats: BleuStats = { sysLen: 0, refLen: 0, counts: new Array(order).fill(0), totals: new Array(order).fill(0) };
  hypotheses.forEach((hyp, i) => {
    // Reference side: per n-gram, the most any single reference allows (clipping uses the max).
    const maxRef: NgramCounts[] = Array.from({ length: order }, () => new Map());
    const refLens: number[] = [];
    for (const ref of refsByLine[i]) {
      const tokens = prep(ref);
      refLens.push(tokens.length);
      wordNgrams(tokens, order).forEach((m, o) => {
        for (const [g, c] of m) if (c > (maxRef[o].get(g) ?? 0)) maxRef[o].set(g, c);
      });
    }
    const hypTokens = prep(hyp);
    stats.sysLen += hypTokens.length;
    stats.refLen += closestRefLen(hypTokens.length, refLens);
    wordNgrams(hypTokens, order).forEach((m, o) => {
      for (const [g, c] of m) {
        stats.totals[o] += c;
        const r = maxRef[o].get(g);
        if (r !== undefined) stats.counts[o] += Math.min(c, r);
      }
    });
  });
  return stats;
}

/**
 * Corpus BLEU as sacreBLEU's `corpus_bleu` / `BLEU().corpus_score`: `references[k][i]` is the k-th
 * reference of hypothesis i (one array per reference stream, like sacreBLEU).
 */
export function corpusBleu(hypotheses: readonly string[], references: ReadonlyArray<ReferenceStream>, opts: BleuOptions = {}): BleuScore {
  return computeBleu(corpusBleuStats(hypotheses, references, opts), opts);
}

/**
 * Sentence BLEU as sacreBLEU 2.x's `sentence_bleu`: one hypothesis against its references, with
 * effective order on by default (and 'exp' smoothing, as everywhere) so short sentences can score.
 */
export function sentenceBleu(hypothesis: string, references: readonly string[], opts: BleuOptions = {}): BleuScore {
  const streams = references.map((r) => [r]);
  return corpusBleu([hypothesis], streams, { ...opts, effectiveOrder: opts.effectiveOrder ?? true });
}
