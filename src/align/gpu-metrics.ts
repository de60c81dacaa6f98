// Alignment metrics on the GPU with O(n) numbers read back per language pair, not S (n² floats):
//   S = X̂ Ŷᵀ [n, n]                        matmul (transB)
//   per-sentence statistics [n, 8]          shaders/similarity.wgsl: diagonal, row sum, first row
//                                           and column argmax, best off-diagonal in row and column
//   bootstrap: t_r = c_rᵀ S c_r for every resample r at once: S · Cm [n, R], ⊙ Cm, column sums
//   (Cm [n, R] holds resample r's draw counts in column r, drawn exactly as bootstrap.ts draws them)
// The CPU turns those into metricsFromSimilarity's numbers and bootstrapInterval's LAC interval:
// with counts c, Σ c_i S_ii and Σ c_i² S_ii come from the diagonal, cᵀSc from t_r.
// Readback per pair: 8n + R floats (5 KB + 4 KB at n = 500, R = 1000) instead of 1 MB of S.

import type { GpuRuntime } from '../gpu/runtime';
import { mul } from '../kernels/elementwise';
import { matmul } from '../kernels/matmul';
import { emptyTensor, releaseTensor, uploadTensor, type GpuTensor } from '../kernels/tensor';
import { uniforms } from '../kernels/uniforms';
import { Rng } from '../train/rng';
import { quantile, type BootstrapInterval } from './bootstrap';
import { lacFrom, type AlignmentMetrics } from './metrics';

export interface GpuAlignmentOptions {
  /** Bootstrap resamples for the LAC interval (0: none, NaN bounds). */
  resamples: number;
  seed?: number;
  level?: number;
  /** Wang & Isola exponent; 2 by default. */
  alpha?: number;
}

export interface PairAlignment {
  metrics: AlignmentMetrics;
  lac: BootstrapInterval;
}

/** Resample r's draw counts (n draws of rng.int(n)), the same sequence as bootstrapInterval's. */
export function bootstrapCounts(n: number, resamples: number, seed: number): Uint32Array[] {
  const rng = new Rng(seed);
  return Array.from({ length: resamples }, () => {
    const c = new Uint32Array(n);
    for (let k = 0; k < n; k++) c[rng.int(n)]++;
    return c;
  });
}

/** Unweighted metrics from the per-sentence statistics (same definitions as metricsFromSimilarity). */
function metricsFromStats(st: Float32Array, n: number, alpha: number): AlignmentMetrics {
  let total = 0;
  let diag = 0;
  let align = 0;
  let hitsAB = 0;
  let hitsBA = 0;
  let mutual = 0;
  for (let i = 0; i < n; i++) {
    const [d, rowSum, rowArg, rowOff, colArg, colOff] = st.subarray(8 * i, 8 * i + 6);
    total += rowSum;
    diag += d;
    align += Math.max(0, 2 - 2 * d) ** (alpha / 2);
    if (rowArg === i) hitsAB++;
    if (colArg === i) hitsBA++;
    if (d > rowOff && d > colOff) mutual++;
  }
  const meanCosine = diag / n;
  const meanOffdiag = n > 1 ? (total - diag) / (n * n - n) : NaN;
  return { lac: lacFrom(meanCosine, meanOffdiag), mexa: mutual / n, p1AtoB: hitsAB / n, p1BtoA: hitsBA / n, meanCosine, meanOffdiag, alignment: align / n };
}

/** LAC of each resample from t_r = c_rᵀ S c_r and the diagonal, as a percentile interval. */
function lacInterval(t: Float32Array, counts: Uint32Array[], st: Float32Array, n: number, estimate: number, level: number): BootstrapInterval {
  const values: number[] = [];
  counts.forEach((c, r) => {
    let dW = 0;
    let dW2 = 0;
    let c2 = 0;
    for (let i = 0; i < n; i++) {
      const d = st[8 * i];
      dW += c[i] * d;
      dW2 += c[i] * c[i] * d;
      c2 += c[i] * c[i];
    }
    const off = n * n - c2;
    const v = lacFrom(dW / n, off > 0 ? (t[r] - dW2) / off : NaN);
    if (!Number.isNaN(v)) values.push(v);
  });
  values.sort((a, b) => a - b);
  const tail = (1 - level) / 2;
  return { low: quantile(values, tail), high: quantile(values, 1 - tail), estimate, valid: values.length };
}

/**
 * Metrics and the LAC interval for each pair [a, b] of already preprocessed matrices `mats[k]`
 * (X̂_k [n, C], f32). Each language and the count matrix are uploaded once; one batch per pair.
 */
export async function alignmentOnGpu(rt: GpuRuntime, mats: Float32Array[], pairs: readonly (readonly [number, number])[], n: number, C: number, opts: GpuAlignmentOptions): Promise<PairAlignment[]> {
  const R = opts.resamples;
  const level = opts.level ?? 0.95;
  const alpha = opts.alpha ?? 2;
  const counts = R > 0 ? bootstrapCounts(n, R, opts.seed ?? 0) : [];
  return rt.run(async (ctx) => {
    const owned: GpuTensor[] = [];
    const keep = <T extends GpuTensor>(t: T) => (owned.push(t), t);
    try {
      const inputs = new Map([...new Set(pairs.flat())].map((k) => [k, keep(uploadTensor(ctx, mats[k], [n, C], `align.x${k}`))]));
      let cm: GpuTensor | null = null;
      let ones: GpuTensor | null = null;
      if (R > 0) {
        const host = new Float32Array(n * R); // [n, R]: column r = counts of resample r
        counts.forEach((c, r) => c.forEach((v, i) => (host[i * R + r] = v)));
        cm = keep(uploadTensor(ctx, host, [n, R], 'align.bootstrap_counts'));
        ones = keep(uploadTensor(ctx, new Float32Array(n).fill(1), [1, n], 'align.ones'));
      }
      const pipeline = await ctx.pipeline('similarity', 'stats_main');
      const out: PairAlignment[] = [];
      for (const [a, b] of pairs) {
        const batch = ctx.batch();
        const S = await matmul(ctx, batch, inputs.get(a)!, inputs.get(b)!, { transB: true, name: `align.S${a}x${b}` });
        const st = emptyTensor(ctx, [n, 8], 'align.stats');
        batch.dispatch({ label: 'align.stats', pipeline, uniforms: uniforms(n), buffers: [S.buffer.buffer, st.buffer.buffer], grid: [Math.ceil(n / 64), 1, 1] });
        const temps = [S, st];
        let readT: Promise<ArrayBuffer> | null = null;
        if (cm && ones) {
          const sc = await matmul(ctx, batch, S, cm, { name: 'align.S_counts' }); // [n, R]
          const prod = await mul(ctx, batch, sc, cm, 'align.counts_S_counts');
          const t = await matmul(ctx, batch, ones, prod, { name: 'align.cSc' }); // [1, R]
          temps.push(sc, prod, t);
          readT = batch.read(t.buffer.buffer, R * 4);
        }
        const readSt = batch.read(st.buffer.buffer, n * 8 * 4);
        await batch.submit();
        const stats = new Float32Array(await readSt);
        const metrics = metricsFromStats(stats, n, alpha);
        const lac = readT ? lacInterval(new Float32Array(await readT), counts, stats, n, metrics.lac, level) : { low: NaN, high: NaN, estimate: metrics.lac, valid: 0 };
        for (const x of temps) releaseTensor(ctx, x);
        out.push({ metrics, lac });
      }
      return out;
    } finally {
      for (const t of owned) releaseTensor(ctx, t);
    }
  });
}
