// Causal GQA attention over shaders/attention.wgsl, against a KV cache that serves prefill and decode.
//   seq   [B, 2] u32: { past, qLen } per sequence
//   q     [B, Tq, H, D];  kNew, vNew [B, Tq, Hkv, D];  cache k, v [B, Tmax, Hkv, D]
// storeKv writes the new keys/values at rows past .. past + qLen - 1; attention then reads keys
// 0 .. past + t for query t.

import { ShapeError } from '../errors';
import type { Batch } from '../gpu/batch';
import type { GpuContext } from '../gpu/runtime';
import { grid1d } from './elementwise';
import { emptyTensor, type GpuTensor } from './tensor';
import { uniforms } from './uniforms';

export interface KvCache {
  k: GpuTensor;
  v: GpuTensor;
}

/** Largest head dimension the kernel's register accumulator holds. */
export const MAX_HEAD_DIM = 256;

export function createKvCache(ctx: GpuContext, B: number, Tmax: number, Hkv: number, D: number, name: string): KvCache {
  return { k: emptyTensor(ctx, [B, Tmax, Hkv, D], `${name}.k`), v: emptyTensor(ctx, [B, Tmax, Hkv, D], `${name}.v`) };
}

function params(q: GpuTensor, cache: KvCache, H: number) {
  const [B, Tmax, Hkv, D] = cache.k.shape;
  const Tq = q.shape[1];
  if (D > MAX_HEAD_DIM) throw new ShapeError(`attention: head dim ${D} exceeds ${MAX_HEAD_DIM}, the most the kernel holds in registers.`, { D });
  if (H % Hkv !== 0) throw new ShapeError(`attention: ${H} query heads are not a multiple of ${Hkv} kv heads.`, { H, Hkv });
  return { B, Tq, Tmax, Hkv, D, u: uniforms(B, Tq, Tmax, H, Hkv, D, { f32: 1 / Math.sqrt(D) }) };
}

export async function storeKv(ctx: GpuContext, batch: Batch, seq: GpuTensor, kNew: GpuTensor, vNew: GpuTensor, cache: KvCache, H: number): Promise<void> {
  const { B, Tq, Hkv, D, u } = params(kNew, cache, H);
  batch.dispatch({
    label: `store_kv(${cache.k.name})`,
    pipeline: await ctx.pipeline('attention', 'store_kv'),
    uniforms: u,
    buffers: [seq.buffer.buffer, kNew.buffer.buffer, vNew.buffer.buffer, cache.k.buffer.buffer, cache.v.buffer.buffer],
    grid: grid1d(Math.ceil((B * Tq * Hkv * D) / 256), ctx.limits.maxComputeWorkgroupsPerDimension),
  });
}

/** q [B, Tq, H, D] -> out [B, Tq, H, D]. */
export async function attention(ctx: GpuContext, batch: Batch, seq: GpuTensor, q: GpuTensor, cache: KvCache, name = 'attention'): Promise<GpuTensor> {
  const H = q.shape[2];
  const { B, Tq, u } = params(q, cache, H);
  const out = emptyTensor(ctx, q.shape, name);
  batch.dispatch({
    label: name,
    pipeline: await ctx.pipeline('attention', 'main'),
    uniforms: u,
    buffers: [seq.buffer.buffer, q.buffer.buffer, cache.k.buffer.buffer, cache.v.buffer.buffer, out.buffer.buffer],
    grid: grid1d(Math.ceil((B * Tq * H) / 64), ctx.limits.maxComputeWorkgroupsPerDimension),
  });
  return out;
}
