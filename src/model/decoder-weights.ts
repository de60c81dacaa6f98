// Which decoder weight goes where, for every backend: norms, biases, embeddings and RoPE tables as f32;
// each linear W [out, in] f32, or q4/q8 packed — quantized on the CPU here unless the file already
// holds it in that format (an ONNX MatMulNBits weight: re-quantizing dequantized blocks would change
// its codes, ARCHITECTURE decision 16). A backend passes how it stores an f32 tensor and a packed
// weight; tensors are read from their files one at a time (decisions 29, 42).

import { ShapeError } from '../errors';
import { ropeInvFreq, ropeTables } from '../reference/rope';
import { hasQkNorm, type DecoderConfig } from './config';
import type { WeightQuant } from './loaded-model';
import { quantize, type QuantKind, type QWeight } from './quant';
import type { WeightSource } from './weight-source';
import { expectedWeights, layerPrefix, LINEAR_NAMES, linearWeightName, qkNormName, type LinearName, type WeightMap } from './weights';

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

export interface StoreOptions {
  contextLength?: number;
  /** After each tensor stored: how many of how many. */
  onTensor?: (done: number, total: number) => void;
}

/** What storing needs next: a tensor in f32, or the file's own q4/q8 weight if it has one. */
type Need = { name: string; want: 'f32' } | { name: string; want: 'stored'; kind: QuantKind };
type Got = Float32Array | QWeight | undefined;

/**
 * The order and form in which a decoder's weights are stored, one tensor at a time: each is read,
 * converted, quantized if asked and handed to the store before the next is asked for, so a streaming
 * reader holds about one tensor in host memory (decision 42). A driver answers each Need: from a
 * WeightSource (async) or from a map in memory (sync). RoPE tables cover `contextLength` positions
 * (at most the model's maxPositions). If a tensor does not fit or cannot be read, what was stored so
 * far is released again: a failed load leaves the backend as it found it.
 */
function* decoderSteps<T, Q>(store: TensorStore<T, Q>, config: DecoderConfig, shapes: ReadonlyMap<string, readonly number[]>, quant: WeightQuant, opts: StoreOptions): Generator<Need, DecoderTensors<T, Q>, Got> {
  const total = expectedWeights(config).length + 2; // + the RoPE tables
  const stored: (T | Q)[] = [];
  const keep = <X extends T | Q>(t: X) => (stored.push(t), opts.onTensor?.(stored.length, total), t);
  const shapeOf = (name: string) => {
    const shape = shapes.get(name);
    if (!shape) throw new ShapeError(`Weight ${name} is missing.`, { tensor: name });
    return [...shape];
  };
  function* f32(name: string): Generator<Need, T, Got> {
    const shape = shapeOf(name);
    return keep(store.tensor((yield { name, want: 'f32' }) as Float32Array, shape, name));
  }
  function* linear(name: string): Generator<Need, T | Q, Got> {
    const shape = shapeOf(name);
    if (quant === 'f32') return keep(store.tensor((yield { name, want: 'f32' }) as Float32Array, shape, name));
    const given = (yield { name, want: 'stored', kind: quant }) as QWeight | undefined;
    return keep(store.qweight(given ?? quantize(quant, (yield { name, want: 'f32' }) as Float32Array, shape[0], shape[1]), name));
  }
  try {
    const layers: DecoderLayerTensors<T, Q>[] = [];
    for (let i = 0; i < config.numLayers; i++) {
      const p = layerPrefix(i);
      const linears = {} as Record<LinearName, T | Q>;
      for (const w of LINEAR_NAMES) linears[w] = yield* linear(linearWeightName(i, w));
      const biases = config.attentionBias ? { q: yield* f32(`${p}.self_attn.q_proj.bias`), k: yield* f32(`${p}.self_attn.k_proj.bias`), v: yield* f32(`${p}.self_attn.v_proj.bias`) } : {};
      const qkNorm = hasQkNorm(config) ? { q: yield* f32(qkNormName(i, 'q')), k: yield* f32(qkNormName(i, 'k')) } : undefined;
      layers.push({ inputNorm: yield* f32(`${p}.input_layernorm.weight`), postNorm: yield* f32(`${p}.post_attention_layernorm.weight`), linears, biases, ...(qkNorm && { qkNorm }) });
    }
    const embed = yield* f32('model.embed_tokens.weight');
    const finalNorm = yield* f32('model.norm.weight');
    const lmHead = config.tieWordEmbeddings ? embed : yield* linear('lm_head.weight');
    const P = Math.min(config.maxPositions, opts.contextLength ?? DEFAULT_CONTEXT);
    const tables = ropeTables(ropeInvFreq(config), P);
    const rope = { cos: keep(store.tensor(tables.cos, [P, config.headDim / 2], 'rope.cos')), sin: keep(store.tensor(tables.sin, [P, config.headDim / 2], 'rope.sin')) };
    return { config, quant, embed, layers, finalNorm, lmHead, rope };
  } catch (e) {
    for (const t of stored) store.release(t);
    throw e;
  }
}

/** Stores every weight, reading each from `source` (its files) only when it is stored. */
export async function storeDecoderWeights<T, Q>(store: TensorStore<T, Q>, config: DecoderConfig, source: WeightSource, quant: WeightQuant, opts: StoreOptions = {}): Promise<DecoderTensors<T, Q>> {
  const steps = decoderSteps(store, config, source.shapes, quant, opts);
  let step = steps.next();
  while (!step.done) {
    const need = step.value;
    let got: Got;
    try {
      got = need.want === 'f32' ? await source.read(need.name) : await source.stored(need.name, need.kind);
    } catch (e) {
      step = steps.throw(e); // releases what was stored, then rethrows
      continue;
    }
    step = steps.next(got);
  }
  return step.value;
}

/** Stores every weight of a map in memory (random models, training, tests); `prequantized` q4/q8 weights are used as they are. */
export function storeDecoderWeightsSync<T, Q>(store: TensorStore<T, Q>, config: DecoderConfig, weights: WeightMap, quant: WeightQuant, opts: StoreOptions & { prequantized?: ReadonlyMap<string, QWeight> } = {}): DecoderTensors<T, Q> {
  const steps = decoderSteps(store, config, new Map([...weights].map(([k, t]) => [k, t.shape])), quant, opts);
  let step = steps.next();
  while (!step.done) {
    const need = step.value;
    const given = opts.prequantized?.get(need.name);
    step = steps.next(need.want === 'f32' ? weights.get(need.name)!.data : given?.kind === need.kind ? given : undefined);
  }
  return step.value;
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
