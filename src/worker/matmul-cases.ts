// Matmul cases shared by the self-test and the kernel benchmark: inputs made from a seed, uploaded
// once, run by our kernels, and checked against the float64 reference on the same (dequantized) weights.
//   f32: C [M, N] = A [M, K] · B [K, N]
//   q8, q4: Y [M, N] = X [M, K] · Wᵀ, W [N, K] kept quantized on the GPU

import type { Batch } from '../gpu/batch';
import type { GpuContext } from '../gpu/runtime';
import { matmul } from '../kernels/matmul';
import { matmulQ } from '../kernels/matmul-q';
import { readTensor, releaseTensor, uploadQWeight, uploadTensor, type GpuTensor } from '../kernels/tensor';
import { dequantize, quantize } from '../model/quant';
import { matmulRef } from '../reference/matmul';
import { randomArray } from '../reference/random';

export type MatmulKind = 'f32' | 'q8' | 'q4';

export interface MatmulCase {
  kind: MatmulKind;
  M: number;
  N: number;
  K: number;
}

export interface PreparedMatmul {
  flops: number;
  /** Adds one run to `batch`; the returned function releases its output. */
  record(batch: Batch): Promise<() => void>;
  /** Runs once and reads the result back. */
  run(): Promise<Float32Array>;
  /** The float64 reference result for the same inputs (quantized weights dequantized first). */
  reference(): Float64Array;
  release(): void;
}

export function describeCase(c: MatmulCase): string {
  return `${c.kind} ${c.M}x${c.N}x${c.K}`;
}

export function prepareMatmul(ctx: GpuContext, c: MatmulCase, seed = 1): PreparedMatmul {
  const { kind, M, N, K } = c;
  const x = randomArray(M * K, seed);
  const w = randomArray(N * K, seed + 1);
  const xT = uploadTensor(ctx, x, [M, K], 'x');
  const q = kind === 'f32' ? null : quantize(kind, w, N, K);
  const wT = q ? uploadQWeight(ctx, q, 'w') : uploadTensor(ctx, w, [K, N], 'w');
  const encode = (batch: Batch): Promise<GpuTensor> => ('shape' in wT ? matmul(ctx, batch, xT, wT) : matmulQ(ctx, batch, xT, wT));
  return {
    flops: 2 * M * N * K,
    async record(batch) {
      const out = await encode(batch);
      return () => releaseTensor(ctx, out);
    },
    async run() {
      const batch = ctx.batch();
      const out = await encode(batch);
      await batch.submit();
      const data = await readTensor(ctx, out);
      releaseTensor(ctx, out);
      return data;
    },
    reference: () => (q ? matmulRef(x, dequantize(q), { M, N, K, transB: true }) : matmulRef(x, w, { M, N, K })),
    release() {
      releaseTensor(ctx, xT);
      releaseTensor(ctx, wT);
    },
  };
}
