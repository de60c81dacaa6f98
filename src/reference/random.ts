// Seeded pseudo-random numbers (xorshift32): deterministic inputs for tests, self-tests and benchmarks.

/** n values uniform in [-1, 1), the same for the same seed on every machine. */
export function randomArray(n: number, seed: number): Float32Array {
  let s = seed >>> 0 || 1;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    out[i] = s / 2 ** 31 - 1;
  }
  return out;
}
