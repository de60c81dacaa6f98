import { describe, expect, it } from 'vitest';
import { AlignScopeError, ShapeError } from '../errors';
import { Rng } from '../train/rng';
import { pca } from './pca';
import { project } from './projection';

function data(n: number, C: number, seed: number): Float32Array {
  const r = new Rng(seed);
  const x = new Float32Array(n * C);
  for (let i = 0; i < n; i++) {
    const cluster = i % 3;
    for (let c = 0; c < C; c++) x[i * C + c] = (c % 3 === cluster ? 4 : 0) + (r.next() - 0.5) / Math.sqrt(1 + c);
  }
  return x;
}

describe('project', () => {
  const n = 90;
  const C = 16;
  const x = data(n, C, 1);

  it('pca: [n, 2] points equal to pca(), with explained variance in info, progress 0/1 then 1/1', async () => {
    const seen: string[] = [];
    const r = await project(x, n, C, { method: 'pca', seed: 0, onProgress: (d, t) => seen.push(`${d}/${t}`) });
    expect(r.method).toBe('pca');
    expect(r.points).toEqual(pca(x, n, C).points);
    expect(r.info).toMatchObject({ method: 'pca', n, C, solver: 'covariance', normalized: false });
    if (r.info.method !== 'pca') throw new Error('unreachable');
    expect(r.info.explainedVarianceRatio).toHaveLength(2);
    expect(seen).toEqual(['0/1', '1/1']);
    // PCA ignores the seed.
    expect((await project(x, n, C, { method: 'pca', seed: 99 })).points).toEqual(r.points);
  });

  it('normalize: rows scaled by positive factors project like the unscaled rows', async () => {
    const scaled = x.map((v, i) => v * (1 + (Math.floor(i / C) % 7)));
    const a = await project(x, n, C, { method: 'pca', seed: 0, normalize: true });
    const b = await project(scaled, n, C, { method: 'pca', seed: 0, normalize: true });
    expect(a.info.normalized).toBe(true);
    for (let i = 0; i < a.points.length; i++) expect(b.points[i]).toBeCloseTo(a.points[i], 5);
    expect((await project(scaled, n, C, { method: 'pca', seed: 0 })).points).not.toEqual(a.points);
  });

  it('umap: seeded, reproducible, info filled in, progress ends at nEpochs', async () => {
    let last = [-1, -1];
    const opts = { method: 'umap' as const, seed: 4, umap: { nEpochs: 80 }, onProgress: (d: number, t: number) => (last = [d, t]) };
    const a = await project(x, n, C, opts);
    const b = await project(x, n, C, opts);
    expect(a.points).toHaveLength(n * 2);
    expect(b.points).toEqual(a.points);
    expect(a.info).toMatchObject({ method: 'umap', n, C, nNeighbors: 15, minDist: 0.1, nEpochs: 80, metric: 'cosine', init: 'pca', seed: 4 });
    expect(last).toEqual([80, 80]);
    const c = await project(x, n, C, { ...opts, seed: 5 });
    expect(c.points).not.toEqual(a.points);
  });

  it('smallest inputs: two points, one dimension', async () => {
    for (const method of ['pca', 'umap'] as const) {
      const two = await project(new Float32Array([1, 0, 0, 1, 0, 0]), 2, 3, { method, seed: 1, umap: { nEpochs: 20 } });
      const line = await project(new Float32Array([1, 2, 4, 8]), 4, 1, { method, seed: 1, umap: { nEpochs: 20, metric: 'euclidean' } });
      for (const v of [...two.points, ...line.points]) expect(Number.isFinite(v)).toBe(true);
      expect(line.points).toHaveLength(8);
    }
  });

  it('rejects bad input with a clear error', async () => {
    await expect(project(new Float32Array(4), 1, 4, { method: 'pca', seed: 0 })).rejects.toThrow(/at least 2 points/);
    await expect(project(new Float32Array(4), 2.5, 4, { method: 'pca', seed: 0 })).rejects.toThrow(ShapeError);
    await expect(project(new Float32Array(8), 2, 0, { method: 'pca', seed: 0 })).rejects.toThrow(ShapeError);
    await expect(project(new Float32Array(7), 2, 4, { method: 'pca', seed: 0 })).rejects.toThrow(/7 values, but n·C = 2·4 = 8/);
    await expect(project(new Float64Array(8) as unknown as Float32Array, 2, 4, { method: 'pca', seed: 0 })).rejects.toThrow(ShapeError);
    const bad = Float32Array.from(x);
    bad[5 * C + 3] = Number.NaN;
    await expect(project(bad, n, C, { method: 'umap', seed: 0 })).rejects.toThrow(/non-finite value \(NaN\) at point 5, dimension 3/);
    await expect(project(x, n, C, { method: 'tsne' as 'pca', seed: 0 })).rejects.toThrow(AlignScopeError);
    await expect(project(x, n, C, { method: 'umap', seed: Number.NaN })).rejects.toThrow(/seed/);
  });
});
