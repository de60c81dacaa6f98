// Sentence pooling over shaders/pooling.wgsl: h [B, T, C], lengths [B] (u32) -> [B, C].

import type { Batch } from '../gpu/batch';
import type { GpuContext } from '../gpu/runtime';
import type { Pooling } from '../reference/pooling';
import { emptyTensor, type GpuTensor } from './tensor';
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
