// Symmetric InfoNCE over shaders/contrastive.wgsl: pooled sentence vectors x, y [n, C] whose rows i
// are translation pairs, the other rows of the batch the negatives -> loss [1] and the gradients dx,
// dy [n, C] with respect to the unnormalised x and y (src/reference/contrastive.ts infoNceRef).
// Five dispatches: normalize_rows, scores, softmax, reduce_loss, grads.

import { ShapeError } from '../errors';
import type { Batch } from '../gpu/batch';
import type { GpuContext } from '../gpu/runtime';
import { grid1d } from './elementwise';
import { bindings, emptyTensor, releaseTensor, type GpuTensor } from './tensor';
import { uniforms } from './uniforms';

const WG = 64;

export async function infoNce(ctx: GpuContext, batch: Batch, x: GpuTensor, y: GpuTensor, temperature: number, name = 'info_nce'): Promise<{ loss: GpuTensor; dx: GpuTensor; dy: GpuTensor }> {
  if (x.shape.length !== 2 || y.shape.length !== 2 || x.shape[0] !== y.shape[0] || x.shape[1] !== y.shape[1] || x.shape[0] === 0) {
    throw new ShapeError(`${name}: x [${x.shape}] and y [${y.shape}] must both be [n, C] with n >= 1.`, { x: x.shape, y: y.shape });
  }
  if (!(temperature > 0)) throw new Error(`${name}: temperature must be > 0, got ${temperature}`);
  const [n, C] = x.shape;
  const maxWg = ctx.limits.maxComputeWorkgroupsPerDimension;
  const u = uniforms(n, C, { f32: 1 / temperature });

  const unit = emptyTensor(ctx, [2 * n, C], `${name}.unit`);
  const norms = emptyTensor(ctx, [2 * n], `${name}.norms`);
  const S = emptyTensor(ctx, [n, n], `${name}.scores`);
  const dSim = emptyTensor(ctx, [n, n], `d_${name}.sim`);
  const ceTerms = emptyTensor(ctx, [2 * n], `${name}.ce`);
  const loss = emptyTensor(ctx, [1], `${name}.loss`);
  const dx = emptyTensor(ctx, [n, C], `d_${name}.x`);
  const dy = emptyTensor(ctx, [n, C], `d_${name}.y`);

  const pipeline = (entry: string) => ctx.pipeline('contrastive', entry);
  batch.dispatch({
    label: `${name}.normalize_rows`,
    pipeline: await pipeline('normalize_rows'),
    uniforms: u,
    buffers: bindings(x, y, unit, norms),
    grid: grid1d(2 * n, maxWg),
  });
  batch.dispatch({
    label: `${name}.scores`,
    pipeline: await pipeline('scores'),
    uniforms: u,
    buffers: bindings(null, null, null, null, unit, S),
    grid: grid1d(Math.ceil((n * n) / WG), maxWg),
  });
  batch.dispatch({
    label: `${name}.softmax`,
    pipeline: await pipeline('softmax'),
    uniforms: u,
    buffers: bindings(null, null, null, null, null, null, S, dSim, ceTerms),
    grid: grid1d(Math.ceil((n * n) / WG), maxWg),
  });
  batch.dispatch({
    label: `${name}.reduce_loss`,
    pipeline: await pipeline('reduce_loss'),
    uniforms: u,
    buffers: bindings(null, null, null, null, null, null, null, null, null, ceTerms, loss),
    grid: [1, 1, 1],
  });
  batch.dispatch({
    label: `${name}.grads`,
    pipeline: await pipeline('grads'),
    uniforms: u,
    buffers: bindings(null, null, null, null, unit, null, null, null, null, null, null, norms, dSim, dx, dy),
    grid: grid1d(2 * n, maxWg),
  });
  for (const t of [unit, norms, S, dSim, ceTerms]) releaseTensor(ctx, t);
  return { loss, dx, dy };
}
