import { afterAll, describe, expect, it } from 'vitest';
import { compare } from '../reference/compare';
import { addRef, mulRef } from '../reference/elementwise';
import { randomArray } from '../reference/random';
import { rowSumRef } from '../reference/reduce';
import { testRuntime } from '../test/gpu';
import { add, grid1d, mul } from './elementwise';
import { rowSum } from './reduce';
import { readTensor, uploadTensor } from './tensor';

const rt = testRuntime();
afterAll(() => rt.destroy());

describe('elementwise add and mul vs float64 reference', () => {
  for (const [n, bLen] of [
    [1, 1],
    [1000, 1000],
    [777, 7], // broadcast a row vector
    [70_001, 70_001], // several hundred workgroups
  ]) {
    for (const [op, kernel, ref] of [
      ['add', add, addRef],
      ['mul', mul, mulRef],
    ] as const) {
      it(`${op} n=${n} b=${bLen}`, async () => {
        const a = randomArray(n, 5);
        const b = randomArray(bLen, 6);
        const got = await rt.run(async (ctx) => {
          const batch = ctx.batch();
          const out = await kernel(ctx, batch, uploadTensor(ctx, a, [n], 'a'), uploadTensor(ctx, b, [bLen], 'b'));
          await batch.submit();
          return readTensor(ctx, out);
        });
        // One f32 operation per element: the result is the correctly rounded f32 of the exact value.
        expect(compare(got, ref(a, b)).maxRel).toBeLessThanOrEqual(1e-7);
      });
    }
  }

  it('folds grids past the per-dimension limit into 2-D', () => {
    expect(grid1d(10, 65535)).toEqual([10, 1, 1]);
    const [x, y] = grid1d(200_000, 65535);
    expect(x).toBeLessThanOrEqual(65535);
    expect(x * y).toBeGreaterThanOrEqual(200_000);
  });

  it('rejects a b that does not broadcast', async () => {
    await expect(rt.run(async (ctx) => add(ctx, ctx.batch(), uploadTensor(ctx, new Float32Array(10), [10], 'a'), uploadTensor(ctx, new Float32Array(3), [3], 'b')))).rejects.toThrow(
      /does not broadcast/,
    );
  });
});

describe('row sum vs float64 reference', () => {
  for (const [R, C] of [
    [1, 1],
    [3, 5],
    [17, 64],
    [64, 1000],
    [300, 7],
  ]) {
    it(`${R}x${C}`, async () => {
      const x = randomArray(R * C, R + C);
      const got = await rt.run(async (ctx) => {
        const batch = ctx.batch();
        const out = await rowSum(ctx, batch, uploadTensor(ctx, x, [R, C], 'x'));
        await batch.submit();
        expect(out.shape).toEqual([R]);
        return readTensor(ctx, out);
      });
      expect(compare(got, rowSumRef(x, R, C)).maxRel).toBeLessThanOrEqual(1e-5);
    });
  }
});
