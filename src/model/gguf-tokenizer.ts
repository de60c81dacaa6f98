// The tokenizer a GGUF file carries in its metadata, rebuilt as the tokenizer.json (+ the
// tokenizer_config.json fields) that Tokenizer.fromJson loads.
//
// Read: tokenizer.ggml.model "gpt2" (byte-level BPE): tokens (index = id), merges ("left right"),
// token_type (1 normal, 3 control = special added token, 4 user defined = added token), pre (the
// pre-tokenizer's name, as llama.cpp's converter writes it), bos/eos ids, add_bos_token.
// The pre-tokenizer is not in the file, only its name: we know "gpt-2", "llama-bpe" (Llama 3),
// "qwen2" and our own "alignscope" and refuse the rest rather than split text differently from
// the model's training. SentencePiece ("llama") and the other models are refused too.

import { ModelFormatError, UnsupportedModelError } from '../errors';
import { preTokenizerConfig } from './bpe-trainer';

type Metadata = Record<string, unknown>;

const BYTE_LEVEL = { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: false };

/** Llama 3's and Qwen2's split patterns, as their tokenizer.json files write them (Oniguruma syntax). */
const LLAMA3_PATTERN = "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
const QWEN2_PATTERN = "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";

const split = (pattern: string) => ({
  type: 'Sequence',
  pretokenizers: [{ type: 'Split', pattern: { Regex: pattern }, behavior: 'Isolated', invert: false }, BYTE_LEVEL],
});

/** tokenizer.ggml.pre -> tokenizer.json's normalizer, pre_tokenizer and BPE ignore_merges (Llama 3 takes a whole word found in the vocabulary as one token, as llama.cpp does for it). */
const PRE_TOKENIZERS: Record<string, () => { normalizer: unknown; pre_tokenizer: unknown; ignoreMerges: boolean }> = {
  'gpt-2': () => ({ normalizer: null, pre_tokenizer: { ...BYTE_LEVEL, use_regex: true }, ignoreMerges: false }),
  'llama-bpe': () => ({ normalizer: null, pre_tokenizer: split(LLAMA3_PATTERN), ignoreMerges: true }),
  qwen2: () => ({ normalizer: { type: 'NFC' }, pre_tokenizer: split(QWEN2_PATTERN), ignoreMerges: false }),
  alignscope: () => ({ normalizer: null, pre_tokenizer: preTokenizerConfig(), ignoreMerges: false }),
};

export const GGUF_PRE_TOKENIZERS = Object.keys(PRE_TOKENIZERS);

const TOKEN_TYPE = { control: 3, userDefined: 4 };

export interface GgufTokenizerFiles {
  json: Record<string, unknown>;
  config: Record<string, unknown>;
}

export function ggufTokenizerFiles(meta: Metadata, file: string): GgufTokenizerFiles {
  const unsupported = (key: string, value: unknown, problem: string) =>
    new UnsupportedModelError(`${file}: ${problem}. Load the model's Hugging Face folder (config.json, tokenizer.json, model.safetensors) instead.`, { file, key, value });
  const malformed = (key: string, expected: string) =>
    new ModelFormatError(`${file}: metadata "${key}" must be ${expected}. The file is damaged: download it again.`, { file, key });

  const model = meta['tokenizer.ggml.model'];
  if (model === undefined) throw unsupported('tokenizer.ggml.model', model, 'the file carries no tokenizer ("tokenizer.ggml.model" is missing)');
  if (model !== 'gpt2') {
    const what = model === 'llama' ? 'SentencePiece tokenizers ("llama") are not implemented for GGUF files' : `tokenizer.ggml.model "${String(model)}" is not supported (only "gpt2", byte-level BPE)`;
    throw unsupported('tokenizer.ggml.model', model, what);
  }
  const pre = meta['tokenizer.ggml.pre'] ?? 'default';
  const preTokenizer = typeof pre === 'string' && Object.hasOwn(PRE_TOKENIZERS, pre) ? PRE_TOKENIZERS[pre] : undefined;
  if (!preTokenizer) throw unsupported('tokenizer.ggml.pre', pre, `pre-tokenizer "${String(pre)}" is not known here (known: ${GGUF_PRE_TOKENIZERS.join(', ')})`);

  const tokens = meta['tokenizer.ggml.tokens'];
  if (!Array.isArray(tokens) || tokens.length === 0 || !tokens.every((t) => typeof t === 'string')) throw malformed('tokenizer.ggml.tokens', 'a non-empty list of strings');
  const merges = meta['tokenizer.ggml.merges'] ?? [];
  if (!Array.isArray(merges) || !merges.every((m) => typeof m === 'string' && m.includes(' '))) throw malformed('tokenizer.ggml.merges', 'a list of "left right" strings');
  const types = meta['tokenizer.ggml.token_type'] ?? [];
  if (!Array.isArray(types) || (types.length !== 0 && types.length !== tokens.length) || !types.every((t) => Number.isInteger(t))) {
    throw malformed('tokenizer.ggml.token_type', `a list of ${tokens.length} integers, one per token`);
  }
  const tokenId = (key: string): number | undefined => {
    const v = meta[key];
    if (v === undefined) return undefined;
    if (!Number.isInteger(v) || (v as number) < 0 || (v as number) >= tokens.length) throw malformed(key, `a token id below ${tokens.length}`);
    return v as number;
  };
  const bos = tokenId('tokenizer.ggml.bos_token_id');
  const eos = tokenId('tokenizer.ggml.eos_token_id');
  const addBos = meta['tokenizer.ggml.add_bos_token'];

  const vocab: Record<string, number> = {};
  tokens.forEach((t: string, id) => {
    if (!Object.hasOwn(vocab, t)) vocab[t] = id;
  });
  const added_tokens = types.flatMap((type, id) =>
    type === TOKEN_TYPE.control || type === TOKEN_TYPE.userDefined
      ? [{ id, content: tokens[id], single_word: false, lstrip: false, rstrip: false, normalized: false, special: type === TOKEN_TYPE.control }]
      : [],
  );
  const { normalizer, pre_tokenizer, ignoreMerges } = preTokenizer();
  return {
    json: {
      version: '1.0',
      truncation: null,
      padding: null,
      added_tokens,
      normalizer,
      pre_tokenizer,
      post_processor: null,
      decoder: { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true },
      model: { type: 'BPE', dropout: null, unk_token: null, continuing_subword_prefix: null, end_of_word_suffix: null, fuse_unk: false, byte_fallback: false, ignore_merges: ignoreMerges, vocab, merges },
    },
    config: {
      ...(bos === undefined ? {} : { bos_token: tokens[bos] }),
      ...(eos === undefined ? {} : { eos_token: tokens[eos] }),
      add_bos_token: typeof addBos === 'boolean' ? addBos : false,
    },
  };
}
