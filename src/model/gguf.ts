// GGUF files (llama.cpp's format) as a model source: config, tokenizer and weights from one file.
//
// The header and metadata are parsed by @huggingface/gguf (the Hub's own reader, with bounds on
// counts, string and array lengths), imported on demand so bundles without a GGUF load skip it.
// It reads through a fetch; we hand it one that serves byte ranges of the model file (ModelFiles
// readRange: Blob.slice, HTTP Range, a read at an offset). Past the end it reads zeros, so we check
// afterwards that the header and every tensor lie inside the file: a truncated file is a
// ModelFormatError, never a garbage model. Tensors are read by range when stored (decision 42).
//
// Mapping: general.architecture llama | qwen2 | qwen3 and its `<arch>.*` keys -> DecoderConfig;
// tensors (dims innermost first, so [K, N] in the file is W [N, K]) -> Hugging Face names:
//   token_embd -> model.embed_tokens, output_norm -> model.norm, output -> lm_head (absent: tied),
//   blk.i.attn_norm / ffn_norm -> model.layers.i.input_layernorm / post_attention_layernorm,
//   blk.i.attn_{q,k,v,output} -> self_attn.{q,k,v,o}_proj, blk.i.ffn_{gate,up,down} -> mlp.*_proj,
//   blk.i.attn_{q,k}_norm -> self_attn.{q,k}_norm (Qwen3).
// llama.cpp's converter permutes the rows of Llama's q and k weights so each head's rotary pairs
// are adjacent (row h*D + 2i + s holds HF row h*D + s*D/2 + i, s in {0, 1}); we undo it on the
// rows' bytes before decoding, so it works for every dtype. Qwen2/Qwen3 files are not permuted.
// Tensors decode to f32 when stored; Q8_0 and Q4_0 linears can also be stored as our q8 / q4
// weights with the file's codes (decision 16).

import { ModelFormatError, UnsupportedModelError } from '../errors';
import { SIZE_LIMITS, type Architecture, type DecoderConfig } from './config';
import { DECODABLE, GGML, GGML_TYPES, ggmlRowBytes, ggmlTypeName, dequantizeGgml, q4FromGgml, q8FromGgml } from './gguf-quant';
import { ggufTokenizerFiles } from './gguf-tokenizer';
import { checkAgainstConfig } from './safetensors';
import type { ModelFiles } from './source';
import { Tokenizer } from './tokenizer';
import { rowRange, rowSize, type WeightSource } from './weight-source';
import { layerPrefix, linearWeightName, qkNormName, type LinearName } from './weights';

export interface GgufModel {
  config: DecoderConfig;
  tokenizer: Tokenizer;
  /** Tensors read from the file when stored; Q8_0 / Q4_0 linears also as our q8 / q4 weights (`stored`). */
  weights: WeightSource;
  /** Every key of the file's metadata except the tokenizer's long lists. */
  metadata: Record<string, unknown>;
}

type Metadata = Record<string, unknown>;

interface Entry {
  gguf: string;
  type: number;
  /** Hugging Face order: [rows, ...]. */
  shape: number[];
  begin: number;
  end: number;
  linear: boolean;
  rotary?: 'q' | 'k';
}

const ARCHITECTURES: readonly Architecture[] = ['llama', 'qwen2', 'qwen3'];
const REDOWNLOAD = 'The file is truncated or damaged: download it again and compare its size with the repository.';
const USE_HF = "Load the model's Hugging Face folder (config.json, tokenizer.json, model.safetensors) instead.";

const LAYER_TENSORS: Record<string, (i: number) => string> = {
  attn_norm: (i) => `${layerPrefix(i)}.input_layernorm.weight`,
  ffn_norm: (i) => `${layerPrefix(i)}.post_attention_layernorm.weight`,
  attn_q_norm: (i) => qkNormName(i, 'q'),
  attn_k_norm: (i) => qkNormName(i, 'k'),
};
const LAYER_LINEARS: Record<string, LinearName> = { attn_q: 'q', attn_k: 'k', attn_v: 'v', attn_output: 'o', ffn_gate: 'gate', ffn_up: 'up', ffn_down: 'down' };

/** The Hugging Face name of a GGUF tensor, whether it is a linear weight, and which (q or k) llama.cpp permutes; null for tensors we do not read. */
export function hfTensorName(name: string): { name: string; linear: boolean; rotary?: 'q' | 'k' } | null {
  const top: Record<string, string> = { 'token_embd.weight': 'model.embed_tokens.weight', 'output_norm.weight': 'model.norm.weight', 'output.weight': 'lm_head.weight' };
  if (Object.hasOwn(top, name)) return { name: top[name], linear: name === 'output.weight' };
  const m = /^blk\.(\d+)\.(\w+)\.(weight|bias)$/.exec(name);
  if (!m) return null;
  const [, layer, part, kind] = m;
  const i = Number(layer);
  if (Object.hasOwn(LAYER_LINEARS, part)) {
    const which = LAYER_LINEARS[part];
    const weight = linearWeightName(i, which);
    const rotary = which === 'q' || which === 'k' ? which : undefined;
    return kind === 'weight' ? { name: weight, linear: true, rotary } : { name: weight.replace(/\.weight$/, '.bias'), linear: false, rotary };
  }
  if (kind === 'weight' && Object.hasOwn(LAYER_TENSORS, part)) return { name: LAYER_TENSORS[part](i), linear: false };
  return null;
}

