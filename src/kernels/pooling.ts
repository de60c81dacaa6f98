// Sentence pooling over shaders/pooling.wgsl: h [B, T, C], lengths [B] (u32) -> [B, C], and its backward.

import type { Batch } from '../gpu/batch';
import type { GpuContext } from '../gpu/runtime';
import type { Pooling } from '../reference/pooling';
import { grid1d } from './elementwise';
import { bindings, emptyTensor, type GpuTensor } from './tensor';
import { uniforms } from './uniforms';

export async function pool(ctx: GpuContext, batch: Batch, h: GpuTensor, lengths: GpuTensor, mode: Pooling, name = `pool_${mode}(${h.name})`): Promise<GpuTensor> {
  const [B, T, C] = h.shape;
  const out = emptyTensor(ctx, [B, C], name);
  batch.dispatch({
    label: name,
    pipeline: await ctx.pipeline('pooling', 'main', { MODE: mode === 'mean' ? 0 : 1 }),
    uniforms: uniforms(B, T, C),
    buffers: [h.buffer.buffer, lengths.buffer.buffer, out.buffer.buffer],
    grid: [Math.ceil(C / 64), B, 1],
  });
  return out;
}

/** Backward of pool: dh [B, T, C] from dPooled [B, C]; zero on padding (and, for last, on earlier tokens). */
export async function poolBackward(ctx: GpuContext, batch: Batch, dPooled: GpuTensor, lengths: GpuTensor, B: number, T: number, C: number, mode: Pooling, name = `pool_${mode}(${dPooled.name})`): Promise<GpuTensor> {
  const dh = emptyTensor(ctx, [B, T, C], `d_${name}.h`);
  batch.dispatch({
    label: `${name}.backward`,
    pipeline: await ctx.pipeline('pooling', 'backward', { MODE: mode === 'mean' ? 0 : 1 }),
    uniforms: uniforms(B, T, C),
    buffers: bindings(null, lengths, null, dPooled, dh),
    grid: grid1d(Math.ceil((B * T * C) / 256), ctx.limits.maxComputeWorkgroupsPerDimension),
  });
  return dh;
}
