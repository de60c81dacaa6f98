// Float64 reference cross-entropy of next-token logits with a per-token weight (the loss mask):
//   logits [N, V], targets [N] token ids, weights [N] >= 0
//   CE_n = logsumexp(logits[n]) - logits[n, targets[n]]
//   loss = Σ_n w_n·CE_n / Σ_n w_n   (0 when Σ w = 0; rows of weight 0 are left out of the sum entirely)

/** Softmax of row n of logits [N, V] into p [V], and its log-sum-exp; max-subtracted for stability. */
function softmaxRow(logits: ArrayLike<number>, n: number, V: number, p: Float64Array): number {
  let max = -Infinity;
  for (let v = 0; v < V; v++) max = Math.max(max, logits[n * V + v]);
  let sum = 0;
  for (let v = 0; v < V; v++) sum += (p[v] = Math.exp(logits[n * V + v] - max));
  for (let v = 0; v < V; v++) p[v] /= sum;
  return max + Math.log(sum);
}

/** loss (scalar) and perToken CE_n [N]. */
export function crossEntropyRef(logits: ArrayLike<number>, targets: ArrayLike<number>, weights: ArrayLike<number>, N: number, V: number): { loss: number; perToken: Float64Array } {
  const perToken = new Float64Array(N);
  const p = new Float64Array(V);
  let total = 0;
  let wSum = 0;
  for (let n = 0; n < N; n++) {
    perToken[n] = softmaxRow(logits, n, V, p) - logits[n * V + targets[n]];
    if (weights[n] === 0) continue;
    total += weights[n] * perToken[n];
    wSum += weights[n];
  }
  return { loss: wSum > 0 ? total / wSum : 0, perToken };
}

/** d loss / d logits [N, V]: w_n / Σ w · (softmax(logits[n]) - onehot(targets[n])). */
export function crossEntropyBackwardRef(logits: ArrayLike<number>, targets: ArrayLike<number>, weights: ArrayLike<number>, N: number, V: number): Float64Array {
  const dLogits = new Float64Array(N * V);
  let wSum = 0;
  for (let n = 0; n < N; n++) wSum += weights[n];
  if (wSum === 0) return dLogits;
  const p = new Float64Array(V);
  for (let n = 0; n < N; n++) {
    if (weights[n] === 0) continue;
    softmaxRow(logits, n, V, p);
    const g = weights[n] / wSum;
    for (let v = 0; v < V; v++) dLogits[n * V + v] = g * p[v];
    dLogits[n * V + targets[n]] -= g;
  }
  return dLogits;
}
