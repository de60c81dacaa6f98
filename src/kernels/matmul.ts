// matmul op: C = op(A) · op(B), op = identity or transpose, f32, batched with optional broadcast;
// `into` accumulates C += op(A) · op(B) into an existing tensor. The kernel is picked from
// MATMUL_VARIANTS (variants.ts): decision 22's 4x4 register tile by default, a workgroup-memory
// 64x64 tile (shaders/matmul_tiled.wgsl) and split-K for tall-skinny shapes (matmul_splitk.wgsl)
// where the autotuner measured them faster on this adapter.

import type { Batch } from '../gpu/batch';
import type { GpuContext } from '../gpu/runtime';
import { emptyTensor, type GpuTensor } from './tensor';
import { matmulShape, type MatmulShape } from '../ops/matmul-shape';
import { pickVariant, rowClass, type OpTable } from './variants';

const WG = 8; // tile4x4: workgroup is WG x WG, each invocation a 4x4 tile
const TILE = 4 * WG;

export interface MatmulOptions {
  /** A is stored [K, M] (or [batch, K, M]). */
  transA?: boolean;
  /** B is stored [N, K] (or [batch, N, K]). */
  transB?: boolean;
  /** Add the product into this tensor instead of a new one. */
  into?: GpuTensor;
  name?: string;
  /** A variant of MATMUL_VARIANTS by name (tests, the tuner); default: the tuned choice or the default. */
  variant?: string;
}

/** What a variant needs to know about one product. */
export interface MatmulDims extends MatmulShape {
  transA: boolean;
  transB: boolean;
  accumulate: boolean;
}

export interface MatmulArgs {
  a: GpuTensor;
  b: GpuTensor;
  out: GpuTensor;
  dims: MatmulDims;
  label: string;
}

/** The override constants every f32 matmul shader shares. */
function layout(d: MatmulDims): Record<string, number> {
  return { TRANS_A: d.transA ? 1 : 0, TRANS_B: d.transB ? 1 : 0, ACCUMULATE: d.accumulate ? 1 : 0 };
}

function batchedUniforms(d: MatmulDims): Uint32Array {
  const { M, N, K, nBatch, bA, bB } = d;
  return new Uint32Array([M, N, K, nBatch, bA === 1 ? 0 : M * K, bB === 1 ? 0 : K * N, M * N, 0]);
}

/** Split-K: chunks of K of at least 64, at most 32 of them. */
export function splitKSplits(K: number): number {
  return Math.min(32, Math.max(1, Math.floor(K / 64)));
}

export const MATMUL_VARIANTS: OpTable<MatmulDims, MatmulArgs> = {
  op: 'matmul',
  defaultFor: () => 'tile4x4',
  key: (d) => `${d.transA ? 'T' : 'N'}${d.transB ? 'T' : 'N'} ${d.nBatch > 1 ? `batch ${d.nBatch} ` : ''}${rowClass(d.M, 4)} N=${d.N} K=${d.K}`,
  variants: [
    {
      name: 'tile4x4',
      applies: () => true,
      async dispatch(ctx, batch, { a, b, out, dims, label }) {
        batch.dispatch({
          label,
          pipeline: await ctx.pipeline('matmul', 'main', { WG_X: WG, WG_Y: WG, ...layout(dims) }),
          uniforms: batchedUniforms(dims),
          buffers: [a.buffer.buffer, b.buffer.buffer, out.buffer.buffer],
          grid: [Math.ceil(dims.N / TILE), Math.ceil(dims.M / TILE), dims.nBatch],
        });
      },
    },
    {
      name: 'wg64x64',
      applies: (_d, ctx) => ctx.limits.maxComputeWorkgroupStorageSize >= 8192 && ctx.limits.maxComputeInvocationsPerWorkgroup >= 64,
      async dispatch(ctx, batch, { a, b, out, dims, label }) {
        batch.dispatch({
          label,
          pipeline: await ctx.pipeline('matmul_tiled', 'main', layout(dims)),
          uniforms: batchedUniforms(dims),
          buffers: [a.buffer.buffer, b.buffer.buffer, out.buffer.buffer],
          grid: [Math.ceil(dims.N / 64), Math.ceil(dims.M / 64), dims.nBatch],
        });
      },
    },
    {
      name: 'splitk',
      // Tall-skinny: one product, a short side of at most 32, K long enough for 2+ chunks, and a
      // scratch [splits, M, N] that binds.
      applies: (d, ctx) =>
        d.nBatch === 1 && Math.min(d.M, d.N) <= 32 && splitKSplits(d.K) >= 2 && splitKSplits(d.K) * d.M * d.N * 4 <= Math.min(ctx.limits.maxStorageBufferBindingSize, 64 << 20),
      async dispatch(ctx, batch, { a, b, out, dims, label }) {
        const { M, N, K } = dims;
        const splits = splitKSplits(K);
        const uniforms = new Uint32Array([M, N, K, splits, Math.ceil(K / splits), 0, 0, 0]);
        const scratch = ctx.output(splits * M * N * 4, `${label}.partials`);
        batch.dispatch({
          label,
          pipeline: await ctx.pipeline('matmul_splitk', 'main', layout(dims)),
          uniforms,
          buffers: [a.buffer.buffer, b.buffer.buffer, scratch.buffer],
          grid: [Math.ceil(N / 32), Math.ceil(M / 32), splits],
        });
        const groups = Math.ceil((M * N) / 256);
        const x = Math.min(groups, ctx.limits.maxComputeWorkgroupsPerDimension);
        batch.dispatch({
          label: `${label}.reduce`,
          pipeline: await ctx.pipeline('matmul_splitk', 'reduce', layout(dims)),
          uniforms,
          buffers: [null, null, scratch.buffer, out.buffer.buffer],
          grid: [x, Math.ceil(groups / x), 1],
        });
        // Later dispatches of this batch run after the reduce, so the pool may hand the scratch on.
        ctx.pool.release(scratch);
      },
    },
  ],
};

/** The dimensions `matmul` works with (checked; ShapeError otherwise). */
export function matmulDims(a: GpuTensor, b: GpuTensor, opts: MatmulOptions = {}): MatmulDims {
  const transA = opts.transA ?? false;
  const transB = opts.transB ?? false;
  return { ...matmulShape(a, b, transA, transB, opts.into), transA, transB, accumulate: opts.into !== undefined };
}

/**
 * a [M, K] / [batch, M, K] (or transposed), b [K, N] / [batch, K, N] (or transposed).
 * A 2-D operand next to a 3-D one is broadcast over the batch. Returns C [M, N] or [batch, M, N].
 */
export async function matmul(ctx: GpuContext, batch: Batch, a: GpuTensor, b: GpuTensor, opts: MatmulOptions = {}): Promise<GpuTensor> {
  const dims = matmulDims(a, b, opts);
  const variant = pickVariant(ctx, MATMUL_VARIANTS, dims, opts.variant);
  const out = opts.into ?? emptyTensor(ctx, dims.outShape, opts.name ?? `matmul(${a.name},${b.name})`);
  await variant.dispatch(ctx, batch, { a, b, out, dims, label: opts.name ?? out.name });
  return out;
}
