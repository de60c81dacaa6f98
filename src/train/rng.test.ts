import { describe, expect, it } from 'vitest';
import { Rng } from './rng';

const take = (r: Rng, n: number) => Array.from({ length: n }, () => r.nextUint32());

describe('Rng (xoshiro128**)', () => {
  it('matches the published xoshiro128** output for state [1, 2, 3, 4]', () => {
    // Values printed by the reference C code of Blackman & Vigna, started from s = {1, 2, 3, 4}.
    expect(take(Rng.fromState([1, 2, 3, 4]), 6)).toEqual([11520, 0, 5927040, 70819200, 2031721883, 1637235492]);
  });

  it('same seed, same sequence; different seeds differ', () => {
    expect(take(new Rng(42), 50)).toEqual(take(new Rng(42), 50));
    expect(take(new Rng(42), 50)).not.toEqual(take(new Rng(43), 50));
    expect(take(new Rng(1), 8)).not.toEqual(take(new Rng(1 + 2 ** 32), 8));
  });

  it('restoring a saved state continues identically', () => {
    const a = new Rng(7);
    take(a, 13);
    const saved = JSON.parse(JSON.stringify(a.state())) as number[];
    const rest = take(a, 20);
    expect(take(Rng.fromState(saved), 20)).toEqual(rest);
    expect(() => Rng.fromState([0, 0, 0, 0])).toThrow(RangeError);
    expect(() => Rng.fromState([1, 2, 3])).toThrow(RangeError);
  });

  it('next() is in [0, 1) and int(n) covers [0, n) evenly', () => {
    const r = new Rng(3);
    const counts = new Array(5).fill(0);
    for (let i = 0; i < 10_000; i++) {
      const x = r.next();
      expect(x >= 0 && x < 1).toBe(true);
      counts[r.int(5)]++;
    }
    for (const c of counts) expect(Math.abs(c - 2000)).toBeLessThan(200);
    expect(r.int(1)).toBe(0);
    expect(() => r.int(0)).toThrow(RangeError);
  });

  it('shuffle is an in-place permutation, deterministic by seed', () => {
    const a = Array.from({ length: 20 }, (_, i) => i);
    const out = new Rng(5).shuffle(a);
    expect(out).toBe(a);
    expect([...a].sort((x, y) => x - y)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(a).not.toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(new Rng(5).shuffle(Array.from({ length: 20 }, (_, i) => i))).toEqual(a);
  });
});
