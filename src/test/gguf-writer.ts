// A small GGUF v3 writer for tests: what llama.cpp's converter (convert_hf_to_gguf.py) and
// quantizer would write for a decoder, from our weights and a tokenizer.json. Written from the
// format's description, apart from the reader it tests: little-endian; header
// "GGUF", u32 version, u64 tensor count, u64 key count; keys (u64-length string, u32 type, value);
// tensor infos (name, u32 n_dims, u64 dims innermost first, u32 type, u64 offset from the data
// start, aligned); padding to `general.alignment` (32); the data.
// Quantizers follow ggml's reference ones (quantize_row_q8_0_ref, quantize_row_q4_0_ref).

import type { DecoderConfig } from '../model/config';
import { expectedWeights, type WeightMap } from '../model/weights';

export type GgufValue =
  | { type: 'u32' | 'i32' | 'f32' | 'u64'; value: number }
  | { type: 'bool'; value: boolean }
  | { type: 'str'; value: string }
  | { type: 'strs'; value: string[] }
  | { type: 'i32s'; value: number[] };

export interface GgufTensorIn {
  name: string;
  /** ggml type id: 0 F32, 1 F16, 2 Q4_0, 8 Q8_0, 30 BF16 ... */
  type: number;
  /** Innermost first, as GGUF stores them. */
  dims: number[];
  data: Uint8Array;
}

const VALUE_TYPE = { u32: 4, i32: 5, f32: 6, bool: 7, str: 8, arr: 9, u64: 10 };
const ALIGN = 32;

class ByteWriter {
  private buf = new Uint8Array(1 << 16);
  private view = new DataView(this.buf.buffer);
  length = 0;
  private room(n: number) {
    if (this.length + n <= this.buf.length) return;
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.length + n));
    next.set(this.buf);
    this.buf = next;
    this.view = new DataView(next.buffer);
  }
  u8(v: number) { this.room(1); this.view.setUint8(this.length, v); this.length += 1; }
  u32(v: number) { this.room(4); this.view.setUint32(this.length, v, true); this.length += 4; }
  i32(v: number) { this.room(4); this.view.setInt32(this.length, v, true); this.length += 4; }
  f32(v: number) { this.room(4); this.view.setFloat32(this.length, v, true); this.length += 4; }
  u64(v: number) { this.room(8); this.view.setBigUint64(this.length, BigInt(v), true); this.length += 8; }
  bytes(b: Uint8Array) { this.room(b.length); this.buf.set(b, this.length); this.length += b.length; }
  str(s: string) { const b = new TextEncoder().encode(s); this.u64(b.length); this.bytes(b); }
  pad(align: number) { while (this.length % align) this.u8(0); }
  done(): Uint8Array { return this.buf.slice(0, this.length); }
}

export function writeGguf(metadata: Record<string, GgufValue>, tensors: GgufTensorIn[]): Uint8Array {
  const w = new ByteWriter();
  w.bytes(new TextEncoder().encode('GGUF'));
  w.u32(3);
  w.u64(tensors.length);
  w.u64(Object.keys(metadata).length);
  for (const [key, v] of Object.entries(metadata)) {
    w.str(key);
    switch (v.type) {
      case 'strs':
        w.u32(VALUE_TYPE.arr); w.u32(VALUE_TYPE.str); w.u64(v.value.length);
        for (const s of v.value) w.str(s);
        break;
      case 'i32s':
        w.u32(VALUE_TYPE.arr); w.u32(VALUE_TYPE.i32); w.u64(v.value.length);
        for (const n of v.value) w.i32(n);
        break;
      case 'str': w.u32(VALUE_TYPE.str); w.str(v.value); break;
      case 'bool': w.u32(VALUE_TYPE.bool); w.u8(v.value ? 1 : 0); break;
      case 'u32': w.u32(VALUE_TYPE.u32); w.u32(v.value); break;
      case 'i32': w.u32(VALUE_TYPE.i32); w.i32(v.value); break;
      case 'f32': w.u32(VALUE_TYPE.f32); w.f32(v.value); break;
      case 'u64': w.u32(VALUE_TYPE.u64); w.u64(v.value); break;
    }
  }
  let offset = 0;
  for (const t of tensors) {
    w.str(t.name);
    w.u32(t.dims.length);
    for (const d of t.dims) w.u64(d);
    w.u32(t.type);
    w.u64(offset);
    offset += Math.ceil(t.data.length / ALIGN) * ALIGN;
  }
  w.pad(ALIGN);
  for (const t of tensors) {
    w.bytes(t.data);
    w.pad(ALIGN);
  }
  return w.done();
}

// ---- Encoding values ------------------------------------------------------------------------

const f32Box = new Float32Array(1);
const u32Box = new Uint32Array(f32Box.buffer);

