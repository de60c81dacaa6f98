// Exact principal component analysis of a few thousand embedding vectors, for a 2-D scatter map.
//
// The data [n, C] are centred in float64. The top-k eigenvectors of the covariance come from the
// smaller of two symmetric positive semi-definite matrices with the same nonzero spectrum:
//   - C <= n: the C×C covariance  M = XᵀX / (n-1)   (eigenvectors are the components);
//   - C >  n: the n×n Gram matrix G = XXᵀ / (n-1)   (eigenvector u gives the component Xᵀu, normalised).
// Either matrix is formed explicitly when that is cheap (min(n, C) <= EXPLICIT_MAX), otherwise it is
// applied implicitly as two passes over X per product (a 5000×4096 covariance would take ~40 GFLOP to
// form but ~40 MFLOP to apply).
//
// Eigenvectors: one Lanczos run per component on the operator deflated by the components already found
// (x -> P A P with P = I - QQᵀ), with full reorthogonalisation (classical Gram–Schmidt, twice), thick
// restarts when the basis is full, and a Ritz residual ||A x - θ x|| <= tol · λ_max (tol = 1e-10) as
// the stopping rule; a breakdown (invariant subspace) or an exhausted Krylov space ends a run exactly.
// Finding one eigenvector per run, on the deflated operator, means repeated eigenvalues are found
// with their multiplicity (a single-vector Krylov space holds only one vector per eigenspace).
//
// Both routes end the same way: the component c (unit, length C) gets the sign that makes its
// largest-magnitude loading positive (first such index on ties), its scores are X c and its variance
// ||X c||² / (n-1). So the two routes agree to the solver tolerance, and maps do not flip between runs.
// Components whose variance is below tol · λ_max are numerically undetermined: they are returned as
// zeros (scores 0, ratio 0). Everything is deterministic (the Lanczos start vectors use a fixed seed).

import { AlignScopeError, ShapeError } from '../errors';
import { Rng } from '../train/rng';
import { axpy, dot, lanczosTop, MAX_BASIS, orthogonalise, type Apply } from './eigen';

export { symmetricEigen } from './eigen';

export type PcaSolver = 'auto' | 'covariance' | 'gram';

export interface PcaOptions {
  /** Number of components, >= 1. Default 2. Those beyond min(n, C) (or the rank of the centred data) are zero. */
  k?: number;
  /** 'auto' (default): covariance when C <= n, else Gram. The others force a route (tests, benchmarks). */
  solver?: PcaSolver;
  /** Form the m×m matrix ('explicit') or apply it through X ('implicit'); default by size. */
  operator?: 'auto' | 'explicit' | 'implicit';
  /** Relative Ritz residual at which an eigenvector counts as converged. Default 1e-10. */
  tol?: number;
  /** Cap on operator applications per component (a safety net; never reached in practice). Default 20000. */
  maxApplications?: number;
}

export interface PcaResult {
  /** Scores, row-major [n, k]: point i's coordinate along component j is points[i * k + j]. */
  points: Float32Array;
  /** Variance along each component over the total variance; sorted descending, sum <= 1. */
  explainedVarianceRatio: number[];
  /** Variance along each component (eigenvalues of the covariance, divisor n - 1). */
  explainedVariance: number[];
  /** Unit components, row-major [k, C], sign-normalised (largest-magnitude loading positive). */
  components: Float32Array;
  /** Mean that was subtracted, [C]. Scores of a new vector v: (v - mean) · component. */
  mean: Float32Array;
  /** Which matrix was decomposed. */
  solver: 'covariance' | 'gram';
  /** Whether it was formed or applied through X. */
  operator: 'explicit' | 'implicit';
  /** Operator applications (matrix–vector products), all components together. */
  applications: number;
  /** Final Ritz residual of each component relative to λ_max (<= tol when converged). */
  residuals: number[];
}

const DEFAULT_TOL = 1e-10;
/** Up to this m = min(n, C) the matrix is formed: n·C·m/2 multiply-adds once, then m² per product. */
export const EXPLICIT_MAX = 256;
/** Lanczos basis size before a thick restart, and the Ritz vectors kept across one. */
const START_SEED = 0x5eed_2d;

/** y = A x for a symmetric m×m operator. */

