import { describe, expect, it } from 'vitest';
import { ModelFormatError, UnsupportedModelError } from '../errors';
import { LLAMA32_1B_INSTRUCT, QWEN25_05B_INSTRUCT, QWEN3_06B } from './published-configs';
import { type DecoderConfig, hasQkNorm, parseHfConfig, SIZE_LIMITS, toHfConfig } from './config';
import { expectedWeights, linearShape, parameterCount } from './weights';

// config.json files as published on the Hugging Face Hub (trimmed of keys we do not read only where noted).

const LLAMA_2_7B = {
  _name_or_path: 'meta-llama/Llama-2-7b-hf',
  architectures: ['LlamaForCausalLM'],
  bos_token_id: 1,
  eos_token_id: 2,
  hidden_act: 'silu',
  hidden_size: 4096,
  initializer_range: 0.02,
  intermediate_size: 11008,
  max_position_embeddings: 4096,
  model_type: 'llama',
  num_attention_heads: 32,
  num_hidden_layers: 32,
  num_key_value_heads: 32,
  pretraining_tp: 1,
  rms_norm_eps: 1e-5,
  rope_scaling: null,
  tie_word_embeddings: false,
  torch_dtype: 'float16',
  transformers_version: '4.31.0.dev0',
  use_cache: true,
  vocab_size: 32000,
};

// Written by transformers 4.x: rope_theta beside rope_scaling, torch_dtype. The base model's config is
// the Instruct one's but for its single EOS id.
const LLAMA_32_1B_V4 = { ...LLAMA32_1B_INSTRUCT, eos_token_id: 128001 };

// The same model as transformers 5.x writes it: rope_parameters holds theta and scaling, dtype, layer_types.
const { rope_scaling: _s, rope_theta: _t, torch_dtype: _d, ...LLAMA_32_1B_COMMON } = LLAMA_32_1B_V4;
const LLAMA_32_1B_V5 = {
  ...LLAMA_32_1B_COMMON,
  dtype: 'bfloat16',
  layer_types: Array.from({ length: 16 }, () => 'full_attention'),
  rope_parameters: { factor: 32.0, high_freq_factor: 4.0, low_freq_factor: 1.0, original_max_position_embeddings: 8192, rope_theta: 500000.0, rope_type: 'llama3' },
  transformers_version: '5.0.0',
};

const TINYLLAMA_11B = {
  architectures: ['LlamaForCausalLM'],
  attention_bias: false,
  bos_token_id: 1,
  eos_token_id: 2,
  hidden_act: 'silu',
  hidden_size: 2048,
  initializer_range: 0.02,
  intermediate_size: 5632,
  max_position_embeddings: 2048,
  model_type: 'llama',
  num_attention_heads: 32,
  num_hidden_layers: 22,
  num_key_value_heads: 4,
  pretraining_tp: 1,
  rms_norm_eps: 1e-5,
  rope_scaling: null,
  rope_theta: 10000.0,
  tie_word_embeddings: false,
  torch_dtype: 'bfloat16',
  transformers_version: '4.35.0',
  use_cache: true,
  vocab_size: 32000,
};

const SMOLLM_135M = {
  architectures: ['LlamaForCausalLM'],
  attention_bias: false,
  attention_dropout: 0.0,
  bos_token_id: 0,
  eos_token_id: 0,
  hidden_act: 'silu',
  hidden_size: 576,
  initializer_range: 0.02,
  intermediate_size: 1536,
  max_position_embeddings: 2048,
  model_type: 'llama',
  num_attention_heads: 9,
  num_hidden_layers: 30,
  num_key_value_heads: 3,
  pretraining_tp: 1,
  rms_norm_eps: 1e-5,
  rope_scaling: null,
  rope_theta: 10000.0,
  tie_word_embeddings: true,
  torch_dtype: 'float32',
  transformers_version: '4.40.1',
  use_cache: true,
  vocab_size: 49152,
};

// Qwen/Qwen2.5-0.5B (the base model): the Instruct config but for these keys.
const QWEN25_05B = { ...QWEN25_05B_INSTRUCT, eos_token_id: 151643, max_window_layers: 24, transformers_version: '4.40.1', use_mrope: false };

// Qwen3-0.6B: QWEN3_06B, shared with the full-size tier's fixtures.

