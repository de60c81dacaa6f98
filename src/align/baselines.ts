// Baselines to read alignment numbers against: what a number would be if the model knew nothing.
//
// 1. Chance retrieval: with n candidates, a random guess finds the translation with probability 1/n,
//    so P@1 = 1/n (and MEXA, which needs a mutual hit, is below that).
//
// 2. LAC's permutation null: the same vectors with the pairing shuffled. For a permutation π of the
//    B sentences, S'[i, j] = S[i, π(j)]; the sum of all entries is unchanged, only the diagonal moves:
//      d(π) = (1/n) Σ_i S[i, π(i)],   o(π) = (Σ_ij S[i,j] - n·d(π)) / (n² - n),   LAC(π) = (d - o) / (1 - o).
//    Drawing `resamples` uniform permutations (seeded Fisher–Yates, src/train/rng.ts) gives the band of
//    LAC values that unrelated pairs reach by chance: a measured LAC inside it says nothing.
//
// 3. The surface baseline: the same alignment metrics on vectors that see spelling only — bags of
//    character n-grams (orders 1..3, NFKC, lower case, runs of white space as one space, one space of
//    padding at both ends; raw counts), preprocessed like model vectors (centred per language when the
//    analysis is, L2-normalised). Pairs that share an alphabet and cognates (fr–es, zh–ja through kanji)
//    score well here with no model at all, so a model's number is read against it.
//    Cost: centred vectors are dense on each language's own n-gram set F_A, but a dot product of an
//    A vector and a B vector only sees the shared set F_A ∩ F_B (outside it one side is 0 in every
//    row and in its mean), so S [n, n] costs n² · |F_A ∩ F_B|, tiny for pairs that share no script.

import { ShapeError } from '../errors';
import { Rng } from '../train/rng';
import { quantile } from './bootstrap';
import { lacFrom, metricsFromSimilarity, similarityMatrix, type SimilarityMatrix } from './metrics';

/** Retrieval by a random guess among n candidates. */
export function chanceP1(n: number): number {
  return 1 / n;
}

export interface NullBand {
  /** Mean of LAC over the shuffled pairings (≈ 0 for centred vectors). */
  mean: number;
  low: number;
  high: number;
}

export interface NullOptions {
  resamples?: number;
  seed?: number;
  level?: number;
}

/** LAC under shuffled pairings of S [n, n] (see the top of this file): its mean and central `level` band. */
export function permutationNull(S: SimilarityMatrix, n: number, opts: NullOptions = {}): NullBand {
  const resamples = opts.resamples ?? 1000;
  const level = opts.level ?? 0.95;
  if (!(Number.isInteger(n) && n >= 2) || S.length !== n * n) throw new ShapeError(`Permutation null needs S [n, n] with n >= 2; got ${S.length} values for n = ${n}.`, { n, length: S.length });
  if (!(Number.isInteger(resamples) && resamples >= 1)) throw new RangeError(`Permutation null resamples must be a positive integer, got ${resamples}.`);
  let total = 0;
  for (let k = 0; k < n * n; k++) total += S[k];
  const rng = new Rng(opts.seed ?? 0);
  const perm = Int32Array.from({ length: n }, (_, i) => i);
  const values: number[] = [];
  for (let r = 0; r < resamples; r++) {
    for (let i = n - 1; i > 0; i--) {
      const j = rng.int(i + 1);
      const t = perm[i];
      perm[i] = perm[j];
      perm[j] = t;
    }
    let diag = 0;
    for (let i = 0; i < n; i++) diag += S[i * n + perm[i]];
    const v = lacFrom(diag / n, (total - diag) / (n * n - n));
    if (!Number.isNaN(v)) values.push(v);
  }
  values.sort((a, b) => a - b);
  const tail = (1 - level) / 2;
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  return { mean, low: quantile(values, tail), high: quantile(values, 1 - tail) };
}

/** Character n-gram orders of the surface baseline. */
export const SURFACE_ORDERS = [1, 2, 3] as const;

/** The text a sentence's n-grams are read from: NFKC, lower case, white space runs as one space, padded. */
export function surfaceText(sentence: string): string {
  return ` ${sentence.normalize('NFKC').toLowerCase().replace(/\s+/gu, ' ').trim()} `;
}

