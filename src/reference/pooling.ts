// Float64 reference pooling of hidden states per sentence: h [B, T, C] with right padding, lengths [B].
// mean: average over the real tokens; last: the last real token.

export type Pooling = 'mean' | 'last';

export function poolRef(h: ArrayLike<number>, lengths: ArrayLike<number>, B: number, T: number, C: number, mode: Pooling): Float64Array {
  const out = new Float64Array(B * C);
  for (let b = 0; b < B; b++) {
    const n = lengths[b];
    if (mode === 'last') {
      for (let c = 0; c < C; c++) out[b * C + c] = h[(b * T + n - 1) * C + c];
    } else {
      for (let t = 0; t < n; t++) for (let c = 0; c < C; c++) out[b * C + c] += h[(b * T + t) * C + c] / n;
    }
  }
  return out;
}
