// Embedding gather over shaders/embedding.wgsl: ids [N] (u32) and E [V, C] -> [N, C].

import type { Batch } from '../gpu/batch';
import type { GpuContext } from '../gpu/runtime';
import { grid1d } from './elementwise';
import { emptyTensor, type GpuTensor } from './tensor';
import { uniforms } from './uniforms';

export async function embedding(ctx: GpuContext, batch: Batch, ids: GpuTensor, E: GpuTensor, name = 'embeddings'): Promise<GpuTensor> {
  const N = ids.shape[0];
  const C = E.shape[1];
  const out = emptyTensor(ctx, [N, C], name);
  batch.dispatch({
    label: name,
    pipeline: await ctx.pipeline('embedding', 'main'),
    uniforms: uniforms(N, C),
    buffers: [ids.buffer.buffer, E.buffer.buffer, out.buffer.buffer],
    grid: grid1d(Math.ceil((N * C) / 256), ctx.limits.maxComputeWorkgroupsPerDimension),
  });
  return out;
}
