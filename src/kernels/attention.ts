// Causal GQA attention over shaders/attention.wgsl, against a KV cache that serves prefill and decode.
//   seq   [B, 2] u32: { past, qLen } per sequence
//   q     [B, Tq, H, D];  kNew, vNew [B, Tq, Hkv, D];  cache k, v [B, Tmax, Hkv, D]
// storeKv writes the new keys/values at rows past .. past + qLen - 1; attention then reads keys
// 0 .. past + t for query t. The forward is picked from ATTENTION_VARIANTS (variants.ts): by default
// `rows` (one invocation per query row); the autotuner may choose `tiled` (K/V tiles in workgroup
// memory shared by a workgroup's queries, flash-attention style) or, for decoding where the device
// has `subgroups`, `subgroups` (a workgroup per query row, keys split across invocations). The
// backward keeps its own kernels.

import { ShapeError } from '../errors';
import type { Batch } from '../gpu/batch';
import type { GpuContext } from '../gpu/runtime';
import { grid1d } from './elementwise';
import { bindings, emptyTensor, releaseTensor, type GpuTensor } from './tensor';
import { uniforms } from './uniforms';
import { pickVariant, rowClass, type OpTable } from './variants';

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

/** At or below this many query rows per sequence, attention counts as decoding (the `subgroups` class). */
export const DECODE_MAX_ROWS = 4;

/** Workgroup memory the `tiled` kernel declares: K and V tiles of 2048 f32 each. */
const TILED_WORKGROUP_BYTES = 2 * 2048 * 4;

/** A variant of ATTENTION_VARIANTS by name, or 'auto' (the tuned choice, else the default). */
export type AttentionVariant = 'auto' | 'rows' | 'tiled' | 'subgroups';

/** q [B, Tq, H, D] against a cache [B, Tmax, Hkv, D]; the lengths (past, qLen) live on the GPU in seq. */
export interface AttentionDims {
  B: number;
  Tq: number;
  Tmax: number;
  H: number;
  Hkv: number;
  D: number;
}

export interface AttentionArgs {
  seq: GpuTensor;
  q: GpuTensor;
  cache: KvCache;
  out: GpuTensor;
  dims: AttentionDims;
  label: string;
}

/**
 * Records one forward entry: every variant binds what attention.wgsl's `main` binds. The head dim is a
 * uniform, not an override constant: specialised per D (loops unrolled), the tiled kernel took 6-9 s
 * to compile on SwiftShader per head dim, against 4 s once as it is, when the tuner's budget is 2 s.
 */
async function dispatchAttention(ctx: GpuContext, batch: Batch, { seq, q, cache, out, dims, label }: AttentionArgs, kernel: string, grid: [number, number, number]): Promise<void> {
  const { B, Tq, Tmax, H, Hkv, D } = dims;
  batch.dispatch({
    label,
    pipeline: await ctx.pipeline(kernel, 'main'),
    uniforms: uniforms(B, Tq, Tmax, H, Hkv, D, { f32: 1 / Math.sqrt(D) }),
    buffers: [seq.buffer.buffer, q.buffer.buffer, cache.k.buffer.buffer, cache.v.buffer.buffer, out.buffer.buffer],
    grid,
  });
}

const decoding = (d: AttentionDims) => d.Tq <= DECODE_MAX_ROWS;
/** Grids of the tiled and subgroup kernels, (x, y, z) within the device's per-dimension limit. */
const tiledGrid = (d: AttentionDims): [number, number, number] => [Math.ceil((d.Tq * (d.H / d.Hkv)) / 64), d.Hkv, d.B];
const subgroupGrid = (d: AttentionDims): [number, number, number] => [d.H, d.Tq, d.B];
const gridFits = (grid: number[], ctx: GpuContext) => grid.every((n) => n <= ctx.limits.maxComputeWorkgroupsPerDimension);

/**
 * Forward designs, one tuned choice per (decode or prefill, H, Hkv, D): the lengths are data on the
 * GPU, so every past length of one model's heads shares a choice.
 */