// Llama-3.1-8B: llama3 scaling with an untied lm_head.
const LLAMA_31_8B = {
  architectures: ['LlamaForCausalLM'],
  attention_bias: false,
  attention_dropout: 0.0,
  bos_token_id: 128000,
  eos_token_id: 128001,
  hidden_act: 'silu',
  hidden_size: 4096,
  initializer_range: 0.02,
  intermediate_size: 14336,
  max_position_embeddings: 131072,
  mlp_bias: false,
  model_type: 'llama',
  num_attention_heads: 32,
  num_hidden_layers: 32,
  num_key_value_heads: 8,
  pretraining_tp: 1,
  rms_norm_eps: 1e-5,
  rope_scaling: { factor: 8.0, low_freq_factor: 1.0, high_freq_factor: 4.0, original_max_position_embeddings: 8192, rope_type: 'llama3' },
  rope_theta: 500000.0,
  tie_word_embeddings: false,
  torch_dtype: 'bfloat16',
  transformers_version: '4.43.0.dev0',
  use_cache: true,
  vocab_size: 128256,
};

// SmolLM2 (nanotron-trained, Llama architecture): carries nanotron's rope_interleaved / is_llama_config, which transformers ignores.
const SMOLLM2_135M = {
  architectures: ['LlamaForCausalLM'],
  attention_bias: false,
  attention_dropout: 0.0,
  bos_token_id: 0,
  eos_token_id: 0,
  hidden_act: 'silu',
  hidden_size: 576,
  initializer_range: 0.041666666666666664,
  intermediate_size: 1536,
  is_llama_config: true,
  max_position_embeddings: 8192,
  model_type: 'llama',
  num_attention_heads: 9,
  num_hidden_layers: 30,
  num_key_value_heads: 3,
  pretraining_tp: 1,
  rms_norm_eps: 1e-5,
  rope_interleaved: false,
  rope_scaling: null,
  rope_theta: 100000,
  tie_word_embeddings: true,
  torch_dtype: 'bfloat16',
  transformers_version: '4.40.1',
  use_cache: true,
  vocab_size: 49152,
};

// EuroLLM-1.7B (Llama architecture, untied, GQA 16/8).
const EUROLLM_17B = {
  architectures: ['LlamaForCausalLM'],
  attention_bias: false,
  attention_dropout: 0.0,
  bos_token_id: 1,
  eos_token_id: 2,
  hidden_act: 'silu',
  hidden_size: 2048,
  initializer_range: 0.02,
  intermediate_size: 5632,
  max_position_embeddings: 4096,
  model_type: 'llama',
  num_attention_heads: 16,
  num_hidden_layers: 24,
  num_key_value_heads: 8,
  pretraining_tp: 1,
  rms_norm_eps: 1e-5,
  rope_scaling: null,
  rope_theta: 10000.0,
  tie_word_embeddings: false,
  torch_dtype: 'bfloat16',
  transformers_version: '4.40.1',
  use_cache: true,
  vocab_size: 128000,
};

const SUPPORTED = 'Supported: Llama (LlamaForCausalLM: Llama 2/3/3.x, TinyLlama, SmolLM/SmolLM2, EuroLLM), Qwen2/2.5 (Qwen2ForCausalLM) and Qwen3 dense (Qwen3ForCausalLM).';
const SOURCE = 'models/test/config.json';

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  throw new Error('expected a throw');
}

/** Parses `json` expecting UnsupportedModelError; checks that it names the file, the key and what is supported, and says what to do. */
function expectUnsupported(json: unknown, key: string, mentions: (string | RegExp)[] = []): UnsupportedModelError {
  const e = thrown(() => parseHfConfig(json, SOURCE));
  expect(e).toBeInstanceOf(UnsupportedModelError);
  const err = e as UnsupportedModelError;
  expect(err.name).toBe('UnsupportedModelError');
  expect(err.message.startsWith(`${SOURCE}: `)).toBe(true);
  expect(err.message).toContain(key);
  expect(err.message).toContain(SUPPORTED);
  expect(err.message).toMatch(/(Load|Use) /);
  for (const m of mentions) expect(err.message).toMatch(m);
  expect(err.data).toMatchObject({ file: SOURCE, key });
  return err;
}

