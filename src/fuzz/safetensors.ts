// Structure-aware mutations of a safetensors file: [u64 N][N bytes of JSON header][data]. The
// header is parsed, one field is damaged (the length N, a tensor's dtype, a shape dimension, its
// data_offsets, the metadata, an extra tensor claiming absurd sizes) and the file is written back
// with a header length that matches, unless the length itself is the target.

import { absurdJsonValue, absurdNumber, absurdU64 } from './absurd';
import { mutateBytes, truncate, type Mutated } from './bytes';
import type { Rng } from './prng';

type Entry = { dtype?: unknown; shape?: unknown; data_offsets?: unknown; [k: string]: unknown };
type Header = Record<string, unknown>;

const DTYPES = ['F32', 'F16', 'BF16', 'F64', 'I64', 'U8', 'BOOL', 'F8_E4M3', 'Q4_0', 'f32', ''];

function split(b: Uint8Array): { n: bigint; header: Header; data: Uint8Array } {
  const n = new DataView(b.buffer, b.byteOffset, 8).getBigUint64(0, true);
  const header = JSON.parse(new TextDecoder().decode(b.subarray(8, 8 + Number(n)))) as Header;
  return { n, header, data: b.subarray(8 + Number(n)) };
}

/** The file with `header` as its JSON; `lengthField` overrides the u64 written in front. */
function join(header: Header | Uint8Array, data: Uint8Array, lengthField?: bigint): Uint8Array {
  const json = header instanceof Uint8Array ? header : new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, lengthField ?? BigInt(json.length), true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

function tensorNames(h: Header): string[] {
  return Object.keys(h).filter((k) => k !== '__metadata__');
}

/** One damaging edit of one tensor's header entry. */
function damageEntry(e: Entry, rng: Rng): string {
  const shape = Array.isArray(e.shape) ? (e.shape as unknown[]) : [];
  const offsets = Array.isArray(e.data_offsets) ? (e.data_offsets as unknown[]) : [0, 0];
  const choice = rng.int(9);
  if (choice === 0) return `dtype ${JSON.stringify((e.dtype = rng.chance(0.8) ? rng.pick(DTYPES) : absurdJsonValue(rng)))}`;
  if (choice === 1 && shape.length > 0) {
    const i = rng.int(shape.length);
    shape[i] = absurdNumber(rng, shape[i] as number);
    return `shape[${i}] = ${shape[i]}`;
  }
  if (choice === 2) {
    // a shape that multiplies out to the same byte count, or to a huge one
    e.shape = rng.pick([[...shape].reverse(), [...shape, 1], [0, ...shape], [2 ** 31, 2 ** 31, 2 ** 31], [2 ** 53], [65536, 65536, 65536], []]);
    return `shape ${JSON.stringify(e.shape)}`;
  }
  if (choice === 3) {
    const i = rng.int(2);
    offsets[i] = absurdNumber(rng, offsets[i] as number);
    e.data_offsets = offsets;
    return `data_offsets[${i}] = ${offsets[i]}`;
  }
  if (choice === 4) {
    const d = rng.pick([-4, 4, 1 << 20, -(1 << 20), 2 ** 40]);
    e.data_offsets = offsets.map((o) => (o as number) + d);
    return `data_offsets shifted by ${d}`;
  }
  if (choice === 5) {
    e.data_offsets = [offsets[1], offsets[0]];
    return 'data_offsets swapped';
  }
  if (choice === 6) {
    const key = rng.pick(['dtype', 'shape', 'data_offsets']);
    delete e[key];
    return `${key} removed`;
  }
  const key = rng.pick(['dtype', 'shape', 'data_offsets']);
  e[key] = absurdJsonValue(rng, e[key]);
  return `${key} = ${JSON.stringify(e[key])?.slice(0, 60)}`;
}

/** One structure-aware mutation of a valid safetensors file `b` (or a blind one, 1 in 5). */
export function mutateSafetensors(b: Uint8Array, rng: Rng): Mutated {
  const { n, header, data } = split(b);
  const names = tensorNames(header);
  const kind = rng.weighted<string>([[2, 'length'], [6, 'entry'], [1, 'extra'], [1, 'metadata'], [1, 'header-text'], [1, 'data'], [2, 'blind']]);
  switch (kind) {
    case 'length': {
      const v = absurdU64(rng, n);
      return { bytes: join(b.subarray(8, 8 + Number(n)), data, v), what: `header length field ${v} (true ${n})` };
    }
    case 'entry': {
      const name = rng.pick(names);
      const what = damageEntry(header[name] as Entry, rng);
      return { bytes: join(header, data), what: `tensor "${name}": ${what}` };
    }
    case 'extra': {
      const e: Entry = { dtype: 'F32', shape: [rng.pick([2 ** 31, 2 ** 40, 0, 1]), rng.pick([2 ** 31, 0, 64])], data_offsets: [0, rng.pick([0, 4, 2 ** 33, 2 ** 53])] };
      header[rng.pick(['lm_head.weight', 'model.layers.99.mlp.up_proj.weight', 'extra', '__proto__'])] = e;
      return { bytes: join(header, data), what: `extra tensor ${JSON.stringify(e)}` };
    }
    case 'metadata': {
      header.__metadata__ = absurdJsonValue(rng, header.__metadata__);
      return { bytes: join(header, data), what: `__metadata__ = ${JSON.stringify(header.__metadata__)?.slice(0, 60)}` };
    }
    case 'header-text': {
      // damage inside the JSON text only, keeping the length field true to it
      const json = new TextEncoder().encode(JSON.stringify(header));
      const m = mutateBytes(json, rng);
      return { bytes: join(m.bytes, data), what: `header text: ${m.what}` };
    }
    case 'data': {
      const m = truncate(data, rng);
      return { bytes: join(b.subarray(8, 8 + Number(n)), m.bytes, n), what: `data ${m.what}` };
    }
    default: {
      const m = mutateBytes(b, rng);
      return { bytes: m.bytes, what: `blind: ${m.what}` };
    }
  }
}
