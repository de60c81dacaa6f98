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

/** Backward of poolRef: dh [B, T, C] from dPooled [B, C]; zero on padding (and, for last, on earlier tokens). */
export function poolBackwardRef(dPooled: ArrayLike<number>, lengths: ArrayLike<number>, B: number, T: number, C: number, mode: Pooling): Float64Array {
  const dh = new Float64Array(B * T * C);
  for (let b = 0; b < B; b++) {
    const n = lengths[b];
    const first = mode === 'last' ? n - 1 : 0;
    for (let t = first; t < n; t++) for (let c = 0; c < C; c++) dh[(b * T + t) * C + c] = mode === 'last' ? dPooled[b * C + c] : dPooled[b * C + c] / n;
  }
  return dh;
}