/** Parses `json` expecting ModelFormatError naming the file and the key, and telling to re-download. */
function expectMalformed(json: unknown, key: string, mentions: (string | RegExp)[] = []): ModelFormatError {
  const e = thrown(() => parseHfConfig(json, SOURCE));
  expect(e).toBeInstanceOf(ModelFormatError);
  const err = e as ModelFormatError;
  expect(err.name).toBe('ModelFormatError');
  expect(err.message.startsWith(`${SOURCE}: "${key}" must be `)).toBe(true);
  expect(err.message).toContain('download it again');
  for (const m of mentions) expect(err.message).toMatch(m);
  expect(err.data).toMatchObject({ file: SOURCE, key });
  return err;
}

describe('parseHfConfig: supported checkpoints', () => {
  it('Llama-2-7b: MHA, no rope scaling, untied', () => {
    expect(parseHfConfig(LLAMA_2_7B)).toEqual<DecoderConfig>({
      architecture: 'llama',
      vocabSize: 32000,
      hiddenSize: 4096,
      numLayers: 32,
      numHeads: 32,
      numKvHeads: 32,
      headDim: 128,
      intermediateSize: 11008,
      rmsNormEps: 1e-5,
      ropeTheta: 10000,
      ropeScaling: null,
      maxPositions: 4096,
      tieWordEmbeddings: false,
      attentionBias: false,
      bosTokenId: 1,
      eosTokenIds: [2],
    });
  });

  it('Llama-3.2-1B (transformers 4.x keys): GQA, llama3 rope scaling, tied', () => {
    expect(parseHfConfig(LLAMA_32_1B_V4)).toEqual<DecoderConfig>({
      architecture: 'llama',
      vocabSize: 128256,
      hiddenSize: 2048,
      numLayers: 16,
      numHeads: 32,
      numKvHeads: 8,
      headDim: 64,
      intermediateSize: 8192,
      rmsNormEps: 1e-5,
      ropeTheta: 500000,
      ropeScaling: { type: 'llama3', factor: 32, lowFreqFactor: 1, highFreqFactor: 4, originalMaxPositions: 8192 },
      maxPositions: 131072,
      tieWordEmbeddings: true,
      attentionBias: false,
      bosTokenId: 128000,
      eosTokenIds: [128001],
    });
  });

  it('Llama-3.2-1B in transformers 5.x keys (rope_parameters, dtype, layer_types) reads the same', () => {
    expect(LLAMA_32_1B_V5).not.toHaveProperty('rope_theta');
    expect(parseHfConfig(LLAMA_32_1B_V5)).toEqual(parseHfConfig(LLAMA_32_1B_V4));
  });

  it('Llama 3.1-era rope_scaling with "type" instead of "rope_type" reads the same', () => {
    const { rope_type: _r, ...rest } = LLAMA_32_1B_V4.rope_scaling;
    const old = { ...LLAMA_32_1B_V4, rope_scaling: { ...rest, type: 'llama3' } };
    expect(parseHfConfig(old)).toEqual(parseHfConfig(LLAMA_32_1B_V4));
  });

  it('rope_type "default" in either generation means no scaling', () => {
    expect(parseHfConfig({ ...LLAMA_2_7B, rope_scaling: { rope_type: 'default' } }).ropeScaling).toBeNull();
    const v5 = parseHfConfig({ ...TINYLLAMA_11B, rope_scaling: undefined, rope_theta: undefined, rope_parameters: { rope_theta: 10000.0, rope_type: 'default' } });
    expect(v5).toEqual(parseHfConfig(TINYLLAMA_11B));
  });

  it('Llama-3.2-1B-Instruct: eos_token_id as a list', () => {
    expect(parseHfConfig({ ...LLAMA_32_1B_V4, eos_token_id: [128001, 128008, 128009] }).eosTokenIds).toEqual([128001, 128008, 128009]);
  });

  it('TinyLlama-1.1B: 32 heads over 4 kv heads', () => {
    const c = parseHfConfig(TINYLLAMA_11B);
    expect(c).toMatchObject({ architecture: 'llama', numLayers: 22, numHeads: 32, numKvHeads: 4, headDim: 64, intermediateSize: 5632, maxPositions: 2048, tieWordEmbeddings: false });
    expect(linearShape(c, 'k')).toEqual([256, 2048]);
  });

  it('SmolLM-135M: 9 heads of 64, 3 kv heads, tied, token id 0', () => {
    const c = parseHfConfig(SMOLLM_135M);
    expect(c).toMatchObject({ vocabSize: 49152, hiddenSize: 576, numLayers: 30, numHeads: 9, numKvHeads: 3, headDim: 64, intermediateSize: 1536, tieWordEmbeddings: true, bosTokenId: 0, eosTokenIds: [0] });
    expect(expectedWeights(c).some((w) => w.name === 'lm_head.weight')).toBe(false);
  });

  it('Qwen2.5-0.5B: q/k/v biases (o_proj none), tied, eps 1e-6, theta 1e6', () => {
    const c = parseHfConfig(QWEN25_05B);
    expect(c).toEqual<DecoderConfig>({
      architecture: 'qwen2',
      vocabSize: 151936,
      hiddenSize: 896,
      numLayers: 24,
      numHeads: 14,
      numKvHeads: 2,
      headDim: 64,
      intermediateSize: 4864,
      rmsNormEps: 1e-6,
      ropeTheta: 1e6,
      ropeScaling: null,
      maxPositions: 32768,
      tieWordEmbeddings: true,
      attentionBias: true,
      bosTokenId: 151643,
      eosTokenIds: [151643],
    });
    const names = new Map(expectedWeights(c).map((w) => [w.name, w.shape]));
    expect(names.get('model.layers.0.self_attn.q_proj.bias')).toEqual([896]);
    expect(names.get('model.layers.0.self_attn.k_proj.bias')).toEqual([128]);
    expect(names.has('model.layers.0.self_attn.o_proj.bias')).toBe(false);
  });

  it('Qwen3-0.6B: head_dim 128 (not 1024 / 16), per-head q/k norm, no biases, tied', () => {
    const c = parseHfConfig(QWEN3_06B);
    expect(c).toEqual<DecoderConfig>({
      architecture: 'qwen3',
      vocabSize: 151936,
      hiddenSize: 1024,
      numLayers: 28,
      numHeads: 16,
      numKvHeads: 8,
      headDim: 128,
      intermediateSize: 3072,
      rmsNormEps: 1e-6,
      ropeTheta: 1e6,
      ropeScaling: null,
      maxPositions: 40960,
      tieWordEmbeddings: true,
      attentionBias: false,
      bosTokenId: 151643,
      eosTokenIds: [151645],
    });
    expect(hasQkNorm(c)).toBe(true);
    expect(hasQkNorm(parseHfConfig(QWEN25_05B))).toBe(false);
    const names = new Map(expectedWeights(c).map((w) => [w.name, w.shape]));
    expect(names.get('model.layers.27.self_attn.q_norm.weight')).toEqual([128]);
    expect(names.get('model.layers.0.self_attn.k_norm.weight')).toEqual([128]);
    expect(names.get('model.layers.0.self_attn.q_proj.weight')).toEqual([2048, 1024]);
    expect(names.get('model.layers.0.self_attn.o_proj.weight')).toEqual([1024, 2048]);
    expect([...names.keys()].some((n) => n.endsWith('.bias') || n === 'lm_head.weight')).toBe(false);
    // Qwen3-0.6B has 596,049,920 parameters (0.6B with the tied embedding counted once).
    expect(parameterCount(c)).toBe(596049920);
  });

  it('Qwen3 untied (Qwen3-4B/8B style) lists lm_head; transformers 5.x keys read the same', () => {
    expect(expectedWeights(parseHfConfig({ ...QWEN3_06B, tie_word_embeddings: false })).at(-1)?.name).toBe('lm_head.weight');
    const { rope_theta: _t, rope_scaling: _s, torch_dtype: _d, ...common } = QWEN3_06B;
    const v5 = { ...common, dtype: 'bfloat16', layer_types: Array.from({ length: 28 }, () => 'full_attention'), rope_parameters: { rope_theta: 1000000, rope_type: 'default' } };
    expect(parseHfConfig(v5)).toEqual(parseHfConfig(QWEN3_06B));
  });

  it('Llama-3.1-8B: llama3 scaling with an untied lm_head', () => {
    const c = parseHfConfig(LLAMA_31_8B);
    expect(c).toMatchObject({ architecture: 'llama', hiddenSize: 4096, numKvHeads: 8, headDim: 128, tieWordEmbeddings: false, ropeTheta: 500000 });
    expect(c.ropeScaling).toEqual({ type: 'llama3', factor: 8, lowFreqFactor: 1, highFreqFactor: 4, originalMaxPositions: 8192 });
    expect(expectedWeights(c).at(-1)).toEqual({ name: 'lm_head.weight', shape: [128256, 4096], role: 'linear' });
    expect(hasQkNorm(c)).toBe(false);
  });

  it('SmolLM2-135M: nanotron keys (rope_interleaved false, is_llama_config) are accepted, theta 1e5', () => {
    const c = parseHfConfig(SMOLLM2_135M);
    expect(c).toMatchObject({ architecture: 'llama', hiddenSize: 576, numHeads: 9, numKvHeads: 3, headDim: 64, ropeTheta: 100000, maxPositions: 8192, tieWordEmbeddings: true });
    expect(parameterCount(c)).toBe(134515008);
  });

  it('EuroLLM-1.7B: untied, GQA 16/8, vocabulary 128000', () => {
    const c = parseHfConfig(EUROLLM_17B);
    expect(c).toMatchObject({ architecture: 'llama', vocabSize: 128000, hiddenSize: 2048, numLayers: 24, numHeads: 16, numKvHeads: 8, headDim: 128, intermediateSize: 5632, tieWordEmbeddings: false, bosTokenId: 1, eosTokenIds: [2] });
    expect(linearShape(c, 'k')).toEqual([1024, 2048]);
  });

  it('explicit head_dim that differs from hidden_size / heads (Qwen3 shapes, Llama config)', () => {
    const { architectures: _a, model_type: _m, ...shapes } = QWEN3_06B;
    const c = parseHfConfig({ ...shapes, model_type: 'llama', architectures: ['LlamaForCausalLM'] });
    expect(c).toMatchObject({ hiddenSize: 1024, numHeads: 16, numKvHeads: 8, headDim: 128 });
    expect(linearShape(c, 'q')).toEqual([2048, 1024]);
    expect(linearShape(c, 'k')).toEqual([1024, 1024]);
    expect(linearShape(c, 'o')).toEqual([1024, 2048]);
  });

  it('fills transformers defaults for absent optional keys (null counts as absent)', () => {
    const minimal = { model_type: 'llama', vocab_size: 100, hidden_size: 64, intermediate_size: 128, num_hidden_layers: 2, num_attention_heads: 4, bos_token_id: null };
    expect(parseHfConfig(minimal)).toEqual<DecoderConfig>({
      architecture: 'llama',
      vocabSize: 100,
      hiddenSize: 64,
      numLayers: 2,
      numHeads: 4,
      numKvHeads: 4,
      headDim: 16,
      intermediateSize: 128,
      rmsNormEps: 1e-6,
      ropeTheta: 10000,
      ropeScaling: null,
      maxPositions: 2048,
      tieWordEmbeddings: false,
      attentionBias: false,
      bosTokenId: null,
      eosTokenIds: [],
    });
    expect(parseHfConfig({ ...minimal, model_type: 'qwen2' }).maxPositions).toBe(32768);
  });
});

