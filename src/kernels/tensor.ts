// Tensors on the GPU as the kernels see them: a pooled buffer plus a shape (f32, row-major), or a
// quantized weight W [N, K] in the block layouts of src/model/quant.ts kept packed on the GPU.

import type { PooledBuffer } from '../gpu/buffer-pool';
import type { GpuContext } from '../gpu/runtime';
import { q4ZeroPointRowBytes, type QWeight } from '../model/quant';

export interface GpuTensor {
  readonly buffer: PooledBuffer;
  readonly shape: readonly number[];
  readonly name: string;
  /** Element type; f32 unless said (token ids, positions, lengths are u32). */
  readonly dtype?: 'f32' | 'u32';
}

export interface GpuQWeight {
  readonly kind: QWeight['kind'];
  readonly N: number;
  readonly K: number;
  readonly nBlocks: number;
  readonly data: PooledBuffer;
  readonly scales: PooledBuffer;
  /** q4 only; null means the default zero point 8. */
  readonly zeroPoints: PooledBuffer | null;
  readonly name: string;
}

/** Storage buffers for a dispatch, bindings 1..n in order; null for bindings the entry point skips. */
export function bindings(...ts: (GpuTensor | null)[]): (GPUBuffer | null)[] {
  return ts.map((t) => t?.buffer.buffer ?? null);
}

/** The same buffer seen with another shape of as many elements (no copy). */
export function reshape(t: GpuTensor, shape: readonly number[]): GpuTensor {
  return { ...t, shape };
}

export function numel(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

export function uploadTensor(ctx: GpuContext, data: Float32Array, shape: readonly number[], name: string): GpuTensor {
  if (numel(shape) !== data.length) throw new Error(`${name}: ${data.length} values for shape [${shape.join(', ')}]`);
  return { buffer: ctx.upload(data, name), shape: [...shape], name };
}

export function uploadU32(ctx: GpuContext, data: Uint32Array, shape: readonly number[], name: string): GpuTensor {
  if (numel(shape) !== data.length) throw new Error(`${name}: ${data.length} values for shape [${shape.join(', ')}]`);
  return { buffer: ctx.upload(data, name), shape: [...shape], name, dtype: 'u32' };
}

export function emptyTensor(ctx: GpuContext, shape: readonly number[], name: string): GpuTensor {
  return { buffer: ctx.output(numel(shape) * 4, name), shape: [...shape], name };
}

export function uploadQWeight(ctx: GpuContext, q: QWeight, name: string): GpuQWeight {
  return {
    kind: q.kind,
    N: q.N,
    K: q.K,
    nBlocks: q.nBlocks,
    data: ctx.upload(q.data, `${name}.qdata`),
    scales: ctx.upload(q.scales, `${name}.scales`),
    zeroPoints: q.kind === 'q4' && q.zeroPoints ? ctx.upload(q.zeroPoints, `${name}.zero_points`) : null,
    name,
  };
}

export function zeroPointRowBytes(w: GpuQWeight): number {
  return q4ZeroPointRowBytes(w.nBlocks);
}

export function releaseTensor(ctx: GpuContext, t: GpuTensor | GpuQWeight): void {
  if ('shape' in t) ctx.pool.release(t.buffer);
  else {
    ctx.pool.release(t.data);
    ctx.pool.release(t.scales);
    if (t.zeroPoints) ctx.pool.release(t.zeroPoints);
  }
}

/** Reads a tensor back as Float32Array (one submit of its own; inside a batch use batch.read). */
export async function readTensor(ctx: GpuContext, t: GpuTensor): Promise<Float32Array> {
  const b = ctx.batch();
  const p = b.read(t.buffer.buffer, numel(t.shape) * 4);
  await b.submit();
  return new Float32Array(await p);
}
