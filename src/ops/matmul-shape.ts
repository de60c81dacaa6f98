// The matmul op's shape contract, shared by both backends (WGSL kernels in src/kernels, WebAssembly
// kernels in src/cpu): which operands multiply, what comes out, and the typed error otherwise.
//
// a [M, K] / [batch, M, K] (or transposed), b [K, N] / [batch, K, N] (or transposed); a 2-D operand
// next to a 3-D one is broadcast over the batch. C is [M, N], or [batch, M, N] when either is 3-D.

import { ShapeError } from '../errors';

interface Named {
  name: string;
  shape: readonly number[];
}

export interface MatmulShape {
  M: number;
  K: number;
  N: number;
  /** Batch sizes of a and b (1 for a 2-D operand), and of the output. */
  bA: number;
  bB: number;
  nBatch: number;
  outShape: number[];
}

/** Checks a × b (and `into`, when accumulating) and returns the sizes; throws ShapeError naming the tensors. */
export function matmulShape(a: Named, b: Named, transA: boolean, transB: boolean, into?: Named): MatmulShape {
  const [bA, ra, ca] = a.shape.length === 3 ? a.shape : [1, ...a.shape];
  const [bB, rb, cb] = b.shape.length === 3 ? b.shape : [1, ...b.shape];
  const [M, K] = transA ? [ca, ra] : [ra, ca];
  const [Kb, N] = transB ? [cb, rb] : [rb, cb];
  const nBatch = Math.max(bA, bB);
  if (a.shape.length < 2 || a.shape.length > 3 || b.shape.length < 2 || b.shape.length > 3 || Kb !== K || (bA !== bB && bA !== 1 && bB !== 1)) {
    throw new ShapeError(`matmul: cannot multiply ${a.name} [${a.shape}]${transA ? 'ᵀ' : ''} by ${b.name} [${b.shape}]${transB ? 'ᵀ' : ''}.`, { a: a.shape, b: b.shape, transA, transB });
  }
  const outShape = a.shape.length === 3 || b.shape.length === 3 ? [nBatch, M, N] : [M, N];
  if (into && into.shape.join() !== outShape.join()) {
    throw new ShapeError(`matmul: cannot accumulate [${outShape}] into ${into.name} [${into.shape}].`, { into: into.shape, outShape });
  }
  return { M, K, N, bA, bB, nBatch, outShape };
}
