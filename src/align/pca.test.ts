import { describe, expect, it } from 'vitest';
import { AlignScopeError, ShapeError } from '../errors';
import { Rng } from '../train/rng';
import { pca, symmetricEigen, type PcaResult } from './pca';

function gaussian(r: Rng): number {
  return Math.sqrt(-2 * Math.log(1 - r.next())) * Math.cos(2 * Math.PI * r.next());
}

/** n points in C dims: standard deviations decaying with the dimension, plus an offset. */
function decaying(n: number, C: number, seed: number, decay = 0.3, offset = 0): Float32Array {
  const r = new Rng(seed);
  const x = new Float32Array(n * C);
  for (let i = 0; i < n; i++) for (let c = 0; c < C; c++) x[i * C + c] = gaussian(r) / Math.sqrt(1 + decay * c) + offset;
  return x;
}

function maxAbs(a: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]));
  return m;
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

function row(a: Float32Array, i: number, len: number): Float64Array {
  return Float64Array.from(a.subarray(i * len, (i + 1) * len));
}

function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let ab = 0;
  let aa = 0;
  let bb = 0;
  for (let i = 0; i < a.length; i++) {
    ab += a[i] * b[i];
    aa += a[i] * a[i];
    bb += b[i] * b[i];
  }
  return ab / Math.sqrt(aa * bb);
}

