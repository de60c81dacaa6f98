// CPU matmul ops against the float64 reference, on the shapes the GPU tier uses (src/kernels/matmul*.gpu.test.ts)
// plus the bench's decode shape; the suite runs on 2 threads (the pool's path), and every result is checked
// bit-identical on 1 and 4 threads.
import { describe, expect, it } from 'vitest';
import { dequantize, quantizeQ4, quantizeQ8, type QWeight } from '../model/quant';
import { compare } from '../reference/compare';
import { matmulRef } from '../reference/matmul';
import { randomArray } from '../reference/random';
import { matmul, matmulQ, matmulQBackward, type CpuQMatmulVariant } from './matmul';
import type { CpuRuntime, CpuTensor } from './runtime';
import { threadRuntimes } from './test-threads';
import { MATMUL_TEST_SHAPES } from '../ops/matmul-test-shapes';

// f32 sums of up to 1024 products in a different order than float64: well inside 1e-5 of max |C|.
const TOL = 1e-5;
const threads = threadRuntimes();

/** The op's output on 1, 2 and 4 threads, checked bit-identical; released after reading. */
function onAllThreadCounts(op: (rt: CpuRuntime) => CpuTensor): Float32Array {
  return threads.onAll((rt) => {
    const out = op(rt);
    const r = rt.read(out);
    rt.release(out);
    return [r];
  })[0];
}

function check(got: Float32Array, ref: Float64Array, what: string, tol = TOL) {
  const d = compare(got, ref);
  console.log(`${what}: max abs ${d.maxAbs.toExponential(2)}, rel ${d.maxRel.toExponential(2)}`);
  expect(d.maxRel).toBeLessThanOrEqual(tol);
}

describe('CPU matmul f32 vs float64 reference, identical on 1, 2 and 4 threads', () => {
  const shapes: [number, number, number][] = [
    ...MATMUL_TEST_SHAPES, // the GPU tier's shapes
    [4, 1024, 1024], // gemv at the bench's decode width
    [6, 70, 600], // K spans three KC = 256 chunks
  ];
  for (const transB of [false, true]) {
    for (const [M, N, K] of shapes) {
      it(`${M}x${N}x${K} ${transB ? 'B transposed [N,K]' : 'B [K,N]'}`, () => {
        const a = randomArray(M * K, 1 + M);
        const b = randomArray(K * N, 2 + N);
        const got = onAllThreadCounts((rt) => {
          const c = matmul(rt, rt.upload(a, [M, K], 'a'), rt.upload(b, transB ? [N, K] : [K, N], 'b'), { transB });
          expect(c.shape).toEqual([M, N]);
          return c;
        });
        check(got, matmulRef(a, b, { M, N, K, transB }), `cpu matmul ${M}x${N}x${K} transB=${transB}`);
      });
    }
  }

  it('batched, with B broadcast over the batch', () => {
    const [batchN, M, N, K] = [3, 9, 10, 11];
    const a = randomArray(batchN * M * K, 7);
    const b = randomArray(K * N, 8);
    const got = onAllThreadCounts((rt) => matmul(rt, rt.upload(a, [batchN, M, K], 'a'), rt.upload(b, [K, N], 'b')));
    check(got, matmulRef(a, b, { M, N, K, batch: batchN, strideB: 0 }), 'cpu matmul batched');
  });

  const transpose = (x: Float32Array, rows: number, cols: number) => Float32Array.from({ length: rows * cols }, (_, i) => x[(i % rows) * cols + Math.floor(i / rows)]);

  for (const [M, N, K] of [
    [7, 5, 33],
    [64, 48, 130],
    [256, 96, 300], // dW = dYᵀ · X with M = 256 tokens: inner dimension over two K chunks
  ]) {
    it(`Aᵀ · B (weight gradient dW = dYᵀ · X) ${M}x${N}x${K}, and accumulation into C`, () => {
      const a = randomArray(M * K, 21);
      const b = randomArray(K * N, 22);
      const c0 = randomArray(M * N, 23);
      const ref = matmulRef(a, b, { M, N, K });
      const plain = onAllThreadCounts((rt) => matmul(rt, rt.upload(transpose(a, M, K), [K, M], 'aT'), rt.upload(b, [K, N], 'b'), { transA: true }));
      check(plain, ref, `cpu matmul Aᵀ·B ${M}x${N}x${K}`);
      const accumulated = onAllThreadCounts((rt) => matmul(rt, rt.upload(transpose(a, M, K), [K, M], 'aT'), rt.upload(b, [K, N], 'b'), { transA: true, into: rt.upload(c0, [M, N], 'c0') }));
      check(accumulated, Float64Array.from(ref, (v, i) => v + c0[i]), `cpu matmul Aᵀ·B into C ${M}x${N}x${K}`);
    });
  }

  it('rejects operands whose inner dimensions disagree', () => {
    const rt = threads.get(1);
    expect(() => matmul(rt, rt.upload(new Float32Array(6), [2, 3], 'a'), rt.upload(new Float32Array(8), [4, 2], 'b'))).toThrow(/cannot multiply a \[2,3\] by b \[4,2\]/);
  });
});

describe('CPU quantized matmul vs float64 reference on the dequantized weights, identical on 1, 2 and 4 threads', () => {
  const cases: { name: string; quant: (w: Float32Array, N: number, K: number) => QWeight }[] = [
    { name: 'q4 (zero point 8)', quant: (w, N, K) => quantizeQ4(w, N, K) },
    { name: 'q4 with zero points', quant: (w, N, K) => quantizeQ4(w, N, K, { zeroPoints: true }) },
    { name: 'q8', quant: (w, N, K) => quantizeQ8(w, N, K) },
  ];
  const shapes: [number, number, number][] = [
    [1, 7, 5],
    [1, 64, 96],
    [33, 65, 17],
    [128, 256, 64],
    [6, 19, 70],
    [3, 33, 45],
    [1, 1024, 1024],
  ];
  for (const { name, quant } of cases) {
    for (const variant of ['tiled', 'gemv'] as CpuQMatmulVariant[]) {
      for (const [M, N, K] of shapes) {
        it(`${name} ${variant} ${M}x${N}x${K}`, () => {
          const x = randomArray(M * K, 11 + M);
          const q = quant(randomArray(N * K, 13 + N), N, K);
          const got = onAllThreadCounts((rt) => matmulQ(rt, rt.upload(x, [M, K], 'x'), rt.uploadQWeight(q, 'w'), { variant }));
          check(got, matmulRef(x, dequantize(q), { M, N, K, transB: true }), `cpu ${name} ${variant} ${M}x${N}x${K}`);
        });
      }
    }
    for (const [M, N, K] of [
      [5, 7, 33],
      [40, 64, 96],
      [3, 19, 70],
      [64, 300, 40], // inner dimension N over two K chunks
    ]) {
      it(`${name} backward dX = dY · W ${M}x${N}x${K} (weight stays packed)`, () => {
        const dy = randomArray(M * N, 31 + M);
        const q = quant(randomArray(N * K, 37 + N), N, K);
        const got = onAllThreadCounts((rt) => {
          const dx = matmulQBackward(rt, rt.upload(dy, [M, N], 'dy'), rt.uploadQWeight(q, 'w'));
          expect(dx.shape).toEqual([M, K]);
          return dx;
        });
        check(got, matmulRef(dy, dequantize(q), { M, N: K, K: N }), `cpu ${name} backward ${M}x${N}x${K}`);
      });
    }
  }
});
