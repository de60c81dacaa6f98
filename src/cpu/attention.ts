// Causal GQA attention of the CPU route against a KV cache, with the contracts of src/kernels/attention.ts:
//   seq   [B, 2] u32: { past, qLen } per sequence
//   q     [B, Tq, H, D];  kNew, vNew [B, Tq, Hkv, D];  cache k, v [B, Tmax, Hkv, D]
// storeKv copies the new keys/values to rows past .. past + qLen - 1 (a copy: TypeScript); attention
// and its backward are kernels/attention.c on every thread.

import { ShapeError } from '../errors';
import type { CpuRuntime, CpuTensor } from './runtime';

export interface CpuKvCache {
  k: CpuTensor;
  v: CpuTensor;
}

export function createKvCache(rt: CpuRuntime, B: number, Tmax: number, Hkv: number, D: number, name: string): CpuKvCache {
  const k = rt.empty([B, Tmax, Hkv, D], `${name}.k`);
  const v = rt.empty([B, Tmax, Hkv, D], `${name}.v`);
  // Rows never written are read by no query, but the backward's dk/dv of them must be finite zeros.
  rt.f32(k).fill(0);
  rt.f32(v).fill(0);
  return { k, v };
}

/** { past, qLen } of each sequence, checked against the cache: the kernels trust them. */
function sequences(rt: CpuRuntime, seq: CpuTensor, B: number, Tq: number, Tmax: number): Uint32Array {
  const s = new Uint32Array(rt.memory.buffer, seq.ptr, 2 * B);
  for (let b = 0; b < B; b++) {
    if (s[2 * b + 1] > Tq || s[2 * b] + s[2 * b + 1] > Tmax) {
      throw new ShapeError(`attention: sequence ${b} has past ${s[2 * b]} and ${s[2 * b + 1]} new tokens, more than ${Tq} query rows or the cache's ${Tmax} rows.`, { b, past: s[2 * b], qLen: s[2 * b + 1], Tq, Tmax });
    }
  }
  return s;
}

function params(q: CpuTensor, cache: CpuKvCache) {
  const [B, Tmax, Hkv, D] = cache.k.shape;
  const [Bq, Tq, H, Dq] = q.shape;
  if (q.shape.length !== 4 || Bq !== B || Dq !== D || H % Hkv !== 0) {
    throw new ShapeError(`attention: ${q.name} [${q.shape}] does not fit cache [${cache.k.shape}] (H must be a multiple of Hkv).`, { q: q.shape, cache: cache.k.shape });
  }
  return { B, Tq, Tmax, H, Hkv, D };
}

export function storeKv(rt: CpuRuntime, seq: CpuTensor, kNew: CpuTensor, vNew: CpuTensor, cache: CpuKvCache): void {
  const { B, Tq, Tmax, Hkv, D } = params(kNew, cache);
  const s = sequences(rt, seq, B, Tq, Tmax);
  const row = Hkv * D;
  for (const [src, dst] of [
    [kNew, cache.k],
    [vNew, cache.v],
  ]) {
    const from = rt.f32(src);
    const to = rt.f32(dst);
    for (let b = 0; b < B; b++) to.set(from.subarray(b * Tq * row, (b * Tq + s[2 * b + 1]) * row), (b * Tmax + s[2 * b]) * row);
  }
}

/** q [B, Tq, H, D] -> out [B, Tq, H, D]; padded query rows are 0. */
export function attention(rt: CpuRuntime, seq: CpuTensor, q: CpuTensor, cache: CpuKvCache, name = 'attention'): CpuTensor {
  const { B, Tq, Tmax, H, Hkv, D } = params(q, cache);
  sequences(rt, seq, B, Tq, Tmax);
  const out = rt.empty(q.shape, name);
  // Work: at most Tmax keys and values per query row and head (2 multiply-adds per element).
  rt.run('attention_fwd', [seq.ptr, q.ptr, cache.k.ptr, cache.v.ptr, out.ptr, B, Tq, Tmax, H, Hkv, D, rt.scratch(Tmax)], 2 * B * Tq * H * Tmax * D);
  return out;
}

/**
 * Backward of attention: dq [B, Tq, H, D] and dk, dv [B, Tmax, Hkv, D] from the forward's q, cache,
 * output and dOut. Probabilities are recomputed from per-row statistics [B, Tq, H, 3], not stored.
 */
export function attentionBackward(rt: CpuRuntime, seq: CpuTensor, q: CpuTensor, cache: CpuKvCache, out: CpuTensor, dOut: CpuTensor, name = 'attention'): { dq: CpuTensor; dk: CpuTensor; dv: CpuTensor } {
  const { B, Tq, Tmax, H, Hkv, D } = params(q, cache);
  sequences(rt, seq, B, Tq, Tmax);
  const stats = rt.empty([B, Tq, H, 3], `${name}.stats`);
  const dq = rt.empty(q.shape, `d_${name}.q`);
  const dk = rt.empty(cache.k.shape, `d_${name}.k`);
  const dv = rt.empty(cache.v.shape, `d_${name}.v`);
  const dims = [B, Tq, Tmax, H, Hkv, D];
  rt.run('attention_bwd_q', [seq.ptr, q.ptr, cache.k.ptr, cache.v.ptr, out.ptr, dOut.ptr, stats.ptr, dq.ptr, ...dims, rt.scratch(Tmax)]);
  rt.run('attention_bwd_kv', [seq.ptr, q.ptr, cache.k.ptr, cache.v.ptr, dOut.ptr, stats.ptr, dk.ptr, dv.ptr, ...dims]);
  rt.release(stats);
  return { dq, dk, dv };
}
