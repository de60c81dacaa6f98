// The optimizer's kernels: Σ of squared gradients into a slot (shaders/reduce.wgsl `sum_squares`),
// and the in-place AdamW step that clips by the global norm read from a GPU buffer (shaders/adamw.wgsl).

import type { Batch } from '../gpu/batch';
import type { GpuContext } from '../gpu/runtime';
import { grid1d } from './elementwise';
import { bindings, numel, type GpuTensor } from './tensor';
import { uniforms } from './uniforms';

/** out[slot] += Σ x² (one workgroup). */
export async function sumSquares(ctx: GpuContext, batch: Batch, x: GpuTensor, out: GpuTensor, slot: number): Promise<void> {
  batch.dispatch({
    label: `sum_squares(${x.name})`,
    pipeline: await ctx.pipeline('reduce', 'sum_squares'),
    uniforms: uniforms(slot, numel(x.shape)),
    buffers: bindings(x, out),
    grid: [1, 1, 1],
  });
}

export interface AdamWParams {
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
  /** Clip the global gradient norm to this; 0 disables clipping. */
  maxNorm: number;
  /** 1-based step number, for bias correction. */
  step: number;
}

/** param, m, v updated in place from grad; normSq [1] is the global Σ of squared gradients. */
export async function adamwStep(ctx: GpuContext, batch: Batch, param: GpuTensor, grad: GpuTensor, m: GpuTensor, v: GpuTensor, normSq: GpuTensor, h: AdamWParams): Promise<void> {
  const n = numel(param.shape);
  batch.dispatch({
    label: `adamw(${param.name})`,
    pipeline: await ctx.pipeline('adamw', 'step'),
    uniforms: uniforms(n, { f32: h.lr }, { f32: h.beta1 }, { f32: h.beta2 }, { f32: h.eps }, { f32: h.weightDecay }, { f32: h.maxNorm }, { f32: 1 - h.beta1 ** h.step }, { f32: 1 - h.beta2 ** h.step }),
    buffers: bindings(grad, normSq, param, m, v),
    grid: grid1d(Math.ceil(n / 256), ctx.limits.maxComputeWorkgroupsPerDimension),
  });
}
