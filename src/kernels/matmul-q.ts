// Quantized matmul op over shaders/matmul_q4.wgsl and matmul_q8.wgsl: Y = X · Wᵀ with W [N, K] kept
// packed on the GPU. The kernel is picked from Q_MATMUL_VARIANTS (variants.ts): by default the
// split-K `gemv` entry for small M (decoding) and the 4x4-tiled `main` for larger M; the autotuner
// may choose a wider GEMV with vec4 weight loads, a subgroup-reduction GEMV (where the device has
// `subgroups`), or a prefill kernel that dequantizes W tiles once into workgroup memory. The backward
// through a frozen packed weight (dX = dY · W) has its own table, Q_BACKWARD_VARIANTS.

import { ShapeError } from '../errors';
import type { Batch } from '../gpu/batch';
import type { GpuContext } from '../gpu/runtime';
import { grid1d } from './elementwise';
import { MATMUL_VARIANTS, matmulDims } from './matmul';
import { emptyTensor, numel, releaseTensor, reshape, uploadU32, zeroPointRowBytes, type GpuQWeight, type GpuTensor } from './tensor';
import { pickVariant, rowClass, type OpTable } from './variants';

/** At or below this many rows of X, the split-K GEMV beats the 4x4-tiled kernel (it reads W once per row). */
export const GEMV_MAX_ROWS = 4;

/** A variant of Q_MATMUL_VARIANTS by name, or 'auto' (the tuned choice, else the default). */
export type QMatmulVariant = 'auto' | 'tiled' | 'gemv' | 'gemv_wide' | 'gemv_subgroups' | 'tiled_wg';

export interface QMatmulDims {
  kind: GpuQWeight['kind'];
  M: number;
  N: number;
  K: number;
}

export interface QMatmulArgs {
  x: GpuTensor;
  w: GpuQWeight;
  out: GpuTensor;
  dims: QMatmulDims;
  label: string;
}

/** Records one entry of the q4/q8 kernel files: the uniforms and bindings both files share. */
async function dispatchQ(ctx: GpuContext, batch: Batch, { x, w, out, dims, label }: QMatmulArgs, kernel: string, entry: string, grid: [number, number, number]): Promise<void> {
  const { M, N, K } = dims;
  const q4 = w.kind === 'q4';
  batch.dispatch({
    label,
    pipeline: await ctx.pipeline(kernel, entry),
    uniforms: q4 ? new Uint32Array([M, N, K, w.nBlocks, zeroPointRowBytes(w), w.zeroPoints ? 1 : 0, 0, 0]) : new Uint32Array([M, N, K, w.nBlocks]),
    // Without zero points the q4 shader never reads binding 4; bind the scales so the layout is complete.
    buffers: q4 ? [x.buffer.buffer, w.data.buffer, w.scales.buffer, (w.zeroPoints ?? w.scales).buffer, out.buffer.buffer] : [x.buffer.buffer, w.data.buffer, w.scales.buffer, out.buffer.buffer],
    grid,
  });
}

const decoding = (d: QMatmulDims) => d.M <= GEMV_MAX_ROWS;

/** One table for q4 and q8 (the files share entry names and layouts); the op name carries the kind. */
function qTable(kind: GpuQWeight['kind']): OpTable<QMatmulDims, QMatmulArgs> {
  const file = `matmul_${kind}`;
  return {
    op: file,
    defaultFor: (d) => (decoding(d) ? 'gemv' : 'tiled'),
    key: (d) => `${rowClass(d.M, GEMV_MAX_ROWS)} N=${d.N} K=${d.K}`,
    variants: [
      { name: 'tiled', applies: () => true, dispatch: (ctx, b, a) => dispatchQ(ctx, b, a, file, 'main', [Math.ceil(a.dims.N / 32), Math.ceil(a.dims.M / 32), 1]) },
      { name: 'gemv', applies: decoding, dispatch: (ctx, b, a) => dispatchQ(ctx, b, a, file, 'gemv', [Math.ceil(a.dims.N / 4), a.dims.M, 1]) },
      { name: 'gemv_wide', applies: decoding, dispatch: (ctx, b, a) => dispatchQ(ctx, b, a, file, 'gemv_wide', [Math.ceil(a.dims.N / 8), 1, 1]) },
      {
        name: 'gemv_subgroups',
        applies: (d, ctx) => decoding(d) && ctx.device.features.has('subgroups'),
        dispatch: (ctx, b, a) => dispatchQ(ctx, b, a, `${file}_subgroups`, 'gemv', [Math.ceil(a.dims.N / 4), a.dims.M, 1]),
      },
      { name: 'tiled_wg', applies: (d) => !decoding(d), dispatch: (ctx, b, a) => dispatchQ(ctx, b, a, file, 'main_wg', [Math.ceil(a.dims.N / 32), Math.ceil(a.dims.M / 64), 1]) },
    ],
  };
}

export const Q_MATMUL_VARIANTS = { q4: qTable('q4'), q8: qTable('q8') } as const;

/**
 * Rows ids [M] (u32, local to w's N rows; an id >= N is left alone) of a packed weight, dequantized
 * into out [M, K] f32: a quantized embedding's gather, and the backward's dequantized copy of W.
 */
