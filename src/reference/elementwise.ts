// Float64 reference of shaders/elementwise.wgsl: out[i] = a[i] ∘ b[i mod b.length].

export function addRef(a: ArrayLike<number>, b: ArrayLike<number>): Float64Array {
  return Float64Array.from({ length: a.length }, (_, i) => a[i] + b[i % b.length]);
}

export function mulRef(a: ArrayLike<number>, b: ArrayLike<number>): Float64Array {
  return Float64Array.from({ length: a.length }, (_, i) => a[i] * b[i % b.length]);
}
