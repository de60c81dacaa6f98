// The values a hostile or damaged file puts where a size belongs: zero, one off, negative, the edges
// of 32- and 64-bit integers, past 2^53, non-integers, and sizes that would make a reader allocate
// gigabytes (a vocabulary of 2^31 rows, 10^9 layers) if it believed them before checking.

import type { Rng } from './prng';

/** Unsigned 64-bit field values (GGUF counts, lengths, dims, offsets; safetensors' header length). */
export const ABSURD_U64: readonly bigint[] = [
  0n, 1n, 2n, 3n, 7n, 8n, 255n, 256n, 4095n, 65535n, 65536n, 1n << 20n, 1n << 24n, 1n << 28n, 1n << 30n,
  (1n << 31n) - 1n, 1n << 31n, (1n << 32n) - 1n, 1n << 32n, 1n << 40n, 1n << 48n, (1n << 53n) - 1n, 1n << 53n, (1n << 53n) + 1n,
  1n << 62n, (1n << 63n) - 1n, 1n << 63n, (1n << 64n) - 1n,
];

/** JSON numbers for a size or id (config.json, tokenizer ids, safetensors shapes and offsets). */
export const ABSURD_NUMBERS: readonly number[] = [
  0, 1, -1, -2, 2, 3, 0.5, 1.5, 63.999, 1e-300, 255, 256, 257, 4096, 65536, 2 ** 24, 2 ** 31 - 1, 2 ** 31, 2 ** 32 - 1, 2 ** 32,
  2 ** 40, 2 ** 53 - 1, 2 ** 53, 2 ** 53 + 2, 1e15, 1e18, 1e21, 1e300, -(2 ** 31), -(2 ** 53), Number.MAX_VALUE, -Number.MAX_VALUE, 5e-324,
];

/** An unsigned 64-bit value: mostly from the list, sometimes random bits, sometimes a small nudge of `near`. */
export function absurdU64(rng: Rng, near?: bigint): bigint {
  const r = rng.next();
  if (near !== undefined && r < 0.2) return BigInt.asUintN(64, near + BigInt(rng.pick([-2, -1, 1, 2, 8, 1024, -1024])));
  if (r < 0.35) return BigInt.asUintN(64, (BigInt(rng.int(2 ** 32)) << 32n) | BigInt(rng.int(2 ** 32)));
  return rng.pick(ABSURD_U64);
}

/** A JSON number for a size field: absurd, or `near` nudged. */
export function absurdNumber(rng: Rng, near?: number): number {
  if (near !== undefined && rng.chance(0.25)) return near + rng.pick([-1, 1, 2, 64, -64, 0.5]) * (rng.chance(0.2) ? near : 1);
  return rng.pick(ABSURD_NUMBERS);
}

/** Any JSON value of the wrong kind, or an absurd number: what a damaged or hand-edited file holds. */
export function absurdJsonValue(rng: Rng, near?: unknown): unknown {
  return rng.weighted<() => unknown>([
    [6, () => absurdNumber(rng, typeof near === 'number' ? near : undefined)],
    [1, () => null],
    [1, () => true],
    [1, () => ''],
    [1, () => String(near ?? 'x')],
    [1, () => 'x'.repeat(rng.pick([1, 100, 70_000]))],
    [1, () => []],
    [1, () => [near ?? 1, near ?? 1]],
    [1, () => ({})],
    [1, () => ({ value: near ?? 1 })],
    [1, () => '\ud800\u0000\ufffd'],
  ])();
}
