// RMSNorm over shaders/rmsnorm.wgsl: x [..., C], w [C] -> [..., C].

import type { Batch } from '../gpu/batch';
import type { GpuContext } from '../gpu/runtime';
import { grid1d } from './elementwise';
import { emptyTensor, numel, type GpuTensor } from './tensor';
import { uniforms } from './uniforms';

export async function rmsNorm(ctx: GpuContext, batch: Batch, x: GpuTensor, w: GpuTensor, eps: number, name = `rmsnorm(${x.name})`): Promise<GpuTensor> {
  const C = x.shape[x.shape.length - 1];
  const N = numel(x.shape) / C;
  const out = emptyTensor(ctx, x.shape, name);
  batch.dispatch({
    label: name,
    pipeline: await ctx.pipeline('rmsnorm', 'main'),
    uniforms: uniforms(N, C, { f32: eps }),
    buffers: [x.buffer.buffer, w.buffer.buffer, out.buffer.buffer],
    grid: grid1d(N, ctx.limits.maxComputeWorkgroupsPerDimension),
  });
  return out;
}
