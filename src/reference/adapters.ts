// Float64 reference of a linear layer with an optional LoRA adapter, and its backward.
//   x [N, in], W [out, in], bias [out], A [r, in], B [out, r]
//   y = x·Wᵀ + bias + (alpha / r)·(x·Aᵀ)·Bᵀ                        [N, out]

import { addRef } from './elementwise';
import { matmulBackwardRef, matmulRef } from './matmul';

export interface LoraRef {
  rank: number;
  alpha: number;
  /** [rank, in] */
  A: Float64Array | Float32Array;
  /** [out, rank] */
  B: Float64Array | Float32Array;
}

export function loraForwardRef(x: ArrayLike<number>, W: ArrayLike<number>, lora: LoraRef | undefined, bias: ArrayLike<number> | undefined, N: number, out: number, inp: number): Float64Array {
  const y = matmulRef(x, W, { M: N, N: out, K: inp, transB: true });
  const yb = bias ? addRef(y, bias) : y;
  if (!lora) return yb;
  const h = matmulRef(x, lora.A, { M: N, N: lora.rank, K: inp, transB: true }); // [N, r]
  const delta = matmulRef(h, lora.B, { M: N, N: out, K: lora.rank, transB: true }); // [N, out]
  const scale = lora.alpha / lora.rank;
  return yb.map((v, i) => v + scale * delta[i]);
}

/** Gradients for dy [N, out]: dx [N, in], dW [out, in], dA [r, in], dB [out, r] (the bias's is dy summed over N). */
export function loraBackwardRef(x: ArrayLike<number>, W: ArrayLike<number>, lora: LoraRef, dy: ArrayLike<number>, N: number, out: number, inp: number): { dx: Float64Array; dW: Float64Array; dA: Float64Array; dB: Float64Array } {
  const base = matmulBackwardRef(x, W, dy, { M: N, N: out, K: inp, transB: true });
  const scale = lora.alpha / lora.rank;
  const h = matmulRef(x, lora.A, { M: N, N: lora.rank, K: inp, transB: true }); // [N, r]
  const dDelta = Float64Array.from(dy, (v) => v * scale); // [N, out]
  const { dA: dh, dB } = matmulBackwardRef(h, lora.B, dDelta, { M: N, N: out, K: lora.rank, transB: true });
  const { dA: dxLora, dB: dA } = matmulBackwardRef(x, lora.A, dh, { M: N, N: lora.rank, K: inp, transB: true });
  return { dx: addRef(base.dA, dxLora), dW: base.dB, dA, dB };
}
