// The embedding backward's grouping (decision 19: no atomics): the rows of a batch that hold each
// distinct token, so one writer sums each row of dE. No GPU code, so the WGSL kernel's host side
// (embedding.ts) and the CPU route share it; a token's rows are ascending, which fixes the sum's order.

/** Token ids grouped for the scatter-add: distinct tokens, CSR offsets, and rows per token. */
export function groupByToken(ids: ArrayLike<number>): { tokens: Uint32Array; offsets: Uint32Array; positions: Uint32Array } {
  const rows = new Map<number, number[]>();
  for (let n = 0; n < ids.length; n++) {
    const list = rows.get(ids[n]);
    if (list) list.push(n);
    else rows.set(ids[n], [n]);
  }
  const tokens = Uint32Array.from(rows.keys());
  const offsets = new Uint32Array(tokens.length + 1);
  const positions = new Uint32Array(ids.length);
  let at = 0;
  tokens.forEach((t, u) => {
    for (const n of rows.get(t)!) positions[at++] = n;
    offsets[u + 1] = at;
  });
  return { tokens, offsets, positions };
}
