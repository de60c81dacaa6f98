// The decoder forward on the GPU: weights uploaded once (linears q4/q8 packed, or f32), then a step
// over new tokens of B sequences against a per-layer KV cache serves prefill (Tq = T) and decoding
// (Tq = 1) alike. Semantics are those of reference/decoder.ts; hidden[i] is the residual stream
// after layer i (hidden[0] = embeddings), unnormed.
// Shapes: tokens [B, Tq]; x [B*Tq, C]; q [B, Tq, H, D]; k, v [B, Tq, Hkv, D]; cache [B, Tmax, Hkv, D].

import type { Batch } from '../gpu/batch';
import type { GpuContext } from '../gpu/runtime';
import { attention, createKvCache, storeKv, type KvCache } from '../kernels/attention';
import { add, mul, siluMul } from '../kernels/elementwise';
import { embedding } from '../kernels/embedding';
import { vocabGather, vocabLogits, type GpuVocab } from '../kernels/vocab';
import { vocabShardRows } from '../ops/vocab-shards';
import { matmul } from '../kernels/matmul';
import { matmulQ } from '../kernels/matmul-q';
import { rmsNorm } from '../kernels/rmsnorm';
import { rope, type RopeTables } from '../kernels/rope';
import { releaseTensor, reshape, uploadQWeight, uploadTensor, uploadU32, type GpuQWeight, type GpuTensor } from '../kernels/tensor';
import type { DecoderConfig } from './config';
import { decoderTensorList, storeDecoderWeights, type DecoderLayerTensors, type DecoderTensors, type StoreOptions, type TensorStore } from './decoder-weights';
import { checkStep, lastRows, sequenceTable, stepPositions, type StepInput, type StepOptions, type StepOutput } from './generation';
import type { WeightQuant } from './loaded-model';
import type { QWeight } from './quant';
import { mapSource, type WeightSource } from './weight-source';
import { linearWeightName, type LinearName, type WeightMap } from './weights';

export type { WeightQuant } from './loaded-model';

/** A linear layer's weight W [out, in]: packed quantized, or f32. */
export type GpuLinear = GpuQWeight | GpuTensor;

export type GpuLayer = DecoderLayerTensors<GpuTensor, GpuQWeight>;

/** A low-rank update of one linear (LoRA): y += scale · (x Aᵀ) Bᵀ with A [r, in], B [out, r], scale [1]. */
export interface LinearAdapter {
  A: GpuTensor;
  B: GpuTensor;
  /** alpha / r as a [1] tensor (a broadcast factor for the elementwise kernel). */
  scale: GpuTensor;
}

export interface GpuDecoder extends DecoderTensors<GpuTensor, GpuQWeight, GpuVocab> {
  /** The embedding matrix (tied), or the untied head kept in vocabulary shards too. */
  lmHead: GpuVocab;
  rope: RopeTables;
  /** Context generation the tensors belong to (a lost device invalidates them). */
  generation: number;
  /** LoRA adapters by weight name, applied by every forward while set (a LoRA training session sets them). */
  adapters?: Map<string, LinearAdapter>;
}

/** Uploads weights (decoder-weights.ts says which are quantized and how); RoPE tables cover `contextLength` positions. */
export async function uploadDecoder(ctx: GpuContext, config: DecoderConfig, weights: WeightSource | WeightMap, quant: WeightQuant, opts: StoreOptions & { prequantized?: ReadonlyMap<string, QWeight> } = {}): Promise<GpuDecoder> {
  const store: TensorStore<GpuTensor, GpuQWeight, GpuVocab> = {
    tensor: (data, shape, name) => uploadTensor(ctx, data, shape, name),
    qweight: (q, name) => uploadQWeight(ctx, q, name),
    release: (t) => releaseTensor(ctx, t),
    vocab: { rows: (V, C, kind) => vocabShardRows(ctx.limits, V, C, kind), assemble: (shards, V, C) => ({ V, C, shards }) },
  };
  const source = weights instanceof Map ? mapSource(weights, opts.prequantized) : weights;
  const m = await storeDecoderWeights(store, config, source, quant, opts);
  return { ...m, lmHead: m.lmHead as GpuVocab, generation: ctx.generation };
}

