// Which decoder weight goes where, for every backend: norms, biases, embeddings and RoPE tables as f32;
// each linear W [out, in] f32, or q4/q8 packed — quantized on the CPU here unless the file already
// holds it in that format (an ONNX MatMulNBits weight: re-quantizing dequantized blocks would change
// its codes, ARCHITECTURE decision 16). A backend passes how it stores an f32 tensor and a packed
// weight; tensors are read from their files one at a time (decisions 29, 42).

import { ShapeError } from '../errors';
import { ropeInvFreq, ropeTables } from '../reference/rope';
import { hasQkNorm, type DecoderConfig } from './config';
import type { WeightQuant } from './loaded-model';
import { dequantize, quantize, quantRows, type QuantKind, type QWeight } from './quant';
import type { WeightSource } from './weight-source';
import { expectedWeights, layerPrefix, LINEAR_NAMES, linearWeightName, qkNormName, type HostTensor, type LinearName, type WeightMap } from './weights';

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

/**
 * A decoder's weights on one backend: T its f32 tensor, Q its packed q4/q8 weight, E its vocabulary
 * matrix (by default an f32 tensor; on WebGPU shards of rows, decision 44).
 */
export interface DecoderTensors<T, Q, E = T> {
  config: DecoderConfig;
  quant: WeightQuant;
  /** E [V, C]. */
  embed: E;
  layers: DecoderLayerTensors<T, Q>[];
  finalNorm: T;
  /** Tied models use the embedding matrix [V, C]; an untied head is a linear, or a vocabulary matrix where the store keeps one. */
  lmHead: T | Q | E;
  /** cos, sin [P, D/2] in float64 on the CPU, any scaling folded in (decision 14). */
  rope: { cos: T; sin: T };
}

/** One block of rows [begin, end) of a vocabulary matrix [V, C], stored f32 or packed. */
export interface VocabBlock<T, Q> {
  begin: number;
  end: number;
  w: T | Q;
}

export interface TensorStore<T, Q, E = T> {
  tensor(data: Float32Array, shape: number[], name: string): T;
  qweight(q: QWeight, name: string): Q;
  release(t: T | Q): void;
  /**
   * How this backend keeps a vocabulary matrix [V, C] (the embedding, an untied LM head): in blocks
   * of at most `rows(V, C)` rows, packed like the linears when the model is quantized, made one
   * matrix by `assemble`. Absent: the embedding is one f32 tensor and an untied head a linear.
   */
  vocab?: { rows(V: number, C: number, quant: WeightQuant): number; assemble(blocks: VocabBlock<T, Q>[], V: number, C: number, name: string): E };
}

/**
 * A q4/q8 model packs its vocabulary matrices too when they have at least this many rows (decision
 * 44): at 128–152 k rows they are a third of a 0.5 B model, while small vocabularies (ours, 8 k)
 * keep the f32 values their measurements were made with.
 */
export const PACKED_VOCAB_ROWS = 32768;

/**
 * How a vocabulary matrix [V, C] is stored: an untied head of a q4/q8 model is packed like every
 * linear; the embedding is packed when asked, by default when V >= PACKED_VOCAB_ROWS.
 */
export function vocabKind(quant: WeightQuant, V: number, untiedHead: boolean, quantizeVocab?: boolean): WeightQuant {
  return quant !== 'f32' && (untiedHead || (quantizeVocab ?? V >= PACKED_VOCAB_ROWS)) ? quant : 'f32';
}

export interface StoreOptions {
  contextLength?: number;
  /** Pack the embedding (and untied head) of a q4/q8 model; default: vocabularies of PACKED_VOCAB_ROWS or more. */
  quantizeVocab?: boolean;
  /** After each tensor stored: how many of how many. */
  onTensor?: (done: number, total: number) => void;
}

/** What storing needs next: a tensor (or a block of its rows) in f32, or the file's own q4/q8 weight if it has one. */
type Need = { name: string; want: 'f32'; rows?: [number, number] } | { name: string; want: 'stored'; kind: QuantKind };
type Got = Float32Array | QWeight | undefined;

/**
 * The order and form in which a decoder's weights are stored, one tensor at a time: each is read,
 * converted, quantized if asked and handed to the store before the next is asked for, so a streaming
 * reader holds about one tensor in host memory (decision 42). A driver answers each Need: from a
 * WeightSource (async) or from a map in memory (sync). RoPE tables cover `contextLength` positions
 * (at most the model's maxPositions). If a tensor does not fit or cannot be read, what was stored so
 * far is released again: a failed load leaves the backend as it found it.
 */