/** IEEE half bits of x, rounded to nearest even (subnormals, infinities and NaN included). */
export function f32ToF16(x: number): number {
  f32Box[0] = x;
  const b = u32Box[0];
  const sign = (b >>> 16) & 0x8000;
  const exp = (b >>> 23) & 0xff;
  let mant = b & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  const e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - e;
    let h = mant >>> shift;
    const rem = mant & ((1 << shift) - 1);
    const half = 1 << (shift - 1);
    if (rem > half || (rem === half && h & 1)) h++;
    return sign | h;
  }
  let h = (e << 10) | (mant >>> 13);
  const rem = mant & 0x1fff;
  if (rem > 0x1000 || (rem === 0x1000 && h & 1)) h++;
  return sign | h;
}

const roundAway = (v: number) => Math.sign(v) * Math.round(Math.abs(v)); // C's roundf

/** Values (a multiple of the block size) in ggml type `type`: F32, F16, BF16 (truncated), Q8_0 or Q4_0. */
export function encodeGgml(type: number, x: Float32Array): Uint8Array {
  const n = x.length;
  switch (type) {
    case 0:
      return new Uint8Array(x.slice().buffer);
    case 1:
    case 30: {
      const out = new Uint8Array(2 * n);
      for (let i = 0; i < n; i++) {
        const h = type === 1 ? f32ToF16(x[i]) : ((f32Box[0] = x[i]), u32Box[0] >>> 16);
        out[2 * i] = h & 0xff;
        out[2 * i + 1] = h >> 8;
      }
      return out;
    }
    case 8: {
      const out = new Uint8Array((n / 32) * 34);
      for (let b = 0; b < n / 32; b++) {
        const blk = x.subarray(b * 32, b * 32 + 32);
        const amax = blk.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
        const d = amax / 127;
        const id = d ? 1 / d : 0;
        const h = f32ToF16(d);
        out[b * 34] = h & 0xff;
        out[b * 34 + 1] = h >> 8;
        for (let j = 0; j < 32; j++) out[b * 34 + 2 + j] = roundAway(Math.fround(blk[j] * id)) & 0xff;
      }
      return out;
    }
    case 2: {
      const out = new Uint8Array((n / 32) * 18);
      for (let b = 0; b < n / 32; b++) {
        const blk = x.subarray(b * 32, b * 32 + 32);
        let amax = 0;
        let max = 0;
        for (const v of blk) if (Math.abs(v) > amax) (amax = Math.abs(v)), (max = v);
        const d = max / -8;
        const id = d ? 1 / d : 0;
        const h = f32ToF16(d);
        out[b * 18] = h & 0xff;
        out[b * 18 + 1] = h >> 8;
        for (let j = 0; j < 16; j++) {
          const q0 = Math.min(15, Math.trunc(blk[j] * id + 8.5));
          const q1 = Math.min(15, Math.trunc(blk[j + 16] * id + 8.5));
          out[b * 18 + 2 + j] = q0 | (q1 << 4);
        }
      }
      return out;
    }
    default:
      throw new Error(`encodeGgml: type ${type} is not written by this helper`);
  }
}

/** llama.cpp's converter permutation of q/k rows (convert_hf_to_gguf.py LlamaModel.permute): w [rows, cols] row-major. */
export function permuteRows(w: Float32Array, heads: number, rows: number, cols: number): Float32Array {
  const D = rows / heads;
  const out = new Float32Array(w.length);
  // reshape(heads, 2, D/2, cols).swapaxes(1, 2): new row h*D + 2i + s = old row h*D + s*D/2 + i
  for (let h = 0; h < heads; h++)
    for (let i = 0; i < D / 2; i++)
      for (let s = 0; s < 2; s++) out.set(w.subarray((h * D + s * (D / 2) + i) * cols, (h * D + s * (D / 2) + i + 1) * cols), (h * D + 2 * i + s) * cols);
  return out;
}

// ---- A whole decoder --------------------------------------------------------------------------

export interface TokenizerSource {
  /** tokenizer.json, parsed. */
  json: Record<string, unknown>;
  bos?: number;
  eos?: number;
  addBos?: boolean;
  /** tokenizer.ggml.pre */
  pre: string;
}

