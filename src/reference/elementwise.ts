// Float64 reference of shaders/elementwise.wgsl: out[i] = a[i] ∘ b[i mod b.length], and SwiGLU.

export function addRef(a: ArrayLike<number>, b: ArrayLike<number>): Float64Array {
  return Float64Array.from({ length: a.length }, (_, i) => a[i] + b[i % b.length]);
}

/** Backward of addRef with respect to b: db [bLength] sums dOut over b's repeats (da is dOut itself). */
export function addBackwardRef(dOut: ArrayLike<number>, bLength: number): Float64Array {
  const db = new Float64Array(bLength);
  for (let i = 0; i < dOut.length; i++) db[i % bLength] += dOut[i];
  return db;
}

export function mulRef(a: ArrayLike<number>, b: ArrayLike<number>): Float64Array {
  return Float64Array.from({ length: a.length }, (_, i) => a[i] * b[i % b.length]);
}

/** SwiGLU gate: silu(g) * u, silu(x) = x / (1 + e^-x). */
export function siluMulRef(g: ArrayLike<number>, u: ArrayLike<number>): Float64Array {
  return Float64Array.from({ length: g.length }, (_, i) => (g[i] / (1 + Math.exp(-g[i]))) * u[i]);
}

/**
 * Backward of siluMulRef, all arrays of one length. With σ = 1 / (1 + e^-g):
 *   dg = dOut·u·σ·(1 + g·(1 - σ)),  du = dOut·g·σ
 */
export function siluMulBackwardRef(g: ArrayLike<number>, u: ArrayLike<number>, dOut: ArrayLike<number>): { dg: Float64Array; du: Float64Array } {
  const dg = new Float64Array(g.length);
  const du = new Float64Array(g.length);
  for (let i = 0; i < g.length; i++) {
    const sig = 1 / (1 + Math.exp(-g[i]));
    dg[i] = dOut[i] * u[i] * sig * (1 + g[i] * (1 - sig));
    du[i] = dOut[i] * g[i] * sig;
  }
  return { dg, du };
}
