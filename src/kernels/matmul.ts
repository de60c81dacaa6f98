// matmul op over shaders/matmul.wgsl: C = op(A) · op(B), op = identity or transpose, f32, batched
// with optional broadcast; `into` accumulates C += op(A) · op(B) into an existing tensor.

import type { Batch } from '../gpu/batch';
import type { GpuContext } from '../gpu/runtime';
import { emptyTensor, type GpuTensor } from './tensor';
import { matmulShape } from '../ops/matmul-shape';

const WG = 8; // workgroup is WG x WG, each invocation a 4x4 tile
const TILE = 4 * WG;

export interface MatmulOptions {
  /** A is stored [K, M] (or [batch, K, M]). */
  transA?: boolean;
  /** B is stored [N, K] (or [batch, N, K]). */
  transB?: boolean;
  /** Add the product into this tensor instead of a new one. */
  into?: GpuTensor;
  name?: string;
}

/**
 * a [M, K] / [batch, M, K] (or transposed), b [K, N] / [batch, K, N] (or transposed).
 * A 2-D operand next to a 3-D one is broadcast over the batch. Returns C [M, N] or [batch, M, N].
 */
export async function matmul(ctx: GpuContext, batch: Batch, a: GpuTensor, b: GpuTensor, opts: MatmulOptions = {}): Promise<GpuTensor> {
  const transA = opts.transA ?? false;
  const transB = opts.transB ?? false;
  const { M, K, N, bA, bB, nBatch, outShape } = matmulShape(a, b, transA, transB, opts.into);
  const out = opts.into ?? emptyTensor(ctx, outShape, opts.name ?? `matmul(${a.name},${b.name})`);
  const pipeline = await ctx.pipeline('matmul', 'main', { WG_X: WG, WG_Y: WG, TRANS_A: transA ? 1 : 0, TRANS_B: transB ? 1 : 0, ACCUMULATE: opts.into ? 1 : 0 });
  batch.dispatch({
    label: opts.name ?? out.name,
    pipeline,
    uniforms: new Uint32Array([M, N, K, nBatch, bA === 1 ? 0 : M * K, bB === 1 ? 0 : K * N, M * N, 0]),
    buffers: [a.buffer.buffer, b.buffer.buffer, out.buffer.buffer],
    grid: [Math.ceil(N / TILE), Math.ceil(M / TILE), nBatch],
  });
  return out;
}
