// Symmetric eigen-solvers in float64 for PCA (pca.ts): a dense Jacobi-style solver for small
// matrices and Lanczos for the top eigenpairs of a (possibly implicit) operator, with the dense
// vector kernels they share with pca.ts.

import type { Rng } from '../train/rng';

/** y = A x for a symmetric operator A (explicit matrix or implicit products). */
export type Apply = (x: Float64Array, y: Float64Array) => void;

/** Lanczos basis size before a restart, and the Ritz vectors a restart keeps. */
export const MAX_BASIS = 48;
const KEEP = 16;

export function dot(a: Float64Array, ao: number, b: Float64Array, bo: number, len: number): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let t = 0;
  for (; t + 3 < len; t += 4) {
    s0 += a[ao + t] * b[bo + t];
    s1 += a[ao + t + 1] * b[bo + t + 1];
    s2 += a[ao + t + 2] * b[bo + t + 2];
    s3 += a[ao + t + 3] * b[bo + t + 3];
  }
  for (; t < len; t++) s0 += a[ao + t] * b[bo + t];
  return s0 + s1 + (s2 + s3);
}

/** y[0..len) += alpha · x[xo..xo+len). */
export function axpy(alpha: number, x: Float64Array, xo: number, y: Float64Array, len: number): void {
  if (alpha === 0) return;
  for (let t = 0; t < len; t++) y[t] += alpha * x[xo + t];
}


/**
 * Eigen-decomposition of a small dense symmetric matrix by cyclic Jacobi rotations (accurate to
 * rounding; used for Lanczos' projected matrix). `A` is s×s row-major with leading dimension `lda`
 * and is not modified. Returns eigenvalues descending and the eigenvectors as rows of `vectors`
 * (row r, s entries, unit length).
 */
export function symmetricEigen(A: Float64Array, s: number, lda = s): { values: Float64Array; vectors: Float64Array } {
  const a = new Float64Array(s * s);
  let fro = 0;
  for (let i = 0; i < s; i++) {
    for (let j = 0; j < s; j++) {
      const v = A[i * lda + j];
      a[i * s + j] = v;
      fro += v * v;
    }
  }
  // V: columns become the eigenvectors.
  const V = new Float64Array(s * s);
  for (let i = 0; i < s; i++) V[i * s + i] = 1;
  const target = (1e-15 * 1e-15) * fro;
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let p = 0; p < s; p++) for (let q = p + 1; q < s; q++) off += a[p * s + q] * a[p * s + q];
    if (off <= target || off === 0) break;
    for (let p = 0; p < s - 1; p++) {
      for (let q = p + 1; q < s; q++) {
        const apq = a[p * s + q];
        if (apq === 0) continue;
        const app = a[p * s + p];
        const aqq = a[q * s + q];
        // Negligible next to both diagonal entries: drop it.
        if (Math.abs(app) + 1e3 * Math.abs(apq) === Math.abs(app) && Math.abs(aqq) + 1e3 * Math.abs(apq) === Math.abs(aqq)) {
          a[p * s + q] = 0;
          a[q * s + p] = 0;
          continue;
        }
        // Rotation angle that zeroes a[p][q]: t = tan φ is the smaller root of t² + 2θt - 1 = 0.
        const theta = (aqq - app) / (2 * apq);
        const t = (theta >= 0 ? 1 : -1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const cs = 1 / Math.sqrt(t * t + 1);
        const sn = t * cs;
        for (let r = 0; r < s; r++) {
          const x = a[r * s + p];
          const y = a[r * s + q];
          a[r * s + p] = cs * x - sn * y;
          a[r * s + q] = sn * x + cs * y;
        }
        for (let r = 0; r < s; r++) {
          const x = a[p * s + r];
          const y = a[q * s + r];
          a[p * s + r] = cs * x - sn * y;
          a[q * s + r] = sn * x + cs * y;
        }
        a[p * s + q] = 0;
        a[q * s + p] = 0;
        for (let r = 0; r < s; r++) {
          const x = V[r * s + p];
          const y = V[r * s + q];
          V[r * s + p] = cs * x - sn * y;
          V[r * s + q] = sn * x + cs * y;
        }
      }
    }
  }
  const order = Array.from({ length: s }, (_, i) => i).sort((i, j) => a[j * s + j] - a[i * s + i] || i - j);
  const values = new Float64Array(s);
  const vectors = new Float64Array(s * s);
  order.forEach((col, r) => {
    values[r] = a[col * s + col];
    for (let i = 0; i < s; i++) vectors[r * s + i] = V[i * s + col];
  });
  return { values, vectors };
}

