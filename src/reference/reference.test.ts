import { describe, expect, it } from 'vitest';
import { compare } from './compare';
import { addRef, mulRef } from './elementwise';
import { matmulRef } from './matmul';
import { randomArray } from './random';
import { rowSumRef } from './reduce';

describe('float64 reference ops on hand-computed cases', () => {
  it('matmul 2x3 · 3x2, plain and transposed', () => {
    const a = [1, 2, 3, 4, 5, 6];
    const b = [7, 8, 9, 10, 11, 12]; // [3, 2]
    expect(Array.from(matmulRef(a, b, { M: 2, N: 2, K: 3 }))).toEqual([58, 64, 139, 154]);
    const bt = [7, 9, 11, 8, 10, 12]; // the same B stored as [2, 3]
    expect(Array.from(matmulRef(a, bt, { M: 2, N: 2, K: 3, transB: true }))).toEqual([58, 64, 139, 154]);
  });

  it('matmul batched with a broadcast operand', () => {
    const a = [1, 0, 0, 1, 2, 0, 0, 2]; // two 2x2: I and 2I
    const b = [1, 2, 3, 4];
    expect(Array.from(matmulRef(a, b, { M: 2, N: 2, K: 2, batch: 2, strideB: 0 }))).toEqual([1, 2, 3, 4, 2, 4, 6, 8]);
  });

  it('add and mul with broadcast', () => {
    expect(Array.from(addRef([1, 2, 3, 4], [10, 20]))).toEqual([11, 22, 13, 24]);
    expect(Array.from(mulRef([1, 2, 3, 4], [2]))).toEqual([2, 4, 6, 8]);
  });

  it('row sum', () => {
    expect(Array.from(rowSumRef([1, 2, 3, 4, 5, 6], 2, 3))).toEqual([6, 15]);
  });

  it('compare: norm-wise relative error, and NaN never passes', () => {
    expect(compare([1, 2.5], [1, 2])).toMatchObject({ maxAbs: 0.5, maxRel: 0.25, at: 1 });
    expect(compare([NaN, 1], [0, 1]).maxAbs).toBe(Infinity);
    expect(() => compare([1], [1, 2])).toThrow(/length mismatch/);
  });

  it('random arrays are seeded, in [-1, 1), and differ by seed', () => {
    const a = randomArray(1000, 42);
    expect(Array.from(a)).toEqual(Array.from(randomArray(1000, 42)));
    expect(Array.from(a)).not.toEqual(Array.from(randomArray(1000, 43)));
    expect(Math.min(...a)).toBeGreaterThanOrEqual(-1);
    expect(Math.max(...a)).toBeLessThan(1);
    const mean = a.reduce((s, v) => s + v, 0) / a.length;
    expect(Math.abs(mean)).toBeLessThan(0.1);
  });
});
