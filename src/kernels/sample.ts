// Next-token choice on the GPU over shaders/sample.wgsl: logits [B, V] -> token ids [B] (u32).
// Greedy when topK is 1 or temperature is 0; otherwise temperature + top-k with one uniform draw per row.

import { ShapeError } from '../errors';
import type { Batch } from '../gpu/batch';
import type { GpuContext } from '../gpu/runtime';
import { emptyTensor, type GpuTensor } from './tensor';
import { uniforms } from './uniforms';

export const MAX_TOP_K = 64;

export interface SampleParams {
  topK: number;
  temperature: number;
  /** Uniform draws [B] in [0, 1), uploaded by the caller (ignored when greedy). */
  u: GpuTensor;
}

export async function sample(ctx: GpuContext, batch: Batch, logits: GpuTensor, s: SampleParams, name = 'next_tokens'): Promise<GpuTensor> {
  const [B, V] = logits.shape;
  if (!(s.topK >= 1 && s.topK <= MAX_TOP_K)) throw new ShapeError(`sample: topK must be 1..${MAX_TOP_K}, got ${s.topK}.`, { topK: s.topK });
  const out: GpuTensor = { ...emptyTensor(ctx, [B], name), dtype: 'u32' };
  batch.dispatch({
    label: name,
    pipeline: await ctx.pipeline('sample', 'main'),
    uniforms: uniforms(B, V, s.topK, { f32: s.temperature }),
    buffers: [logits.buffer.buffer, s.u.buffer.buffer, out.buffer.buffer],
    grid: [B, 1, 1],
  });
  return out;
}
