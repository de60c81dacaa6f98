// Decoder configuration: the shape of a Llama/Qwen2/Qwen3-family model, read from Hugging Face config.json.
// Dimension letters used across the engine: V vocab, C hidden, L layers, H heads, Hkv kv heads,
// D head dim, F MLP (intermediate) size, T sequence, B batch.

import { ModelFormatError, UnsupportedModelError } from '../errors';

export type Architecture = 'llama' | 'qwen2' | 'qwen3';

export interface Llama3RopeScaling {
  type: 'llama3';
  factor: number;
  lowFreqFactor: number;
  highFreqFactor: number;
  originalMaxPositions: number;
}

export interface DecoderConfig {
  architecture: Architecture;
  /** V */
  vocabSize: number;
  /** C */
  hiddenSize: number;
  /** L */
  numLayers: number;
  /** H */
  numHeads: number;
  /** Hkv (GQA: H is a multiple of Hkv) */
  numKvHeads: number;
  /** D (may differ from C / H when given explicitly) */
  headDim: number;
  /** F */
  intermediateSize: number;
  rmsNormEps: number;
  ropeTheta: number;
  ropeScaling: Llama3RopeScaling | null;
  maxPositions: number;
  tieWordEmbeddings: boolean;
  /** q/k/v projections carry biases (Qwen2). */
  attentionBias: boolean;
  // Qwen3's per-head q/k RMSNorm is implied by the architecture (no config key): see hasQkNorm.
  bosTokenId: number | null;
  eosTokenIds: number[];
}

// ---- Reading config.json ----------------------------------------------------------------------
// Two kinds of failure: UnsupportedModelError for a well-formed config we cannot run (another
// architecture, RoPE scaling, a missing size), ModelFormatError for a value of the wrong type.

const USE_PUBLISHED = 'Use the config.json published with the weights.';
const SUPPORTED = 'Supported: Llama (LlamaForCausalLM: Llama 2/3/3.x, TinyLlama, SmolLM/SmolLM2, EuroLLM), Qwen2/2.5 (Qwen2ForCausalLM) and Qwen3 dense (Qwen3ForCausalLM).';
const CAUSAL_LM_CLASS: Record<Architecture, string> = { llama: 'LlamaForCausalLM', qwen2: 'Qwen2ForCausalLM', qwen3: 'Qwen3ForCausalLM' };

/**
 * Qwen3: q and k get an RMSNorm over each head's D values (weights self_attn.q_norm / k_norm [D],
 * same eps) after the projection and before RoPE. Every Qwen3 checkpoint has them.
 */
export function hasQkNorm(c: Pick<DecoderConfig, 'architecture'>): boolean {
  return c.architecture === 'qwen3';
}

/**
 * The largest sizes we accept, far above every released model of the families we run (Llama 3.1
 * 405B: C 16384, 126 layers, F 53248, 128 heads; vocabularies up to 262k; contexts up to 10M). A
 * larger value is a damaged or hostile file: believing it would make the loader list millions of
 * tensors or allocate gigabytes before the weights are checked. Every reader checks its config
 * against these (config.json here, our ONNX metadata, GGUF metadata).
 */
export const SIZE_LIMITS = {
  vocabSize: 2 ** 24,
  hiddenSize: 2 ** 16,
  numLayers: 1024,
  numHeads: 1024,
  numKvHeads: 1024,
  headDim: 4096,
  intermediateSize: 2 ** 20,
  maxPositions: 2 ** 24,
} as const satisfies Partial<Record<keyof DecoderConfig, number>>;

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const isTokenId = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;
const show = (v: unknown): string => JSON.stringify(v) ?? String(v);

function unsupported(source: string, key: string, value: unknown, problem: string, todo = 'Load a checkpoint of one of those families.'): UnsupportedModelError {
  return new UnsupportedModelError(`${source}: ${problem}. ${SUPPORTED} ${todo}`, { file: source, key, value });
}

function malformed(source: string, key: string, value: unknown, expected: string): ModelFormatError {
  const todo = "The file is damaged or was edited by hand; download it again from the model's repository.";
  return new ModelFormatError(`${source}: "${key}" must be ${expected}, found ${show(value)}. ${todo}`, { file: source, key, value });
}

/** Typed reads of one JSON object of config.json; `at` prefixes keys in messages ("rope_scaling."). null counts as absent. */
class Fields {
  constructor(readonly obj: Json, readonly source: string, readonly at = '') {}

  private get(k: string): unknown {
    return this.obj[k] ?? undefined;
  }

  private missing(k: string): UnsupportedModelError {
    return unsupported(this.source, this.at + k, undefined, `"${this.at + k}" is missing, and the model cannot be sized without it`, USE_PUBLISHED);
  }

  str(k: string): string | undefined {
    const v = this.get(k);
    if (v !== undefined && typeof v !== 'string') throw malformed(this.source, this.at + k, v, 'a string');
    return v;
  }

