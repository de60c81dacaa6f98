// Text <-> token ids for the decoder, on top of @huggingface/tokenizers (pure JS: runs in the
// worker, the app and Node alike). We add what generation needs and the library leaves to its
// callers: BOS/EOS ids from tokenizer_config.json, our typed errors for damaged files, exact
// decoding (no "clean up" of spaces), and a streaming decoder that never emits half a character.
//
// tokenizer_config.json may name special tokens (language tags, chat markers) that tokenizer.json
// lacks; those found in `added_tokens_decoder`, or in the model vocabulary by name, become added
// tokens, so their text encodes to one id.

import { Tokenizer as HfTokenizer } from '@huggingface/tokenizers';
import { AlignScopeError, ModelFormatError } from '../errors';
import { SIZE_LIMITS } from './config';

type Json = Record<string, unknown>;

interface AddedTokenJson {
  id: number;
  content: string;
  special?: boolean;
  single_word?: boolean;
  lstrip?: boolean;
  rstrip?: boolean;
  normalized?: boolean;
}

export interface EncodeOptions {
  /** Put the BOS token first. Default: `add_bos_token` of tokenizer_config.json, else whether tokenizer.json's post-processor template starts with BOS. Ignored when the tokenizer has no BOS token (Qwen). */
  addBos?: boolean;
}

export interface DecodeOptions {
  /** Leave out special tokens (BOS, EOS, chat markers, language tags). Default false. */
  skipSpecial?: boolean;
}

/** Model types @huggingface/tokenizers builds; any other `model.type` it would silently read as "Legacy". */
const MODEL_TYPES = ['BPE', 'WordPiece', 'Unigram', 'Legacy'];

/** Tokens that end a turn or a document in common checkpoints; generation stops on those the tokenizer has as special tokens. */
const END_TOKENS = ['<|endoftext|>', '<|end_of_text|>', '<|eot_id|>', '<|im_end|>', '<end_of_turn>', '</s>', '<eos>'];

