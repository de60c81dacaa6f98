// The GPU path for similarity matrices: S = X̂ Ŷᵀ by the matmul kernel (src/kernels/matmul.ts,
// `transB`), then the same metricsFromSimilarity as the CPU reference.
//
// Split of the work:
//   - Centring and L2-normalisation run on the CPU in float64 (metrics.ts `preprocess`), then are
//     rounded to f32 for upload. That is O(n·C) against the matmul's O(n²·C) and costs a few ms for
//     the sizes we target (n <= 4000 sentences, C <= 4096 dimensions); keeping it on the CPU keeps
//     one definition of the preprocessing for both paths.
//   - Uploads: one [n, C] f32 tensor per language (n·C·4 bytes; 500 x 4096 is 8 MB).
//   - One batch per group of pairs: one matmul dispatch per pair, S_p = X̂_a · X̂_bᵀ [n, n], and
//     only the S matrices come back (n²·4 bytes each: 1 MB for n = 500, 64 MB for n = 4000). Groups
//     hold at most MAX_READBACK_BYTES of S so staging memory stays bounded; each S must also fit
//     one storage binding, which the buffer pool checks (GpuLimitError naming the need and the cap).
//   - Every buffer goes back to the pool before returning.
// Precision: S in f32 (K = C terms per dot product); the metrics are then accumulated in float64.
// Against the float64 reference the entries of S differ by ~1e-7·sqrt(C) (tests: within 1e-4).

import type { GpuRuntime } from '../gpu/runtime';
import { matmul } from '../kernels/matmul';
import { releaseTensor, uploadTensor, type GpuTensor } from '../kernels/tensor';
import { metricsFromSimilarity, preprocess, type AlignmentMetrics, type PreprocessOptions } from './metrics';

/** Readback budget per batch (sum of the S matrices it returns). */
export const MAX_READBACK_BYTES = 64 * 2 ** 20;

export interface GpuSimilarityOptions extends PreprocessOptions {
  /** Wang & Isola exponent; 2 by default. */
  alpha?: number;
}

/** Preprocessed vectors [n, C] rounded to f32 for upload. */
export function preprocessF32(V: ArrayLike<number>, n: number, C: number, opts: PreprocessOptions): Float32Array {
  return Float32Array.from(preprocess(V, n, C, opts));
}

/**
 * S = X̂ Ŷᵀ [n, n] on the GPU for languages A (X [n, C]) and B (Y [n, C]), and every metric of it.
 * Returns S (f32, row i = sentence i of A) so callers can bootstrap on it without another readback.
 */
export async function similarityOnGpu(
  rt: GpuRuntime,
  X: ArrayLike<number>,
  Y: ArrayLike<number>,
  n: number,
  C: number,
  opts: GpuSimilarityOptions,
): Promise<{ S: Float32Array; metrics: AlignmentMetrics }> {
  const [S] = await similaritiesOnGpu(rt, [preprocessF32(X, n, C, opts), preprocessF32(Y, n, C, opts)], [[0, 1]], n, C);
  return { S, metrics: metricsFromSimilarity(S, n, { alpha: opts.alpha }) };
}

/**
 * Several similarity matrices over shared, already preprocessed matrices: `mats[k]` is language k's
 * X̂_k [n, C] (f32), `pairs[p] = [a, b]` asks for S_p = X̂_a X̂_bᵀ [n, n]. Each language is uploaded
 * once; results come back in the order of `pairs`.
 */
export async function similaritiesOnGpu(rt: GpuRuntime, mats: Float32Array[], pairs: readonly (readonly [number, number])[], n: number, C: number): Promise<Float32Array[]> {
  for (const [k, m] of mats.entries()) {
    if (m.length !== n * C) throw new RangeError(`similaritiesOnGpu: matrix ${k} has ${m.length} values for [${n}, ${C}].`);
  }
  for (const [a, b] of pairs) {
    if (!(a >= 0 && a < mats.length && b >= 0 && b < mats.length)) throw new RangeError(`similaritiesOnGpu: pair [${a}, ${b}] names a matrix outside 0..${mats.length - 1}.`);
  }
  if (pairs.length === 0) return [];
  const used = [...new Set(pairs.flat())];
  const perGroup = Math.max(1, Math.floor(MAX_READBACK_BYTES / (n * n * 4)));

  return rt.run(async (ctx) => {
    const inputs = new Map<number, GpuTensor>();
    const results: Float32Array[] = [];
    try {
      for (const k of used) inputs.set(k, uploadTensor(ctx, mats[k], [n, C], `align.x${k}`));
      for (let start = 0; start < pairs.length; start += perGroup) {
        const group = pairs.slice(start, start + perGroup);
        const batch = ctx.batch();
        const outs: GpuTensor[] = [];
        try {
          const reads: Promise<ArrayBuffer>[] = [];
          for (const [a, b] of group) {
            // [n, C] · ([n, C])ᵀ -> [n, n]
            const s = await matmul(ctx, batch, inputs.get(a)!, inputs.get(b)!, { transB: true, name: `align.S${a}x${b}` });
            outs.push(s);
            reads.push(batch.read(s.buffer.buffer, n * n * 4));
          }
          await batch.submit();
          for (const buf of await Promise.all(reads)) results.push(new Float32Array(buf));
        } finally {
          for (const s of outs) releaseTensor(ctx, s);
        }
      }
    } finally {
      for (const t of inputs.values()) releaseTensor(ctx, t);
    }
    return results;
  });
}
