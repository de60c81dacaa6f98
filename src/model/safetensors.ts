// Safetensors files, as written by Hugging Face `safetensors`:
//   [u64 little-endian N] [N bytes of UTF-8 JSON header] [data]
// The header maps each tensor name to {dtype, shape, data_offsets: [begin, end]} (byte offsets from the
// start of the data, i.e. from 8 + N; row-major, little-endian) and may hold "__metadata__": {str: str}.
// We read F32, F16 and BF16 into f32 HostTensors, and write F32.

import { ModelFormatError, ShapeError, UnsupportedModelError } from '../errors';
import type { DecoderConfig } from './config';
import { expectedWeights, type HostTensor } from './weights';

/** Bytes per element of every dtype the format defines; only READABLE ones can be loaded. */
export const DTYPE_BYTES = { BOOL: 1, U8: 1, I8: 1, F8_E4M3: 1, F8_E5M2: 1, U16: 2, I16: 2, F16: 2, BF16: 2, U32: 4, I32: 4, F32: 4, U64: 8, I64: 8, F64: 8 };
export type SafetensorsDtype = keyof typeof DTYPE_BYTES;
const READABLE: readonly SafetensorsDtype[] = ['F32', 'F16', 'BF16'];

/** Same bound as the reference implementation: a longer header is a wrong file, not a big model. */
const MAX_HEADER_BYTES = 100_000_000;

export interface SafetensorsEntry {
  name: string;
  dtype: SafetensorsDtype;
  shape: number[];
  /** Absolute byte range [begin, end) in the file. */
  begin: number;
  end: number;
}

export interface SafetensorsHeader {
  /** 8 + N: where the data starts. */
  dataStart: number;
  /** In file order (ascending begin), so a streaming reader can go front to back. */
  entries: SafetensorsEntry[];
  metadata: Record<string, string>;
}

const REDOWNLOAD = 'The file is truncated or corrupt: download it again and check its size against the repository.';

function corrupt(file: string, problem: string, tensor?: string, todo = REDOWNLOAD): ModelFormatError {
  return new ModelFormatError(`${file}: ${problem}. ${todo}`, tensor === undefined ? { file } : { file, tensor });
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isCount = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;
const numel = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);
const showShape = (shape: readonly number[]): string => `[${shape.join(', ')}]`;

function parseEntry(name: string, v: unknown, dataStart: number, fileSize: number, file: string): SafetensorsEntry {
  const what = `tensor "${name}"`;
  if (!isObject(v)) throw corrupt(file, `${what}: its header entry is not an object`, name);
  const { dtype, shape, data_offsets: offsets } = v;
  if (typeof dtype !== 'string' || !(dtype in DTYPE_BYTES)) {
    const known = Object.keys(DTYPE_BYTES).join(', ');
    throw corrupt(file, `${what} has unknown dtype ${JSON.stringify(dtype)} (known: ${known})`, name, 'Re-save the checkpoint with float32, float16 or bfloat16 tensors, or download it again if it is damaged.');
  }
  if (!Array.isArray(shape) || !shape.every(isCount)) throw corrupt(file, `${what} has shape ${JSON.stringify(shape)}, not a list of sizes`, name);
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isCount) || offsets[0] > offsets[1]) {
    throw corrupt(file, `${what} has data_offsets ${JSON.stringify(offsets)}, not [begin, end] with begin <= end`, name);
  }
  const bytes = numel(shape) * DTYPE_BYTES[dtype as SafetensorsDtype];
  const [begin, end] = [dataStart + offsets[0], dataStart + offsets[1]];
  if (end - begin !== bytes) {
    throw corrupt(file, `${what} spans ${end - begin} bytes (data_offsets ${JSON.stringify(offsets)}), but ${dtype} ${showShape(shape)} needs ${bytes}`, name);
  }
  if (end > fileSize) throw corrupt(file, `${what} ends at byte ${end}, past the end of the ${fileSize}-byte file (${end - fileSize} bytes missing)`, name);
  return { name, dtype: dtype as SafetensorsDtype, shape, begin, end };
}

/** Reads and checks the header. `bytes` holds at least the first 8 + N bytes of a file of `fileSize` bytes. */
export function parseSafetensorsHeader(bytes: Uint8Array, fileSize: number, file: string): SafetensorsHeader {
  if (fileSize < 8) throw corrupt(file, `${fileSize} bytes is too short for a safetensors file (it starts with an 8-byte header length)`);
  if (bytes.length < 8) throw new RangeError(`parseSafetensorsHeader: pass at least the first 8 bytes of ${file}`);
  const n = new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true);
  if (n > BigInt(MAX_HEADER_BYTES)) {
    throw corrupt(file, `the header length field says ${n} bytes, over the 100 MB limit`, undefined, 'This is not a safetensors file, or its start is damaged: check the file name and download it again.');
  }
  const dataStart = 8 + Number(n);
  if (dataStart > fileSize) throw corrupt(file, `the header length field says ${n} bytes, but the file has only ${fileSize - 8} after it`);
  if (bytes.length < dataStart) throw new RangeError(`parseSafetensorsHeader: pass the first ${dataStart} bytes of ${file} (got ${bytes.length})`);

  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, dataStart)));
  } catch (e) {
    throw corrupt(file, `the header is not valid UTF-8 JSON (${(e as Error).message})`);
  }
  if (!isObject(header)) throw corrupt(file, 'the header is not a JSON object');

  let metadata: Record<string, string> = {};
  const entries: SafetensorsEntry[] = [];
  for (const [name, v] of Object.entries(header)) {
    if (name !== '__metadata__') entries.push(parseEntry(name, v, dataStart, fileSize, file));
    else if (isObject(v) && Object.values(v).every((s) => typeof s === 'string')) metadata = v as Record<string, string>;
    else throw corrupt(file, '"__metadata__" is not an object of strings');
  }
  entries.sort((a, b) => a.begin - b.begin);
  return { dataStart, entries, metadata };
}