export function pca(vectors: Float32Array | Float64Array, n: number, C: number, options: PcaOptions = {}): PcaResult {
  const k = options.k ?? 2;
  const tol = options.tol ?? DEFAULT_TOL;
  const maxApplications = options.maxApplications ?? 20_000;
  checkShape(vectors, n, C);
  if (!Number.isInteger(k) || k < 1) throw new AlignScopeError(`PCA needs an integer number of components k >= 1; got k = ${k}.`, { k });
  if (!(tol > 0 && tol < 1)) throw new AlignScopeError(`PCA tolerance must be in (0, 1); got ${tol}.`, { tol });

  // Centre in float64.
  const mean = new Float64Array(C);
  for (let i = 0; i < n; i++) {
    const row = i * C;
    for (let c = 0; c < C; c++) {
      const v = vectors[row + c];
      if (!Number.isFinite(v)) {
        throw new AlignScopeError(`PCA input has a non-finite value (${v}) at row ${i}, column ${c}.`, { row: i, column: c, value: String(v) });
      }
      mean[c] += v;
    }
  }
  for (let c = 0; c < C; c++) mean[c] /= n;
  const X = new Float64Array(n * C);
  let total = 0; // sum of squares of the centred data
  for (let i = 0; i < n; i++) {
    const row = i * C;
    for (let c = 0; c < C; c++) {
      const v = vectors[row + c] - mean[c];
      X[row + c] = v;
      total += v * v;
    }
  }
  const denom = Math.max(n - 1, 1);

  const solver: 'covariance' | 'gram' = options.solver === 'covariance' || options.solver === 'gram' ? options.solver : C <= n ? 'covariance' : 'gram';
  const m = solver === 'covariance' ? C : n;
  const operator = options.operator === 'explicit' || options.operator === 'implicit' ? options.operator : m <= EXPLICIT_MAX ? 'explicit' : 'implicit';
  const apply: Apply =
    operator === 'explicit'
      ? explicitApply(solver === 'covariance' ? covarianceMatrix(X, n, C, denom) : gramMatrix(X, n, C, denom), m)
      : solver === 'covariance'
        ? implicitCovariance(X, n, C, denom)
        : implicitGram(X, n, C, denom);

  // Ritz pairs cost a small Jacobi solve (~40·s³ for basis size s): when a product is cheaper than
  // that, look only every few products (wasting at most that many), else after every one.
  const productCost = operator === 'explicit' ? m * m : 2 * n * C;
  const checkEvery = Math.max(1, Math.min(16, Math.ceil((40 * Math.min(MAX_BASIS, m) ** 3) / productCost)));

  // Top-k eigenvectors of the m×m operator, one deflated Lanczos run each.
  const rng = new Rng(START_SEED);
  const found: Float64Array[] = [];
  let applications = 0;
  let lambdaMax = 0;
  const eigResiduals: number[] = [];
  for (let j = 0; j < Math.min(k, m); j++) {
    const r = lanczosTop(apply, m, found, rng, tol, lambdaMax, maxApplications, checkEvery);
    applications += r.applications;
    if (j === 0) lambdaMax = Math.max(r.value, 0);
    found.push(r.vector);
    eigResiduals.push(r.residual);
  }

  // Components in feature space and their variance. On the Gram route c = Xᵀu, re-orthogonalised
  // against the components before it: an eigenvector u of a (near-)zero eigenvalue carries ~1e-16 of
  // the top ones, which Xᵀ would otherwise blow up into a copy of them.
  const comps: { c: Float64Array; s: Float64Array; variance: number; residual: number }[] = [];
  for (let j = 0; j < k; j++) {
    if (j >= m) {
      comps.push({ c: new Float64Array(C), s: new Float64Array(n), variance: 0, residual: 0 });
      continue;
    }
    let c: Float64Array;
    if (solver === 'covariance') {
      c = found[j];
    } else {
      c = new Float64Array(C);
      rowCombination(X, n, C, found[j], c);
      const before = comps.map((p) => p.c).filter((p) => p.some((v) => v !== 0));
      orthogonalise(c, before, before.length, C);
      orthogonalise(c, before, before.length, C);
    }
    const norm2 = dot(c, 0, c, 0, C);
    if (norm2 > 0) {
      const inv = 1 / Math.sqrt(norm2);
      for (let t = 0; t < C; t++) c[t] *= inv;
    }
    const s = scores(X, n, C, c);
    const variance = dot(s, 0, s, 0, n) / denom;
    // Variance below tol · λ_max (on the Gram route: ||Xᵀu||², before normalising) means the
    // direction is not determined at this tolerance: report it as zero.
    const evidence = solver === 'gram' ? norm2 / denom : variance;
    if (!(total > 0) || !(lambdaMax > 0) || !(evidence > tol * lambdaMax)) {
      comps.push({ c: new Float64Array(C), s: new Float64Array(n), variance: 0, residual: 0 });
    } else {
      comps.push({ c, s, variance, residual: eigResiduals[j] / lambdaMax });
    }
  }
  comps.sort((a, b) => b.variance - a.variance);

  const points = new Float32Array(n * k);
  const components = new Float32Array(k * C);
  const explainedVariance: number[] = [];
  const explainedVarianceRatio: number[] = [];
  const residuals: number[] = [];
  for (let j = 0; j < k; j++) {
    const { c, s, residual, variance } = comps[j];
    explainedVariance.push(Math.min(variance, total / denom));
    explainedVarianceRatio.push(total > 0 ? Math.min(variance, total / denom) / (total / denom) : 0);
    residuals.push(residual);
    if (variance === 0) continue; // points and components stay zero
    // Sign: the largest-magnitude loading is positive.
    let best = 0;
    for (let t = 1; t < C; t++) if (Math.abs(c[t]) > Math.abs(c[best])) best = t;
    const sign = c[best] < 0 ? -1 : 1;
    for (let t = 0; t < C; t++) components[j * C + t] = sign * c[t];
    for (let i = 0; i < n; i++) points[i * k + j] = sign * s[i];
  }
  // Clamp the tiny non-monotonicities rounding can leave, so the ratios are sorted and sum <= 1.
  for (let j = 1; j < k; j++) {
    if (explainedVarianceRatio[j] > explainedVarianceRatio[j - 1]) explainedVarianceRatio[j] = explainedVarianceRatio[j - 1];
  }
  const sum = explainedVarianceRatio.reduce((a, b) => a + b, 0);
  if (sum > 1) for (let j = 0; j < k; j++) explainedVarianceRatio[j] /= sum;

  return {
    points,
    explainedVarianceRatio,
    explainedVariance,
    components,
    mean: Float32Array.from(mean),
    solver,
    operator,
    applications,
    residuals,
  };
}

