import { UMAP } from 'umap-js';
import { describe, expect, it } from 'vitest';
import { AlignScopeError, ShapeError } from '../errors';
import { Rng } from '../train/rng';
import { umap } from './umap';

function gaussian(r: Rng): number {
  return Math.sqrt(-2 * Math.log(1 - r.next())) * Math.cos(2 * Math.PI * r.next());
}

/** Two Gaussian clusters of `half` points each, centres ±`sep` along a random direction, unit noise. Labels: first half 0, second 1. */
function twoClusters(half: number, C: number, sep: number, seed: number): Float32Array {
  const r = new Rng(seed);
  const dir = Float64Array.from({ length: C }, () => gaussian(r));
  const nd = Math.hypot(...dir);
  const x = new Float32Array(2 * half * C);
  for (let i = 0; i < 2 * half; i++) {
    const s = i < half ? -sep : sep;
    for (let c = 0; c < C; c++) x[i * C + c] = 1 + (s * dir[c]) / nd + gaussian(r);
  }
  return x;
}

function meanDistances(points: Float32Array, half: number): { within: number; between: number } {
  let within = 0;
  let nw = 0;
  let between = 0;
  let nb = 0;
  const n = 2 * half;
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const d = Math.hypot(points[2 * i] - points[2 * j], points[2 * i + 1] - points[2 * j + 1]);
      if (i < half === j < half) {
        within += d;
        nw++;
      } else {
        between += d;
        nb++;
      }
    }
  }
  return { within: within / nw, between: between / nb };
}

describe('umap', () => {
  const half = 60;
  const C = 24;
  const x = twoClusters(half, C, 12, 1);
  const n = 2 * half;

  it('is reproducible with a seed, and the seed matters', async () => {
    const a = await umap(x, n, C, { seed: 5, nEpochs: 100 });
    const b = await umap(Float32Array.from(x), n, C, { seed: 5, nEpochs: 100 });
    const c = await umap(x, n, C, { seed: 6, nEpochs: 100 });
    expect(a.points.length).toBe(n * 2);
    expect(b.points).toEqual(a.points);
    expect(c.points).not.toEqual(a.points);
    for (const v of a.points) expect(Number.isFinite(v)).toBe(true);
    // Random start too.
    const ra = await umap(x, n, C, { seed: 5, nEpochs: 100, init: 'random' });
    const rb = await umap(x, n, C, { seed: 5, nEpochs: 100, init: 'random' });
    expect(rb.points).toEqual(ra.points);
  });

  it('separates two well-separated Gaussian clusters (default settings, both starts)', async () => {
    for (const init of ['pca', 'random'] as const) {
      const r = await umap(x, n, C, { seed: 3, init });
      expect(r).toMatchObject({ nNeighbors: 15, minDist: 0.1, metric: 'cosine', init });
      const { within, between } = meanDistances(r.points, half);
      expect(within).toBeLessThan(between);
      expect(within).toBeLessThan(0.5 * between);
    }
    const e = await umap(x, n, C, { seed: 3, metric: 'euclidean' });
    const { within, between } = meanDistances(e.points, half);
    expect(within).toBeLessThan(0.5 * between);
  });

  it('cosine metric ignores vector length (rows scaled by powers of two give the same map)', async () => {
    const scaled = x.map((v, i) => v * 2 ** (Math.floor(i / C) % 5));
    const a = await umap(x, n, C, { seed: 9, nEpochs: 60 });
    const b = await umap(scaled, n, C, { seed: 9, nEpochs: 60 });
    expect(b.points).toEqual(a.points);
  });

  it('clamps nNeighbors to n - 1 and works down to two points', async () => {
    const r = await umap(x.subarray(0, 5 * C), 5, C, { seed: 1, nEpochs: 30 });
    expect(r.nNeighbors).toBe(4);
    const two = await umap(new Float32Array([1, 0, 0, 1]), 2, 2, { seed: 1, nEpochs: 30 });
    expect(two.nNeighbors).toBe(1);
    for (const v of [...r.points, ...two.points]) expect(Number.isFinite(v)).toBe(true);
  });

  it('reports progress from 0 to nEpochs, monotonically', async () => {
    const seen: [number, number][] = [];
    const r = await umap(x, n, C, { seed: 2, nEpochs: 40, yieldEveryMs: 0, onProgress: (d, t) => seen.push([d, t]) });
    expect(seen[0]).toEqual([0, 40]);
    expect(seen[seen.length - 1]).toEqual([40, 40]);
    for (let i = 1; i < seen.length; i++) expect(seen[i][0]).toBeGreaterThanOrEqual(seen[i - 1][0]);
    expect(seen.length).toBeGreaterThan(10);
    expect(r.nEpochs).toBe(40);
  });

  it('stops when aborted', async () => {
    const ac = new AbortController();
    const run = umap(x, n, C, {
      seed: 2,
      nEpochs: 400,
      yieldEveryMs: 0,
      signal: ac.signal,
      onProgress: (d) => {
        if (d >= 5) ac.abort(new Error('stop'));
      },
    });
    await expect(run).rejects.toThrow('stop');
  });

  it('rejects bad input and options', async () => {
    await expect(umap(new Float32Array(3), 1, 3)).rejects.toThrow(ShapeError);
    await expect(umap(new Float32Array(5), 2, 3)).rejects.toThrow(ShapeError);
    const bad = new Float32Array(6);
    bad[5] = Number.POSITIVE_INFINITY;
    await expect(umap(bad, 2, 3)).rejects.toThrow(/row 1, column 2/);
    await expect(umap(x, n, C, { minDist: 2 })).rejects.toThrow(AlignScopeError);
    await expect(umap(x, n, C, { nNeighbors: 0 })).rejects.toThrow(AlignScopeError);
  });

  it('umap-js optimises the very layout getEmbedding() returns after initializeFit (what the PCA start relies on)', () => {
    const rows = Array.from({ length: n }, (_, i) => Array.from(x.subarray(i * C, (i + 1) * C)));
    const r = new Rng(4);
    const model = new UMAP({ nNeighbors: 10, nEpochs: 5, random: () => r.next() });
    model.initializeFit(rows);
    const layout = model.getEmbedding();
    // Far outside umap-js's own [-10, 10] start; five epochs move points by far less than 1e6.
    for (let i = 0; i < n; i++) {
      layout[i][0] = 1e6 + i;
      layout[i][1] = -1e6;
    }
    for (let e = 0; e < 5; e++) model.step();
    const after = model.getEmbedding();
    expect(after).toBe(layout);
    let moved = 0;
    for (let i = 0; i < n; i++) {
      expect(Math.abs(after[i][0] - (1e6 + i))).toBeLessThan(1e4);
      expect(Math.abs(after[i][1] + 1e6)).toBeLessThan(1e4);
      if (after[i][0] !== 1e6 + i) moved++;
    }
    expect(moved).toBeGreaterThan(0);
  });
});
