// Blind byte mutations, for any file: bit flips, overwritten bytes, truncation at a random point,
// chunks deleted, duplicated or inserted, and absurd little-endian integers written over random
// offsets. Each returns a new array and a short description for the failure report.

import { absurdU64 } from './absurd';
import type { Rng } from './prng';

export interface Mutated {
  bytes: Uint8Array;
  /** What was done, e.g. "truncated at 1234 of 5000": printed with a failing case. */
  what: string;
}

function bitFlips(b: Uint8Array, rng: Rng): Mutated {
  const out = b.slice();
  const n = rng.range(1, 8);
  for (let i = 0; i < n; i++) out[rng.int(out.length)] ^= 1 << rng.int(8);
  return { bytes: out, what: `${n} bit flips` };
}

function overwrite(b: Uint8Array, rng: Rng): Mutated {
  const out = b.slice();
  const n = rng.range(1, 16);
  const at = rng.int(out.length);
  for (let i = at; i < Math.min(out.length, at + n); i++) out[i] = rng.pick([0, 0xff, 0x7f, 0x80, rng.int(256)]);
  return { bytes: out, what: `${n} bytes overwritten at ${at}` };
}

export function truncate(b: Uint8Array, rng: Rng): Mutated {
  // Half the cuts land in the first 512 bytes, where headers are.
  const at = rng.chance(0.5) ? rng.int(Math.min(512, b.length)) : rng.int(b.length);
  return { bytes: b.slice(0, at), what: `truncated at ${at} of ${b.length}` };
}

function deleteChunk(b: Uint8Array, rng: Rng): Mutated {
  const at = rng.int(b.length);
  const n = rng.range(1, 64);
  const out = new Uint8Array(b.length - Math.min(n, b.length - at));
  out.set(b.subarray(0, at));
  out.set(b.subarray(at + n), at);
  return { bytes: out, what: `${n} bytes deleted at ${at}` };
}

function insertChunk(b: Uint8Array, rng: Rng): Mutated {
  const at = rng.int(b.length + 1);
  const from = rng.int(b.length);
  const chunk = rng.chance(0.5) ? b.slice(from, from + rng.range(1, 256)) : Uint8Array.from({ length: rng.range(1, 32) }, () => rng.int(256));
  const out = new Uint8Array(b.length + chunk.length);
  out.set(b.subarray(0, at));
  out.set(chunk, at);
  out.set(b.subarray(at), at + chunk.length);
  return { bytes: out, what: `${chunk.length} bytes inserted at ${at}` };
}

function spliceInteger(b: Uint8Array, rng: Rng): Mutated {
  const out = b.slice();
  const width = rng.pick([4, 8]);
  const at = rng.int(Math.max(1, out.length - width));
  const v = absurdU64(rng);
  const view = new DataView(out.buffer);
  if (at + width > out.length) return { bytes: out, what: 'nothing (file too short)' };
  if (width === 8) view.setBigUint64(at, v, true);
  else view.setUint32(at, Number(v & 0xffffffffn), true);
  return { bytes: out, what: `u${width * 8} ${v} written at ${at}` };
}

/** One blind mutation of `b` (which is not changed). An empty input stays empty. */
export function mutateBytes(b: Uint8Array, rng: Rng): Mutated {
  if (b.length === 0) return { bytes: b, what: 'nothing (empty file)' };
  return rng.weighted<(b: Uint8Array, rng: Rng) => Mutated>([
    [3, bitFlips],
    [2, overwrite],
    [2, truncate],
    [1, deleteChunk],
    [1, insertChunk],
    [2, spliceInteger],
  ])(b, rng);
}