/** f32 value of IEEE half-precision bits `h` (subnormals, ±0, ±inf and NaN included). */
export function f16ToF32(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const mant = h & 0x3ff;
  if (exp === 0) return sign * mant * 2 ** -24; // subnormal: 0.mant × 2^-14
  if (exp === 0x1f) return mant ? NaN : sign * Infinity;
  return sign * (0x400 + mant) * 2 ** (exp - 25); // 1.mant × 2^(exp-15)
}

let f16Table: Float32Array | null = null;

/** All 65536 half values, built once: a lookup per element beats the branches on billions of weights. */
export function f16Values(): Float32Array {
  if (!f16Table) {
    f16Table = new Float32Array(0x10000);
    for (let h = 0; h < 0x10000; h++) f16Table[h] = f16ToF32(h);
  }
  return f16Table;
}

/** Throws UnsupportedModelError unless we can decode the entry's dtype. */
export function checkReadable(entry: SafetensorsEntry, file: string): void {
  const { name, dtype } = entry;
  if (!READABLE.includes(dtype)) {
    throw new UnsupportedModelError(
      `${file}: tensor "${name}" has dtype ${dtype}, which we cannot load (only ${READABLE.join(', ')}). Quantized or integer checkpoints (GPTQ, AWQ, bitsandbytes) are not supported: use the float32, float16 or bfloat16 release of the model.`,
      { file, tensor: name, dtype },
    );
  }
}

/** Decodes one tensor; `data` holds exactly its bytes (entry.end - entry.begin). F16 and BF16 widen to f32. */
export function readTensor(entry: SafetensorsEntry, data: Uint8Array, file: string): HostTensor {
  const { name, dtype, shape } = entry;
  checkReadable(entry, file);
  if (data.length !== entry.end - entry.begin) throw new RangeError(`readTensor: "${name}" needs ${entry.end - entry.begin} bytes, got ${data.length}`);
  const n = numel(shape);
  // F32: copy into a fresh, aligned buffer. Like the GPU upload path, this assumes a little-endian host.
  if (dtype === 'F32') return { shape, data: new Float32Array(data.slice().buffer) };
  const out = new Float32Array(n);
  if (dtype === 'F16') {
    const table = f16Values();
    for (let i = 0; i < n; i++) out[i] = table[data[2 * i] | (data[2 * i + 1] << 8)];
  } else {
    // BF16 is the upper half of an f32.
    const bits = new Uint32Array(out.buffer);
    for (let i = 0; i < n; i++) bits[i] = (data[2 * i] | (data[2 * i + 1] << 8)) << 16;
  }
  return { shape, data: out };
}

/** Reads every tensor of a whole safetensors file into f32. */
export function readSafetensors(bytes: Uint8Array, file: string): Map<string, HostTensor> {
  const { entries } = parseSafetensorsHeader(bytes, bytes.length, file);
  return new Map(entries.map((e) => [e.name, readTensor(e, bytes.subarray(e.begin, e.end), file)]));
}

/**
 * Checks that every tensor the config calls for is present with its shape (`shapes`: by name). Extra tensors
 * (rotary_emb.inv_freq, lm_head.weight of a tied model) are ignored.
 */
export function checkAgainstConfig(shapes: ReadonlyMap<string, readonly number[]>, config: DecoderConfig, file: string): void {
  const todo = 'config.json and the weights do not belong to the same model: download both from the same repository (and load every shard of a split checkpoint).';
  const expected = expectedWeights(config);
  const missing = expected.filter((w) => !shapes.has(w.name));
  if (missing.length > 0) {
    const more = missing.length > 1 ? ` (and ${missing.length - 1} more)` : '';
    const m = missing[0];
    throw new ModelFormatError(`${file}: tensor "${m.name}" ${showShape(m.shape)} that the config calls for is missing${more}. ${todo}`, { file, tensor: m.name, expected: m.shape, missing: missing.length });
  }
  for (const w of expected) {
    const found = shapes.get(w.name)!;
    if (found.length !== w.shape.length || found.some((d, i) => d !== w.shape[i])) {
      throw new ModelFormatError(`${file}: tensor "${w.name}" has shape ${showShape(found)}, but the config calls for ${showShape(w.shape)}. ${todo}`, { file, tensor: w.name, expected: w.shape, found });
    }
  }
}

/** Writes f32 tensors (in map order) as a safetensors file; the header is padded with spaces so the data starts 8-aligned. */
export function writeSafetensors(tensors: Map<string, HostTensor>, metadata?: Record<string, string>): Uint8Array {
  const header: Record<string, unknown> = metadata ? { __metadata__: metadata } : {};
  let offset = 0;
  for (const [name, t] of tensors) {
    if (numel(t.shape) !== t.data.length) {
      throw new ShapeError(`writeSafetensors: tensor "${name}" has shape ${showShape(t.shape)} (${numel(t.shape)} values) but holds ${t.data.length}.`, { tensor: name, shape: t.shape, length: t.data.length });
    }
    header[name] = { dtype: 'F32', shape: t.shape, data_offsets: [offset, offset + t.data.byteLength] };
    offset += t.data.byteLength;
  }
  const json = new TextEncoder().encode(JSON.stringify(header));
  const n = Math.ceil(json.length / 8) * 8;
  const out = new Uint8Array(8 + n + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(n), true);
  out.set(json, 8);
  out.fill(0x20, 8 + json.length, 8 + n);
  let at = 8 + n;
  for (const t of tensors.values()) {
    out.set(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength), at);
    at += t.data.byteLength;
  }
  return out;
}
