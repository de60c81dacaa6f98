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

/**
 * Softmax weights of query row qBase over the keys 0..last of kv head kh of sequence b: p[j] for j <= last.
 * Scores are q·k / sqrt(D), max-subtracted before exp.
 */
function softmaxRow(q: ArrayLike<number>, k: ArrayLike<number>, s: AttentionShape, b: number, kh: number, qBase: number, last: number, p: Float64Array): void {
  const { Tk, Hkv, D } = s;
  const scale = 1 / Math.sqrt(D);
  let max = -Infinity;
  for (let j = 0; j <= last; j++) {
    const kBase = ((b * Tk + j) * Hkv + kh) * D;
    let dot = 0;
    for (let d = 0; d < D; d++) dot += q[qBase + d] * k[kBase + d];
    p[j] = dot * scale;
    max = Math.max(max, p[j]);
  }
  let sum = 0;
  for (let j = 0; j <= last; j++) sum += (p[j] = Math.exp(p[j] - max));
  for (let j = 0; j <= last; j++) p[j] /= sum;
}

export function attentionRef(q: ArrayLike<number>, k: ArrayLike<number>, v: ArrayLike<number>, s: AttentionShape): Float64Array {
  const { B, Tq, Tk, H, Hkv, D } = s;
  const out = new Float64Array(B * Tq * H * D);
  const group = H / Hkv;
  const p = new Float64Array(Tk);
  for (let b = 0; b < B; b++) {
    const past = s.past?.[b] ?? 0;
    const qLen = s.qLen?.[b] ?? Tq;
    for (let t = 0; t < qLen; t++) {
      const last = past + t; // attends keys 0..last
      for (let h = 0; h < H; h++) {
        const kh = Math.floor(h / group);
        const qBase = ((b * Tq + t) * H + h) * D;
        softmaxRow(q, k, s, b, kh, qBase, last, p);
        for (let j = 0; j <= last; j++) {
          const vBase = ((b * Tk + j) * Hkv + kh) * D;
          for (let d = 0; d < D; d++) out[qBase + d] += p[j] * v[vBase + d];
        }
      }
    }
  }
  return out;
}

/**
 * Backward of attentionRef for dOut [B, Tq, H, D]: dq [B, Tq, H, D], dk and dv [B, Tk, Hkv, D]. Per query row,
 * with weights p and dp[j] = dOut·v[j]: ds[j] = p[j]·(dp[j] - Σ_i p[i]·dp[i]), dq = Σ_j ds[j]·k[j] / sqrt(D),
 * dk[j] += ds[j]·q / sqrt(D), dv[j] += p[j]·dOut. A kv head sums over the query heads of its group; padded
 * query rows (t >= qLen[b]) contribute nothing, and keys no real query sees get 0.
 */
export function attentionBackwardRef(q: ArrayLike<number>, k: ArrayLike<number>, v: ArrayLike<number>, dOut: ArrayLike<number>, s: AttentionShape): { dq: Float64Array; dk: Float64Array; dv: Float64Array } {
  const { B, Tq, Tk, H, Hkv, D } = s;
  const dq = new Float64Array(B * Tq * H * D);
  const dk = new Float64Array(B * Tk * Hkv * D);
  const dv = new Float64Array(B * Tk * Hkv * D);
  const group = H / Hkv;
  const scale = 1 / Math.sqrt(D);
  const p = new Float64Array(Tk);
  const dp = new Float64Array(Tk);
  for (let b = 0; b < B; b++) {
    const past = s.past?.[b] ?? 0;
    const qLen = s.qLen?.[b] ?? Tq;
    for (let t = 0; t < qLen; t++) {
      const last = past + t;
      for (let h = 0; h < H; h++) {
        const kh = Math.floor(h / group);
        const qBase = ((b * Tq + t) * H + h) * D;
        softmaxRow(q, k, s, b, kh, qBase, last, p);
        let pdp = 0; // Σ_j p[j]·dp[j]
        for (let j = 0; j <= last; j++) {
          const vBase = ((b * Tk + j) * Hkv + kh) * D;
          let dot = 0;
          for (let d = 0; d < D; d++) {
            dot += dOut[qBase + d] * v[vBase + d];
            dv[vBase + d] += p[j] * dOut[qBase + d];
          }
          dp[j] = dot;
          pdp += p[j] * dot;
        }
        for (let j = 0; j <= last; j++) {
          const ds = p[j] * (dp[j] - pdp) * scale;
          const kBase = ((b * Tk + j) * Hkv + kh) * D;
          for (let d = 0; d < D; d++) {
            dq[qBase + d] += ds * k[kBase + d];
            dk[kBase + d] += ds * q[qBase + d];
          }
        }
      }
    }
  }
  return { dq, dk, dv };
}
