// What the CPU route does with a row of logits: pick the next token, or score the true one.
//   sampleRow  logits [V] -> id: greedy (topK 1 or temperature 0) or temperature + top-k with a
//              uniform draw u in [0, 1); order (value descending, index ascending), as shaders/sample.wgsl
//   tokenNll   logits [N, V], targets [N] -> CE [N] = logsumexp(logits[n]) - logits[n, targets[n]]
// Float64 sums, like their references (src/reference/sample.ts, loss.ts); the top-k draw reuses sampleRef
// on the k candidates (the full sort there would cost O(V log V) per token).

import { ShapeError } from '../errors';
import { MAX_TOP_K } from '../kernels/sample';
import { sampleRef } from '../reference/sample';

/** Whether (v1, i1) comes before (v2, i2): larger value first, then smaller index. */
function before(v1: number, i1: number, v2: number, i2: number): boolean {
  return v1 > v2 || (v1 === v2 && i1 < i2);
}

export function sampleRow(logits: Float32Array, topK: number, temperature: number, u: number): number {
  if (!(topK >= 1 && topK <= MAX_TOP_K)) throw new ShapeError(`sample: topK must be 1..${MAX_TOP_K}, got ${topK}.`, { topK });
  const k = temperature > 0 ? Math.min(topK, logits.length) : 1;
  // The k best (value, index) so far, in order: insertion keeps it sorted, O(V·k) at worst.
  const top: number[] = [];
  for (let i = 0; i < logits.length; i++) {
    const v = logits[i];
    if (top.length === k && !before(v, i, logits[top[k - 1]], top[k - 1])) continue;
    let at = top.length < k ? top.length : k - 1;
    while (at > 0 && before(v, i, logits[top[at - 1]], top[at - 1])) at--;
    if (top.length === k) top.pop();
    top.splice(at, 0, i);
  }
  if (top.length === 1) return top[0];
  // The draw itself over the k candidates, already in order: the reference's softmax and walk.
  return top[sampleRef(Float32Array.from(top, (i) => logits[i]), k, temperature, u)];
}

export function tokenNll(logits: Float32Array, targets: ArrayLike<number>, N: number, V: number): Float32Array {
  if (logits.length !== N * V || targets.length !== N) throw new ShapeError(`tokenNll: ${logits.length} logits and ${targets.length} targets for N ${N} x V ${V}.`, { N, V });
  const out = new Float32Array(N);
  for (let n = 0; n < N; n++) {
    const row = logits.subarray(n * V, (n + 1) * V);
    let max = -Infinity;
    for (let v = 0; v < V; v++) if (row[v] > max) max = row[v];
    let sum = 0;
    for (let v = 0; v < V; v++) sum += Math.exp(row[v] - max);
    out[n] = max + Math.log(sum) - row[targets[n]];
  }
  return out;
}
