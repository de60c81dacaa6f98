// The decoder forward on the CPU route: the counterpart of src/model/decoder.ts with the same weights
// (decoder-weights.ts: linears q4/q8 kept packed, or f32), the same RoPE tables (decision 14) and the
// same step over new tokens against a per-layer KV cache (prefill Tq = T, decoding Tq = 1). Matmuls
// and attention are the WebAssembly SIMD kernels on every thread; the rest is ops.ts. LoRA adapters a
// training session hangs on the decoder (`adapters`) apply to every forward until it is released.
// hidden[i] is the residual stream after layer i (hidden[0] = embeddings), unnormed (decision 15).
// Shapes: tokens [B, Tq]; x [B*Tq, C]; q [B, Tq, H, D]; k, v [B, Tq, Hkv, D]; cache [B, Tmax, Hkv, D].

import type { DecoderConfig } from '../model/config';
import { decoderTensorList, storeDecoderWeights, storeDecoderWeightsSync, type DecoderTensors, type StoreOptions, type TensorStore } from '../model/decoder-weights';
import { checkStep, lastRows, sequenceTable, stepPositions, type StepInput, type StepOptions, type StepOutput } from '../model/generation';
import type { WeightQuant } from '../model/loaded-model';
import type { QWeight } from '../model/quant';
import type { WeightSource } from '../model/weight-source';
import type { WeightMap } from '../model/weights';
import { attention, createKvCache, storeKv, type CpuKvCache } from './attention';
import { matmul, matmulQ } from './matmul';
import { add, addRowsInPlace, embedding, gatherRows, rmsNorm, ropeInPlace, siluMul } from './ops';
import { scaleInPlace } from './ops-backward';
import type { CpuQWeight, CpuRuntime, CpuTensor } from './runtime';

/** A low-rank update of one linear (LoRA): y += scale · (x Aᵀ) Bᵀ with A [r, in], B [out, r], scale = alpha / r. */
export interface CpuLinearAdapter {
  A: CpuTensor;
  B: CpuTensor;
  scale: number;
}

export interface CpuDecoder extends DecoderTensors<CpuTensor, CpuQWeight> {
  /** LoRA adapters by weight name, applied by every forward while set (a LoRA training session sets them). */
  adapters?: Map<string, CpuLinearAdapter>;
}

function cpuStore(rt: CpuRuntime): TensorStore<CpuTensor, CpuQWeight> {
  return {
    tensor: (data: Float32Array, shape: number[], name: string) => rt.upload(data, shape, name),
    qweight: (q: QWeight, name: string) => rt.uploadQWeight(q, name),
    release: (t: CpuTensor | CpuQWeight) => rt.release(t),
  };
}

/** Weights in memory into the runtime (random models, training, tests); `prequantized` q4/q8 weights are used as they are. */
export function uploadCpuDecoder(rt: CpuRuntime, config: DecoderConfig, weights: WeightMap, quant: WeightQuant, opts: StoreOptions & { prequantized?: ReadonlyMap<string, QWeight> } = {}): CpuDecoder {
  return storeDecoderWeightsSync(cpuStore(rt), config, weights, quant, opts);
}

/** A model's weights read from its files tensor by tensor into the runtime (decision 42). */
export function loadCpuDecoder(rt: CpuRuntime, config: DecoderConfig, source: WeightSource, quant: WeightQuant, opts: StoreOptions = {}): Promise<CpuDecoder> {
  return storeDecoderWeights(cpuStore(rt), config, source, quant, opts);
}

export function releaseCpuDecoder(rt: CpuRuntime, m: CpuDecoder): void {
  for (const t of decoderTensorList(m)) rt.release(t);
}

export function createCpuCaches(rt: CpuRuntime, m: CpuDecoder, B: number, Tmax: number): CpuKvCache[] {
  const c = m.config;
  return m.layers.map((_, i) => createKvCache(rt, B, Tmax, c.numKvHeads, c.headDim, `layer${i}.kv`));
}

export function releaseCaches(rt: CpuRuntime, caches: CpuKvCache[]): void {
  for (const c of caches) {
    rt.release(c.k);
    rt.release(c.v);
  }
}

/** y [N, out] += scale · (x Aᵀ) Bᵀ; returns ts = scale · x Aᵀ [N, r] (training keeps it for the backward). */
export function addAdapter(rt: CpuRuntime, x: CpuTensor, a: CpuLinearAdapter, y: CpuTensor, name: string): CpuTensor {
  const ts = matmul(rt, x, a.A, { transB: true, name: `${name}.lora_ts` });
  scaleInPlace(rt, ts, a.scale);
  matmul(rt, ts, a.B, { transB: true, into: y });
  return ts;
}

/** y [N, out] = x [N, in] · Wᵀ (+ bias) (+ the adapter of W, if the decoder carries one). */
function linear(rt: CpuRuntime, m: CpuDecoder, x: CpuTensor, w: CpuTensor | CpuQWeight, bias: CpuTensor | undefined, name: string): CpuTensor {
  const y = 'kind' in w ? matmulQ(rt, x, w, { name }) : matmul(rt, x, w, { transB: true, name });
  if (bias) addRowsInPlace(rt, y, bias);
  const adapter = m.adapters?.get(w.name);
  if (adapter) rt.release(addAdapter(rt, x, adapter, y, name));
  return y;
}

