// Float64 reference of shaders/elementwise.wgsl: out[i] = a[i] ∘ b[i mod b.length], and SwiGLU.

export function addRef(a: ArrayLike<number>, b: ArrayLike<number>): Float64Array {
  return Float64Array.from({ length: a.length }, (_, i) => a[i] + b[i % b.length]);
}

export function mulRef(a: ArrayLike<number>, b: ArrayLike<number>): Float64Array {
  return Float64Array.from({ length: a.length }, (_, i) => a[i] * b[i % b.length]);
}

/** SwiGLU gate: silu(g) * u, silu(x) = x / (1 + e^-x). */
export function siluMulRef(g: ArrayLike<number>, u: ArrayLike<number>): Float64Array {
  return Float64Array.from({ length: g.length }, (_, i) => (g[i] / (1 + Math.exp(-g[i]))) * u[i]);
}