  bool(k: string, fallback: boolean): boolean {
    const v = this.get(k) ?? fallback;
    if (typeof v !== 'boolean') throw malformed(this.source, this.at + k, v, 'true or false');
    return v;
  }

  /** A finite number > 0 (eps, theta, factors). */
  positive(k: string, fallback?: number): number {
    const v = this.get(k) ?? fallback;
    if (v === undefined) throw this.missing(k);
    if (typeof v !== 'number' || !(Number.isFinite(v) && v > 0)) throw malformed(this.source, this.at + k, v, 'a positive number');
    return v;
  }

  /** An integer count or dimension up to `max`; <= 0 is a model we cannot build, not a typo we can name. */
  size(k: string, max: number, fallback?: number): number {
    const v = this.get(k) ?? fallback;
    if (v === undefined) throw this.missing(k);
    if (!Number.isSafeInteger(v)) throw malformed(this.source, this.at + k, v, 'an integer');
    if ((v as number) > max) throw malformed(this.source, this.at + k, v, `at most ${max}, more than any released model has`);
    if ((v as number) <= 0) throw unsupported(this.source, this.at + k, v, `"${this.at + k}" = ${v} is not a positive size`, USE_PUBLISHED);
    return v as number;
  }

  tokenId(k: string): number | null {
    const v = this.get(k) ?? null;
    if (v !== null && !isTokenId(v)) throw malformed(this.source, this.at + k, v, 'a token id');
    return v;
  }

  /** One token id or a list of them (Llama 3 instruct models stop on several); absent is []. */
  tokenIds(k: string): number[] {
    const v = this.get(k) ?? [];
    const ids: unknown[] = Array.isArray(v) ? v : [v];
    if (!ids.every(isTokenId)) throw malformed(this.source, this.at + k, v, 'a token id or a list of them');
    return ids;
  }

  object(k: string): Fields | null {
    const v = this.get(k);
    if (v === undefined) return null;
    if (!isObject(v)) throw malformed(this.source, this.at + k, v, 'an object');
    return new Fields(v, this.source, `${this.at}${k}.`);
  }
}

function readArchitecture(f: Fields): Architecture {
  const type = f.str('model_type');
  if (type !== 'llama' && type !== 'qwen2' && type !== 'qwen3') {
    const problem = type === undefined ? '"model_type" is missing, so the architecture is unknown' : `model_type "${type}" is not supported`;
    throw unsupported(f.source, 'model_type', type, problem, 'Load a checkpoint whose config.json says "model_type": "llama", "qwen2" or "qwen3".');
  }
  const classes = f.obj.architectures ?? [CAUSAL_LM_CLASS[type]];
  if (!Array.isArray(classes)) throw malformed(f.source, 'architectures', classes, 'a list of class names');
  if (!classes.includes(CAUSAL_LM_CLASS[type])) {
    throw unsupported(f.source, 'architectures', classes, `architectures ${show(classes)} does not include ${CAUSAL_LM_CLASS[type]}, so this is not a plain causal language model`);
  }
  return type;
}

/** Features of the family that change the weights or the forward pass and that we do not implement. */
function rejectUnimplemented(f: Fields, arch: Architecture): void {
  const act = f.str('hidden_act') ?? 'silu';
  if (act !== 'silu') throw unsupported(f.source, 'hidden_act', act, `hidden_act "${act}" is not implemented (only "silu")`);
  // Llama's and Qwen3's attention_bias also puts a bias on o_proj, which DecoderConfig cannot express (Qwen2 has none there).
  if (arch !== 'qwen2' && f.bool('attention_bias', false)) throw unsupported(f.source, 'attention_bias', true, `attention_bias = true (biases on q/k/v and o_proj) is not implemented for ${arch === 'llama' ? 'Llama' : 'Qwen3'}`);
  if (arch === 'llama' && f.bool('mlp_bias', false)) throw unsupported(f.source, 'mlp_bias', true, 'mlp_bias = true is not implemented');
  if (arch !== 'llama' && f.bool('use_sliding_window', false)) throw unsupported(f.source, 'use_sliding_window', true, 'use_sliding_window = true: sliding-window attention is not implemented');
  // transformers 5.x lists the attention kind of every layer.
  const layerTypes = f.obj.layer_types ?? [];
  if (!Array.isArray(layerTypes)) throw malformed(f.source, 'layer_types', layerTypes, 'a list');
  const other = layerTypes.find((t) => t !== 'full_attention');
  if (other !== undefined) throw unsupported(f.source, 'layer_types', other, `layer_types holds ${show(other)}: only "full_attention" layers are implemented`);
}

