// Quantized matmul op over shaders/matmul_q4.wgsl and matmul_q8.wgsl: Y = X · Wᵀ with W [N, K]
// kept packed on the GPU. Small M (decoding) uses the split-K `gemv` entry, larger M the tiled one.

import { ShapeError } from '../errors';
import type { Batch } from '../gpu/batch';
import type { GpuContext } from '../gpu/runtime';
import { emptyTensor, numel, zeroPointRowBytes, type GpuQWeight, type GpuTensor } from './tensor';

/** At or below this many rows of X, the split-K GEMV beats the 4x4-tiled kernel (it reads W once per row). */
export const GEMV_MAX_ROWS = 4;

export type QMatmulVariant = 'auto' | 'tiled' | 'gemv';

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
  const M = numel(x.shape) / K;
  const N = w.N;
  const variant = opts.variant && opts.variant !== 'auto' ? opts.variant : M <= GEMV_MAX_ROWS ? 'gemv' : 'tiled';
  const out = emptyTensor(ctx, [...x.shape.slice(0, -1), N], opts.name ?? `matmul_${w.kind}(${x.name},${w.name})`);
  const pipeline = await ctx.pipeline(`matmul_${w.kind}`, variant === 'gemv' ? 'gemv' : 'main');
  const grid: [number, number, number] = variant === 'gemv' ? [Math.ceil(N / 4), M, 1] : [Math.ceil(N / 32), Math.ceil(M / 32), 1];
  if (w.kind === 'q4') {
    batch.dispatch({
      label: out.name,
      pipeline,
      uniforms: new Uint32Array([M, N, K, w.nBlocks, zeroPointRowBytes(w), w.zeroPoints ? 1 : 0, 0, 0]),
      // Without zero points the shader never reads binding 4; bind the scales so the layout is complete.
      buffers: [x.buffer.buffer, w.data.buffer, w.scales.buffer, (w.zeroPoints ?? w.scales).buffer, out.buffer.buffer],
      grid,
    });
  } else {
    batch.dispatch({
      label: out.name,
      pipeline,
      uniforms: new Uint32Array([M, N, K, w.nBlocks]),
      buffers: [x.buffer.buffer, w.data.buffer, w.scales.buffer, out.buffer.buffer],
      grid,
    });
  }
  return out;
}
