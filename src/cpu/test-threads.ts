// Test helper: one runtime per thread count (plain SIMD build; every job on the pool, however small),
// and a runner that checks an op gives the same bits on all of them (the pool's deterministic split);
// expectClose, the printed max-diff check of the light ops' tests.
import { afterAll, beforeAll, expect } from 'vitest';
import { compare } from '../reference/compare';
import { CpuRuntime } from './runtime';

/** 2 first: the result returned and compared with the reference is the pool's (multi-thread) path. */
const THREADS = [2, 1, 4] as const;

export function threadRuntimes(): { get(n: (typeof THREADS)[number]): CpuRuntime; onAll(op: (rt: CpuRuntime) => Float32Array[]): Float32Array[] } {
  const rts = new Map<number, CpuRuntime>();
  beforeAll(async () => {
    for (const n of THREADS) rts.set(n, await CpuRuntime.create({ threads: n, simd: 'simd', serialBelow: 0 }));
  });
  afterAll(async () => {
    for (const rt of rts.values()) await rt.dispose();
  });
  return {
    get: (n) => rts.get(n)!,
    onAll(op) {
      const [first, ...rest] = THREADS.map((n) => {
        const rt = rts.get(n)!;
        expect(rt.threads).toBe(n);
        return op(rt);
      });
      for (const r of rest) r.forEach((x, i) => expect(new Uint32Array(x.buffer)).toEqual(new Uint32Array(first[i].buffer)));
      return first;
    },
  };
}

/** Fails when the largest absolute difference from the reference exceeds tol; prints it either way. */
export function expectClose(got: ArrayLike<number>, ref: ArrayLike<number>, tol: number, what: string): void {
  const d = compare(got, ref);
  console.log(`${what}: max abs ${d.maxAbs.toExponential(2)}`);
  expect(d.maxAbs, what).toBeLessThanOrEqual(tol);
}
