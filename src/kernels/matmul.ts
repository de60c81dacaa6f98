// matmul op over shaders/matmul.wgsl: C = A · B (or A · Bᵀ), f32, batched with optional broadcast.

import { ShapeError } from '../errors';
import type { Batch } from '../gpu/batch';
import type { GpuContext } from '../gpu/runtime';
import { emptyTensor, type GpuTensor } from './tensor';

const WG = 8; // workgroup is WG x WG, each invocation a 4x4 tile
const TILE = 4 * WG;

/**
 * a [M, K] or [batch, M, K]; b [K, N] / [batch, K, N], or with transB [N, K] / [batch, N, K].
 * A 2-D operand next to a 3-D one is broadcast over the batch. Returns C [M, N] or [batch, M, N].
 */
export async function matmul(ctx: GpuContext, batch: Batch, a: GpuTensor, b: GpuTensor, opts: { transB?: boolean; name?: string } = {}): Promise<GpuTensor> {
  const transB = opts.transB ?? false;
  const [bA, M, K] = a.shape.length === 3 ? a.shape : [1, ...a.shape];
  const [bB, r, c] = b.shape.length === 3 ? b.shape : [1, ...b.shape];
  const [Kb, N] = transB ? [c, r] : [r, c];
  const nBatch = Math.max(bA, bB);
  if (a.shape.length < 2 || a.shape.length > 3 || b.shape.length < 2 || b.shape.length > 3 || Kb !== K || (bA !== bB && bA !== 1 && bB !== 1)) {
    throw new ShapeError(`matmul: cannot multiply ${a.name} [${a.shape}] by ${b.name} [${b.shape}]${transB ? 'ᵀ' : ''}.`, { a: a.shape, b: b.shape, transB });
  }
  const outShape = a.shape.length === 3 || b.shape.length === 3 ? [nBatch, M, N] : [M, N];
  const out = emptyTensor(ctx, outShape, opts.name ?? `matmul(${a.name},${b.name})`);
  const pipeline = await ctx.pipeline('matmul', 'main', { WG_X: WG, WG_Y: WG, TRANS_B: transB ? 1 : 0 });
  batch.dispatch({
    label: out.name,
    pipeline,
    uniforms: new Uint32Array([M, N, K, nBatch, bA === 1 ? 0 : M * K, bB === 1 ? 0 : K * N, M * N, 0]),
    buffers: [a.buffer.buffer, b.buffer.buffer, out.buffer.buffer],
    grid: [Math.ceil(N / TILE), Math.ceil(M / TILE), nBatch],
  });
  return out;
}
