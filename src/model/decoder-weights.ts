// Which decoder weight goes where, for every backend: norms, biases, embeddings and RoPE tables as f32;
// each linear W [out, in] f32, or q4/q8 packed — quantized on the CPU here unless the file already
// holds it in that format (an ONNX MatMulNBits weight: re-quantizing dequantized blocks would change
// its codes, ARCHITECTURE decision 16). A backend passes how it stores an f32 tensor and a packed
// weight; tensors are read one at a time, so safetensors decode lazily (decision 29).

import { ShapeError } from '../errors';
import { ropeInvFreq, ropeTables } from '../reference/rope';
import { hasQkNorm, type DecoderConfig } from './config';
import type { WeightQuant } from './loaded-model';
import { quantize, type QWeight } from './quant';
import { layerPrefix, LINEAR_NAMES, linearWeightName, qkNormName, type LinearName, type WeightMap } from './weights';

/** Positions the RoPE tables cover unless asked for more (Llama 3's 131072 would take 64 MiB). */
export const DEFAULT_CONTEXT = 4096;

export interface DecoderLayerTensors<T, Q> {
  inputNorm: T;
  postNorm: T;
  linears: Record<LinearName, T | Q>;
  biases: Partial<Record<'q' | 'k' | 'v', T>>;
  /** Qwen3's per-head RMSNorm weights [D] of q and k (hasQkNorm); absent elsewhere. */
  qkNorm?: { q: T; k: T };
}

/** A decoder's weights on one backend: T its f32 tensor, Q its packed q4/q8 weight. */
export interface DecoderTensors<T, Q> {
  config: DecoderConfig;
  quant: WeightQuant;
  /** E [V, C]. */
  embed: T;
  layers: DecoderLayerTensors<T, Q>[];
  finalNorm: T;
  /** Tied models use the f32 embedding matrix [V, C]. */
  lmHead: T | Q;
  /** cos, sin [P, D/2] in float64 on the CPU, any scaling folded in (decision 14). */
  rope: { cos: T; sin: T };
}

export interface TensorStore<T, Q> {
  tensor(data: Float32Array, shape: number[], name: string): T;
  qweight(q: QWeight, name: string): Q;
  release(t: T | Q): void;
}

function tensorOf(weights: WeightMap, name: string) {
  const t = weights.get(name);
  if (!t) throw new ShapeError(`Weight ${name} is missing.`, { tensor: name });
  return t;
}

/**
 * Reads every weight into `store`. RoPE tables cover `contextLength` positions (at most the model's
 * maxPositions). If a tensor does not fit, what was stored so far is released again: a failed load
 * leaves the backend as it found it.
 */
export function storeDecoderWeights<T, Q>(
  store: TensorStore<T, Q>,
  config: DecoderConfig,
  weights: WeightMap,
  quant: WeightQuant,
  opts: { contextLength?: number; prequantized?: ReadonlyMap<string, QWeight> } = {},
): DecoderTensors<T, Q> {
  const stored: (T | Q)[] = [];
  const keep = <X extends T | Q>(t: X) => (stored.push(t), t);
  const f32 = (name: string) => {
    const t = tensorOf(weights, name);
    return keep(store.tensor(t.data, t.shape, name));
  };
  const linear = (name: string): T | Q => {
    const t = tensorOf(weights, name);
    if (quant === 'f32') return keep(store.tensor(t.data, t.shape, name));
    const given = opts.prequantized?.get(name);
    return keep(store.qweight(given?.kind === quant ? given : quantize(quant, t.data, t.shape[0], t.shape[1]), name));
  };
  try {
    const layers: DecoderLayerTensors<T, Q>[] = [];
    for (let i = 0; i < config.numLayers; i++) {
      const p = layerPrefix(i);
      const linears = Object.fromEntries(LINEAR_NAMES.map((w) => [w, linear(linearWeightName(i, w))])) as Record<LinearName, T | Q>;
      const biases = config.attentionBias ? { q: f32(`${p}.self_attn.q_proj.bias`), k: f32(`${p}.self_attn.k_proj.bias`), v: f32(`${p}.self_attn.v_proj.bias`) } : {};
      const qkNorm = hasQkNorm(config) ? { q: f32(qkNormName(i, 'q')), k: f32(qkNormName(i, 'k')) } : undefined;
      layers.push({ inputNorm: f32(`${p}.input_layernorm.weight`), postNorm: f32(`${p}.post_attention_layernorm.weight`), linears, biases, ...(qkNorm && { qkNorm }) });
    }
    const embed = f32('model.embed_tokens.weight');
    const P = Math.min(config.maxPositions, opts.contextLength ?? DEFAULT_CONTEXT);
    const tables = ropeTables(ropeInvFreq(config), P);
    return {
      config,
      quant,
      embed,
      layers,
      finalNorm: f32('model.norm.weight'),
      lmHead: config.tieWordEmbeddings ? embed : linear('lm_head.weight'),
      rope: { cos: keep(store.tensor(tables.cos, [P, config.headDim / 2], 'rope.cos')), sin: keep(store.tensor(tables.sin, [P, config.headDim / 2], 'rope.sin')) },
    };
  } catch (e) {
    for (const t of stored) store.release(t);
    throw e;
  }
}

/** Linears of the decoder by weight name (lm_head when untied): what LoRA can target and full fine-tuning updates. */
export function linearsByName<T, Q>(m: DecoderTensors<T, Q>): Map<string, T | Q> {
  const out = new Map<string, T | Q>();
  m.layers.forEach((l, i) => (Object.entries(l.linears) as [LinearName, T | Q][]).forEach(([w, t]) => out.set(linearWeightName(i, w), t)));
  if (!m.config.tieWordEmbeddings) out.set('lm_head.weight', m.lmHead);
  return out;
}

/** Every tensor of a decoder once (a tied lm_head is the embedding matrix). */
export function decoderTensorList<T, Q>(m: DecoderTensors<T, Q>): (T | Q)[] {
  const all: (T | Q)[] = [m.embed, m.finalNorm, m.rope.cos, m.rope.sin];
  if (m.lmHead !== m.embed) all.push(m.lmHead);
  for (const l of m.layers) all.push(l.inputNorm, l.postNorm, ...Object.values(l.linears), ...Object.values(l.biases), ...(l.qkNorm ? [l.qkNorm.q, l.qkNorm.k] : []));
  return all;
}
