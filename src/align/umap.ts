// UMAP of embedding vectors to 2-D, over umap-js (PAIR-code's JavaScript port of McInnes' UMAP).
//
// What this wrapper adds:
//   - a seeded random stream (xoshiro128** from src/train/rng.ts) for everything umap-js draws
//     (random-projection trees, NN-descent, the random layout, negative sampling), so the same
//     input, options and seed give the same map, bit for bit;
//   - cosine distance as 1 - x·y on rows L2-normalised once up front (the random-projection trees
//     of umap-js are Euclidean, and on unit vectors Euclidean and cosine order neighbours alike);
//   - an optional start from the PCA map (scaled to the [-10, 10] box umap-js draws its random
//     start from, plus 1e-4 of seeded jitter to separate duplicates): the map then keeps the global
//     arrangement of PCA and moves less between related inputs. umap-js has no init option, so the
//     start is written into the layout it just initialised, through `getEmbedding()`, which returns
//     the very arrays the optimiser moves (checked by a test against umap-js 1.4);
//   - epochs driven through the public `initializeFit` / `step` API rather than `fitAsync`, which
//     waits a macrotask (>= 1 ms, clamped to 4 ms in browsers) after every epoch: here the loop
//     yields to the event loop only every `yieldEveryMs`, reports progress, and honours an AbortSignal.

import { UMAP } from 'umap-js';
import { AlignScopeError, ShapeError } from '../errors';
import { Rng } from '../train/rng';
import { pca } from './pca';

export type UmapMetric = 'cosine' | 'euclidean';

export interface UmapOptions {
  /** Seed of every random draw. Default 0. */
  seed?: number;
  /** Neighbours per point, default 15; clamped to n - 1. */
  nNeighbors?: number;
  /** Minimum distance between embedded points, default 0.1 (must be <= spread). */
  minDist?: number;
  /** Scale of the embedded clusters, default 1. */
  spread?: number;
  /** Optimisation epochs; default that of umap-js (500 up to 2500 points, 400 up to 5000, then fewer). */
  nEpochs?: number;
  /** 'cosine' (default) or 'euclidean' on the raw vectors. */
  metric?: UmapMetric;
  /** Start layout: 'pca' (default) or umap-js's uniform random one. */
  init?: 'pca' | 'random';
  /** Called with (done, total): 0 before the neighbour graph, then after epochs (total = nEpochs). */
  onProgress?: (done: number, total: number) => void;
  /** Aborting rejects with the signal's reason at the next yield. */
  signal?: AbortSignal;
  /** How long the epoch loop may run between yields to the event loop. Default 50 ms. */
  yieldEveryMs?: number;
}

export interface UmapResult {
  /** Row-major [n, 2]. */
  points: Float32Array;
  nNeighbors: number;
  minDist: number;
  nEpochs: number;
  metric: UmapMetric;
  init: 'pca' | 'random';
}

