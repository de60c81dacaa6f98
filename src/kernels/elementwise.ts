// Elementwise ops over shaders/elementwise.wgsl: out = a ∘ b, b broadcast when it is shorter;
// silu_mul is the SwiGLU gate silu(a) * b.

import { ShapeError } from '../errors';
import type { Batch } from '../gpu/batch';
import type { GpuContext } from '../gpu/runtime';
import { bindings, emptyTensor, numel, type GpuTensor } from './tensor';

export type BinaryOp = 'add' | 'mul' | 'silu_mul';

const WG = 256;

/** Folds a 1-D count of workgroups into (x, y) under the per-dimension limit. */
export function grid1d(workgroups: number, maxPerDim: number): [number, number, number] {
  if (workgroups <= maxPerDim) return [workgroups, 1, 1];
  const y = Math.ceil(workgroups / maxPerDim);
  return [Math.ceil(workgroups / y), y, 1];
}

export async function binary(ctx: GpuContext, batch: Batch, op: BinaryOp, a: GpuTensor, b: GpuTensor, name?: string): Promise<GpuTensor> {
  const n = numel(a.shape);
  const bLen = numel(b.shape);
  if (bLen === 0 || n % bLen !== 0) throw new ShapeError(`${op}: ${b.name} [${b.shape}] does not broadcast over ${a.name} [${a.shape}].`, { a: a.shape, b: b.shape });
  const out = emptyTensor(ctx, a.shape, name ?? `${op}(${a.name},${b.name})`);
  batch.dispatch({
    label: out.name,
    pipeline: await ctx.pipeline('elementwise', op),
    uniforms: new Uint32Array([n, bLen, 0, 0]),
    buffers: [a.buffer.buffer, b.buffer.buffer, out.buffer.buffer],
    grid: grid1d(Math.ceil(n / WG), ctx.limits.maxComputeWorkgroupsPerDimension),
  });
  return out;
}

export const add = (ctx: GpuContext, batch: Batch, a: GpuTensor, b: GpuTensor, name?: string) => binary(ctx, batch, 'add', a, b, name);
export const mul = (ctx: GpuContext, batch: Batch, a: GpuTensor, b: GpuTensor, name?: string) => binary(ctx, batch, 'mul', a, b, name);
export const siluMul = (ctx: GpuContext, batch: Batch, gate: GpuTensor, up: GpuTensor, name?: string) => binary(ctx, batch, 'silu_mul', gate, up, name);

/** into += b (b broadcast when shorter), in place: gradient accumulation. */
export async function accumulate(ctx: GpuContext, batch: Batch, into: GpuTensor, b: GpuTensor): Promise<void> {
  const n = numel(into.shape);
  const bLen = numel(b.shape);
  if (bLen === 0 || n % bLen !== 0) throw new ShapeError(`accumulate: ${b.name} [${b.shape}] does not broadcast over ${into.name} [${into.shape}].`, { into: into.shape, b: b.shape });
  batch.dispatch({
    label: `accumulate(${into.name})`,
    pipeline: await ctx.pipeline('elementwise', 'accumulate'),
    uniforms: new Uint32Array([n, bLen, 0, 0]),
    buffers: bindings(null, b, into),
    grid: grid1d(Math.ceil(n / WG), ctx.limits.maxComputeWorkgroupsPerDimension),
  });
}

/** Backward of siluMul: dg and du from the forward inputs and the output gradient. */
export async function siluMulBackward(ctx: GpuContext, batch: Batch, gate: GpuTensor, up: GpuTensor, dOut: GpuTensor, name = 'silu_mul'): Promise<{ dg: GpuTensor; du: GpuTensor }> {
  const n = numel(gate.shape);
  const dg = emptyTensor(ctx, gate.shape, `d_${name}.gate`);
  const du = emptyTensor(ctx, up.shape, `d_${name}.up`);
  batch.dispatch({
    label: `${name}.backward`,
    pipeline: await ctx.pipeline('elementwise', 'silu_mul_backward'),
    uniforms: new Uint32Array([n, n, 0, 0]),
    buffers: bindings(gate, up, null, dOut, dg, du),
    grid: grid1d(Math.ceil(n / WG), ctx.limits.maxComputeWorkgroupsPerDimension),
  });
  return { dg, du };
}
