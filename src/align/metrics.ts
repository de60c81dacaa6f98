// Cross-lingual alignment metrics: the float64 CPU reference, and the one function that turns a
// similarity matrix into every metric. The GPU path (gpu-metrics.ts) computes the same numbers from
// per-sentence statistics of S without reading S back; tests hold the two together.
//
// Setting. Two languages A and B, n parallel sentences, one pooled vector per sentence and layer:
//   X [n, C] (language A), Y [n, C] (language B), row i of X and row i of Y are translations.
//
// Preprocessing (DESIGN.md, "The science we implement"), per language, independent of the pair:
//   centre (optional, on by default in analyze.ts):  x_i <- x_i - (1/n) Σ_k x_k      (A's own mean; B's own mean for Y)
//   L2-normalise:                                     x̂_i = x_i / ||x_i||          (a zero vector stays zero)
//   S = X̂ Ŷᵀ   [n, n],   S[i, j] = cos(x_i, y_j)
//
// Metrics, all read off S (n >= 2):
//   meanCosine = mean_i S[i,i]                                   (mean cosine of translation pairs)
//   meanOffdiag = mean_{i != j} S[i,j]                           (mean cosine of non-translation pairs)
//   LAC = (meanCosine - meanOffdiag) / (1 - meanOffdiag)         (kappa-style: 1 when translations
//         coincide, ~0 when translations are no closer than random pairs; NaN when
//         1 - meanOffdiag < 1e-6, i.e. all vectors point the same way and nothing can be told apart)
//   p1AtoB = (1/n) #{ i : argmax_j S[i,j] = i }                  (retrieval precision@1, A queries B)
//   p1BtoA = (1/n) #{ j : argmax_i S[i,j] = j }                  (B queries A, on the columns)
//            argmax breaks ties to the LOWER index: a query whose translation ties with an earlier
//            candidate counts as a miss, one that ties with a later candidate as a hit.
//   MEXA (Kargaran et al. 2024, "MEXA: Multilingual Evaluation of English-Centric LLMs via
//        Cross-Lingual Alignment", and the authors' reference code):
//        MEXA = (1/n) #{ i : S[i,i] > max_{j != i} S[i,j]  and  S[i,i] > max_{j != i} S[j,i] }
//        i.e. the translation pair is strictly the best match of both its row and its column (mutual
//        nearest neighbours); any tie counts as a failure. We do NOT implement the variant that
//        averages row-only rates of the two directions (that is (p1AtoB + p1BtoA) / 2, up to ties).
//   alignment (Wang & Isola 2020, α = 2 by default): E_i ||x̂_i - ŷ_i||^α. On unit vectors
//        ||x̂ - ŷ||² = 2 - 2 cos, so alignment = mean_i (2 - 2 S[i,i])^(α/2) (= 2 - 2·meanCosine
//        for α = 2). Lower is better; 0 when translations coincide. (A zero vector left by centring
//        has cosine 0 with everything; the formula then reads it as a unit vector orthogonal to all.)
//
// Weighted form (for the bootstrap, bootstrap.ts): `counts[i]` = how many times sentence i was drawn
// (m = Σ counts = n for a resample). Sentences with count 0 are absent: they are neither queries nor
// candidates. Drawn copies of one sentence are one candidate, and a pair of copies of the same
// sentence is a translation pair, never a non-translation pair:
//   meanCosine  = Σ_i c_i S[i,i] / m
//   meanOffdiag = (Σ_i Σ_j c_i c_j S[i,j] - Σ_i c_i² S[i,i]) / (m² - Σ_i c_i²)
//   p1, MEXA    = Σ_i c_i [i succeeds among the present sentences] / m
// With every count 1 these are exactly the formulas above.

import { AlignScopeError, ShapeError } from '../errors';

export interface AlignmentMetrics {
  /** Language Alignment Coefficient, kappa-style; 1 = translations coincide, ~0 = no better than random pairs. */
  lac: number;
  /** Mutual-nearest-neighbour rate (strict, both row and column), in [0, 1]. */
  mexa: number;
  /** Retrieval precision@1, language A sentences retrieving their B translation. */
  p1AtoB: number;
  /** Retrieval precision@1, language B sentences retrieving their A translation. */
  p1BtoA: number;
  /** Mean cosine of translation pairs, mean(diag S). */
  meanCosine: number;
  /** Mean cosine of non-translation pairs, mean(offdiag S): the baseline LAC corrects for. */
  meanOffdiag: number;
  /** Wang & Isola alignment E||x̂ - ŷ||^α (α = 2 unless said); lower is better. */
  alignment: number;
}

export type AlignmentMetricName = keyof AlignmentMetrics;

/** Float32Array from the GPU path, Float64Array from the CPU reference. */
export type SimilarityMatrix = Float32Array | Float64Array;

export interface PreprocessOptions {
  /** Subtract this language's mean vector before normalising (DESIGN.md's default). */
  centre: boolean;
}