describe('parseHfConfig: unsupported models raise UnsupportedModelError', () => {
  it('Qwen3 MoE and Qwen2-MoE (other model_type)', () => {
    expectUnsupported({ ...QWEN3_06B, model_type: 'qwen3_moe', architectures: ['Qwen3MoeForCausalLM'] }, 'model_type', ['model_type "qwen3_moe" is not supported', '"model_type": "llama", "qwen2" or "qwen3"']);
    expectUnsupported({ ...QWEN25_05B, model_type: 'qwen2_moe' }, 'model_type', ['"qwen2_moe"']);
  });

  it('other families: gemma, mistral, phi3', () => {
    expectUnsupported({ ...LLAMA_2_7B, model_type: 'gemma', architectures: ['GemmaForCausalLM'] }, 'model_type', ['"gemma"']);
    expectUnsupported({ ...LLAMA_2_7B, model_type: 'mistral', architectures: ['MistralForCausalLM'], sliding_window: 4096 }, 'model_type', ['"mistral"']);
    expectUnsupported({ ...LLAMA_2_7B, model_type: 'phi3' }, 'model_type', ['"phi3"']);
  });

  it('missing model_type', () => {
    const { model_type: _m, ...rest } = LLAMA_2_7B;
    expectUnsupported(rest, 'model_type', ['"model_type" is missing']);
  });

  it('architectures that are not the causal LM class', () => {
    expectUnsupported({ ...LLAMA_2_7B, architectures: ['LlamaForSequenceClassification'] }, 'architectures', ['LlamaForCausalLM']);
    expectUnsupported({ ...QWEN25_05B, architectures: ['LlamaForCausalLM'] }, 'architectures', ['Qwen2ForCausalLM']);
    expectUnsupported({ ...QWEN3_06B, architectures: ['Qwen2ForCausalLM'] }, 'architectures', ['Qwen3ForCausalLM']);
  });

  for (const type of ['yarn', 'linear', 'dynamic', 'longrope']) {
    it(`rope scaling "${type}" (4.x rope_scaling and 5.x rope_parameters)`, () => {
      expectUnsupported({ ...LLAMA_2_7B, rope_scaling: { type, factor: 4.0 } }, 'rope_scaling.rope_type', [`"${type}"`, 'llama3']);
      expectUnsupported({ ...LLAMA_2_7B, rope_scaling: { rope_type: type, factor: 4.0 } }, 'rope_scaling.rope_type', [`"${type}"`]);
      expectUnsupported({ ...LLAMA_32_1B_V5, rope_parameters: { rope_theta: 1e6, rope_type: type, factor: 4.0 } }, 'rope_parameters.rope_type', [`"${type}"`]);
    });
  }

  it('features that change the weights or the forward pass', () => {
    expectUnsupported({ ...LLAMA_2_7B, hidden_act: 'gelu' }, 'hidden_act', ['"gelu"', '"silu"']);
    expectUnsupported({ ...LLAMA_32_1B_V4, attention_bias: true }, 'attention_bias', ['o_proj']);
    expectUnsupported({ ...LLAMA_32_1B_V4, mlp_bias: true }, 'mlp_bias');
    expectUnsupported({ ...QWEN25_05B, use_sliding_window: true }, 'use_sliding_window', ['sliding-window']);
    expectUnsupported({ ...QWEN3_06B, use_sliding_window: true, sliding_window: 4096 }, 'use_sliding_window', ['sliding-window']);
    expectUnsupported({ ...QWEN3_06B, attention_bias: true }, 'attention_bias', ['o_proj', 'Qwen3']);
    expectUnsupported({ ...SMOLLM2_135M, mlp_bias: true }, 'mlp_bias');
    expectUnsupported({ ...LLAMA_31_8B, rope_scaling: { ...LLAMA_31_8B.rope_scaling, rope_type: 'yarn' } }, 'rope_scaling.rope_type', ['"yarn"']);
    const layerTypes = ['full_attention', 'sliding_attention', ...Array.from({ length: 14 }, () => 'full_attention')];
    expectUnsupported({ ...LLAMA_32_1B_V5, layer_types: layerTypes }, 'layer_types', ['"sliding_attention"']);
  });

  it('missing required sizes', () => {
    for (const key of ['vocab_size', 'hidden_size', 'num_hidden_layers', 'num_attention_heads', 'intermediate_size'] as const) {
      const { [key]: _k, ...rest } = LLAMA_2_7B;
      expectUnsupported(rest, key, [`"${key}" is missing`]);
    }
    const { factor: _f, ...scaling } = LLAMA_32_1B_V4.rope_scaling;
    expectUnsupported({ ...LLAMA_32_1B_V4, rope_scaling: scaling }, 'rope_scaling.factor', ['"rope_scaling.factor" is missing']);
  });

  it('non-positive sizes', () => {
    expectUnsupported({ ...LLAMA_2_7B, hidden_size: 0 }, 'hidden_size', ['not a positive size']);
    expectUnsupported({ ...LLAMA_2_7B, num_hidden_layers: -1 }, 'num_hidden_layers', ['-1']);
    expectUnsupported({ ...LLAMA_2_7B, num_key_value_heads: 0 }, 'num_key_value_heads');
  });

  it('heads that do not divide', () => {
    expectUnsupported({ ...TINYLLAMA_11B, num_key_value_heads: 5 }, 'num_key_value_heads', ['num_attention_heads 32 is not a multiple of num_key_value_heads 5']);
    expectUnsupported({ ...LLAMA_2_7B, hidden_size: 4100 }, 'head_dim', ['hidden_size 4100 is not a multiple of num_attention_heads 32']);
    expectUnsupported({ ...LLAMA_2_7B, head_dim: 127 }, 'head_dim', ['odd']);
  });
});

