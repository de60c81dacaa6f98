// RMSNorm over shaders/rmsnorm.wgsl: x [..., C], w [C] -> [..., C], and its backward.

import type { Batch } from '../gpu/batch';
import type { GpuContext } from '../gpu/runtime';
import { grid1d } from './elementwise';
import { bindings, emptyTensor, numel, releaseTensor, type GpuTensor } from './tensor';
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

/** Backward of rmsNorm: dx [..., C] and dw [C] (dw written, not accumulated). */
export async function rmsNormBackward(ctx: GpuContext, batch: Batch, x: GpuTensor, w: GpuTensor, dy: GpuTensor, eps: number, name = `rmsnorm(${x.name})`): Promise<{ dx: GpuTensor; dw: GpuTensor }> {
  const C = x.shape[x.shape.length - 1];
  const N = numel(x.shape) / C;
  const dx = emptyTensor(ctx, x.shape, `d_${name}.x`);
  const dw = emptyTensor(ctx, [C], `d_${name}.w`);
  const rstd = emptyTensor(ctx, [N], `${name}.rstd`);
  const u = uniforms(N, C, { f32: eps });
  batch.dispatch({
    label: `${name}.backward_dx`,
    pipeline: await ctx.pipeline('rmsnorm', 'backward_dx'),
    uniforms: u,
    buffers: bindings(x, w, null, null, dy, dx, rstd),
    grid: grid1d(N, ctx.limits.maxComputeWorkgroupsPerDimension),
  });
  batch.dispatch({
    label: `${name}.backward_dw`,
    pipeline: await ctx.pipeline('rmsnorm', 'backward_dw'),
    uniforms: u,
    buffers: bindings(x, null, null, null, dy, null, null, rstd, dw),
    grid: [Math.ceil(C / 64), 1, 1],
  });
  releaseTensor(ctx, rstd);
  return { dx, dw };
}