export async function dequantizeRows(ctx: GpuContext, batch: Batch, ids: GpuTensor, w: GpuQWeight, out: GpuTensor, label: string): Promise<void> {
  const M = ids.shape[0];
  const grid = grid1d(Math.ceil((M * w.K) / 256), ctx.limits.maxComputeWorkgroupsPerDimension);
  const x = ids; // binding 1 holds the ids for the gather entry
  await dispatchQ(ctx, batch, { x, w, out, dims: { kind: w.kind, M, N: w.N, K: w.K }, label }, `matmul_${w.kind}`, 'gather', grid);
}

/** What a backward variant needs: dY [M, N] and the weight W [N, K] it flows back through. */
export interface QBackwardArgs {
  dy: GpuTensor;
  w: GpuQWeight;
  /** dX [M, K]. */
  out: GpuTensor;
  dims: QMatmulDims;
  label: string;
}

/** Bytes of W dequantized to f32 that `dequant_gemm` allows itself as scratch. */
const DEQUANT_SCRATCH_BYTES = 256 * 2 ** 20;

/**
 * dX = dY · W through a frozen q4/q8 weight (LoRA on a quantized base), as an op table:
 *   direct        (default) `main_t`: a 4x4 tile of dX per invocation, dequantizing W as it reads.
 *   dequant_gemm  W dequantized once into f32 scratch [N, K], then the f32 matmul table's tuned choice
 *                 (the 4x4 tile, the 64x64 workgroup-memory tile or split-K): what engines do when a
 *                 GEMM kernel beats a fused one; only where the scratch binds and stays under 256 MiB.
 */
function qBackwardTable(kind: GpuQWeight['kind']): OpTable<QMatmulDims, QBackwardArgs> {
  return {
    op: `matmul_${kind}_backward`,
    defaultFor: () => 'direct',
    key: (d) => `${rowClass(d.M, GEMV_MAX_ROWS)} N=${d.N} K=${d.K}`,
    variants: [
      {
        name: 'direct',
        applies: () => true,
        dispatch: (ctx, b, { dy, w, out, dims, label }) => dispatchQ(ctx, b, { x: dy, w, out, dims, label }, `matmul_${kind}`, 'main_t', [Math.ceil(dims.K / 32), Math.ceil(dims.M / 32), 1]),
      },
      {
        name: 'dequant_gemm',
        applies: (d, ctx) => 4 * d.N * d.K <= Math.min(DEQUANT_SCRATCH_BYTES, ctx.limits.maxStorageBufferBindingSize, ctx.limits.maxBufferSize),
        async dispatch(ctx, b, { dy, w, out, dims, label }) {
          const ids = uploadU32(ctx, Uint32Array.from({ length: dims.N }, (_, i) => i), [dims.N], `${label}.rows`);
          const wf = emptyTensor(ctx, [dims.N, dims.K], `${label}.w_f32`);
          await dequantizeRows(ctx, b, ids, w, wf, `${label}.dequantize`);
          const fdims = matmulDims(reshape(dy, [dims.M, dims.N]), wf);
          await pickVariant(ctx, MATMUL_VARIANTS, fdims).dispatch(ctx, b, { a: reshape(dy, [dims.M, dims.N]), b: wf, out, dims: fdims, label });
          releaseTensor(ctx, ids);
          releaseTensor(ctx, wf);
        },
      },
    ],
  };
}

export const Q_BACKWARD_VARIANTS = { q4: qBackwardTable('q4'), q8: qBackwardTable('q8') } as const;

/** dY [..., N] -> dX [..., K] = dY · W: the input gradient through a frozen quantized weight (tuned or `variant`). */
export async function matmulQBackward(ctx: GpuContext, batch: Batch, dy: GpuTensor, w: GpuQWeight, name = `d_input(${w.name})`, variant?: string): Promise<GpuTensor> {
  const N = dy.shape[dy.shape.length - 1];
  if (N !== w.N) throw new ShapeError(`matmulQBackward: ${dy.name} [${dy.shape}] has ${N} columns, but weight ${w.name} is [${w.N}, ${w.K}].`, { dy: dy.shape, N: w.N, K: w.K });
  const dims: QMatmulDims = { kind: w.kind, M: numel(dy.shape) / N, N, K: w.K };
  const out = emptyTensor(ctx, [...dy.shape.slice(0, -1), w.K], name);
  await pickVariant(ctx, Q_BACKWARD_VARIANTS[w.kind], dims, variant).dispatch(ctx, batch, { dy, w, out: reshape(out, [dims.M, dims.K]), dims, label: name });
  return out;
}

/** x [..., K] -> y [..., N]. */
export async function matmulQ(ctx: GpuContext, batch: Batch, x: GpuTensor, w: GpuQWeight, opts: { variant?: QMatmulVariant; name?: string } = {}): Promise<GpuTensor> {
  const K = x.shape[x.shape.length - 1];
  if (K !== w.K) throw new ShapeError(`matmulQ: ${x.name} [${x.shape}] has K = ${K}, but weight ${w.name} is [${w.N}, ${w.K}].`, { x: x.shape, N: w.N, K: w.K });
  const dims: QMatmulDims = { kind: w.kind, M: numel(x.shape) / K, N: w.N, K };
  const variant = pickVariant(ctx, Q_MATMUL_VARIANTS[w.kind], dims, opts.variant === 'auto' ? undefined : opts.variant);
  const out = emptyTensor(ctx, [...x.shape.slice(0, -1), dims.N], opts.name ?? `matmul_${w.kind}(${x.name},${w.name})`);
  await variant.dispatch(ctx, batch, { x, w, out, dims, label: out.name });
  return out;
}