/** A fetch that answers the Range requests of @huggingface/gguf's reader from `name` of `files`. */
function rangeFetch(files: ModelFiles, name: string, size: number): typeof fetch {
  return (async (_input: unknown, init?: RequestInit) => {
    const m = /bytes=(\d+)-(\d+)/.exec(new Headers(init?.headers).get('range') ?? '');
    const start = Math.min(m ? Number(m[1]) : 0, size);
    const end = Math.min(m ? Number(m[2]) + 1 : size, size);
    const bytes = await files.readRange(name, start, end);
    return new Response(bytes.slice(), { status: 206, headers: { 'content-range': `bytes ${start}-${Math.max(start, end - 1)}/${size}` } });
  }) as typeof fetch;
}

/** Reads GGUF file `name` of `files` (`file` names it in messages): header now, tensors when stored. */
export async function readGguf(files: ModelFiles, name: string, file: string): Promise<GgufModel> {
  const corrupt = (problem: string, data: Record<string, unknown> = {}) => new ModelFormatError(`${file}: ${problem}. ${REDOWNLOAD}`, { file, ...data });
  const size = await files.size(name);
  const magic = await files.readRange(name, 0, Math.min(4, size));
  if (size < 24 || String.fromCharCode(...magic) !== 'GGUF') throw corrupt(`not a GGUF file (${size} bytes, it does not start with "GGUF" and its header)`);
  const { gguf } = await import('@huggingface/gguf');
  let parsed: Awaited<ReturnType<typeof gguf>>;
  try {
    parsed = await gguf(`https://gguf.invalid/${encodeURIComponent(file)}`, { fetch: rangeFetch(files, name, size) });
  } catch (e) {
    throw corrupt(`its header cannot be read (${e instanceof Error ? e.message : String(e)})`);
  }
  const headerEnd = parsed.tensorInfoByteRange[1];
  const meta = parsed.metadata as unknown as Metadata;
  // The data starts at the header's end rounded up to general.alignment. Computed here: the library
  // rounds with 32-bit bit masks, which for an alignment that is not a power of two (2147483647,
  // found by the fuzz tier) put the data before the header and tensors at negative offsets.
  const alignment = Number(meta['general.alignment'] ?? 32);
  if (!(Number.isSafeInteger(alignment) && alignment > 0 && (alignment & (alignment - 1)) === 0 && alignment <= 2 ** 30)) {
    throw corrupt(`general.alignment ${String(meta['general.alignment'])} is not a power of two`, { key: 'general.alignment' });
  }
  const dataStart = Math.ceil(headerEnd / alignment) * alignment;
  if (headerEnd > size || dataStart > size) throw corrupt(`the header runs to byte ${Math.max(headerEnd, dataStart)}, past the end of the ${size}-byte file`);

  const arch = meta['general.architecture'];
  if (typeof arch !== 'string' || !(ARCHITECTURES as readonly string[]).includes(arch)) {
    throw new UnsupportedModelError(`${file}: general.architecture ${JSON.stringify(arch ?? null)} is not supported (only ${ARCHITECTURES.join(', ')}). ${USE_HF}`, { file, key: 'general.architecture', value: arch });
  }
  const tokenizerFiles = ggufTokenizerFiles(meta, file);

  // Tensor table: names, shapes (HF order), spans inside the file.
  const entries = new Map<string, Entry>();
  for (const t of parsed.tensorInfos) {
    if (t.name === 'rope_freqs.weight') throw new UnsupportedModelError(`${file}: tensor "rope_freqs.weight" (RoPE frequency factors, e.g. Llama 3.1's llama3 scaling) is not implemented for GGUF files. ${USE_HF}`, { file, tensor: t.name });
    const info = GGML_TYPES[t.dtype];
    if (!info) throw corrupt(`tensor "${t.name}" has unknown ggml type ${t.dtype}`, { tensor: t.name, dtype: t.dtype });
    const dims = t.shape.map(Number);
    if (dims.length < 1 || dims.length > 4) throw corrupt(`tensor "${t.name}" has ${dims.length} dimensions`, { tensor: t.name });
    if (dims[0] % info.blockSize !== 0) throw corrupt(`tensor "${t.name}" (${info.name}) has rows of ${dims[0]} values, not a multiple of its block size ${info.blockSize}`, { tensor: t.name });
    const rows = dims.slice(1).reduce((a, b) => a * b, 1);
    const nbytes = rows * ggmlRowBytes(t.dtype, dims[0]);
    const begin = dataStart + Number(t.offset);
    if (!Number.isSafeInteger(begin + nbytes) || begin + nbytes > size) {
      throw corrupt(`tensor "${t.name}" (${info.name} [${dims.join(', ')}]) ends at byte ${begin + nbytes}, past the end of the ${size}-byte file`, { tensor: t.name });
    }
    const hf = hfTensorName(t.name);
    if (hf) entries.set(hf.name, { gguf: t.name, type: t.dtype, shape: [...dims].reverse(), begin, end: begin + nbytes, linear: hf.linear, rotary: hf.rotary });
  }

  const config = readConfig(meta, arch as Architecture, entries, file);
  for (const [name, e] of entries) {
    if (!config.attentionBias && name.endsWith('_proj.bias')) throw new UnsupportedModelError(`${file}: tensor "${e.gguf}" is a bias that ${arch} models here do not have. ${USE_HF}`, { file, tensor: e.gguf });
  }
  checkAgainstConfig(new Map([...entries].map(([n, e]) => [n, e.shape])), config, file);

  for (const e of entries.values()) {
    if (!DECODABLE.includes(e.type)) {
      const known = DECODABLE.map(ggmlTypeName).join(', ');
      throw new UnsupportedModelError(`${file}: tensor "${e.gguf}" is ${ggmlTypeName(e.type)}, which we cannot decode (only ${known}). Use a GGUF quantized as Q8_0, Q4_0, Q4_K_M or F16.`, { file, tensor: e.gguf, dtype: ggmlTypeName(e.type) });
    }
  }
  const entry = (n: string) => {
    const e = entries.get(n);
    if (!e) throw new RangeError(`readGguf: no tensor ${n}`);
    return e;
  };
  /** Rows [r0, r1) of a tensor as the file stores them (ggml rows are HF rows), q/k un-permuted. */
  const raw = async (e: Entry, [r0, r1]: [number, number]) => {
    const rowBytes = (e.end - e.begin) / e.shape[0];
    const data = await files.readRange(name, e.begin + r0 * rowBytes, e.begin + r1 * rowBytes);
    if (config.architecture !== 'llama' || !e.rotary) return data;
    // The permutation mixes rows within a head, so these tensors are only ever read whole.
    return unpermuteRows(data, e.rotary === 'q' ? config.numHeads : config.numKvHeads, e.shape[0]);
  };
  const weights: WeightSource = {
    shapes: new Map([...entries].map(([n, e]) => [n, e.shape])),
    async read(n, rows) {
      const e = entry(n);
      const r = rowRange(n, e.shape, e.rotary ? undefined : rows);
      return dequantizeGgml(e.type, await raw(e, r), (r[1] - r[0]) * rowSize(e.shape));
    },
    async stored(n, kind) {
      const e = entry(n);
      // Linears, and the embedding (kept packed on WebGPU when the model is, decision 44).
      if (!(e.linear || n === 'model.embed_tokens.weight') || e.shape.length !== 2) return undefined;
      const [N, K] = e.shape;
      if (kind === 'q8' && e.type === GGML.Q8_0) return q8FromGgml(await raw(e, [0, N]), N, K);
      if (kind === 'q4' && e.type === GGML.Q4_0) return q4FromGgml(await raw(e, [0, N]), N, K);
      return undefined;
    },
  };

  const tokenizer = Tokenizer.fromJson(tokenizerFiles.json, tokenizerFiles.config, `${file} (tokenizer metadata)`);
  const metadata = Object.fromEntries(Object.entries(meta).filter(([k, v]) => !(k.startsWith('tokenizer.ggml.') && Array.isArray(v))));
  return { config, tokenizer, weights, metadata };
}

