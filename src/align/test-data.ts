// Seeded synthetic embeddings for the alignment tests, self-tests and benchmarks: Gaussian vectors,
// "parallel" pairs that share a latent vector per sentence, and random orthogonal matrices.

import { Rng } from '../train/rng';

/** n standard normal values (Box–Muller on xoshiro128**), the same for the same seed everywhere. */
export function gaussian(n: number, seed: number): Float64Array {
  const rng = new Rng(seed);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i += 2) {
    const u = 1 - rng.next(); // (0, 1]
    const v = rng.next();
    const r = Math.sqrt(-2 * Math.log(u));
    out[i] = r * Math.cos(2 * Math.PI * v);
    if (i + 1 < n) out[i + 1] = r * Math.sin(2 * Math.PI * v);
  }
  return out;
}

/**
 * Two languages' vectors [n, C] for n parallel sentences: X = Z + noise·E_x, Y = Z + noise·E_y with
 * Z, E_x, E_y standard normal. noise = 0 gives identical languages; large noise unrelated ones.
 */
export function parallelPair(n: number, C: number, noise: number, seed: number): { X: Float32Array; Y: Float32Array } {
  const Z = gaussian(n * C, seed);
  const ex = gaussian(n * C, seed + 1);
  const ey = gaussian(n * C, seed + 2);
  return {
    X: Float32Array.from(Z, (z, i) => z + noise * ex[i]),
    Y: Float32Array.from(Z, (z, i) => z + noise * ey[i]),
  };
}

/** Rows of V [n, C] reordered: out row i = V row perm[i]. */
export function permuteRows(V: ArrayLike<number>, C: number, perm: ArrayLike<number>): Float32Array {
  const out = new Float32Array(perm.length * C);
  for (let i = 0; i < perm.length; i++) for (let c = 0; c < C; c++) out[i * C + c] = V[perm[i] * C + c];
  return out;
}

/**
 * A random orthogonal Q [C, C] (row-major): Householder QR of a Gaussian matrix A = QR, with the
 * signs of Q's columns fixed by diag(R) > 0 so Q is Haar-distributed. Q = H_0 H_1 ... H_{C-2}.
 */
export function randomOrthogonal(C: number, seed: number): Float64Array {
  const A = gaussian(C * C, seed);
  const vs: Float64Array[] = [];
  const signs = new Float64Array(C).fill(1);
  // Reduce A to R column by column: H_k = I - 2 v vᵀ with v zero above row k.
  for (let k = 0; k < C; k++) {
    let norm = 0;
    for (let i = k; i < C; i++) norm += A[i * C + k] ** 2;
    norm = Math.sqrt(norm);
    const x0 = A[k * C + k];
    const alpha = x0 >= 0 ? -norm : norm; // R[k,k] = alpha
    const v = new Float64Array(C);
    for (let i = k; i < C; i++) v[i] = A[i * C + k];
    v[k] -= alpha;
    let vn = 0;
    for (let i = k; i < C; i++) vn += v[i] ** 2;
    vn = Math.sqrt(vn);
    if (vn > 0) for (let i = k; i < C; i++) v[i] /= vn;
    vs.push(v);
    // A <- H_k A
    for (let j = 0; j < C; j++) {
      let dot = 0;
      for (let i = k; i < C; i++) dot += v[i] * A[i * C + j];
      for (let i = k; i < C; i++) A[i * C + j] -= 2 * v[i] * dot;
    }
    signs[k] = A[k * C + k] < 0 ? -1 : 1;
  }
  // Q = H_0 ... H_{C-1} applied to the identity (from the right-most factor), then columns scaled by signs.
  const Q = new Float64Array(C * C);
  for (let i = 0; i < C; i++) Q[i * C + i] = 1;
  for (let k = C - 1; k >= 0; k--) {
    const v = vs[k];
    for (let j = 0; j < C; j++) {
      let dot = 0;
      for (let i = k; i < C; i++) dot += v[i] * Q[i * C + j];
      for (let i = k; i < C; i++) Q[i * C + j] -= 2 * v[i] * dot;
    }
  }
  for (let i = 0; i < C; i++) for (let j = 0; j < C; j++) Q[i * C + j] *= signs[j];
  return Q;
}

/** V [n, C] · Q [C, C] in float64. */
export function rotate(V: ArrayLike<number>, n: number, C: number, Q: Float64Array): Float64Array {
  const out = new Float64Array(n * C);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < C; j++) {
      let s = 0;
      for (let k = 0; k < C; k++) s += V[i * C + k] * Q[k * C + j];
      out[i * C + j] = s;
    }
  }
  return out;
}
