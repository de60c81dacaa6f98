// Float64 reference embedding lookup: rows of a table E [V, C] gathered by token ids [N].

/** out [N, C]: out[n] = E[ids[n]]. */
export function embeddingRef(E: ArrayLike<number>, ids: ArrayLike<number>, C: number): Float64Array {
  const out = new Float64Array(ids.length * C);
  for (let n = 0; n < ids.length; n++) for (let c = 0; c < C; c++) out[n * C + c] = E[ids[n] * C + c];
  return out;
}

/** Backward of embeddingRef: dE [V, C], dOut [N, C] scatter-added into the rows of ids (a repeated id sums). */
export function embeddingBackwardRef(dOut: ArrayLike<number>, ids: ArrayLike<number>, V: number, C: number): Float64Array {
  const dE = new Float64Array(V * C);
  for (let n = 0; n < ids.length; n++) for (let c = 0; c < C; c++) dE[ids[n] * C + c] += dOut[n * C + c];
  return dE;
}
