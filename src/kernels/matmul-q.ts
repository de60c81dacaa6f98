// Quantized matmul op over shaders/matmul_q4.wgsl and matmul_q8.wgsl: Y = X · Wᵀ with W [N, K] kept
// packed on the GPU. The kernel is picked from Q_MATMUL_VARIANTS (variants.ts): by default the
// split-K `gemv` entry for small M (decoding) and the 4x4-tiled `main` for larger M; the autotuner
// may choose a wider GEMV with vec4 weight loads, a subgroup-reduction GEMV (where the device has
// `subgroups`), or a prefill kernel that dequantizes W tiles once into workgroup memory.

import { ShapeError } from '../errors';
import type { Batch } from '../gpu/batch';
import type { GpuContext } from '../gpu/runtime';
import { emptyTensor, numel, zeroPointRowBytes, type GpuQWeight, type GpuTensor } from './tensor';
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

/** dY [..., N] -> dX [..., K] = dY · W: the input gradient through a frozen quantized weight. */
export async function matmulQBackward(ctx: GpuContext, batch: Batch, dy: GpuTensor, w: GpuQWeight, name = `d_input(${w.name})`): Promise<GpuTensor> {
  const N = dy.shape[dy.shape.length - 1];
  if (N !== w.N) throw new ShapeError(`matmulQBackward: ${dy.name} [${dy.shape}] has ${N} columns, but weight ${w.name} is [${w.N}, ${w.K}].`, { dy: dy.shape, N: w.N, K: w.K });
  const M = numel(dy.shape) / N;
  const K = w.K;
  const out = emptyTensor(ctx, [...dy.shape.slice(0, -1), K], name);
  const q4 = w.kind === 'q4';
  batch.dispatch({
    label: name,
    pipeline: await ctx.pipeline(`matmul_${w.kind}`, 'main_t'),
    uniforms: q4 ? new Uint32Array([M, N, K, w.nBlocks, zeroPointRowBytes(w), w.zeroPoints ? 1 : 0, 0, 0]) : new Uint32Array([M, N, K, w.nBlocks]),
    buffers: q4 ? [dy.buffer.buffer, w.data.buffer, w.scales.buffer, (w.zeroPoints ?? w.scales).buffer, out.buffer.buffer] : [dy.buffer.buffer, w.data.buffer, w.scales.buffer, out.buffer.buffer],
    grid: [Math.ceil(K / 32), Math.ceil(M / 32), 1],
  });
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