export function releaseDecoder(ctx: GpuContext, m: GpuDecoder): void {
  for (const t of decoderTensorList(m)) {
    if ('shards' in t) for (const s of t.shards) releaseTensor(ctx, s.w);
    else releaseTensor(ctx, t);
  }
}

/** y [N, out] = x [N, in] · Wᵀ (+ bias) (+ the adapter's low-rank update). */
async function linear(ctx: GpuContext, batch: Batch, x: GpuTensor, w: GpuLinear, bias: GpuTensor | undefined, name: string, adapter?: LinearAdapter): Promise<GpuTensor> {
  let y = 'shape' in w ? await matmul(ctx, batch, x, w, { transB: true, name }) : await matmulQ(ctx, batch, x, w, { name });
  if (bias) {
    const yb = await add(ctx, batch, y, bias, name);
    releaseTensor(ctx, y);
    y = yb;
  }
  if (adapter) releaseTensor(ctx, await addAdapter(ctx, batch, x, adapter, y, name));
  return y;
}

/** y [N, out] += scale · (x Aᵀ) Bᵀ, recorded into `batch`; returns scale · x Aᵀ [N, r] (training keeps it for the backward). */
export async function addAdapter(ctx: GpuContext, batch: Batch, x: GpuTensor, a: LinearAdapter, y: GpuTensor, label: string): Promise<GpuTensor> {
  const t = await matmul(ctx, batch, x, a.A, { transB: true, name: `${label}.lora_t` });
  const ts = await mul(ctx, batch, t, a.scale, `${label}.lora_ts`);
  releaseTensor(ctx, t);
  await matmul(ctx, batch, ts, a.B, { transB: true, into: y });
  return ts;
}

/**
 * RoPE of x [N, heads, D], after Qwen3's per-head RMSNorm over D when `norm` [D] is given (the rmsnorm
 * kernel normalises the last axis, so [N, heads, D] is N·heads rows). Does not release x.
 */
export async function ropeNormed(ctx: GpuContext, batch: Batch, x: GpuTensor, norm: GpuTensor | undefined, eps: number, positions: GpuTensor, tables: RopeTables, label: string): Promise<GpuTensor> {
  if (!norm) return rope(ctx, batch, x, positions, tables, `${label}_rope`);
  const xn = await rmsNorm(ctx, batch, x, norm, eps, `${label}_norm`);
  const y = await rope(ctx, batch, xn, positions, tables, `${label}_rope`);
  releaseTensor(ctx, xn);
  return y;
}

export function createCaches(ctx: GpuContext, m: GpuDecoder, B: number, Tmax: number): KvCache[] {
  const c = m.config;
  return m.layers.map((_, i) => createKvCache(ctx, B, Tmax, c.numKvHeads, c.headDim, `layer${i}.kv`));
}

/**
 * Records one forward step into `batch`. Intermediates are released as soon as their last reader is
 * recorded (dispatches in a batch run in order, so the pool may hand them out again).
 */