/** transformers 5.x: rope_parameters {rope_theta, rope_type, ...}; 4.x: rope_theta beside rope_scaling {rope_type | type, ...}. */
function readRope(f: Fields): Pick<DecoderConfig, 'ropeTheta' | 'ropeScaling'> {
  const v5 = f.object('rope_parameters');
  const scaling = v5 ?? f.object('rope_scaling');
  const ropeTheta = (v5?.obj.rope_theta != null ? v5 : f).positive('rope_theta', 10000);
  const type = scaling?.str('rope_type') ?? scaling?.str('type') ?? 'default';
  if (scaling === null || type === 'default') return { ropeTheta, ropeScaling: null };
  if (type !== 'llama3') {
    throw unsupported(f.source, `${scaling.at}rope_type`, type, `${scaling.at}rope_type "${type}": this RoPE scaling is not implemented (only "default" and "llama3")`, 'Load a checkpoint without rope scaling or with llama3 scaling.');
  }
  return {
    ropeTheta,
    ropeScaling: {
      type: 'llama3',
      factor: scaling.positive('factor'),
      lowFreqFactor: scaling.positive('low_freq_factor'),
      highFreqFactor: scaling.positive('high_freq_factor'),
      originalMaxPositions: scaling.size('original_max_position_embeddings', SIZE_LIMITS.maxPositions),
    },
  };
}

/**
 * Reads a Hugging Face config.json (already JSON-parsed) of a Llama, Qwen2 or Qwen3 checkpoint written by
 * transformers 4.x or 5.x. `torch_dtype` / `dtype` are not read: each safetensors tensor names its own.
 */
export function parseHfConfig(json: unknown, source = 'config.json'): DecoderConfig {
  if (!isObject(json)) throw malformed(source, '(top level)', json, 'a JSON object');
  const f = new Fields(json, source);
  const architecture = readArchitecture(f);
  rejectUnimplemented(f, architecture);

  const hiddenSize = f.size('hidden_size', SIZE_LIMITS.hiddenSize);
  const numHeads = f.size('num_attention_heads', SIZE_LIMITS.numHeads);
  const numKvHeads = f.size('num_key_value_heads', SIZE_LIMITS.numKvHeads, numHeads);
  if (numHeads % numKvHeads !== 0) throw unsupported(source, 'num_key_value_heads', numKvHeads, `num_attention_heads ${numHeads} is not a multiple of num_key_value_heads ${numKvHeads}`, USE_PUBLISHED);
  if (json.head_dim == null && hiddenSize % numHeads !== 0) throw unsupported(source, 'head_dim', undefined, `hidden_size ${hiddenSize} is not a multiple of num_attention_heads ${numHeads} and head_dim is not given`, USE_PUBLISHED);
  const headDim = f.size('head_dim', SIZE_LIMITS.headDim, hiddenSize / numHeads);
  // Rotate-half RoPE pairs element i with i + D/2.
  if (headDim % 2 !== 0) throw unsupported(source, 'head_dim', headDim, `head_dim ${headDim} is odd, and rotary embeddings need an even head dimension`);

  return {
    architecture,
    vocabSize: f.size('vocab_size', SIZE_LIMITS.vocabSize),
    hiddenSize,
    numLayers: f.size('num_hidden_layers', SIZE_LIMITS.numLayers),
    numHeads,
    numKvHeads,
    headDim,
    intermediateSize: f.size('intermediate_size', SIZE_LIMITS.intermediateSize),
    rmsNormEps: f.positive('rms_norm_eps', 1e-6),
    ...readRope(f),
    maxPositions: f.size('max_position_embeddings', SIZE_LIMITS.maxPositions, architecture === 'llama' ? 2048 : 32768),
    tieWordEmbeddings: f.bool('tie_word_embeddings', false),
    // Qwen2 always has q/k/v biases (not a config key); Llama's and Qwen3's attention_bias = true is refused above.
    attentionBias: architecture === 'qwen2',
    bosTokenId: f.tokenId('bos_token_id'),
    eosTokenIds: f.tokenIds('eos_token_id'),
  };
}

/** The config as a Hugging Face config.json (transformers 4.x keys), the inverse of parseHfConfig. */
export function toHfConfig(c: DecoderConfig): Record<string, unknown> {
  return {
    architectures: [CAUSAL_LM_CLASS[c.architecture]],
    model_type: c.architecture,
    vocab_size: c.vocabSize,
    hidden_size: c.hiddenSize,
    num_hidden_layers: c.numLayers,
    num_attention_heads: c.numHeads,
    num_key_value_heads: c.numKvHeads,
    head_dim: c.headDim,
    intermediate_size: c.intermediateSize,
    hidden_act: 'silu',
    rms_norm_eps: c.rmsNormEps,
    rope_theta: c.ropeTheta,
    rope_scaling: c.ropeScaling && {
      rope_type: 'llama3',
      factor: c.ropeScaling.factor,
      low_freq_factor: c.ropeScaling.lowFreqFactor,
      high_freq_factor: c.ropeScaling.highFreqFactor,
      original_max_position_embeddings: c.ropeScaling.originalMaxPositions,
    },
    max_position_embeddings: c.maxPositions,
    tie_word_embeddings: c.tieWordEmbeddings,
    bos_token_id: c.bosTokenId,
    eos_token_id: c.eosTokenIds.length === 1 ? c.eosTokenIds[0] : c.eosTokenIds,
    torch_dtype: 'float32',
  };
}