export interface MetricOptions {
  /** Exponent of the Wang & Isola alignment term; 2 by default. */
  alpha?: number;
  /** Bootstrap draw counts per sentence (length n, non-negative integers); all 1 when absent. */
  counts?: ArrayLike<number>;
}

/**
 * One language's vectors V [n, C] -> V̂ [n, C] in float64: optionally centred on their own mean,
 * then each row L2-normalised (a zero row stays zero). Throws on non-finite values.
 */
export function preprocess(V: ArrayLike<number>, n: number, C: number, opts: PreprocessOptions): Float64Array {
  checkShape('vectors', V, n, C);
  const out = new Float64Array(n * C);
  for (let i = 0; i < n * C; i++) {
    const v = V[i];
    if (!Number.isFinite(v)) {
      throw new AlignScopeError(`Embedding row ${Math.floor(i / C)} holds a non-finite value (${v}) at dimension ${i % C}; alignment metrics need finite vectors.`, {
        row: Math.floor(i / C),
        dim: i % C,
      });
    }
    out[i] = v;
  }
  if (opts.centre) {
    const mean = new Float64Array(C); // mean [C] = (1/n) Σ_i V[i, :]
    for (let i = 0; i < n; i++) for (let c = 0; c < C; c++) mean[c] += out[i * C + c];
    for (let c = 0; c < C; c++) mean[c] /= n;
    for (let i = 0; i < n; i++) for (let c = 0; c < C; c++) out[i * C + c] -= mean[c];
  }
  for (let i = 0; i < n; i++) {
    let ss = 0;
    for (let c = 0; c < C; c++) ss += out[i * C + c] ** 2;
    const inv = ss > 0 ? 1 / Math.sqrt(ss) : 0;
    for (let c = 0; c < C; c++) out[i * C + c] *= inv;
  }
  return out;
}

/** S = X̂ Ŷᵀ [n, n] in float64 from two preprocessed [n, C] matrices. */
export function similarityMatrix(Xh: ArrayLike<number>, Yh: ArrayLike<number>, n: number, C: number): Float64Array {
  checkShape('X̂', Xh, n, C);
  checkShape('Ŷ', Yh, n, C);
  const S = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let dot = 0;
      for (let c = 0; c < C; c++) dot += Xh[i * C + c] * Yh[j * C + c];
      S[i * n + j] = dot;
    }
  }
  return S;
}

/** Preprocess both languages and return S [n, n] (float64). */
export function cpuSimilarity(X: ArrayLike<number>, Y: ArrayLike<number>, n: number, C: number, opts: PreprocessOptions): Float64Array {
  return similarityMatrix(preprocess(X, n, C, opts), preprocess(Y, n, C, opts), n, C);
}

/** Every metric for languages A (X [n, C]) and B (Y [n, C]), float64 on the CPU. */
export function alignmentMetrics(X: ArrayLike<number>, Y: ArrayLike<number>, n: number, C: number, opts: PreprocessOptions & { alpha?: number }): AlignmentMetrics {
  return metricsFromSimilarity(cpuSimilarity(X, Y, n, C, opts), n, { alpha: opts.alpha });
}

/**
 * Every metric from S [n, n] (row i = sentence i of A, column j = sentence j of B) in one pass over
 * S, accumulating in float64. With `counts`, the weighted form described at the top of this file.
 */
export function metricsFromSimilarity(S: SimilarityMatrix, n: number, opts: MetricOptions = {}): AlignmentMetrics {
  checkSimilarity(S, n);
  const alpha = opts.alpha ?? 2;
  const { present, c, m, sumC2 } = presentSentences(n, opts.counts);
  const k = present.length;

  // Per column j (B side): best value and its first row, and the best value off the diagonal.
  const colBest = new Float64Array(n).fill(-Infinity);
  const colArg = new Int32Array(n).fill(-1);
  const colOff = new Float64Array(n).fill(-Infinity);

  let total = 0; // Σ_i Σ_j c_i c_j S[i,j]
  let diagW = 0; // Σ_i c_i S[i,i]
  let diagW2 = 0; // Σ_i c_i² S[i,i]
  let alignSum = 0; // Σ_i c_i (2 - 2 S[i,i])^(α/2)
  let hitsAB = 0;
  const rowMutual = new Uint8Array(n); // row half of the MEXA test, finished with the columns below

  for (let a = 0; a < k; a++) {
    const i = present[a];
    const ci = c[i];
    const base = i * n;
    let rowBest = -Infinity;
    let rowArg = -1;
    let rowOff = -Infinity;
    let rowSum = 0; // Σ_j c_j S[i,j]
    for (let b = 0; b < k; b++) {
      const j = present[b];
      const v = S[base + j];
      rowSum += c[j] * v;
      // Strict '>' scanning upwards keeps the lowest index among ties.
      if (v > rowBest) {
        rowBest = v;
        rowArg = j;
      }
      if (v > colBest[j]) {
        colBest[j] = v;
        colArg[j] = i;
      }
      if (j !== i) {
        if (v > rowOff) rowOff = v;
        if (v > colOff[j]) colOff[j] = v;
      }
    }
    total += ci * rowSum;
    const d = S[base + i];
    diagW += ci * d;
    diagW2 += ci * ci * d;
    alignSum += ci * Math.max(0, 2 - 2 * d) ** (alpha / 2);
    if (rowArg === i) hitsAB += ci;
    if (d > rowOff) rowMutual[i] = 1; // rowOff = -Infinity when i is the only sentence present
  }

  let hitsBA = 0;
  let mutual = 0;
  for (let b = 0; b < k; b++) {
    const j = present[b];
    if (colArg[j] === j) hitsBA += c[j];
    if (rowMutual[j] && S[j * n + j] > colOff[j]) mutual += c[j];
  }

  const meanCosine = diagW / m;
  const offPairs = m * m - sumC2;
  const meanOffdiag = offPairs > 0 ? (total - diagW2) / offPairs : NaN;
  return {
    lac: lacFrom(meanCosine, meanOffdiag),
    mexa: mutual / m,
    p1AtoB: hitsAB / m,
    p1BtoA: hitsBA / m,
    meanCosine,
    meanOffdiag,
    alignment: alignSum / m,
  };
}