const REDOWNLOAD = "Download tokenizer.json and tokenizer_config.json again from the model's repository (the files written by Hugging Face tokenizers).";

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function show(v: unknown): string {
  if (v === undefined) return 'nothing';
  const s = JSON.stringify(v) ?? String(v);
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

function malformed(file: string, key: string, value: unknown, expected: string): ModelFormatError {
  const where = key === '' ? 'the file' : `"${key}"`;
  return new ModelFormatError(`${file}: ${where} must be ${expected}, found ${show(value)}. ${REDOWNLOAD}`, { file, key, value: show(value) });
}

/** A token named in tokenizer_config.json: a string, or an AddedToken object `{ content, ... }`. */
function tokenText(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (isObject(v) && typeof v.content === 'string') return v.content;
  return undefined;
}

function configFileName(source: string): string {
  return source.endsWith('tokenizer.json') ? `${source.slice(0, -'tokenizer.json'.length)}tokenizer_config.json` : 'tokenizer_config.json';
}

/** The id of `token` in the model's own vocabulary (BPE / WordPiece map, Unigram list of [piece, score]). */
function modelVocabId(model: Json, token: string): number | undefined {
  const vocab = model.vocab;
  if (Array.isArray(vocab)) {
    const i = vocab.findIndex((e) => Array.isArray(e) && e[0] === token);
    return i >= 0 ? i : undefined;
  }
  if (isObject(vocab) && Object.hasOwn(vocab, token) && typeof vocab[token] === 'number') return vocab[token];
  return undefined;
}

/** An id the library can index by: an integer below SIZE_LIMITS.vocabSize (it sizes arrays by the largest id). */
const isTokenId = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0 && (v as number) < SIZE_LIMITS.vocabSize;
const ID_RANGE = `an integer id from 0 to ${SIZE_LIMITS.vocabSize - 1}`;

/**
 * Checks the vocabulary and merges before the library builds from them: it stores a token at
 * vocab[id] and reports vocab.length as the size, so an id of 1e-300, "181" or 2^53 gives a tokenizer
 * that encodes to ids no model has (or a size of 2^53 that later loops run to).
 */
function checkModel(model: Json, source: string): void {
  const { vocab, merges } = model;
  // the library reads a model without a type as Unigram when its vocab is a list
  if (model.type === 'Unigram' || (model.type === undefined && Array.isArray(vocab))) {
    if (!Array.isArray(vocab) || vocab.length > SIZE_LIMITS.vocabSize) throw malformed(source, 'model.vocab', vocab, `a list of [piece, score] pairs (at most ${SIZE_LIMITS.vocabSize})`);
    const bad = vocab.findIndex((e) => !Array.isArray(e) || typeof e[0] !== 'string' || typeof e[1] !== 'number');
    if (bad >= 0) throw malformed(source, `model.vocab[${bad}]`, vocab[bad], 'a [piece, score] pair');
    return;
  }
  if (!isObject(vocab)) throw malformed(source, 'model.vocab', vocab, 'an object from token to id');
  for (const [token, id] of Object.entries(vocab)) if (!isTokenId(id)) throw malformed(source, `model.vocab.${token}`, id, ID_RANGE);
  if (merges === undefined) return;
  if (!Array.isArray(merges)) throw malformed(source, 'model.merges', merges, 'a list of merges');
  const bad = merges.findIndex((m) => !(typeof m === 'string' ? m.includes(' ') : Array.isArray(m) && m.length === 2 && m.every((p) => typeof p === 'string')));
  if (bad >= 0) throw malformed(source, `model.merges[${bad}]`, merges[bad], 'a merge "left right" or ["left", "right"]');
}

/** tokenizer.json's added tokens plus the special tokens only tokenizer_config.json names. */
function mergeAddedTokens(json: Json, model: Json, config: Json, source: string): AddedTokenJson[] {
  const own = json.added_tokens ?? [];
  if (!Array.isArray(own)) throw malformed(source, 'added_tokens', own, 'a list of tokens');
  own.forEach((t, i) => {
    if (!isObject(t) || typeof t.content !== 'string' || !isTokenId(t.id)) {
      throw malformed(source, `added_tokens[${i}]`, t, `an object with "content" and "id" (${ID_RANGE})`);
    }
  });
  const added = [...(own as AddedTokenJson[])];
  const byContent = new Set(added.map((t) => t.content));
  const add = (t: AddedTokenJson) => {
    if (byContent.has(t.content)) return;
    byContent.add(t.content);
    added.push(t);
  };

  const decoder = config.added_tokens_decoder;
  if (isObject(decoder)) {
    for (const [key, t] of Object.entries(decoder)) {
      const id = Number(key);
      if (!isTokenId(id) || !isObject(t) || typeof t.content !== 'string') {
        throw malformed(configFileName(source), `added_tokens_decoder.${key}`, t, `an object with "content", under ${ID_RANGE}`);
      }
      add({ ...(t as Omit<AddedTokenJson, 'id'>), id, content: t.content, special: t.special !== false });
    }
  }

  const extra = Array.isArray(config.additional_special_tokens) ? config.additional_special_tokens : [];
  const named = [config.bos_token, config.eos_token, config.unk_token, config.pad_token, ...extra];
  for (const v of named) {
    const content = tokenText(v);
    if (content === undefined || byContent.has(content)) continue;
    const id = modelVocabId(model, content);
    if (id !== undefined) add({ id, content, special: true, normalized: false });
  }
  return added;
}

/** The first special token of a TemplateProcessing single-sequence template (alone or inside a Sequence), if the template starts with one. */
function templateBos(processor: unknown): string | undefined {
  if (!isObject(processor)) return undefined;
  if (processor.type === 'Sequence' && Array.isArray(processor.processors)) {
    for (const p of processor.processors) {
      const t = templateBos(p);
      if (t !== undefined) return t;
    }
    return undefined;
  }
  if (processor.type !== 'TemplateProcessing' || !Array.isArray(processor.single)) return undefined;
  const first: unknown = processor.single[0];
  if (!isObject(first) || !isObject(first.SpecialToken)) return undefined;
  return typeof first.SpecialToken.id === 'string' ? first.SpecialToken.id : undefined;
}

export class Tokenizer {
  /** One past the largest token id (model vocabulary plus added tokens). */
  readonly vocabSize: number;
  /** The BOS token, or undefined when the tokenizer has none (Qwen). */
  readonly bosId: number | undefined;
  /** Ids that end generation: tokenizer_config's eos_token first, then other end-of-turn special tokens the tokenizer has. */
  readonly eosIds: number[];
  /** Every special token string (BOS, EOS, chat markers, language tags); each encodes to one id. */
  readonly specialTokens: string[];
  /** Whether `encode` adds BOS when not told. */
  readonly addBosByDefault: boolean;

  private constructor(
    private readonly hf: HfTokenizer,
    specialTokens: string[],
    bosToken: string | undefined,
    eosToken: string | undefined,
    addBos: boolean | undefined,
  ) {
    this.vocabSize = hf.model?.vocab.length ?? 0;
    this.specialTokens = specialTokens;
    this.bosId = bosToken === undefined ? undefined : hf.token_to_id(bosToken);
    const special = new Set(specialTokens);
    const eos = [eosToken, ...END_TOKENS.filter((t) => special.has(t))];
    this.eosIds = [...new Set(eos.flatMap((t) => (t === undefined ? [] : (hf.token_to_id(t) ?? []))))];
    this.addBosByDefault = this.bosId !== undefined && (addBos ?? false);
  }

  /**
   * Builds a tokenizer from the parsed tokenizer.json and, optionally, tokenizer_config.json.
   * `source` names tokenizer.json in error messages (tokenizer_config.json is taken to sit beside it).
   * Throws ModelFormatError when either file is malformed or its model type is unknown.
   */
  static fromJson(tokenizerJson: unknown, tokenizerConfig?: unknown, source = 'tokenizer.json'): Tokenizer {
    if (!isObject(tokenizerJson)) throw malformed(source, '', tokenizerJson, 'a JSON object');
    const model = tokenizerJson.model;
    if (!isObject(model)) throw malformed(source, 'model', model, 'an object (the vocabulary and merges)');
    if (model.type !== undefined && !MODEL_TYPES.includes(model.type as string)) {
      throw malformed(source, 'model.type', model.type, `one of ${MODEL_TYPES.join(', ')}`);
    }
    const config = tokenizerConfig ?? {};
    if (!isObject(config)) throw malformed(configFileName(source), '', config, 'a JSON object');
    checkModel(model, source);

    const addedTokens = mergeAddedTokens(tokenizerJson, model, config, source);
    // The library wants every section present (null when a tokenizer has none); we never let it clean
    // up spaces, so decode(encode(text)) gives back the text.
    const json = { normalizer: null, pre_tokenizer: null, post_processor: null, decoder: null, ...tokenizerJson, added_tokens: addedTokens };
    const libConfig = { ...config, clean_up_tokenization_spaces: false };
    let hf: HfTokenizer;
    try {
      hf = new HfTokenizer(json, libConfig);
    } catch (e) {
      const why = e instanceof Error ? e.message : String(e);
      throw new ModelFormatError(`${source}: the tokenizer could not be built (${why}). ${REDOWNLOAD}`, { file: source, cause: why });
    }

    const special = addedTokens.filter((t) => t.special).map((t) => t.content);
    const bosToken = tokenText(config.bos_token) ?? templateBos(tokenizerJson.post_processor);
    const addBos = typeof config.add_bos_token === 'boolean' ? config.add_bos_token : bosToken !== undefined && templateBos(tokenizerJson.post_processor) === bosToken;
    return new Tokenizer(hf, special, bosToken, tokenText(config.eos_token), addBos);
  }

  /** Token ids of `text`; special token strings in it (e.g. "<|im_start|>") become their single ids. */
  encode(text: string, opts: EncodeOptions = {}): number[] {
    const { ids, tokens } = this.hf.encode(text, { add_special_tokens: false });
    const missing = ids.findIndex((id) => id === undefined);
    if (missing >= 0) {
      throw new AlignScopeError(`The tokenizer has no id for "${tokens[missing]}" and no unknown token to stand in for it.`, { token: tokens[missing] });
    }
    const bos = (opts.addBos ?? this.addBosByDefault) && this.bosId !== undefined;
    return bos ? [this.bosId as number, ...ids] : ids;
  }

  /** The text of `ids`, exactly (no space clean-up). Throws RangeError for an id the tokenizer does not have. */
  decode(ids: readonly number[], opts: DecodeOptions = {}): string {
    if (ids.length === 0) return '';
    for (const id of ids) {
      if (this.idToToken(id) === undefined) {
        throw new RangeError(`Token id ${id} is not in the tokenizer's vocabulary (${this.vocabSize} ids); the model and tokenizer may not belong together.`);
      }
    }
    return this.hf.decode([...ids], { skip_special_tokens: opts.skipSpecial ?? false, clean_up_tokenization_spaces: false });
  }

  tokenToId(token: string): number | undefined {
    return this.hf.token_to_id(token);
  }

  idToToken(id: number): string | undefined {
    return Number.isSafeInteger(id) && id >= 0 ? this.hf.id_to_token(id) : undefined;
  }
}

export interface StreamDecoder {
  /** Adds one generated id and returns the text it completes: '' while a multi-byte character is still split across tokens. */
  push(id: number): string;
  /** Returns whatever is still held back (an incomplete character decodes to U+FFFD) and starts over. Call when generation ends. */
  flush(): string;
}

/**
 * Incremental decoding for generation. Each push decodes a short window (the previous emitted
 * token(s) plus the new ones) and emits the part past what the window's prefix already gave: the
 * context keeps decoders that treat the first token specially (Metaspace) right, and text that
 * ends in U+FFFD is held until the bytes of its last character have all arrived.
 */
export function createStreamDecoder(tokenizer: Tokenizer, opts: DecodeOptions = {}): StreamDecoder {
  let ids: number[] = [];
  let prefix = 0; // start of the window
  let read = 0; // ids before this are emitted
  return {
    push(id) {
      ids.push(id);
      const before = tokenizer.decode(ids.slice(prefix, read), opts);
      const now = tokenizer.decode(ids.slice(prefix), opts);
      if (now.length <= before.length || now.endsWith('\uFFFD')) return '';
      prefix = read;
      read = ids.length;
      if (prefix > 0) {
        // Only the window is ever decoded again; drop what lies before it.
        ids = ids.slice(prefix);
        read -= prefix;
        prefix = 0;
      }
      return now.slice(before.length);
    },
    flush() {
      const before = tokenizer.decode(ids.slice(prefix, read), opts);
      const now = tokenizer.decode(ids.slice(prefix), opts);
      ids = [];
      prefix = read = 0;
      return now.slice(before.length);
    },
  };
}
