// Float64 reference matmul: the oracle for shaders/matmul*.wgsl.
// C[b] = A[b] · B[b]; A [batch, M, K], B [batch, K, N] or with transB [batch, N, K], C [batch, M, N].
// A stride of 0 for an operand broadcasts it over the batch, as in the kernel.

export interface MatmulShape {
  M: number;
  N: number;
  K: number;
  batch?: number;
  transB?: boolean;
  /** Elements between batch items of A and B (default M*K and K*N; 0 broadcasts). */
  strideA?: number;
  strideB?: number;
}

export function matmulRef(a: ArrayLike<number>, b: ArrayLike<number>, s: MatmulShape): Float64Array {
  const { M, N, K } = s;
  const batch = s.batch ?? 1;
  const strideA = s.strideA ?? M * K;
  const strideB = s.strideB ?? K * N;
  const c = new Float64Array(batch * M * N);
  for (let z = 0; z < batch; z++) {
    for (let m = 0; m < M; m++) {
      for (let n = 0; n < N; n++) {
        let acc = 0;
        for (let k = 0; k < K; k++) {
          const bv = s.transB ? b[z * strideB + n * K + k] : b[z * strideB + k * N + n];
          acc += a[z * strideA + m * K + k] * bv;
        }
        c[z * M * N + m * N + n] = acc;
      }
    }
  }
  return c;
}

/**
 * Backward of matmulRef for dC [batch, M, N]: dA = dC · Bᵀ and dB = Aᵀ · dC per batch item (with transB,
 * dB = dCᵀ · A, stored [N, K] like B). dA and dB have the layouts (and lengths) of a and b: gradients are
 * added at the operand's own offsets, so a stride-0 (broadcast) operand gets the sum over the batch.
 */
export function matmulBackwardRef(a: ArrayLike<number>, b: ArrayLike<number>, dC: ArrayLike<number>, s: MatmulShape): { dA: Float64Array; dB: Float64Array } {
  const { M, N, K } = s;
  const batch = s.batch ?? 1;
  const strideA = s.strideA ?? M * K;
  const strideB = s.strideB ?? K * N;
  const dA = new Float64Array(a.length);
  const dB = new Float64Array(b.length);
  for (let z = 0; z < batch; z++) {
    for (let m = 0; m < M; m++) {
      for (let n = 0; n < N; n++) {
        const g = dC[z * M * N + m * N + n];
        for (let k = 0; k < K; k++) {
          const ai = z * strideA + m * K + k;
          const bi = s.transB ? z * strideB + n * K + k : z * strideB + k * N + n;
          dA[ai] += g * b[bi];
          dB[bi] += g * a[ai];
        }
      }
    }
  }
  return { dA, dB };
}
