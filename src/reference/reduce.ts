// Float64 reference of shaders/reduce.wgsl: out[r] = Σ_c x[r, c] for x [R, C].

export function rowSumRef(x: ArrayLike<number>, R: number, C: number): Float64Array {
  const out = new Float64Array(R);
  for (let r = 0; r < R; r++) {
    let acc = 0;
    for (let c = 0; c < C; c++) acc += x[r * C + c];
    out[r] = acc;
  }
  return out;
}
