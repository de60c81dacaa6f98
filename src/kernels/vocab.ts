// The vocabulary matrix of a decoder (embedding E [V, C]; the LM head, tied or not) kept in shards
// of rows, each f32 or q4/q8 packed (ARCHITECTURE decision 44). A 128–152 k vocabulary in f32 is
// 0.5–0.6 GB, past maxStorageBufferBindingSize on many adapters; split by rows, each shard binds on
// its own. Ops over all shards, over shaders/vocab.wgsl, embedding.wgsl and matmul_q{4,8}.wgsl:
//   vocabGather        ids [N] -> rows [N, C]
//   vocabLogits        x [N, C] -> logits [N, V] (decoding: N is a few rows)
//   vocabCrossEntropy  x [N, C], targets [N] -> ce [N], and dx [N, C] (+ dE of f32 shards): the
//                      logits of one shard at a time, merged by an online logsumexp (vocab-lse.ts),
//                      never [N, V].
// Token ids and targets are known on the CPU, so each shard gets them local (id − begin; ids of
// other shards become 0xffffffff, which every kernel skips).

import type { Batch } from '../gpu/batch';
import type { GpuContext } from '../gpu/runtime';
import { accumulate, grid1d } from './elementwise';
import { embedding } from './embedding';
import { matmul } from './matmul';
import { dequantizeRows, matmulQ, matmulQBackward } from './matmul-q';
import { bindings, emptyTensor, releaseTensor, uploadTensor, uploadU32, type GpuQWeight, type GpuTensor } from './tensor';
import { uniforms } from './uniforms';
import { lseUpdate } from './vocab-lse';

export interface VocabShard {
  /** Vocabulary rows [begin, end) of the matrix. */
  begin: number;
  end: number;
  /** [end − begin, C] f32, or packed q4/q8 with N = end − begin. */
  w: GpuTensor | GpuQWeight;
}

export interface GpuVocab {
  V: number;
  C: number;
  shards: VocabShard[];
}

const ELSEWHERE = 0xffffffff;

/** `ids` as local row indices of `shard` (ELSEWHERE for ids of other shards). */
function localIds(ids: ArrayLike<number>, shard: VocabShard): Uint32Array {
  const out = new Uint32Array(ids.length);
  for (let i = 0; i < ids.length; i++) out[i] = ids[i] >= shard.begin && ids[i] < shard.end ? ids[i] - shard.begin : ELSEWHERE;
  return out;
}

const isQ = (w: GpuTensor | GpuQWeight): w is GpuQWeight => !('shape' in w);

/** Rows of E for token ids [N] (known on the CPU): out [N, C]; each shard fills its own rows. */
export async function vocabGather(ctx: GpuContext, batch: Batch, ids: ArrayLike<number>, vocab: GpuVocab, name = 'embeddings'): Promise<GpuTensor> {
  const N = ids.length;
  const C = vocab.C;
  const out = emptyTensor(ctx, [N, C], name);
  for (const shard of vocab.shards) {
    const local = uploadU32(ctx, localIds(ids, shard), [N], `${name}.ids[${shard.begin}:]`);
    const w = shard.w;
    if (!isQ(w)) await embedding(ctx, batch, local, w, name, out);
    else await dequantizeRows(ctx, batch, local, w, out, name);
    releaseTensor(ctx, local);
  }
  return out;
}

/** x [N, C] -> this shard's logits [N, end − begin]. */
function shardLogits(ctx: GpuContext, batch: Batch, x: GpuTensor, shard: VocabShard, name: string): Promise<GpuTensor> {
  const label = `${name}[${shard.begin}:${shard.end}]`;
  return isQ(shard.w) ? matmulQ(ctx, batch, x, shard.w, { name: label }) : matmul(ctx, batch, x, shard.w, { transB: true, name: label });
}

const vocabParams = (N: number, shard: VocabShard, V: number) => uniforms(N, shard.end - shard.begin, shard.begin, V);

/** x [N, C] -> logits [N, V], shard by shard. For few rows (decoding, short prefills): [N, V] must fit one binding. */
export async function vocabLogits(ctx: GpuContext, batch: Batch, x: GpuTensor, vocab: GpuVocab, name = 'logits'): Promise<GpuTensor> {
  if (vocab.shards.length === 1) return shardLogits(ctx, batch, x, vocab.shards[0], name);
  const N = x.shape[0];
  const out = emptyTensor(ctx, [N, vocab.V], name);
  for (const shard of vocab.shards) {
    const part = await shardLogits(ctx, batch, x, shard, name);
    batch.dispatch({
      label: `${name}.place`,
      pipeline: await ctx.pipeline('vocab', 'place'),
      uniforms: vocabParams(N, shard, vocab.V),
      buffers: bindings(part, null, null, null, null, null, null, out),
      grid: grid1d(Math.ceil((N * (shard.end - shard.begin)) / 256), ctx.limits.maxComputeWorkgroupsPerDimension),
    });
    releaseTensor(ctx, part);
  }
  return out;
}