/** Counts of the character n-grams (code points, orders SURFACE_ORDERS) of one sentence; the all-space gram is left out. */
export function charNgrams(sentence: string): Map<string, number> {
  const chars = [...surfaceText(sentence)];
  const counts = new Map<string, number>();
  for (const k of SURFACE_ORDERS) {
    for (let i = 0; i + k <= chars.length; i++) {
      const gram = chars.slice(i, i + k).join('');
      if (gram.trim() === '') continue;
      counts.set(gram, (counts.get(gram) ?? 0) + 1);
    }
  }
  return counts;
}

/** One language's surface vectors: per sentence its n-gram counts, the language's mean over sentences, and each centred row's norm. */
interface SurfaceLanguage {
  rows: Map<string, number>[];
  mean: Map<string, number>;
  norms: Float64Array;
}

function surfaceLanguage(sentences: readonly string[], centre: boolean): SurfaceLanguage {
  const n = sentences.length;
  const rows = sentences.map(charNgrams);
  const mean = new Map<string, number>();
  if (centre) for (const row of rows) for (const [g, c] of row) mean.set(g, (mean.get(g) ?? 0) + c / n);
  // ||x_i - μ||² over the language's n-gram set: grams of row i, and the mean's grams absent from it.
  const norms = new Float64Array(n);
  rows.forEach((row, i) => {
    let ss = 0;
    for (const [g, c] of row) ss += (c - (mean.get(g) ?? 0)) ** 2;
    for (const [g, m] of mean) if (!row.has(g)) ss += m * m;
    norms[i] = Math.sqrt(ss);
  });
  return { rows, mean, norms };
}

/** S [n, n] of the surface vectors of A and B: cosines of the centred n-gram counts (see the top of this file). */
function surfaceSimilarity(A: SurfaceLanguage, B: SurfaceLanguage, n: number): Float64Array {
  const grams = new Set<string>();
  for (const row of A.rows) for (const g of row.keys()) grams.add(g);
  for (const g of A.mean.keys()) grams.add(g);
  const inB = new Set<string>();
  for (const row of B.rows) for (const g of row.keys()) inB.add(g);
  const shared = [...grams].filter((g) => inB.has(g));
  const F = shared.length;
  // Dense [n, F] on the shared grams, centred and divided by each row's full norm.
  const dense = (L: SurfaceLanguage): Float64Array => {
    const out = new Float64Array(n * F);
    L.rows.forEach((row, i) => {
      const inv = L.norms[i] > 0 ? 1 / L.norms[i] : 0;
      shared.forEach((g, f) => (out[i * F + f] = ((row.get(g) ?? 0) - (L.mean.get(g) ?? 0)) * inv));
    });
    return out;
  };
  // No shared gram (scripts apart): every cosine is 0.
  return F === 0 ? new Float64Array(n * n) : similarityMatrix(dense(A), dense(B), n, F);
}

export interface SurfaceRow {
  a: string;
  b: string;
  lac: number;
  mexa: number;
  p1AtoB: number;
  p1BtoA: number;
}

/**
 * The surface baseline for every pair a < b of `languages` (in their order): alignment metrics of
 * character n-gram vectors of the same n parallel sentences. `sentences[lang][i]` is sentence i.
 */
export function surfaceBaseline(sentences: Readonly<Record<string, readonly string[]>>, languages: readonly string[], opts: { centre: boolean }): SurfaceRow[] {
  const n = sentences[languages[0]]?.length ?? 0;
  for (const l of languages) {
    if (sentences[l]?.length !== n) throw new ShapeError(`Surface baseline: language "${l}" has ${sentences[l]?.length ?? 0} sentences, expected ${n} (parallel sets).`, { language: l });
  }
  if (n < 2) throw new ShapeError(`Surface baseline needs at least 2 parallel sentences, got ${n}.`, { n });
  const langs = languages.map((l) => surfaceLanguage(sentences[l], opts.centre));
  const rows: SurfaceRow[] = [];
  for (let a = 0; a < languages.length; a++) {
    for (let b = a + 1; b < languages.length; b++) {
      const m = metricsFromSimilarity(surfaceSimilarity(langs[a], langs[b], n), n);
      rows.push({ a: languages[a], b: languages[b], lac: m.lac, mexa: m.mexa, p1AtoB: m.p1AtoB, p1BtoA: m.p1BtoA });
    }
  }
  return rows;
}
