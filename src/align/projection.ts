// 2-D projections of embedding points for the scatter map: one entry point that checks the input
// and picks exact PCA (src/align/pca.ts) or seeded UMAP (src/align/umap.ts, imported on first use).
// No Node imports: it runs in the engine worker.

import { AlignScopeError, ShapeError } from '../errors';
import { pca, type PcaOptions } from './pca';
import type { UmapOptions } from './umap';

export type ProjectionMethod = 'pca' | 'umap';

export interface ProjectOptions {
  method: ProjectionMethod;
  /** Seed of UMAP's random stream. PCA is deterministic and does not use it. */
  seed: number;
  /** L2-normalise every row first (zero rows stay zero). Default false. */
  normalize?: boolean;
  /** (done, total): PCA reports 0/1 and 1/1; UMAP 0/nEpochs before its neighbour graph, then epochs. */
  onProgress?: (done: number, total: number) => void;
  /** UMAP only: abort between epochs (rejects with the signal's reason). */
  signal?: AbortSignal;
  /** Settings passed through to PCA (k is always 2 here). */
  pca?: Omit<PcaOptions, 'k'>;
  /** Settings passed through to UMAP (defaults: 15 neighbours, minDist 0.1, cosine, PCA start). */
  umap?: Omit<UmapOptions, 'seed' | 'onProgress' | 'signal'>;
}

export type ProjectionInfo =
  | {
      method: 'pca';
      n: number;
      C: number;
      /** Share of the total variance on each axis (x, y). */
      explainedVarianceRatio: number[];
      solver: 'covariance' | 'gram';
      operator: 'explicit' | 'implicit';
      /** Matrix–vector products the eigen-solver used. */
      applications: number;
      normalized: boolean;
      ms: number;
    }
  | {
      method: 'umap';
      n: number;
      C: number;
      nNeighbors: number;
      minDist: number;
      nEpochs: number;
      metric: 'cosine' | 'euclidean';
      init: 'pca' | 'random';
      seed: number;
      normalized: boolean;
      ms: number;
    };

export interface ProjectResult {
  /** Row-major [n, 2]: point i at (points[2i], points[2i + 1]). */
  points: Float32Array;
  method: ProjectionMethod;
  info: ProjectionInfo;
}

/** Project n vectors of dimension C (row-major `vectors`, [n, C]) to 2-D. */
export async function project(vectors: Float32Array, n: number, C: number, options: ProjectOptions): Promise<ProjectResult> {
  validate(vectors, n, C, options);
  const started = now();
  const normalized = options.normalize ?? false;
  const input = normalized ? normalizeRows(vectors, n, C) : vectors;
  const onProgress = options.onProgress ?? (() => {});

  if (options.method === 'pca') {
    onProgress(0, 1);
    const r = pca(input, n, C, { ...options.pca, k: 2 });
    onProgress(1, 1);
    return {
      points: r.points,
      method: 'pca',
      info: {
        method: 'pca',
        n,
        C,
        explainedVarianceRatio: r.explainedVarianceRatio,
        solver: r.solver,
        operator: r.operator,
        applications: r.applications,
        normalized,
        ms: now() - started,
      },
    };
  }

  // Loaded on first use: umap-js (with ml-matrix, ~270 kB) stays out of the worker's first chunk.
  const { umap } = await import('./umap');
  const r = await umap(input, n, C, { ...options.umap, seed: options.seed, onProgress, signal: options.signal });
  return {
    points: r.points,
    method: 'umap',
    info: {
      method: 'umap',
      n,
      C,
      nNeighbors: r.nNeighbors,
      minDist: r.minDist,
      nEpochs: r.nEpochs,
      metric: r.metric,
      init: r.init,
      seed: options.seed,
      normalized,
      ms: now() - started,
    },
  };
}

function validate(vectors: Float32Array, n: number, C: number, options: ProjectOptions): void {
  if (!(vectors instanceof Float32Array)) {
    throw new ShapeError('Projection input must be a Float32Array of n·C values (row-major [n, C]).', { type: Object.prototype.toString.call(vectors) });
  }
  if (!Number.isInteger(n) || n < 2) {
    throw new ShapeError(`A projection needs at least 2 points; got n = ${n}.`, { n });
  }
  if (!Number.isInteger(C) || C < 1) {
    throw new ShapeError(`Points need dimension C >= 1; got C = ${C}.`, { C });
  }
  if (vectors.length !== n * C) {
    throw new ShapeError(`Projection input has ${vectors.length} values, but n·C = ${n}·${C} = ${n * C}.`, { length: vectors.length, n, C });
  }
  if (options.method !== 'pca' && options.method !== 'umap') {
    throw new AlignScopeError(`Unknown projection method '${String(options.method)}': use 'pca' or 'umap'.`, { method: String(options.method) });
  }
  if (!Number.isFinite(options.seed)) {
    throw new AlignScopeError(`Projection seed must be a finite number; got ${options.seed}.`, { seed: String(options.seed) });
  }
  for (let i = 0; i < vectors.length; i++) {
    if (!Number.isFinite(vectors[i])) {
      const row = Math.floor(i / C);
      const column = i % C;
      throw new AlignScopeError(`Projection input has a non-finite value (${vectors[i]}) at point ${row}, dimension ${column}.`, {
        row,
        column,
        value: String(vectors[i]),
      });
    }
  }
}

/** Rows scaled to unit L2 norm (float64 accumulation); zero rows stay zero. */
function normalizeRows(vectors: Float32Array, n: number, C: number): Float32Array {
  const out = new Float32Array(n * C);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let c = 0; c < C; c++) s += vectors[i * C + c] * vectors[i * C + c];
    if (s === 0) continue;
    const inv = 1 / Math.sqrt(s);
    for (let c = 0; c < C; c++) out[i * C + c] = vectors[i * C + c] * inv;
  }
  return out;
}

function now(): number {
  return globalThis.performance?.now() ?? Date.now();
}
