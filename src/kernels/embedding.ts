// Embedding gather over shaders/embedding.wgsl: ids [N] (u32) and E [V, C] -> [N, C] (also any row
// gather, e.g. the last hidden state of each sequence); and its
// backward, a scatter-add grouped by token on the CPU so the GPU needs no atomics.

import type { Batch } from '../gpu/batch';
import type { GpuContext } from '../gpu/runtime';
import { grid1d } from './elementwise';
import { groupByToken } from './token-groups';
import { bindings, emptyTensor, releaseTensor, uploadU32, type GpuTensor } from './tensor';
import { uniforms } from './uniforms';

/** out [N, C] = rows `ids` of E; ids >= V (another vocabulary shard's) leave their row of `into` alone. */
export async function embedding(ctx: GpuContext, batch: Batch, ids: GpuTensor, E: GpuTensor, name = 'embeddings', into?: GpuTensor): Promise<GpuTensor> {
  const N = ids.shape[0];
  const C = E.shape[1];
  const out = into ?? emptyTensor(ctx, [N, C], name);
  batch.dispatch({
    label: name,
    pipeline: await ctx.pipeline('embedding', 'main'),
    uniforms: uniforms(N, C, E.shape[0]),
    buffers: [ids.buffer.buffer, E.buffer.buffer, out.buffer.buffer],
    grid: grid1d(Math.ceil((N * C) / 256), ctx.limits.maxComputeWorkgroupsPerDimension),
  });
  return out;
}

/** dE [V, C] += scatter of dOut [N, C] by `ids` (known on the CPU: the batch's token ids). Uploads first, then records. */
export async function embeddingBackward(ctx: GpuContext, batch: Batch, ids: ArrayLike<number>, dOut: GpuTensor, dE: GpuTensor, name = 'embedding'): Promise<void> {
  const C = dE.shape[1];
  const g = groupByToken(ids);
  const U = g.tokens.length;
  const tokens = uploadU32(ctx, g.tokens, [U], `${name}.tokens`);
  const offsets = uploadU32(ctx, g.offsets, [U + 1], `${name}.offsets`);
  const positions = uploadU32(ctx, g.positions, [ids.length], `${name}.positions`);
  batch.dispatch({
    label: `${name}.backward`,
    pipeline: await ctx.pipeline('embedding', 'backward'),
    uniforms: uniforms(U, C),
    buffers: bindings(null, null, null, tokens, offsets, positions, dOut, dE),
    grid: grid1d(Math.ceil((U * C) / 256), ctx.limits.maxComputeWorkgroupsPerDimension),
  });
  for (const t of [tokens, offsets, positions]) releaseTensor(ctx, t);
}