export async function umap(vectors: Float32Array, n: number, C: number, options: UmapOptions = {}): Promise<UmapResult> {
  if (!Number.isInteger(n) || n < 2 || !Number.isInteger(C) || C < 1) {
    throw new ShapeError(`UMAP needs at least 2 points of dimension >= 1; got n = ${n}, C = ${C}.`, { n, C });
  }
  if (vectors.length !== n * C) {
    throw new ShapeError(`UMAP input has ${vectors.length} values, expected n·C = ${n}·${C} = ${n * C}.`, { length: vectors.length, n, C });
  }
  const seed = options.seed ?? 0;
  const metric = options.metric ?? 'cosine';
  const init = options.init ?? 'pca';
  const minDist = options.minDist ?? 0.1;
  const spread = options.spread ?? 1;
  const requested = options.nNeighbors ?? 15;
  const yieldEveryMs = options.yieldEveryMs ?? 50;
  if (!Number.isFinite(seed)) throw new AlignScopeError(`UMAP seed must be a finite number; got ${seed}.`, { seed });
  if (!Number.isInteger(requested) || requested < 1) {
    throw new AlignScopeError(`UMAP nNeighbors must be an integer >= 1; got ${requested}.`, { nNeighbors: requested });
  }
  if (!(spread > 0) || !(minDist >= 0) || minDist > spread) {
    throw new AlignScopeError(`UMAP needs 0 <= minDist <= spread and spread > 0; got minDist = ${minDist}, spread = ${spread}.`, { minDist, spread });
  }
  if (options.nEpochs !== undefined && !(Number.isInteger(options.nEpochs) && options.nEpochs >= 1)) {
    throw new AlignScopeError(`UMAP nEpochs must be an integer >= 1; got ${options.nEpochs}.`, { nEpochs: options.nEpochs });
  }
  if (metric !== 'cosine' && metric !== 'euclidean') throw new AlignScopeError(`Unknown UMAP metric '${String(metric)}'.`, { metric });
  if (init !== 'pca' && init !== 'random') throw new AlignScopeError(`Unknown UMAP init '${String(init)}'.`, { init });
  const nNeighbors = Math.min(requested, n - 1);

  // Rows as umap-js wants them (number[][]), unit length for cosine; the PCA start sees the same rows.
  const flat = metric === 'cosine' ? new Float32Array(n * C) : vectors;
  const rows: number[][] = new Array(n);
  const zeroRows = new Set<number[]>();
  for (let i = 0; i < n; i++) {
    let norm = 0;
    for (let c = 0; c < C; c++) {
      const v = vectors[i * C + c];
      if (!Number.isFinite(v)) {
        throw new AlignScopeError(`UMAP input has a non-finite value (${v}) at row ${i}, column ${c}.`, { row: i, column: c, value: String(v) });
      }
      norm += v * v;
    }
    const scale = metric === 'cosine' && norm > 0 ? 1 / Math.sqrt(norm) : 1;
    const row = new Array<number>(C);
    for (let c = 0; c < C; c++) row[c] = vectors[i * C + c] * scale;
    if (flat !== vectors) flat.set(row, i * C);
    rows[i] = row;
    if (norm === 0) zeroRows.add(row);
  }

  const rng = new Rng(seed);
  const model = new UMAP({
    nComponents: 2,
    nNeighbors,
    minDist,
    spread,
    nEpochs: options.nEpochs,
    random: () => rng.next(),
    distanceFn: metric === 'cosine' ? cosineOnUnit(zeroRows) : undefined,
  });

  const report = options.onProgress ?? (() => {});
  options.signal?.throwIfAborted();
  report(0, options.nEpochs ?? defaultEpochs(n));
  await nextTask();
  options.signal?.throwIfAborted();
  // Neighbour graph, fuzzy simplicial set and umap-js's random start (synchronous).
  const nEpochs = model.initializeFit(rows);

  if (init === 'pca') {
    const start = pca(flat, n, C, { k: 2 }).points;
    let maxAbs = 0;
    for (let i = 0; i < start.length; i++) maxAbs = Math.max(maxAbs, Math.abs(start[i]));
    if (maxAbs > 0) {
      // The optimiser moves these very arrays (umap-js keeps `embedding` as its head and tail layout).
      const layout = model.getEmbedding();
      const jrng = new Rng(seed + 0x1f2e3d); // its own stream: umap-js's draws stay as they were
      for (let i = 0; i < n; i++) {
        layout[i][0] = (10 * start[i * 2]) / maxAbs + 1e-4 * (jrng.next() - 0.5);
        layout[i][1] = (10 * start[i * 2 + 1]) / maxAbs + 1e-4 * (jrng.next() - 0.5);
      }
    }
  }

  report(0, nEpochs);
  let last = now();
  for (let epoch = 0; epoch < nEpochs; ) {
    epoch = model.step();
    if (now() - last >= yieldEveryMs) {
      report(epoch, nEpochs);
      await nextTask();
      options.signal?.throwIfAborted();
      last = now();
    }
  }
  report(nEpochs, nEpochs);

  const layout = model.getEmbedding();
  const points = new Float32Array(n * 2);
  for (let i = 0; i < n; i++) {
    points[i * 2] = layout[i][0];
    points[i * 2 + 1] = layout[i][1];
  }
  return { points, nNeighbors, minDist, nEpochs, metric, init };
}

/** Cosine distance of rows already scaled to unit length (1 - x·y, >= 0); zero rows are at 1 from others and 0 from each other, as in umap-js's `cosine`. */
function cosineOnUnit(zeroRows: ReadonlySet<number[]>): (x: number[], y: number[]) => number {
  const plain = (x: number[], y: number[]): number => {
    let s = 0;
    for (let i = 0; i < x.length; i++) s += x[i] * y[i];
    return Math.max(0, 1 - s);
  };
  if (zeroRows.size === 0) return plain;
  return (x, y) => {
    const zx = zeroRows.has(x);
    const zy = zeroRows.has(y);
    if (zx || zy) return zx && zy ? 0 : 1;
    return plain(x, y);
  };
}

/** umap-js 1.4's epoch count when none is given (only used for the first progress report). */
function defaultEpochs(n: number): number {
  return n <= 2500 ? 500 : n <= 5000 ? 400 : n <= 7500 ? 300 : 200;
}

function now(): number {
  return globalThis.performance?.now() ?? Date.now();
}

/** Let the event loop run (messages, timers) before continuing. */
function nextTask(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}