export async function decoderStep(
  ctx: GpuContext,
  batch: Batch,
  m: GpuDecoder,
  caches: KvCache[],
  input: StepInput,
  opts: StepOptions,
): Promise<StepOutput<GpuTensor>> {
  const c = m.config;
  const { B, Tq } = input;
  const N = B * Tq;
  const { numHeads: H, numKvHeads: Hkv, headDim: D, hiddenSize: C } = c;
  checkStep(c, input, caches[0].k.shape[1], m.rope.cos.shape[0]);

  const keep = new Set(opts.hiddenLayers ?? []);
  const hidden = new Map<number, GpuTensor>();
  const temps: GpuTensor[] = [];
  const temp = (t: GpuTensor) => (temps.push(t), t);
  const seq = temp(uploadU32(ctx, sequenceTable(input), [B, 2], 'seq'));
  const positions = temp(uploadU32(ctx, stepPositions(input), [N], 'positions'));
  const last = temp(uploadU32(ctx, lastRows(input), [B], 'last_rows'));

  let x = await vocabGather(ctx, batch, input.tokens, m.embed, 'embeddings');
  const record = (i: number, t: GpuTensor) => {
    if (keep.has(i)) hidden.set(i, reshape(t, [B, Tq, C]));
  };
  record(0, x);
  const drop = (t: GpuTensor, i: number) => {
    if (!keep.has(i)) releaseTensor(ctx, t);
  };

  for (let l = 0; l < m.layers.length; l++) {
    const L = m.layers[l];
    const n = `layer${l}`;
    const a = await rmsNorm(ctx, batch, x, L.inputNorm, c.rmsNormEps, `${n}.attn.norm`);
    const adapter = (t: LinearName) => m.adapters?.get(linearWeightName(l, t));
    const q0 = await linear(ctx, batch, a, L.linears.q, L.biases.q, `${n}.attn.q`, adapter('q'));
    const k0 = await linear(ctx, batch, a, L.linears.k, L.biases.k, `${n}.attn.k`, adapter('k'));
    const v = await linear(ctx, batch, a, L.linears.v, L.biases.v, `${n}.attn.v`, adapter('v'));
    releaseTensor(ctx, a);
    const q = await ropeNormed(ctx, batch, reshape(q0, [N, H, D]), L.qkNorm?.q, c.rmsNormEps, positions, m.rope, `${n}.attn.q`);
    const k = await ropeNormed(ctx, batch, reshape(k0, [N, Hkv, D]), L.qkNorm?.k, c.rmsNormEps, positions, m.rope, `${n}.attn.k`);
    releaseTensor(ctx, q0);
    releaseTensor(ctx, k0);
    await storeKv(ctx, batch, seq, reshape(k, [B, Tq, Hkv, D]), reshape(v, [B, Tq, Hkv, D]), caches[l], H);
    releaseTensor(ctx, k);
    releaseTensor(ctx, v);
    const att = await attention(ctx, batch, seq, reshape(q, [B, Tq, H, D]), caches[l], `${n}.attn.out`);
    releaseTensor(ctx, q);
    const o = await linear(ctx, batch, reshape(att, [N, H * D]), L.linears.o, undefined, `${n}.attn.o`, adapter('o'));
    releaseTensor(ctx, att);
    const x1 = await add(ctx, batch, x, o, `${n}.attn.resid`);
    releaseTensor(ctx, o);
    drop(x, l);
    const h = await rmsNorm(ctx, batch, x1, L.postNorm, c.rmsNormEps, `${n}.mlp.norm`);
    const g = await linear(ctx, batch, h, L.linears.gate, undefined, `${n}.mlp.gate`, adapter('gate'));
    const u = await linear(ctx, batch, h, L.linears.up, undefined, `${n}.mlp.up`, adapter('up'));
    releaseTensor(ctx, h);
    const gu = await siluMul(ctx, batch, g, u, `${n}.mlp.act`);
    releaseTensor(ctx, g);
    releaseTensor(ctx, u);
    const d = await linear(ctx, batch, gu, L.linears.down, undefined, `${n}.mlp.down`, adapter('down'));
    releaseTensor(ctx, gu);
    x = await add(ctx, batch, x1, d, `${n}.resid`);
    releaseTensor(ctx, x1);
    releaseTensor(ctx, d);
    record(l + 1, x);
  }

  let logits: GpuTensor | null = null;
  const mode = opts.logits ?? 'all';
  if (mode !== 'none') {
    let rows = x;
    if (mode === 'last') {
      // Gather each sequence's last real row with the embedding kernel (a row gather by index).
      rows = await embedding(ctx, batch, last, reshape(x, [N, C]), 'last_hidden');
    }
    const f = await rmsNorm(ctx, batch, rows, m.finalNorm, c.rmsNormEps, 'final_norm');
    if (rows !== x) releaseTensor(ctx, rows);
    const lg = await vocabLogits(ctx, batch, f, m.lmHead, 'logits');
    releaseTensor(ctx, f);
    logits = reshape(lg, mode === 'last' ? [B, c.vocabSize] : [B, Tq, c.vocabSize]);
  }
  drop(x, m.layers.length);
  for (const t of temps) releaseTensor(ctx, t);
  return { logits, hidden };
}
