// Float64 reference causal self-attention with grouped-query heads over padded sequences.
//   q [B, Tq, H, D]; k, v [B, Tk, Hkv, D]; query t of sequence b sits at position past[b] + t and
//   attends keys s <= past[b] + t that are also < kvLen[b] (right padding). Head h reads kv head
//   h / (H / Hkv). Scale 1/sqrt(D). Returns out [B, Tq, H, D]; rows of queries past the sequence's
//   end (t >= qLen[b]) are 0.

export interface AttentionShape {
  B: number;
  Tq: number;
  Tk: number;
  H: number;
  Hkv: number;
  D: number;
  /** Real queries per sequence (default Tq). */
  qLen?: ArrayLike<number>;
  /** Tokens already in the cache before these queries (default 0). */
  past?: ArrayLike<number>;
}

export function attentionRef(q: ArrayLike<number>, k: ArrayLike<number>, v: ArrayLike<number>, s: AttentionShape): Float64Array {
  const { B, Tq, Tk, H, Hkv, D } = s;
  const out = new Float64Array(B * Tq * H * D);
  const group = H / Hkv;
  const scale = 1 / Math.sqrt(D);
  const scores = new Float64Array(Tk);
  for (let b = 0; b < B; b++) {
    const past = s.past?.[b] ?? 0;
    const qLen = s.qLen?.[b] ?? Tq;
    for (let t = 0; t < qLen; t++) {
      const last = past + t; // attends keys 0..last
      for (let h = 0; h < H; h++) {
        const kh = Math.floor(h / group);
        const qBase = ((b * Tq + t) * H + h) * D;
        let max = -Infinity;
        for (let j = 0; j <= last; j++) {
          const kBase = ((b * Tk + j) * Hkv + kh) * D;
          let dot = 0;
          for (let d = 0; d < D; d++) dot += q[qBase + d] * k[kBase + d];
          scores[j] = dot * scale;
          max = Math.max(max, scores[j]);
        }
        let sum = 0;
        for (let j = 0; j <= last; j++) sum += (scores[j] = Math.exp(scores[j] - max));
        for (let j = 0; j <= last; j++) {
          const p = scores[j] / sum;
          const vBase = ((b * Tk + j) * Hkv + kh) * D;
          for (let d = 0; d < D; d++) out[qBase + d] += p * v[vBase + d];
        }
      }
    }
  }
  return out;
}
