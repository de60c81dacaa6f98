import { afterAll, describe, expect, it } from 'vitest';
import { dequantize, quantizeQ4, quantizeQ8, type QWeight } from '../model/quant';
import { compare } from '../reference/compare';
import { matmulRef } from '../reference/matmul';
import { randomArray } from '../reference/random';
import { testRuntime } from '../test/gpu';
import { GEMV_MAX_ROWS, matmulQ, matmulQBackward, Q_BACKWARD_VARIANTS, Q_MATMUL_VARIANTS, type QMatmulVariant } from './matmul-q';
import { readTensor, uploadQWeight, uploadTensor } from './tensor';
import { applicableVariants } from './variants';

const rt = testRuntime();
afterAll(() => rt.destroy());

// The kernel must equal X · dequant(W)ᵀ computed in float64, up to f32 summation error.
const TOL = 1e-5;

async function runQ(x: Float32Array, M: number, q: QWeight, variant: QMatmulVariant): Promise<Float32Array> {
  return rt.run(async (ctx) => {
    const batch = ctx.batch();
    const y = await matmulQ(ctx, batch, uploadTensor(ctx, x, [M, q.K], 'x'), uploadQWeight(ctx, q, 'w'), { variant });
    await batch.submit();
    expect(y.shape).toEqual([M, q.N]);
    return readTensor(ctx, y);
  });
}

const cases: { name: string; quant: (w: Float32Array, N: number, K: number) => QWeight }[] = [
  { name: 'q4 (zero point 8)', quant: (w, N, K) => quantizeQ4(w, N, K) },
  { name: 'q4 with zero points', quant: (w, N, K) => quantizeQ4(w, N, K, { zeroPoints: true }) },
  { name: 'q8', quant: (w, N, K) => quantizeQ8(w, N, K) },
];

const shapes: [number, number, number][] = [
  [1, 7, 5], // decode shape, K shorter than a block
  [1, 64, 96], // decode shape, whole blocks
  [33, 65, 17],
  [128, 256, 64],
  [6, 19, 70], // K spans a partial third block
  [3, 33, 45], // odd number of blocks: zero-point nibble packing
  [4, 37, 300], // batched decode, long K ending mid-block
  [2, 9, 1000], // tall-skinny: few outputs, long K
  [70, 40, 100], // prefill with edge tiles in M and N
];

// Every variant of the q4/q8 tables (the same entries in both files) on the shapes of its class:
// the decode GEMVs at M <= 4, the workgroup-memory prefill kernel above, the 4x4 tile everywhere.
const variantNames = Q_MATMUL_VARIANTS.q4.variants.map((v) => v.name as QMatmulVariant);
const decodeOnly = new Set<string>(['gemv', 'gemv_wide', 'gemv_subgroups']);
const shapesFor = (variant: string) => shapes.filter(([M]) => (decodeOnly.has(variant) ? M <= GEMV_MAX_ROWS : variant === 'tiled_wg' ? M > GEMV_MAX_ROWS : true));

describe('quantized matmul vs float64 reference on the dequantized weights', () => {
  it('q4 and q8 tables list the same variants', () => {
    expect(Q_MATMUL_VARIANTS.q8.variants.map((v) => v.name)).toEqual(variantNames);
    expect(variantNames).toEqual(['tiled', 'gemv', 'gemv_wide', 'gemv_subgroups', 'tiled_wg']);
  });

  for (const { name, quant } of cases) {
    for (const variant of variantNames) {
      for (const [M, N, K] of shapesFor(variant)) {
        it(`${name} ${variant} ${M}x${N}x${K}`, async () => {
          const x = randomArray(M * K, 11 + M);
          const q = quant(randomArray(N * K, 13 + N), N, K);
          if (variant === 'gemv_subgroups' && !(await rt.run(async (ctx) => ctx.device.features.has('subgroups')))) {
            // Without the feature the variant must be refused, never compiled.
            await expect(runQ(x, M, q, variant)).rejects.toThrow(/does not apply/);
            return;
          }
          const got = await runQ(x, M, q, variant);
          const d = compare(got, matmulRef(x, dequantize(q), { M, N, K, transB: true }));
          console.log(`${name} ${variant} ${M}x${N}x${K}: max abs ${d.maxAbs.toExponential(2)}, rel ${d.maxRel.toExponential(2)}`);
          expect(d.maxRel).toBeLessThanOrEqual(TOL);
        });
      }
    }
  }

  for (const { name, quant } of cases) {
    for (const [M, N, K] of [
      [5, 7, 33],
      [40, 64, 96],
      [3, 19, 70],
    ]) {
      it(`${name} backward dX = dY · W ${M}x${N}x${K}, every variant (direct with W packed; dequantized then GEMM)`, async () => {
        const dy = randomArray(M * N, 31 + M);
        const q = quant(randomArray(N * K, 37 + N), N, K);
        const { names, outs } = await rt.run(async (ctx) => {
          const dims = { kind: q.kind, M, N, K };
          const names = applicableVariants(ctx, Q_BACKWARD_VARIANTS[q.kind], dims).map((v) => v.name);
          const batch = ctx.batch();
          const w = uploadQWeight(ctx, q, 'w');
          const dxs = [];
          for (const v of names) dxs.push(await matmulQBackward(ctx, batch, uploadTensor(ctx, dy, [M, N], 'dy'), w, `dx.${v}`, v));
          await batch.submit();
          for (const dx of dxs) expect(dx.shape).toEqual([M, K]);
          return { names, outs: await Promise.all(dxs.map((dx) => readTensor(ctx, dx))) };
        });
        expect(names).toEqual(['direct', 'dequant_gemm']);
        // dX = dY · W with W [N, K]: a plain matmul of dY [M, N] by W.
        const ref = matmulRef(dy, dequantize(q), { M, N: K, K: N });
        for (const got of outs) expect(compare(got, ref).maxRel).toBeLessThanOrEqual(TOL);
      });
    }
  }

  it('picks gemv for the decode shape and agrees with the tiled kernel', async () => {
    const [M, N, K] = [1, 40, 64];
    const x = randomArray(M * K, 3);
    const q = quantizeQ4(randomArray(N * K, 4), N, K);
    const auto = await runQ(x, M, q, 'auto');
    const tiled = await runQ(x, M, q, 'tiled');
    expect(compare(auto, tiled).maxRel).toBeLessThanOrEqual(TOL);
  });
});