export interface VocabLossGrad {
  /** Per row n: the weight of its cross-entropy in the loss (mask and normalisation). */
  gradWeight: GpuTensor;
  /** dx [N, C] is accumulated here (+=). */
  dx: GpuTensor;
  /** Per shard, its f32 gradient [rows, C] accumulated (+=) — full fine-tuning; omitted for a frozen head. */
  dW?: GpuTensor[];
}

/**
 * Softmax cross-entropy of the logits x · Eᵀ against `targets` [N] (known on the CPU), without
 * [N, V]: ce [N] = logsumexp − the target's logit. With `grad`, a second pass recomputes each
 * shard's logits and adds dx += dlogits_s · E_s and (f32 shards) dE_s += dlogits_sᵀ · x, where
 * dlogits = gradWeight · (softmax − onehot). Recomputing costs a second head matmul; keeping every
 * shard's logits would hold [N, V] after all.
 */
export async function vocabCrossEntropy(
  ctx: GpuContext,
  batch: Batch,
  x: GpuTensor,
  vocab: GpuVocab,
  targets: ArrayLike<number>,
  grad?: VocabLossGrad,
  name = 'cross_entropy',
  /** A variant of LSE_VARIANTS by name (tests); default: the tuned choice or the default. */
  lseVariant?: string,
): Promise<GpuTensor> {
  const N = x.shape[0];
  const init = new Float32Array(2 * N);
  for (let n = 0; n < N; n++) init[2 * n] = -3e38;
  const state = uploadTensor(ctx, init, [N, 2], `${name}.lse_state`);
  const picked = emptyTensor(ctx, [N], `${name}.target_logit`);
  const locals = vocab.shards.map((s) => uploadU32(ctx, localIds(targets, s), [N], `${name}.targets[${s.begin}:]`));
  const perRow = grid1d(Math.ceil(N / 256), ctx.limits.maxComputeWorkgroupsPerDimension);
  for (const [i, shard] of vocab.shards.entries()) {
    const lg = await shardLogits(ctx, batch, x, shard, name);
    await lseUpdate(ctx, batch, { logits: lg, targets: locals[i], state, picked, begin: shard.begin, V: vocab.V, label: `${name}.lse` }, lseVariant);
    releaseTensor(ctx, lg);
  }
  const ce = emptyTensor(ctx, [N], `${name}.per_token`);
  batch.dispatch({ label: `${name}.finish`, pipeline: await ctx.pipeline('vocab', 'ce_finish'), uniforms: uniforms(N, 0, 0, vocab.V), buffers: bindings(null, null, state, picked, ce), grid: perRow });
  if (grad) {
    for (const [i, shard] of vocab.shards.entries()) {
      const Vs = shard.end - shard.begin;
      const lg = await shardLogits(ctx, batch, x, shard, name);
      const dlogits = emptyTensor(ctx, [N, Vs], `d_${name}[${shard.begin}:]`);
      batch.dispatch({
        label: `${name}.grad`,
        pipeline: await ctx.pipeline('vocab', 'ce_grad'),
        uniforms: vocabParams(N, shard, vocab.V),
        buffers: bindings(lg, locals[i], state, null, null, grad.gradWeight, dlogits),
        grid: grid1d(Math.ceil((N * Vs) / 256), ctx.limits.maxComputeWorkgroupsPerDimension),
      });
      releaseTensor(ctx, lg);
      const w = shard.w;
      const dxs = isQ(w) ? await matmulQBackward(ctx, batch, dlogits, w) : await matmul(ctx, batch, dlogits, w, { name: `d_x(${name})` });
      await accumulate(ctx, batch, grad.dx, dxs);
      releaseTensor(ctx, dxs);
      if (grad.dW) await matmul(ctx, batch, dlogits, x, { transA: true, into: grad.dW[i] });
      releaseTensor(ctx, dlogits);
    }
  }
  for (const t of [state, picked, ...locals]) releaseTensor(ctx, t);
  return ce;
}
