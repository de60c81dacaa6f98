import { afterAll, describe, expect, it } from 'vitest';
import { compare } from '../reference/compare';
import { matmulRef } from '../reference/matmul';
import { randomArray } from '../reference/random';
import { testRuntime } from '../test/gpu';
import { MATMUL_VARIANTS, matmul, splitKSplits } from './matmul';
import { readTensor, uploadTensor } from './tensor';
import { MATMUL_TEST_SHAPES } from '../ops/matmul-test-shapes';

const rt = testRuntime();
afterAll(() => rt.destroy());

// f32 with K <= 513: the GPU's different summation order stays well inside 1e-5 of max |C|.
const TOL = 1e-5;

// Tall-skinny shapes (few rows or columns, long K: an f32 model's decode step, split-K's case).
const TALL_SKINNY: [number, number, number][] = [
  [1, 40, 300],
  [3, 17, 513],
  [30, 2, 256],
  [1, 192, 192],
];

// Every variant of the table meets the same reference on the shapes it applies to (split-K: one
// product, a short side <= 32, two or more chunks of K; passing a variant that does not apply throws).
const splitKApplies = ([M, N, K]: readonly number[]) => Math.min(M, N) <= 32 && splitKSplits(K) >= 2;
const VARIANT_SHAPES = MATMUL_VARIANTS.variants.map((v) => ({
  variant: v.name,
  shapes: v.name === 'splitk' ? [...MATMUL_TEST_SHAPES, ...TALL_SKINNY].filter(splitKApplies) : [...MATMUL_TEST_SHAPES, ...TALL_SKINNY],
  batched: v.name !== 'splitk',
}));

describe.each(VARIANT_SHAPES)('matmul f32 variant $variant vs float64 reference', ({ variant, shapes, batched }) => {
  it('has shapes to check', () => expect(shapes.length).toBeGreaterThanOrEqual(4));
  for (const transB of [false, true]) {
    for (const [M, N, K] of shapes) {
      it(`${M}x${N}x${K} ${transB ? 'B transposed [N,K]' : 'B [K,N]'}`, async () => {
        const a = randomArray(M * K, 1 + M);
        const b = randomArray(K * N, 2 + N);
        const got = await rt.run(async (ctx) => {
          const batch = ctx.batch();
          const ta = uploadTensor(ctx, a, [M, K], 'a');
          const tb = uploadTensor(ctx, b, transB ? [N, K] : [K, N], 'b');
          const c = await matmul(ctx, batch, ta, tb, { transB, variant });
          await batch.submit();
          expect(c.shape).toEqual([M, N]);
          return readTensor(ctx, c);
        });
        const d = compare(got, matmulRef(a, b, { M, N, K, transB }));
        console.log(`matmul ${variant} ${M}x${N}x${K} transB=${transB}: max abs ${d.maxAbs.toExponential(2)}, rel ${d.maxRel.toExponential(2)}`);
        expect(d.maxRel).toBeLessThanOrEqual(TOL);
      });
    }
  }

  if (batched) it('batched, with B broadcast over the batch', async () => {
    const [batchN, M, N, K] = [3, 9, 10, 11];
    const a = randomArray(batchN * M * K, 7);
    const b = randomArray(K * N, 8);
    const got = await rt.run(async (ctx) => {
      const batch = ctx.batch();
      const c = await matmul(ctx, batch, uploadTensor(ctx, a, [batchN, M, K], 'a'), uploadTensor(ctx, b, [K, N], 'b'), { variant });
      await batch.submit();
      expect(c.shape).toEqual([batchN, M, N]);
      return readTensor(ctx, c);
    });
    const d = compare(got, matmulRef(a, b, { M, N, K, batch: batchN, strideB: 0 }));
    expect(d.maxRel).toBeLessThanOrEqual(TOL);
  });

  const transpose = (x: Float32Array, rows: number, cols: number) => Float32Array.from({ length: rows * cols }, (_, i) => x[(i % rows) * cols + Math.floor(i / rows)]);

  for (const [M, N, K] of [
    [7, 5, 33],
    [64, 48, 130],
    [7, 5, 133],
  ].filter((s) => variant !== 'splitk' || splitKApplies(s))) {
    it(`Aᵀ · B (weight gradient dW = dYᵀ · X) ${M}x${N}x${K}, and accumulation into C`, async () => {
      const a = randomArray(M * K, 21); // logical A [M, K]
      const b = randomArray(K * N, 22);
      const c0 = randomArray(M * N, 23);
      const [plain, accumulated] = await rt.run(async (ctx) => {
        const batch = ctx.batch();
        const at = uploadTensor(ctx, transpose(a, M, K), [K, M], 'aT');
        const tb = uploadTensor(ctx, b, [K, N], 'b');
        const c = await matmul(ctx, batch, at, tb, { transA: true, variant });
        const into = uploadTensor(ctx, c0, [M, N], 'c0');
        await matmul(ctx, batch, at, tb, { transA: true, into, variant });
        await batch.submit();
        return [await readTensor(ctx, c), await readTensor(ctx, into)];
      });
      const ref = matmulRef(a, b, { M, N, K });
      expect(compare(plain, ref).maxRel).toBeLessThanOrEqual(TOL);
      expect(compare(accumulated, Float64Array.from(ref, (v, i) => v + c0[i])).maxRel).toBeLessThanOrEqual(TOL);
    });
  }
});

describe('matmul f32 op', () => {
  it('refuses a variant that does not apply to the shape, with a ShapeError naming it', async () => {
    await expect(
      rt.run(async (ctx) => matmul(ctx, ctx.batch(), uploadTensor(ctx, new Float32Array(64 * 64), [64, 64], 'a'), uploadTensor(ctx, new Float32Array(64 * 64), [64, 64], 'b'), { variant: 'splitk' })),
    ).rejects.toThrow(/variant "splitk" does not apply/);
  });

  it('rejects operands whose inner dimensions disagree', async () => {
    await expect(
      rt.run(async (ctx) => matmul(ctx, ctx.batch(), uploadTensor(ctx, new Float32Array(6), [2, 3], 'a'), uploadTensor(ctx, new Float32Array(8), [4, 2], 'b'))),
    ).rejects.toThrow(/cannot multiply a \[2,3\] by b \[4,2\]/);
  });
});