function checkShape(vectors: ArrayLike<number>, n: number, C: number): void {
  if (!Number.isInteger(n) || n < 1 || !Number.isInteger(C) || C < 1) {
    throw new ShapeError(`PCA needs positive integer n and C; got n = ${n}, C = ${C}.`, { n, C });
  }
  if (vectors.length !== n * C) {
    throw new ShapeError(`PCA input has ${vectors.length} values, expected n·C = ${n}·${C} = ${n * C}.`, { length: vectors.length, n, C });
  }
}

// ---------------------------------------------------------------------------------------------
// Dense kernels (float64).

/** X c: the scores of every row along c. */
function scores(X: Float64Array, n: number, C: number, c: Float64Array): Float64Array {
  const s = new Float64Array(n);
  rowDots(X, n, C, c, s);
  return s;
}

/** XᵀX / denom, C×C, both triangles filled: rank-4 updates of the upper triangle. */
function covarianceMatrix(X: Float64Array, n: number, C: number, denom: number): Float64Array {
  const M = new Float64Array(C * C);
  let r = 0;
  for (; r + 3 < n; r += 4) {
    const r0 = r * C;
    const r1 = r0 + C;
    const r2 = r1 + C;
    const r3 = r2 + C;
    for (let i = 0; i < C; i++) {
      const a0 = X[r0 + i];
      const a1 = X[r1 + i];
      const a2 = X[r2 + i];
      const a3 = X[r3 + i];
      const base = i * C;
      for (let j = i; j < C; j++) M[base + j] += a0 * X[r0 + j] + a1 * X[r1 + j] + a2 * X[r2 + j] + a3 * X[r3 + j];
    }
  }
  for (; r < n; r++) {
    const row = r * C;
    for (let i = 0; i < C; i++) {
      const a = X[row + i];
      const base = i * C;
      for (let j = i; j < C; j++) M[base + j] += a * X[row + j];
    }
  }
  symmetriseUpper(M, C, denom);
  return M;
}

/** XXᵀ / denom, n×n, both triangles filled: four rows against one, over column chunks that stay in cache. */
function gramMatrix(X: Float64Array, n: number, C: number, denom: number): Float64Array {
  const G = new Float64Array(n * n);
  const CHUNK = 512;
  for (let c0 = 0; c0 < C; c0 += CHUNK) {
    const c1 = Math.min(C, c0 + CHUNK);
    let i = 0;
    for (; i + 3 < n; i += 4) {
      const r0 = i * C;
      const r1 = r0 + C;
      const r2 = r1 + C;
      const r3 = r2 + C;
      // Rows i..i+3 against every row j >= i (the few entries below the diagonal are overwritten by symmetriseUpper).
      for (let j = i; j < n; j++) {
        const rj = j * C;
        let s0 = 0;
        let s1 = 0;
        let s2 = 0;
        let s3 = 0;
        for (let c = c0; c < c1; c++) {
          const v = X[rj + c];
          s0 += X[r0 + c] * v;
          s1 += X[r1 + c] * v;
          s2 += X[r2 + c] * v;
          s3 += X[r3 + c] * v;
        }
        G[i * n + j] += s0;
        G[(i + 1) * n + j] += s1;
        G[(i + 2) * n + j] += s2;
        G[(i + 3) * n + j] += s3;
      }
    }
    for (; i < n; i++) {
      for (let j = i; j < n; j++) G[i * n + j] += dot(X, i * C + c0, X, j * C + c0, c1 - c0);
    }
  }
  symmetriseUpper(G, n, denom);
  return G;
}

