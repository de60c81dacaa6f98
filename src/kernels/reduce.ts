// Row-wise sum over shaders/reduce.wgsl: x [..., C] -> out [...] (one workgroup per row).

import type { Batch } from '../gpu/batch';
import type { GpuContext } from '../gpu/runtime';
import { grid1d } from './elementwise';
import { emptyTensor, numel, type GpuTensor } from './tensor';

export async function rowSum(ctx: GpuContext, batch: Batch, x: GpuTensor, name?: string): Promise<GpuTensor> {
  const C = x.shape[x.shape.length - 1];
  const R = numel(x.shape) / C;
  const out = emptyTensor(ctx, x.shape.length > 1 ? x.shape.slice(0, -1) : [1], name ?? `row_sum(${x.name})`);
  batch.dispatch({
    label: out.name,
    pipeline: await ctx.pipeline('reduce', 'row_sum'),
    uniforms: new Uint32Array([R, C, 0, 0]),
    buffers: [x.buffer.buffer, out.buffer.buffer],
    grid: grid1d(R, ctx.limits.maxComputeWorkgroupsPerDimension),
  });
  return out;
}