/**
 * Undoes llama.cpp's q/k row permutation: file row h*D + 2i + s (s in {0, 1}, i < D/2) is HF row
 * h*D + s*D/2 + i. Rows are moved as bytes, so quantized blocks move whole.
 */
export function unpermuteRows(data: Uint8Array, heads: number, rows: number): Uint8Array {
  const D = rows / heads;
  const rb = data.length / rows;
  const out = new Uint8Array(data.length);
  for (let h = 0; h < heads; h++) {
    for (let i = 0; i < D / 2; i++) {
      for (let s = 0; s < 2; s++) {
        const from = h * D + 2 * i + s;
        const to = h * D + s * (D / 2) + i;
        out.set(data.subarray(from * rb, (from + 1) * rb), to * rb);
      }
    }
  }
  return out;
}

function readConfig(meta: Metadata, arch: Architecture, tensors: ReadonlyMap<string, { shape: number[] }>, file: string): DecoderConfig {
  const key = (k: string) => `${arch}.${k}`;
  const unsupported = (k: string, value: unknown, problem: string) => new UnsupportedModelError(`${file}: ${problem}. ${USE_HF}`, { file, key: k, value });
  const num = (k: string): number | undefined => {
    const v = meta[k];
    if (v === undefined) return undefined;
    const n = typeof v === 'bigint' ? Number(v) : v;
    if (typeof n !== 'number' || !Number.isFinite(n)) throw new ModelFormatError(`${file}: metadata "${k}" must be a number, found ${String(v)}. ${REDOWNLOAD}`, { file, key: k });
    return n;
  };
  // past `max` (SIZE_LIMITS) a size is damage, and believing it would list billions of tensors
  const size = (k: string, max: number, fallback?: number): number => {
    const v = num(key(k)) ?? fallback;
    if (v === undefined) throw unsupported(key(k), undefined, `"${key(k)}" is missing, and the model cannot be sized without it`);
    if (!Number.isSafeInteger(v) || v <= 0) throw unsupported(key(k), v, `"${key(k)}" = ${v} is not a positive size`);
    if (v > max) throw new ModelFormatError(`${file}: metadata "${key(k)}" = ${v} is more than any released model has (at most ${max}). ${REDOWNLOAD}`, { file, key: key(k), value: v });
    return v;
  };
  const positive = (k: string, fallback: number): number => {
    const v = num(key(k)) ?? fallback;
    if (!(v > 0)) throw unsupported(key(k), v, `"${key(k)}" = ${v} is not positive`);
    return v;
  };

  const scaling = meta[key('rope.scaling.type')];
  if (scaling !== undefined && scaling !== 'none') throw unsupported(key('rope.scaling.type'), scaling, `RoPE scaling "${String(scaling)}" is not implemented for GGUF files`);
  const hiddenSize = size('embedding_length', SIZE_LIMITS.hiddenSize);
  const numHeads = size('attention.head_count', SIZE_LIMITS.numHeads);
  const numKvHeads = size('attention.head_count_kv', SIZE_LIMITS.numKvHeads, numHeads);
  if (numHeads % numKvHeads !== 0) throw unsupported(key('attention.head_count_kv'), numKvHeads, `attention.head_count ${numHeads} is not a multiple of attention.head_count_kv ${numKvHeads}`);
  const headDim = size('attention.key_length', SIZE_LIMITS.headDim, hiddenSize % numHeads === 0 ? hiddenSize / numHeads : undefined);
  if (headDim % 2 !== 0) throw unsupported(key('attention.key_length'), headDim, `head dimension ${headDim} is odd, and rotary embeddings need an even one`);
  const valueLength = num(key('attention.value_length'));
  if (valueLength !== undefined && valueLength !== headDim) throw unsupported(key('attention.value_length'), valueLength, `value heads of ${valueLength} differ from key heads of ${headDim}`);
  const ropeDims = num(key('rope.dimension_count'));
  if (ropeDims !== undefined && ropeDims !== headDim) throw unsupported(key('rope.dimension_count'), ropeDims, `RoPE on ${ropeDims} of ${headDim} head dimensions (partial rotary) is not implemented`);

  const embed = tensors.get('model.embed_tokens.weight');
  if (!embed || embed.shape.length !== 2) throw new ModelFormatError(`${file}: tensor "token_embd.weight" [${embed?.shape.join(', ') ?? ''}] is missing or not a matrix. ${REDOWNLOAD}`, { file, tensor: 'token_embd.weight' });
  const tokenId = (k: string) => {
    const v = num(k);
    return v !== undefined && Number.isSafeInteger(v) && v >= 0 ? v : null;
  };
  const eos = tokenId('tokenizer.ggml.eos_token_id');
  return {
    architecture: arch,
    vocabSize: embed.shape[0],
    hiddenSize,
    numLayers: size('block_count', SIZE_LIMITS.numLayers),
    numHeads,
    numKvHeads,
    headDim,
    intermediateSize: size('feed_forward_length', SIZE_LIMITS.intermediateSize),
    rmsNormEps: positive('attention.layer_norm_rms_epsilon', 1e-6),
    ropeTheta: positive('rope.freq_base', 10000),
    ropeScaling: null,
    maxPositions: size('context_length', SIZE_LIMITS.maxPositions, arch === 'llama' ? 2048 : 32768),
    tieWordEmbeddings: !tensors.has('lm_head.weight'),
    attentionBias: arch === 'qwen2',
    bosTokenId: tokenId('tokenizer.ggml.bos_token_id'),
    eosTokenIds: eos === null ? [] : [eos],
  };
}