/** Remove from w its components along each vector of `basis` (unit, orthogonal). Returns the coefficients summed into `h` when given. */
export function orthogonalise(w: Float64Array, basis: readonly Float64Array[], count: number, m: number, h?: Float64Array): void {
  for (let i = 0; i < count; i++) {
    const b = basis[i];
    const c = dot(b, 0, w, 0, m);
    if (h) h[i] += c;
    for (let t = 0; t < m; t++) w[t] -= c * b[t];
  }
}

interface TopPair {
  value: number;
  vector: Float64Array;
  /** ||A x - θ x||, absolute. */
  residual: number;
  applications: number;
}

/**
 * The largest eigenpair of P A P, P = I - QQᵀ (Q = `deflate`, orthonormal), by Lanczos with full
 * reorthogonalisation and thick restarts. Stops when the Ritz residual <= tol · max(scale, θ), on a
 * breakdown (invariant subspace: the Ritz pair is exact), when the Krylov space fills the whole
 * complement of Q, or after `maxApplications` products.
 */
export function lanczosTop(
  apply: Apply,
  m: number,
  deflate: readonly Float64Array[],
  rng: Rng,
  tol: number,
  scale: number,
  maxApplications: number,
  checkEvery: number,
): TopPair {
  const available = m - deflate.length;
  const P = Math.min(MAX_BASIS, available);
  const H = new Float64Array(P * P);
  const V: Float64Array[] = [];

  // Start: uniform random, deflated, normalised (twice, for rounding).
  const v = new Float64Array(m);
  for (let attempt = 0; ; attempt++) {
    for (let t = 0; t < m; t++) v[t] = rng.next() - 0.5;
    orthogonalise(v, deflate, deflate.length, m);
    orthogonalise(v, deflate, deflate.length, m);
    const nv = Math.sqrt(dot(v, 0, v, 0, m));
    if (nv > 1e-8 || attempt > 20) {
      for (let t = 0; t < m; t++) v[t] /= nv;
      break;
    }
  }
  V.push(v);

  let j = 0; // index of the vector being expanded
  let applications = 0;
  const h = new Float64Array(P);
  for (;;) {
    const w = new Float64Array(m);
    apply(V[j], w);
    applications++;
    const normAv = Math.sqrt(dot(w, 0, w, 0, m));
    h.fill(0);
    for (let pass = 0; pass < 2; pass++) {
      orthogonalise(w, deflate, deflate.length, m);
      orthogonalise(w, V, j + 1, m, h);
    }
    for (let i = 0; i <= j; i++) {
      H[i * P + j] = h[i];
      H[j * P + i] = h[i];
    }
    const beta = Math.sqrt(dot(w, 0, w, 0, m));
    const size = j + 1;
    const breakdown = beta <= 1e-13 * Math.max(normAv, scale) || !(beta > 0);
    const exhausted = breakdown || size >= available;
    const full = size >= P;
    const capped = applications >= maxApplications;
    if (exhausted || full || capped || size % checkEvery === 0) {
      const eig = symmetricEigen(H, size, P);
      const theta = eig.values[0];
      const residual = exhausted ? 0 : beta * Math.abs(eig.vectors[size - 1]);
      if (exhausted || capped || residual <= tol * Math.max(scale, Math.abs(theta))) {
        const x = new Float64Array(m);
        for (let i = 0; i < size; i++) axpy(eig.vectors[i], V[i], 0, x, m);
        orthogonalise(x, deflate, deflate.length, m);
        const nx = Math.sqrt(dot(x, 0, x, 0, m));
        for (let t = 0; t < m; t++) x[t] /= nx;
        return { value: theta, vector: x, residual, applications };
      }
      if (full) {
        // Thick restart: keep the best Ritz vectors (their projected matrix is diagonal), then the
        // current residual direction; the next expansion fills in the coupling column.
        const keep = Math.min(KEEP, size - 1);
        const kept: Float64Array[] = [];
        for (let r = 0; r < keep; r++) {
          const y = new Float64Array(m);
          for (let i = 0; i < size; i++) axpy(eig.vectors[r * size + i], V[i], 0, y, m);
          kept.push(y);
        }
        H.fill(0);
        for (let r = 0; r < keep; r++) H[r * P + r] = eig.values[r];
        for (let t = 0; t < m; t++) w[t] /= beta;
        V.length = 0;
        V.push(...kept, w);
        j = keep;
        continue;
      }
    }
    for (let t = 0; t < m; t++) w[t] /= beta;
    V.push(w);
    j++;
  }
}
