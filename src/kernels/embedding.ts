// Embedding gather over shaders/embedding.wgsl: ids [N] (u32) and E [V, C] -> [N, C]; and its
// backward, a scatter-add grouped by token on the CPU so the GPU needs no atomics.

import type { Batch } from '../gpu/batch';
import type { GpuContext } from '../gpu/runtime';
import { grid1d } from './elementwise';
import { bindings, emptyTensor, releaseTensor, uploadU32, type GpuTensor } from './tensor';
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

/** Token ids grouped for the scatter-add: distinct tokens, CSR offsets, and rows per token. */
export function groupByToken(ids: ArrayLike<number>): { tokens: Uint32Array; offsets: Uint32Array; positions: Uint32Array } {
  const rows = new Map<number, number[]>();
  for (let n = 0; n < ids.length; n++) {
    const list = rows.get(ids[n]);
    if (list) list.push(n);
    else rows.set(ids[n], [n]);
  }
  const tokens = Uint32Array.from(rows.keys());
  const offsets = new Uint32Array(tokens.length + 1);
  const positions = new Uint32Array(ids.length);
  let at = 0;
  tokens.forEach((t, u) => {
    for (const n of rows.get(t)!) positions[at++] = n;
    offsets[u + 1] = at;
  });
  return { tokens, offsets, positions };
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