function expectSortedRatios(r: PcaResult): void {
  const v = r.explainedVarianceRatio;
  for (const x of v) expect(x).toBeGreaterThanOrEqual(0);
  for (let j = 1; j < v.length; j++) expect(v[j]).toBeLessThanOrEqual(v[j - 1]);
  expect(v.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(1);
}

/** Both routes agree to the solver tolerance once signs are normalised: same signs, same numbers. */
function expectSameProjection(a: PcaResult, b: PcaResult, C: number): void {
  const scale = maxAbs(a.points);
  expect(maxAbsDiff(a.points, b.points)).toBeLessThanOrEqual(1e-6 * scale);
  expect(maxAbsDiff(a.components, b.components)).toBeLessThanOrEqual(1e-6);
  for (let j = 0; j < a.explainedVarianceRatio.length; j++) {
    expect(b.explainedVarianceRatio[j]).toBeCloseTo(a.explainedVarianceRatio[j], 10);
    expect(cosine(row(a.components, j, C), row(b.components, j, C))).toBeGreaterThan(1 - 1e-9);
  }
}

describe('symmetricEigen (Jacobi)', () => {
  it('diagonalises a random symmetric matrix: A v = λ v, orthonormal, descending', () => {
    const s = 9;
    const r = new Rng(11);
    const A = new Float64Array(s * s);
    for (let i = 0; i < s; i++) {
      for (let j = i; j < s; j++) {
        const v = r.next() - 0.5;
        A[i * s + j] = v;
        A[j * s + i] = v;
      }
    }
    const { values, vectors } = symmetricEigen(A, s);
    for (let a = 0; a < s; a++) {
      if (a > 0) expect(values[a]).toBeLessThanOrEqual(values[a - 1]);
      for (let i = 0; i < s; i++) {
        let Av = 0;
        for (let j = 0; j < s; j++) Av += A[i * s + j] * vectors[a * s + j];
        expect(Math.abs(Av - values[a] * vectors[a * s + i])).toBeLessThan(1e-13);
      }
      for (let b = 0; b < s; b++) {
        let d = 0;
        for (let i = 0; i < s; i++) d += vectors[a * s + i] * vectors[b * s + i];
        expect(Math.abs(d - (a === b ? 1 : 0))).toBeLessThan(1e-13);
      }
    }
  });
});

describe('pca', () => {
  it('recovers a known dominant direction; ratios sorted and summing to <= 1', () => {
    const n = 400;
    const C = 32;
    const r = new Rng(1);
    const d = Float64Array.from({ length: C }, () => gaussian(r));
    const nd = Math.hypot(...d);
    for (let c = 0; c < C; c++) d[c] /= nd;
    const x = new Float32Array(n * C);
    for (let i = 0; i < n; i++) {
      const t = 5 * gaussian(r);
      for (let c = 0; c < C; c++) x[i * C + c] = 3 + t * d[c] + 0.3 * gaussian(r);
    }
    const res = pca(x, n, C);
    expect(res.points.length).toBe(n * 2);
    expect(res.components.length).toBe(2 * C);
    expect(Math.abs(cosine(row(res.components, 0, C), d))).toBeGreaterThan(0.999);
    expect(res.explainedVarianceRatio[0]).toBeGreaterThan(0.9);
    expectSortedRatios(res);
    for (const resid of res.residuals) expect(resid).toBeLessThanOrEqual(1e-10);
  });

  it('matches a full Jacobi decomposition of the explicit covariance', () => {
    const n = 80;
    const C = 12;
    const k = 5;
    const x = decaying(n, C, 2, 0.5, 1);
    const res = pca(x, n, C, { k });
    // Reference: centred covariance, every eigenpair by Jacobi.
    const mean = new Float64Array(C);
    for (let i = 0; i < n; i++) for (let c = 0; c < C; c++) mean[c] += x[i * C + c] / n;
    const M = new Float64Array(C * C);
    for (let i = 0; i < n; i++) {
      for (let a = 0; a < C; a++) for (let b = 0; b < C; b++) M[a * C + b] += ((x[i * C + a] - mean[a]) * (x[i * C + b] - mean[b])) / (n - 1);
    }
    const ref = symmetricEigen(M, C);
    let trace = 0;
    for (let c = 0; c < C; c++) trace += M[c * C + c];
    for (let j = 0; j < k; j++) {
      expect(res.explainedVariance[j]).toBeCloseTo(ref.values[j], 10);
      expect(res.explainedVarianceRatio[j]).toBeCloseTo(ref.values[j] / trace, 10);
      expect(Math.abs(cosine(row(res.components, j, C), ref.vectors.subarray(j * C, (j + 1) * C)))).toBeGreaterThan(1 - 1e-9);
    }
    expectSortedRatios(res);
  });

  it('largest-magnitude loading of every component is positive; negated data gives negated points', () => {
    const n = 120;
    const C = 20;
    const x = decaying(n, C, 3);
    const res = pca(x, n, C, { k: 3 });
    for (let j = 0; j < 3; j++) {
      const c = row(res.components, j, C);
      const big = c.reduce((best, v, t) => (Math.abs(v) > Math.abs(c[best]) ? t : best), 0);
      expect(c[big]).toBeGreaterThan(0);
    }
    const neg = pca(x.map((v) => -v), n, C, { k: 3 });
    expect(maxAbsDiff(neg.components, res.components)).toBeLessThan(1e-9);
    expect(maxAbsDiff(neg.points, res.points.map((v) => -v))).toBeLessThan(1e-5 * maxAbs(res.points));
  });

  it('Gram route (C > n) equals the covariance route after sign normalisation', () => {
    const n = 40;
    const C = 200;
    const x = decaying(n, C, 4, 0.05, 0.5);
    const gram = pca(x, n, C, { k: 3 });
    expect(gram.solver).toBe('gram');
    const cov = pca(x, n, C, { k: 3, solver: 'covariance' });
    expect(cov.solver).toBe('covariance');
    expectSameProjection(cov, gram, C);
    // Explicit and implicit operators too.
    expectSameProjection(cov, pca(x, n, C, { k: 3, operator: 'implicit' }), C);
    expectSameProjection(cov, pca(x, n, C, { k: 3, solver: 'covariance', operator: 'implicit' }), C);
  });

  it('Gram and covariance routes agree on a larger implicit case (n = 300, C = 600)', () => {
    const n = 300;
    const C = 600;
    const x = decaying(n, C, 5, 0.1);
    const gram = pca(x, n, C);
    expect(gram.solver).toBe('gram');
    expect(gram.operator).toBe('implicit');
    const cov = pca(x, n, C, { solver: 'covariance' });
    expect(cov.operator).toBe('implicit');
    expectSameProjection(cov, gram, C);
  });

  it('is deterministic: the same input twice gives identical output', () => {
    const n = 300;
    const C = 48;
    const x = decaying(n, C, 6);
    const a = pca(x, n, C);
    const b = pca(Float32Array.from(x), n, C);
    expect(b.points).toEqual(a.points);
    expect(b.components).toEqual(a.components);
    expect(b.explainedVarianceRatio).toEqual(a.explainedVarianceRatio);
  });

  it('is translation invariant', () => {
    const n = 250;
    const C = 24;
    const x = decaying(n, C, 7);
    const r = new Rng(70);
    const shift = Float32Array.from({ length: C }, () => 50 * (r.next() - 0.5));
    const moved = x.map((v, i) => v + shift[i % C]);
    const a = pca(x, n, C);
    const b = pca(moved, n, C);
    // Only the float32 rounding of x + shift (~4e-6 at |shift| <= 25) separates the two inputs.
    expect(maxAbsDiff(a.points, b.points)).toBeLessThan(1e-3 * maxAbs(a.points));
    expect(maxAbsDiff(a.components, b.components)).toBeLessThan(1e-3);
    expect(b.explainedVarianceRatio[0]).toBeCloseTo(a.explainedVarianceRatio[0], 5);
    for (let c = 0; c < C; c++) expect(b.mean[c]).toBeCloseTo(shift[c], 1);
  });

  it('finds repeated eigenvalues with their multiplicity (one-hot points)', () => {
    // Centred one-hot vectors: covariance eigenvalue 1/(n-1) with multiplicity n - 1.
    const n = 10;
    const x = new Float32Array(n * n);
    for (let i = 0; i < n; i++) x[i * n + i] = 1;
    const res = pca(x, n, n, { k: 3 });
    for (const v of res.explainedVarianceRatio) expect(v).toBeCloseTo(1 / (n - 1), 9);
    // Orthonormal components: each a unit vector, mutually orthogonal.
    for (let a = 0; a < 3; a++) {
      for (let b = 0; b < 3; b++) {
        let d = 0;
        for (let t = 0; t < n; t++) d += res.components[a * n + t] * res.components[b * n + t];
        expect(d).toBeCloseTo(a === b ? 1 : 0, 5);
      }
    }
  });

  it('rank-deficient and constant data: undetermined components are zero', () => {
    // Two points: one direction of variance.
    const two = pca(new Float32Array([0, 0, 0, 1, 2, 2]), 2, 3);
    expect(two.explainedVarianceRatio[0]).toBeCloseTo(1, 12);
    expect(two.explainedVarianceRatio[1]).toBe(0);
    expect(Array.from(two.points.filter((_, i) => i % 2 === 1))).toEqual([0, 0]);
    expect(Math.abs(two.points[0] - two.points[2])).toBeCloseTo(3, 5);
    // More components than dimensions: the extra ones are zero.
    const wide = pca(new Float32Array([0, 0, 0, 1, 2, 2]), 2, 3, { k: 4 });
    expect(wide.explainedVarianceRatio.slice(1)).toEqual([0, 0, 0]);
    expect(wide.points.length).toBe(8);
    const line = pca(new Float32Array([1, 2, 4]), 3, 1);
    expect(line.explainedVarianceRatio).toEqual([1, 0]);
    expect(Array.from(line.points)).toEqual([-4 / 3, 0, -1 / 3, 0, 5 / 3, 0].map(Math.fround));
    // All points equal: everything zero.
    const same = pca(new Float32Array(12).fill(2.5), 4, 3);
    expect(Array.from(same.points)).toEqual(new Array(8).fill(0));
    expect(same.explainedVarianceRatio).toEqual([0, 0]);
  });

  it('rejects bad shapes, k and non-finite values', () => {
    expect(() => pca(new Float32Array(5), 2, 3)).toThrow(ShapeError);
    expect(() => pca(new Float32Array(6), 2, 3, { k: 0 })).toThrow(AlignScopeError);
    expect(() => pca(new Float32Array(6), 2, 3, { k: 1.5 })).toThrow(AlignScopeError);
    const bad = new Float32Array(6);
    bad[4] = Number.NaN;
    expect(() => pca(bad, 2, 3)).toThrow(/row 1, column 1/);
  });

  it('timing: n = 4000, C = 128 and n = 500, C = 4096', () => {
    for (const [n, C, limitMs] of [
      [4000, 128, 2000],
      [500, 4096, 5000],
    ] as const) {
      const x = decaying(n, C, 8, 0.2, 0.1);
      const t0 = performance.now();
      const res = pca(x, n, C);
      const ms = performance.now() - t0;
      console.log(
        `pca n=${n} C=${C}: ${ms.toFixed(0)} ms (${res.solver}, ${res.operator}, ${res.applications} products, ratios ${res.explainedVarianceRatio.map((v) => v.toFixed(4)).join(', ')})`,
      );
      expectSortedRatios(res);
      expect(ms).toBeLessThan(limitMs);
    }
  });
});