/**
 * LAC alone (weighted form), skipping the nearest-neighbour bookkeeping: the bootstrap's inner loop.
 * Same sums in the same order as metricsFromSimilarity, so the two agree to the last bit.
 */
export function lacFromSimilarity(S: SimilarityMatrix, n: number, counts?: ArrayLike<number>): number {
  checkSimilarity(S, n);
  const { present, c, m, sumC2 } = presentSentences(n, counts);
  const k = present.length;
  let total = 0;
  let diagW = 0;
  let diagW2 = 0;
  for (let a = 0; a < k; a++) {
    const i = present[a];
    const ci = c[i];
    const base = i * n;
    let rowSum = 0;
    for (let b = 0; b < k; b++) {
      const j = present[b];
      rowSum += c[j] * S[base + j];
    }
    total += ci * rowSum;
    const d = S[base + i];
    diagW += ci * d;
    diagW2 += ci * ci * d;
  }
  const offPairs = m * m - sumC2;
  return lacFrom(diagW / m, offPairs > 0 ? (total - diagW2) / offPairs : NaN);
}

/**
 * Below this, 1 - mean(offdiag S) is treated as 0: the vectors all point (nearly) the same way, the
 * f32 similarities of the GPU path (relative error ~1e-7) cannot tell them apart, and LAC is 0/0.
 */
export const LAC_MIN_DENOMINATOR = 1e-6;

/** LAC = (d - o) / (1 - o); NaN when 1 - o < LAC_MIN_DENOMINATOR (nothing to tell apart) or o is NaN. */
export function lacFrom(meanCosine: number, meanOffdiag: number): number {
  const denom = 1 - meanOffdiag;
  return denom < LAC_MIN_DENOMINATOR || Number.isNaN(denom) ? NaN : (meanCosine - meanOffdiag) / denom;
}

function presentSentences(n: number, counts: ArrayLike<number> | undefined): { present: Int32Array; c: Float64Array; m: number; sumC2: number } {
  const c = new Float64Array(n);
  if (!counts) {
    c.fill(1);
    return { present: Int32Array.from({ length: n }, (_, i) => i), c, m: n, sumC2: n };
  }
  if (counts.length !== n) throw new ShapeError(`counts has ${counts.length} entries for ${n} sentences.`, { counts: counts.length, n });
  let k = 0;
  let m = 0;
  let sumC2 = 0;
  for (let i = 0; i < n; i++) {
    const w = counts[i];
    if (!(Number.isInteger(w) && w >= 0)) throw new RangeError(`counts[${i}] must be a non-negative integer, got ${w}.`);
    c[i] = w;
    if (w > 0) k++;
    m += w;
    sumC2 += w * w;
  }
  if (m === 0) throw new RangeError('counts are all zero: no sentence to measure.');
  const present = new Int32Array(k);
  for (let i = 0, p = 0; i < n; i++) if (c[i] > 0) present[p++] = i;
  return { present, c, m, sumC2 };
}

function checkShape(what: string, V: ArrayLike<number>, n: number, C: number): void {
  if (!(Number.isInteger(n) && n >= 2 && Number.isInteger(C) && C >= 1)) {
    throw new ShapeError(`Alignment metrics need n >= 2 sentences and C >= 1 dimensions, got n = ${n}, C = ${C}.`, { n, C });
  }
  if (V.length !== n * C) throw new ShapeError(`${what}: ${V.length} values for [${n}, ${C}] (expected ${n * C}).`, { what, length: V.length, n, C });
}

function checkSimilarity(S: SimilarityMatrix, n: number): void {
  if (!(Number.isInteger(n) && n >= 2)) throw new ShapeError(`Alignment metrics need n >= 2 sentences, got ${n}.`, { n });
  if (S.length !== n * n) throw new ShapeError(`Similarity matrix has ${S.length} values for [${n}, ${n}] (expected ${n * n}).`, { length: S.length, n });
}
