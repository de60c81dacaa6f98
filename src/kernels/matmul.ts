// matmul op over shaders/matmul.wgsl: C = op(A) · op(B), op = identity or transpose, f32, batched
// with optional broadcast; `into` accumulates C += op(A) · op(B) into an existing tensor.

import { ShapeError } from '../errors';
import type { Batch } from '../gpu/batch';
import type { GpuContext } from '../gpu/runtime';
import { emptyTensor, type GpuTensor } from './tensor';

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
  const [bA, ra, ca] = a.shape.length === 3 ? a.shape : [1, ...a.shape];
  const [bB, rb, cb] = b.shape.length === 3 ? b.shape : [1, ...b.shape];
  const [M, K] = transA ? [ca, ra] : [ra, ca];
  const [Kb, N] = transB ? [cb, rb] : [rb, cb];
  const nBatch = Math.max(bA, bB);
  if (a.shape.length < 2 || a.shape.length > 3 || b.shape.length < 2 || b.shape.length > 3 || Kb !== K || (bA !== bB && bA !== 1 && bB !== 1)) {
    throw new ShapeError(`matmul: cannot multiply ${a.name} [${a.shape}]${transA ? 'ᵀ' : ''} by ${b.name} [${b.shape}]${transB ? 'ᵀ' : ''}.`, { a: a.shape, b: b.shape, transA, transB });
  }
  const outShape = a.shape.length === 3 || b.shape.length === 3 ? [nBatch, M, N] : [M, N];
  if (opts.into && opts.into.shape.join() !== outShape.join()) {
    throw new ShapeError(`matmul: cannot accumulate [${outShape}] into ${opts.into.name} [${opts.into.shape}].`, { into: opts.into.shape, outShape });
  }
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
