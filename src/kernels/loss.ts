// Softmax cross-entropy over shaders/loss.wgsl: logits [N, V], targets [N] (u32), gradWeight [N]
// -> dlogits [N, V] and the unweighted per-token cross-entropy ce [N]. The loss is Σ gradWeight·ce.
// tokenNll is the same ce [N] without the gradient, for evaluation.

import type { Batch } from '../gpu/batch';
import type { GpuContext } from '../gpu/runtime';
import { grid1d } from './elementwise';
import { bindings, emptyTensor, type GpuTensor } from './tensor';
import { uniforms } from './uniforms';

export async function crossEntropy(ctx: GpuContext, batch: Batch, logits: GpuTensor, targets: GpuTensor, gradWeight: GpuTensor, name = 'cross_entropy'): Promise<{ dlogits: GpuTensor; ce: GpuTensor }> {
  const V = logits.shape[logits.shape.length - 1];
  const N = targets.shape[0];
  const dlogits = emptyTensor(ctx, [N, V], `d_${name}.logits`);
  const ce = emptyTensor(ctx, [N], `${name}.per_token`);
  batch.dispatch({
    label: name,
    pipeline: await ctx.pipeline('loss', 'cross_entropy'),
    uniforms: uniforms(N, V),
    buffers: bindings(logits, targets, gradWeight, dlogits, ce),
    grid: grid1d(N, ctx.limits.maxComputeWorkgroupsPerDimension),
  });
  return { dlogits, ce };
}

/** -log softmax(logits[n, :])[targets[n]] for every row n: logits [N, V], targets [N] -> nll [N]. */
export async function tokenNll(ctx: GpuContext, batch: Batch, logits: GpuTensor, targets: GpuTensor, name = 'token_nll'): Promise<GpuTensor> {
  const V = logits.shape[logits.shape.length - 1];
  const N = targets.shape[0];
  const nll = emptyTensor(ctx, [N], `${name}.per_token`);
  batch.dispatch({
    label: name,
    pipeline: await ctx.pipeline('loss', 'token_nll'),
    uniforms: uniforms(N, V),
    buffers: bindings(logits, targets, nll),
    grid: grid1d(N, ctx.limits.maxComputeWorkgroupsPerDimension),
  });
  return nll;
}

