// Float64 reference of shaders/sample.wgsl: greedy (topK 1 or temperature 0) or temperature + top-k
// sampling of one row of logits with a given uniform draw u in [0, 1). Order: value descending, then
// index ascending.

export function sampleRef(logits: ArrayLike<number>, topK: number, temperature: number, u: number): number {
  const order = Array.from({ length: logits.length }, (_, i) => i).sort((a, b) => logits[b] - logits[a] || a - b);
  const top = order.slice(0, Math.max(1, topK));
  if (top.length === 1 || temperature <= 0) return top[0];
  const w = top.map((i) => Math.exp((logits[i] - logits[top[0]]) / temperature));
  const target = u * w.reduce((s, x) => s + x, 0);
  let acc = 0;
  for (let r = 0; r < top.length; r++) {
    acc += w[r];
    if (acc > target) return top[r];
  }
  return top[top.length - 1];
}