/** tokenizer.json (byte-level BPE) as llama.cpp's converter writes it: tokens by id, token types, merges as "a b". */
export function tokenizerMetadata(t: TokenizerSource): Record<string, GgufValue> {
  const model = t.json.model as { vocab: Record<string, number>; merges: (string | [string, string])[] };
  const added = (t.json.added_tokens ?? []) as { id: number; content: string; special: boolean }[];
  const size = [...Object.values(model.vocab), ...added.map((a) => a.id)].reduce((m, id) => Math.max(m, id), 0) + 1;
  const tokens = Array.from({ length: size }, (_, i) => `[PAD${i}]`);
  const types = Array<number>(size).fill(1);
  for (const [tok, id] of Object.entries(model.vocab)) tokens[id] = tok;
  for (const a of added) {
    tokens[a.id] = a.content;
    types[a.id] = a.special ? 3 : 4;
  }
  const out: Record<string, GgufValue> = {
    'tokenizer.ggml.model': { type: 'str', value: 'gpt2' },
    'tokenizer.ggml.pre': { type: 'str', value: t.pre },
    'tokenizer.ggml.tokens': { type: 'strs', value: tokens },
    'tokenizer.ggml.token_type': { type: 'i32s', value: types },
    'tokenizer.ggml.merges': { type: 'strs', value: model.merges.map((m) => (typeof m === 'string' ? m : m.join(' '))) },
  };
  if (t.bos !== undefined) out['tokenizer.ggml.bos_token_id'] = { type: 'u32', value: t.bos };
  if (t.eos !== undefined) out['tokenizer.ggml.eos_token_id'] = { type: 'u32', value: t.eos };
  if (t.addBos !== undefined) out['tokenizer.ggml.add_bos_token'] = { type: 'bool', value: t.addBos };
  return out;
}

const GGUF_NAMES: Record<string, string> = {
  input_layernorm: 'attn_norm',
  post_attention_layernorm: 'ffn_norm',
  q_proj: 'attn_q',
  k_proj: 'attn_k',
  v_proj: 'attn_v',
  o_proj: 'attn_output',
  gate_proj: 'ffn_gate',
  up_proj: 'ffn_up',
  down_proj: 'ffn_down',
  q_norm: 'attn_q_norm',
  k_norm: 'attn_k_norm',
};

/** The GGUF name of a Hugging Face weight name. */
export function ggufName(hf: string): string {
  if (hf === 'model.embed_tokens.weight') return 'token_embd.weight';
  if (hf === 'model.norm.weight') return 'output_norm.weight';
  if (hf === 'lm_head.weight') return 'output.weight';
  const m = /^model\.layers\.(\d+)\.(?:self_attn\.|mlp\.)?(\w+)\.(weight|bias)$/.exec(hf);
  if (!m || !GGUF_NAMES[m[2]]) throw new Error(`ggufName: no GGUF name for ${hf}`);
  return `blk.${m[1]}.${GGUF_NAMES[m[2]]}.${m[3]}`;
}

export interface DecoderGgufOptions {
  /** ggml type of the matrices (embedding and linears); 1-D tensors stay F32, as llama.cpp keeps them. */
  type: number;
  tokenizer: TokenizerSource;
  /** Extra or replaced metadata. */
  metadata?: Record<string, GgufValue>;
}

/** A decoder as llama.cpp would write it: Llama q/k rows permuted, tensors in expectedWeights order. */
export function decoderGguf(c: DecoderConfig, weights: WeightMap, opts: DecoderGgufOptions): Uint8Array {
  const a = c.architecture;
  const metadata: Record<string, GgufValue> = {
    'general.architecture': { type: 'str', value: a },
    'general.name': { type: 'str', value: 'alignscope test model' },
    'general.alignment': { type: 'u32', value: ALIGN },
    [`${a}.block_count`]: { type: 'u32', value: c.numLayers },
    [`${a}.context_length`]: { type: 'u32', value: c.maxPositions },
    [`${a}.embedding_length`]: { type: 'u32', value: c.hiddenSize },
    [`${a}.feed_forward_length`]: { type: 'u32', value: c.intermediateSize },
    [`${a}.attention.head_count`]: { type: 'u32', value: c.numHeads },
    [`${a}.attention.head_count_kv`]: { type: 'u32', value: c.numKvHeads },
    [`${a}.attention.key_length`]: { type: 'u32', value: c.headDim },
    [`${a}.attention.value_length`]: { type: 'u32', value: c.headDim },
    [`${a}.rope.dimension_count`]: { type: 'u32', value: c.headDim },
    [`${a}.attention.layer_norm_rms_epsilon`]: { type: 'f32', value: c.rmsNormEps },
    [`${a}.rope.freq_base`]: { type: 'f32', value: c.ropeTheta },
    ...tokenizerMetadata(opts.tokenizer),
    ...opts.metadata,
  };
  const tensors = expectedWeights(c).map((spec) => {
    let data = weights.get(spec.name)!.data;
    const matrix = spec.shape.length === 2;
    if (a === 'llama' && /\.(q|k)_proj\.weight$/.test(spec.name)) {
      data = permuteRows(data, spec.name.includes('.q_proj') ? c.numHeads : c.numKvHeads, spec.shape[0], spec.shape[1]);
    }
    const type = matrix ? opts.type : 0;
    return { name: ggufName(spec.name), type, dims: [...spec.shape].reverse(), data: encodeGgml(type, data) };
  });
  return writeGguf(metadata, tensors);
}