describe('parseHfConfig: malformed configs raise ModelFormatError', () => {
  it('not a JSON object', () => {
    for (const bad of [null, [], 'llama', 3]) expectMalformed(bad, '(top level)', ['a JSON object']);
  });

  it('a string where a number is required', () => {
    expectMalformed({ ...LLAMA_2_7B, hidden_size: '4096' }, 'hidden_size', ['an integer', '"4096"']);
    expectMalformed({ ...LLAMA_2_7B, rms_norm_eps: '1e-5' }, 'rms_norm_eps', ['a positive number']);
    expectMalformed({ ...LLAMA_32_1B_V5, rope_parameters: { ...LLAMA_32_1B_V5.rope_parameters, rope_theta: '500000' } }, 'rope_parameters.rope_theta');
  });

  it('numbers out of range or of the wrong kind', () => {
    expectMalformed({ ...LLAMA_2_7B, head_dim: 64.5 }, 'head_dim', ['an integer']);
    expectMalformed({ ...LLAMA_2_7B, rope_theta: 0 }, 'rope_theta', ['a positive number']);
    expectMalformed({ ...LLAMA_32_1B_V4, rope_scaling: { ...LLAMA_32_1B_V4.rope_scaling, low_freq_factor: -1 } }, 'rope_scaling.low_freq_factor');
  });

  // Found by the fuzz tier (npm run test:fuzz): num_hidden_layers 16777216 passed, and listing the
  // weights it implies (expectedWeights, before they are compared with the file) never returned.
  it('sizes past SIZE_LIMITS, beyond any released model', () => {
    expectMalformed({ ...LLAMA_2_7B, num_hidden_layers: 2 ** 24 }, 'num_hidden_layers', ['at most 1024', '16777216']);
    expectMalformed({ ...LLAMA_2_7B, vocab_size: 2 ** 40 }, 'vocab_size', [`at most ${SIZE_LIMITS.vocabSize}`]);
    expectMalformed({ ...LLAMA_2_7B, intermediate_size: 1e15 }, 'intermediate_size');
    expectMalformed({ ...LLAMA_32_1B_V4, rope_scaling: { ...LLAMA_32_1B_V4.rope_scaling, original_max_position_embeddings: 2 ** 40 } }, 'rope_scaling.original_max_position_embeddings');
    // the limits themselves are accepted
    expect(parseHfConfig({ ...LLAMA_2_7B, num_hidden_layers: SIZE_LIMITS.numLayers }).numLayers).toBe(1024);
  });

  it('wrong types for booleans, token ids, objects, lists and strings', () => {
    expectMalformed({ ...SMOLLM_135M, tie_word_embeddings: 'true' }, 'tie_word_embeddings', ['true or false']);
    expectMalformed({ ...LLAMA_2_7B, eos_token_id: '2' }, 'eos_token_id', ['a token id or a list of them']);
    expectMalformed({ ...LLAMA_2_7B, eos_token_id: [2, -1] }, 'eos_token_id');
    expectMalformed({ ...LLAMA_2_7B, bos_token_id: [1, 2] }, 'bos_token_id', ['a token id']);
    expectMalformed({ ...LLAMA_2_7B, rope_scaling: 'llama3' }, 'rope_scaling', ['an object']);
    expectMalformed({ ...LLAMA_2_7B, architectures: 'LlamaForCausalLM' }, 'architectures', ['a list']);
    expectMalformed({ ...LLAMA_32_1B_V5, layer_types: 'full_attention' }, 'layer_types', ['a list']);
    expectMalformed({ ...LLAMA_2_7B, model_type: 7 }, 'model_type', ['a string']);
  });
});

describe('toHfConfig', () => {
  it('round-trips through parseHfConfig for Llama (with llama3 scaling), Qwen2 and Qwen3', async () => {
    const { tinyConfig } = await import('./random-model');
    const llama = tinyConfig({ ropeScaling: { type: 'llama3', factor: 8, lowFreqFactor: 1, highFreqFactor: 4, originalMaxPositions: 64 }, eosTokenIds: [2, 3] });
    expect(parseHfConfig(JSON.parse(JSON.stringify(toHfConfig(llama))))).toEqual(llama);
    const qwen = tinyConfig({ architecture: 'qwen2', attentionBias: true, tieWordEmbeddings: true });
    expect(parseHfConfig(JSON.parse(JSON.stringify(toHfConfig(qwen))))).toEqual(qwen);
    const qwen3 = tinyConfig({ architecture: 'qwen3', headDim: 32, tieWordEmbeddings: false });
    expect(toHfConfig(qwen3)).toMatchObject({ model_type: 'qwen3', architectures: ['Qwen3ForCausalLM'], head_dim: 32 });
    expect(parseHfConfig(JSON.parse(JSON.stringify(toHfConfig(qwen3))))).toEqual(qwen3);
  });
});