/** Divide the upper triangle by `denom` and mirror it into the lower one. */
function symmetriseUpper(A: Float64Array, m: number, denom: number): void {
  for (let i = 0; i < m; i++) {
    for (let j = i; j < m; j++) {
      const v = A[i * m + j] / denom;
      A[i * m + j] = v;
      A[j * m + i] = v;
    }
  }
}

function explicitApply(A: Float64Array, m: number): Apply {
  return (x, y) => {
    for (let i = 0; i < m; i++) y[i] = dot(A, i * m, x, 0, m);
  };
}

/** out[i] = x_i · v for every row of X [n, C]; four rows per pass over v. */
function rowDots(X: Float64Array, n: number, C: number, v: Float64Array, out: Float64Array): void {
  let i = 0;
  for (; i + 3 < n; i += 4) {
    const r0 = i * C;
    const r1 = r0 + C;
    const r2 = r1 + C;
    const r3 = r2 + C;
    let t0 = 0;
    let t1 = 0;
    let t2 = 0;
    let t3 = 0;
    for (let c = 0; c < C; c++) {
      const a = v[c];
      t0 += X[r0 + c] * a;
      t1 += X[r1 + c] * a;
      t2 += X[r2 + c] * a;
      t3 += X[r3 + c] * a;
    }
    out[i] = t0;
    out[i + 1] = t1;
    out[i + 2] = t2;
    out[i + 3] = t3;
  }
  for (; i < n; i++) out[i] = dot(X, i * C, v, 0, C);
}

/** y += Σ_i coef[i] · x_i over the rows of X [n, C]; four rows per pass over y. */
function rowCombination(X: Float64Array, n: number, C: number, coef: Float64Array, y: Float64Array): void {
  let i = 0;
  for (; i + 3 < n; i += 4) {
    const r0 = i * C;
    const r1 = r0 + C;
    const r2 = r1 + C;
    const r3 = r2 + C;
    const t0 = coef[i];
    const t1 = coef[i + 1];
    const t2 = coef[i + 2];
    const t3 = coef[i + 3];
    for (let c = 0; c < C; c++) y[c] += t0 * X[r0 + c] + t1 * X[r1 + c] + t2 * X[r2 + c] + t3 * X[r3 + c];
  }
  for (; i < n; i++) axpy(coef[i], X, i * C, y, C);
}

/** y = Xᵀ(X x) / denom without forming XᵀX: one pass over X, four rows at a time (dots, then their combination). */
function implicitCovariance(X: Float64Array, n: number, C: number, denom: number): Apply {
  return (x, y) => {
    y.fill(0);
    let i = 0;
    for (; i + 3 < n; i += 4) {
      const r0 = i * C;
      const r1 = r0 + C;
      const r2 = r1 + C;
      const r3 = r2 + C;
      let t0 = 0;
      let t1 = 0;
      let t2 = 0;
      let t3 = 0;
      for (let c = 0; c < C; c++) {
        const a = x[c];
        t0 += X[r0 + c] * a;
        t1 += X[r1 + c] * a;
        t2 += X[r2 + c] * a;
        t3 += X[r3 + c] * a;
      }
      t0 /= denom;
      t1 /= denom;
      t2 /= denom;
      t3 /= denom;
      for (let c = 0; c < C; c++) y[c] += t0 * X[r0 + c] + t1 * X[r1 + c] + t2 * X[r2 + c] + t3 * X[r3 + c];
    }
    for (; i < n; i++) axpy(dot(X, i * C, x, 0, C) / denom, X, i * C, y, C);
  };
}

/** y = X(Xᵀ x) / denom without forming XXᵀ. */
function implicitGram(X: Float64Array, n: number, C: number, denom: number): Apply {
  const z = new Float64Array(C);
  const t = new Float64Array(n);
  return (x, y) => {
    for (let i = 0; i < n; i++) t[i] = x[i] / denom;
    z.fill(0);
    rowCombination(X, n, C, t, z);
    rowDots(X, n, C, z, y);
  };
}

