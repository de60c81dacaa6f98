// Structure-aware mutations of a GGUF file. The file is walked once to find every fixed-width field
// with its role (header counts, key and string lengths, value and array element types, array
// counts, numeric metadata such as block_count, tensor dims, ggml types, data offsets); a mutation
// writes an absurd value of the same width over one field, so everything after it stays where the
// writer put it and only that field lies. Layout (v3, little-endian):
//   "GGUF" u32 version, u64 tensor_count, u64 kv_count
//   kv_count x (string key, u32 value_type, value)     string = u64 length + bytes; array = u32 type, u64 count, items
//   tensor_count x (string name, u32 n_dims, n_dims x u64 dim, u32 ggml type, u64 offset)
//   padding to general.alignment, tensor data

import { absurdU64 } from './absurd';
import { mutateBytes, truncate, type Mutated } from './bytes';
import type { Rng } from './prng';

export type GgufRole =
  | 'version' | 'tensor_count' | 'kv_count' | 'key_length' | 'value_type' | 'string_length' | 'array_type' | 'array_count'
  | 'number' | 'n_dims' | 'dim' | 'ggml_type' | 'offset';

export interface GgufField {
  at: number;
  width: 4 | 8;
  role: GgufRole;
  /** The metadata key or tensor name the field belongs to. */
  owner: string;
}

/** Bytes of each scalar value type (0 u8 .. 12 f64); 8 string and 9 array are variable. */
const SCALAR_BYTES: Record<number, number> = { 0: 1, 1: 1, 2: 2, 3: 2, 4: 4, 5: 4, 6: 4, 7: 1, 10: 8, 11: 8, 12: 8 };

/** Every fixed-width field of a valid GGUF file, in file order. */
export function ggufFields(b: Uint8Array): GgufField[] {
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const fields: GgufField[] = [];
  let at = 4;
  const field = (width: 4 | 8, role: GgufRole, owner: string): number => {
    fields.push({ at, width, role, owner });
    const v = width === 4 ? view.getUint32(at, true) : Number(view.getBigUint64(at, true));
    at += width;
    return v;
  };
  const string = (role: GgufRole, owner: string): string => {
    const n = field(8, role, owner);
    const s = new TextDecoder().decode(b.subarray(at, at + n));
    at += n;
    return s;
  };
  const value = (type: number, owner: string, inArray: boolean): void => {
    if (type === 8) string('string_length', owner);
    else if (type === 9) {
      const t = field(4, 'array_type', owner);
      const count = field(8, 'array_count', owner);
      for (let i = 0; i < count; i++) value(t, owner, true);
    } else if ((type === 4 || type === 5 || type === 10 || type === 11) && !inArray) field(SCALAR_BYTES[type] as 4 | 8, 'number', owner);
    else at += SCALAR_BYTES[type];
  };
  field(4, 'version', '');
  const tensors = field(8, 'tensor_count', '');
  const kvs = field(8, 'kv_count', '');
  for (let i = 0; i < kvs; i++) {
    const key = string('key_length', `key ${i}`);
    value(field(4, 'value_type', key), key, false);
  }
  for (let i = 0; i < tensors; i++) {
    const name = string('key_length', `tensor ${i}`);
    const n = field(4, 'n_dims', name);
    for (let d = 0; d < n; d++) field(8, 'dim', name);
    field(4, 'ggml_type', name);
    field(8, 'offset', name);
  }
  return fields;
}

const ROLE_WEIGHTS: [number, GgufRole][] = [
  [1, 'version'], [3, 'tensor_count'], [3, 'kv_count'], [3, 'key_length'], [2, 'value_type'], [3, 'string_length'], [2, 'array_type'],
  [3, 'array_count'], [4, 'number'], [2, 'n_dims'], [4, 'dim'], [3, 'ggml_type'], [3, 'offset'],
];

/** Values for a u32 type field: every ggml / value type id, one past them, and garbage. */
const TYPE_IDS = [0, 1, 2, 3, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 23, 24, 29, 30, 31, 39, 40, 1000, 0xffffffff];

/** One mutation of a valid GGUF file `b`: mostly one field set to an absurd value, else truncation or a blind one. */
export function mutateGguf(b: Uint8Array, rng: Rng, fields = ggufFields(b)): Mutated {
  const kind = rng.weighted<string>([[8, 'field'], [1, 'truncate'], [1, 'blind']]);
  if (kind === 'truncate') return truncate(b, rng);
  if (kind === 'blind') {
    const m = mutateBytes(b, rng);
    return { bytes: m.bytes, what: `blind: ${m.what}` };
  }
  const role = rng.weighted(ROLE_WEIGHTS);
  const candidates = fields.filter((f) => f.role === role);
  const f = candidates.length ? rng.pick(candidates) : rng.pick(fields);
  const out = b.slice();
  const view = new DataView(out.buffer);
  const old = f.width === 4 ? BigInt(view.getUint32(f.at, true)) : view.getBigUint64(f.at, true);
  let v: bigint;
  if ((f.role === 'value_type' || f.role === 'array_type' || f.role === 'ggml_type') && rng.chance(0.7)) v = BigInt(rng.pick(TYPE_IDS));
  else v = absurdU64(rng, old);
  if (f.width === 4) view.setUint32(f.at, Number(v & 0xffffffffn), true);
  else view.setBigUint64(f.at, v, true);
  return { bytes: out, what: `${f.role} of ${f.owner || 'the header'} at ${f.at}: ${old} -> ${f.width === 4 ? v & 0xffffffffn : v}` };
}
