// Float64 reference RMSNorm (Llama): y = x / sqrt(mean(x²) + eps) * w, per row of x [N, C], w [C].

export function rmsNormRef(x: ArrayLike<number>, w: ArrayLike<number>, N: number, C: number, eps: number): Float64Array {
  const y = new Float64Array(N * C);
  for (let n = 0; n < N; n++) {
    let ss = 0;
    for (let c = 0; c < C; c++) ss += x[n * C + c] ** 2;
    const r = 1 / Math.sqrt(ss / C + eps);
    for (let c = 0; c < C; c++) y[n * C + c] = x[n * C + c] * r * w[c];
  }
  return y;
}

/**
 * Backward of rmsNormRef for dy [N, C]. With r = 1 / sqrt(mean(x²) + eps) per row:
 *   dx[c] = r·w[c]·dy[c] - x[c]·r³/C · Σ_j dy[j]·w[j]·x[j]   dx [N, C]
 *   dw[c] = Σ_n dy[n, c]·x[n, c]·r[n]                          dw [C]
 */
export function rmsNormBackwardRef(x: ArrayLike<number>, w: ArrayLike<number>, dy: ArrayLike<number>, N: number, C: number, eps: number): { dx: Float64Array; dw: Float64Array } {
  const dx = new Float64Array(N * C);
  const dw = new Float64Array(C);
  for (let n = 0; n < N; n++) {
    let ss = 0;
    let dot = 0;
    for (let c = 0; c < C; c++) {
      ss += x[n * C + c] ** 2;
      dot += dy[n * C + c] * w[c] * x[n * C + c];
    }
    const r = 1 / Math.sqrt(ss / C + eps);
    for (let c = 0; c < C; c++) {
      const i = n * C + c;
      dx[i] = r * w[c] * dy[i] - (x[i] * r ** 3 * dot) / C;
      dw[c] += dy[i] * x[i] * r;
    }
  }
  return { dx, dw };
}