function reshape(t: CpuTensor, shape: number[]): CpuTensor {
  return { ...t, shape };
}

/**
 * Qwen3's per-head RMSNorm over D of y [N, heads·D] when `norm` [D] is given (rmsNorm takes rows of
 * w's length, so this is N·heads rows); consumes y and returns the normed tensor. Without `norm`, y.
 */
export function qkNormed(rt: CpuRuntime, y: CpuTensor, norm: CpuTensor | undefined, eps: number, heads: number, name: string): CpuTensor {
  if (!norm) return y;
  const out = rmsNorm(rt, reshape(y, [y.shape[0], heads, norm.shape[0]]), norm, eps, name);
  rt.release(y);
  return reshape(out, y.shape);
}

/** One forward step; the caller releases the outputs. Intermediates are released after their last reader. */
export function cpuDecoderStep(rt: CpuRuntime, m: CpuDecoder, caches: CpuKvCache[], input: StepInput, opts: StepOptions): StepOutput<CpuTensor> {
  const c = m.config;
  const { B, Tq } = input;
  const N = B * Tq;
  const { numHeads: H, numKvHeads: Hkv, headDim: D, hiddenSize: C } = c;
  checkStep(c, input, caches[0].k.shape[1], m.rope.cos.shape[0]);
  const keep = new Set(opts.hiddenLayers ?? []);
  const hidden = new Map<number, CpuTensor>();
  const positions = stepPositions(input);
  const seq = rt.uploadU32(sequenceTable(input), [B, 2], 'seq');
  const record = (i: number, t: CpuTensor) => {
    if (keep.has(i)) hidden.set(i, reshape(t, [B, Tq, C]));
    return t;
  };
  const drop = (t: CpuTensor, i: number) => {
    if (!keep.has(i)) rt.release(t);
  };

  let x = record(0, embedding(rt, input.tokens, m.embed));
  try {
    for (let l = 0; l < m.layers.length; l++) {
      const L = m.layers[l];
      const n = `layer${l}`;
      const a = rmsNorm(rt, x, L.inputNorm, c.rmsNormEps, `${n}.attn.norm`);
      const q = qkNormed(rt, linear(rt, m, a, L.linears.q, L.biases.q, `${n}.attn.q`), L.qkNorm?.q, c.rmsNormEps, H, `${n}.attn.q_norm`);
      const k = qkNormed(rt, linear(rt, m, a, L.linears.k, L.biases.k, `${n}.attn.k`), L.qkNorm?.k, c.rmsNormEps, Hkv, `${n}.attn.k_norm`);
      const v = linear(rt, m, a, L.linears.v, L.biases.v, `${n}.attn.v`);
      rt.release(a);
      ropeInPlace(rt, reshape(q, [N, H, D]), positions, m.rope);
      ropeInPlace(rt, reshape(k, [N, Hkv, D]), positions, m.rope);
      storeKv(rt, seq, reshape(k, [B, Tq, Hkv, D]), reshape(v, [B, Tq, Hkv, D]), caches[l]);
      rt.release(k);
      rt.release(v);
      const att = attention(rt, seq, reshape(q, [B, Tq, H, D]), caches[l], `${n}.attn.out`);
      rt.release(q);
      const o = linear(rt, m, reshape(att, [N, H * D]), L.linears.o, undefined, `${n}.attn.o`);
      rt.release(att);
      const x1 = add(rt, x, o, `${n}.attn.resid`);
      rt.release(o);
      drop(x, l);
      const h = rmsNorm(rt, x1, L.postNorm, c.rmsNormEps, `${n}.mlp.norm`);
      const g = linear(rt, m, h, L.linears.gate, undefined, `${n}.mlp.gate`);
      const u = linear(rt, m, h, L.linears.up, undefined, `${n}.mlp.up`);
      rt.release(h);
      const gu = siluMul(rt, g, u, `${n}.mlp.act`);
      rt.release(g);
      rt.release(u);
      const d = linear(rt, m, gu, L.linears.down, undefined, `${n}.mlp.down`);
      rt.release(gu);
      x = record(l + 1, add(rt, x1, d, `${n}.resid`));
      rt.release(x1);
      rt.release(d);
    }

    let logits: CpuTensor | null = null;
    const mode = opts.logits ?? 'all';
    if (mode !== 'none') {
      const rows = mode === 'last' ? gatherRows(rt, x, lastRows(input), 'last_hidden') : x;
      const f = rmsNorm(rt, rows, m.finalNorm, c.rmsNormEps, 'final_norm');
      if (rows !== x) rt.release(rows);
      logits = reshape(linear(rt, m, f, m.lmHead, undefined, 'logits'), mode === 'last' ? [B, c.vocabSize] : [B, Tq, c.vocabSize]);
      rt.release(f);
    }
    drop(x, m.layers.length);
    return { logits, hidden };
  } finally {
    rt.release(seq);
  }
}