function* decoderSteps<T, Q, E>(store: TensorStore<T, Q, E>, config: DecoderConfig, shapes: ReadonlyMap<string, readonly number[]>, quant: WeightQuant, opts: StoreOptions): Generator<Need, DecoderTensors<T, Q, E>, Got> {
  const total = expectedWeights(config).length + 2; // + the RoPE tables
  const stored: (T | Q)[] = [];
  let done = 0;
  const keep = <X extends T | Q>(t: X, counts = true) => (stored.push(t), counts && opts.onTensor?.(++done, total), t);
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
  /** A vocabulary matrix [V, C] in the store's blocks of rows; a whole f32 tensor (or a linear) where it keeps none. */
  function* vocab(name: string, asLinear: boolean): Generator<Need, E | T | Q, Got> {
    const [V, C] = shapeOf(name);
    const kind = vocabKind(quant, V, asLinear, opts.quantizeVocab);
    if (!store.vocab) {
      if (asLinear || kind === 'f32') return asLinear ? yield* linear(name) : yield* f32(name);
      // A q4/q8 model's embedding holds quantized values on every backend (decision 44); this one keeps them in f32.
      const given = (yield { name, want: 'stored', kind }) as QWeight | undefined;
      return keep(store.tensor(dequantize(given ?? quantize(kind, (yield { name, want: 'f32' }) as Float32Array, V, C)), [V, C], name));
    }
    const rows = store.vocab.rows(V, C, kind);
    // The file's own q4/q8 codes (GGUF Q4_0/Q8_0, MatMulNBits) are cut into blocks, never re-rounded.
    const whole = kind === 'f32' ? undefined : ((yield { name, want: 'stored', kind }) as QWeight | undefined);
    const blocks: VocabBlock<T, Q>[] = [];
    for (let begin = 0; begin < V; begin += rows) {
      const end = Math.min(V, begin + rows);
      const part = rows >= V ? name : `${name}[${begin}:${end}]`;
      if (kind === 'f32') blocks.push({ begin, end, w: keep(store.tensor((yield { name, want: 'f32', rows: [begin, end] }) as Float32Array, [end - begin, C], part), false) });
      else {
        const q = whole ? quantRows(whole, begin, end) : quantize(kind, (yield { name, want: 'f32', rows: [begin, end] }) as Float32Array, end - begin, C);
        blocks.push({ begin, end, w: keep(store.qweight(q, part), false) });
      }
    }
    opts.onTensor?.(++done, total);
    return store.vocab.assemble(blocks, V, C, name);
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
    const embed = (yield* vocab('model.embed_tokens.weight', false)) as E;
    const finalNorm = yield* f32('model.norm.weight');
    const lmHead = config.tieWordEmbeddings ? embed : yield* vocab('lm_head.weight', true);
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
export async function storeDecoderWeights<T, Q, E = T>(store: TensorStore<T, Q, E>, config: DecoderConfig, source: WeightSource, quant: WeightQuant, opts: StoreOptions = {}): Promise<DecoderTensors<T, Q, E>> {
  const steps = decoderSteps(store, config, source.shapes, quant, opts);
  let step = steps.next();
  while (!step.done) {
    const need = step.value;
    let got: Got;
    try {
      got = need.want === 'f32' ? await source.read(need.name, need.rows) : await source.stored(need.name, need.kind);
    } catch (e) {
      step = steps.throw(e); // releases what was stored, then rethrows
      continue;
    }
    step = steps.next(got);
  }
  return step.value;
}

/** Rows [begin, end) of a matrix in memory (all of it without `rows`). */
function rowsOf(t: HostTensor, rows?: [number, number]): Float32Array {
  if (!rows) return t.data;
  const C = t.shape[1];
  return t.data.subarray(rows[0] * C, rows[1] * C);
}

/** Stores every weight of a map in memory (random models, training, tests); `prequantized` q4/q8 weights are used as they are. */
export function storeDecoderWeightsSync<T, Q>(store: TensorStore<T, Q>, config: DecoderConfig, weights: WeightMap, quant: WeightQuant, opts: StoreOptions & { prequantized?: ReadonlyMap<string, QWeight> } = {}): DecoderTensors<T, Q> {
  const steps = decoderSteps(store, config, new Map([...weights].map(([k, t]) => [k, t.shape])), quant, opts);
  let step = steps.next();
  while (!step.done) {
    const need = step.value;
    const given = opts.prequantized?.get(need.name);
    step = steps.next(need.want === 'f32' ? rowsOf(weights.get(need.name)!, need.rows) : given?.kind === need.kind ? given : undefined);
  }
  return step.value;
}

/**
 * Linears of the decoder by weight name: what LoRA can target and full fine-tuning updates; with
 * `head`, an untied lm_head too (on a backend that keeps it as a linear: no `vocab` in its store).
 */
export function linearsByName<T, Q, E>(m: DecoderTensors<T, Q, E>, head: boolean): Map<string, T | Q> {
  const out = new Map<string, T | Q>();
  m.layers.forEach((l, i) => (Object.entries(l.linears) as [LinearName, T | Q][]).forEach(([w, t]) => out.set(linearWeightName(i, w), t)));
  if (head && !m.config.tieWordEmbeddings) out.set('lm_head.weight', m.lmHead as T | Q);
  return out;
}

/** Every tensor of a decoder once (a tied lm_head is the embedding matrix). */
export function decoderTensorList<T, Q, E>(m: DecoderTensors<T, Q, E>): (T | Q | E)[] {
  const all: (T | Q | E)[] = [m.embed, m.finalNorm, m.rope.cos, m.rope.sin];
  if (m.lmHead !== m.embed) all.push(m.lmHead);
  for (const l of m.layers) all.push(l.inputNorm, l.postNorm, ...Object.values(l.linears), ...Object.values(l.biases), ...(l.qkNorm ? [l.qkNorm.q, l.qkNorm.k] : []));
  return all;
}