export const ATTENTION_VARIANTS: OpTable<AttentionDims, AttentionArgs> = {
  op: 'attention',
  defaultFor: () => 'rows',
  key: (d) => `${rowClass(d.Tq, DECODE_MAX_ROWS)} H=${d.H} Hkv=${d.Hkv} D=${d.D}`,
  variants: [
    { name: 'rows', applies: () => true, dispatch: (ctx, b, a) => dispatchAttention(ctx, b, a, 'attention', grid1d(Math.ceil((a.dims.B * a.dims.Tq * a.dims.H) / 64), ctx.limits.maxComputeWorkgroupsPerDimension)) },
    {
      name: 'tiled',
      applies: (d, ctx) => ctx.limits.maxComputeWorkgroupStorageSize >= TILED_WORKGROUP_BYTES && gridFits(tiledGrid(d), ctx),
      dispatch: (ctx, b, a) => dispatchAttention(ctx, b, a, 'attention_tiled', tiledGrid(a.dims)),
    },
    {
      name: 'subgroups',
      applies: (d, ctx) => decoding(d) && ctx.device.features.has('subgroups') && gridFits(subgroupGrid(d), ctx),
      dispatch: (ctx, b, a) => dispatchAttention(ctx, b, a, 'attention_subgroups', subgroupGrid(a.dims)),
    },
  ],
};

/** q [B, Tq, H, D] -> out [B, Tq, H, D], by the requested variant, else the tuned choice, else `rows`. */
export async function attention(ctx: GpuContext, batch: Batch, seq: GpuTensor, q: GpuTensor, cache: KvCache, name = 'attention', variant: AttentionVariant = 'auto'): Promise<GpuTensor> {
  const H = q.shape[2];
  const { B, Tq, Tmax, Hkv, D } = params(q, cache, H);
  const dims: AttentionDims = { B, Tq, Tmax, H, Hkv, D };
  const v = pickVariant(ctx, ATTENTION_VARIANTS, dims, variant === 'auto' ? undefined : variant);
  const out = emptyTensor(ctx, q.shape, name);
  await v.dispatch(ctx, batch, { seq, q, cache, out, dims, label: name });
  return out;
}

/**
 * Backward of attention: dq [B, Tq, H, D] and dk, dv [B, Tmax, Hkv, D] from the forward's q, cache,
 * output and dOut. Probabilities are recomputed from per-row (lse, delta) statistics, not stored.
 */
export async function attentionBackward(ctx: GpuContext, batch: Batch, seq: GpuTensor, q: GpuTensor, cache: KvCache, out: GpuTensor, dOut: GpuTensor, name = 'attention'): Promise<{ dq: GpuTensor; dk: GpuTensor; dv: GpuTensor }> {
  const H = q.shape[2];
  const { B, Tq, Tmax, Hkv, u } = params(q, cache, H);
  const stats = emptyTensor(ctx, [B, Tq, H, 2], `${name}.stats`);
  const dq = emptyTensor(ctx, q.shape, `d_${name}.q`);
  const dk = emptyTensor(ctx, cache.k.shape, `d_${name}.k`);
  const dv = emptyTensor(ctx, cache.v.shape, `d_${name}.v`);
  const rows = grid1d(Math.ceil((B * Tq * H) / 64), ctx.limits.maxComputeWorkgroupsPerDimension);
  const common = [seq, q, cache.k, cache.v];
  // The statistics pass needs no values: v is left unbound.
  batch.dispatch({ label: `${name}.backward_stats`, pipeline: await ctx.pipeline('attention', 'backward_stats'), uniforms: u, buffers: bindings(seq, q, cache.k, null, null, dOut, out, stats), grid: rows });
  batch.dispatch({ label: `${name}.backward_dq`, pipeline: await ctx.pipeline('attention', 'backward_dq'), uniforms: u, buffers: bindings(...common, null, dOut, null, null, stats, dq), grid: rows });
  batch.dispatch({
    label: `${name}.backward_dkv`,
    pipeline: await ctx.pipeline('attention', 'backward_dkv'),
    uniforms: u,
    buffers: bindings(...common, null, dOut, null, null, stats, null, dk, dv),
    grid: grid1d(Math.ceil((B * Tmax * Hkv) / 64), ctx.limits.maxComputeWorkgroupsPerDimension),
  });
  releaseTensor(ctx, stats);
  return { dq, dk, dv };
}
