// Backward of the light ops (ops.ts) and the loss, for training on the CPU route: TypeScript over f32
// views of the wasm memory, one thread, so every sum has one fixed order whatever the pool's size
// (decision 19). Sums are float64 (JS numbers), each result rounded once to f32. Semantics of the float64
// references in src/reference (norm.ts, rope.ts, elementwise.ts, embedding.ts, loss.ts).
//   rmsNormBackward     x, dy [N, C], w [C] -> dx [N, C]; dw [C] added into `dwInto` (when given)
//   ropeBackwardInPlace dy [N, heads, D] -> dx: each pair turned back by its angle
//   siluMulBackward     g, u, dOut [n] -> dg, du [n]
//   embeddingBackward   dOut [N, C] scatter-added into dE [V, C] by ids [N], grouped by token
//   crossEntropy        logits [N, V] -> CE [N] (f64), and logits overwritten with dlogits = w_n·(softmax - onehot)
//   columnSumsInto      dy [N, W] summed over rows into g [W] (a bias's gradient)
//   addInPlace          a += b;  scaleInPlace a *= s
// Every op allocates its output before taking views (an allocation may grow, and so detach, the memory).

import { ShapeError } from '../errors';
import { groupByToken } from '../kernels/token-groups';
import { numel, type CpuRuntime, type CpuTensor } from './runtime';

function sameSize(a: CpuTensor, b: CpuTensor, op: string): void {
  if (numel(a.shape) !== numel(b.shape)) throw new ShapeError(`${op}: ${a.name} [${a.shape}] and ${b.name} [${b.shape}] differ in size.`, { a: a.shape, b: b.shape });
}

/** With r = 1/sqrt(mean(x²) + eps) per row: dx = r·w·dy - x·r³/C·Σ dy·w·x;  dw += Σ_n dy·x·r. */
export function rmsNormBackward(rt: CpuRuntime, x: CpuTensor, w: CpuTensor, dy: CpuTensor, eps: number, dwInto: CpuTensor | null, name = `d_rmsnorm(${x.name})`): CpuTensor {
  const C = w.shape[0];
  const N = numel(x.shape) / C;
  sameSize(x, dy, 'rmsNormBackward');
  const dx = rt.empty(x.shape, name);
  const [xs, ws, dys, dxs] = [rt.f32(x), rt.f32(w), rt.f32(dy), rt.f32(dx)];
  const dw = new Float64Array(C);
  for (let n = 0; n < N; n++) {
    const o = n * C;
    let ss = 0;
    let dot = 0;
    for (let c = 0; c < C; c++) {
      ss += xs[o + c] * xs[o + c];
      dot += dys[o + c] * ws[c] * xs[o + c];
    }
    const r = 1 / Math.sqrt(ss / C + eps);
    const k = (r * r * r * dot) / C;
    for (let c = 0; c < C; c++) {
      dxs[o + c] = r * ws[c] * dys[o + c] - xs[o + c] * k;
      dw[c] += dys[o + c] * xs[o + c] * r;
    }
  }
  if (dwInto) {
    const g = rt.f32(dwInto);
    for (let c = 0; c < C; c++) g[c] += dw[c];
  }
  return dx;
}

/** The forward rotates pair (i, i + D/2) by +angle; its gradient is the rotation by -angle. */
export function ropeBackwardInPlace(rt: CpuRuntime, dy: CpuTensor, positions: ArrayLike<number>, tables: { cos: CpuTensor; sin: CpuTensor }): void {
  const [N, heads, D] = dy.shape;
  const half = tables.cos.shape[1];
  if (dy.shape.length !== 3 || half * 2 !== D || positions.length !== N) throw new ShapeError(`rope backward: ${dy.name} [${dy.shape}] does not fit tables [${tables.cos.shape}] and ${positions.length} positions.`, { dy: dy.shape });
  const [ds, cos, sin] = [rt.f32(dy), rt.f32(tables.cos), rt.f32(tables.sin)];
  for (let n = 0; n < N; n++) {
    const pos = positions[n];
    for (let h = 0; h < heads; h++) {
      const base = (n * heads + h) * D;
      for (let i = 0; i < half; i++) {
        const c = cos[pos * half + i];
        const s = sin[pos * half + i];
        const d1 = ds[base + i];
        const d2 = ds[base + i + half];
        ds[base + i] = d1 * c + d2 * s;
        ds[base + i + half] = d2 * c - d1 * s;
      }
    }
  }
}

/** σ = 1/(1 + e^-g): dg = dOut·u·σ·(1 + g·(1 - σ)), du = dOut·g·σ. */
export function siluMulBackward(rt: CpuRuntime, g: CpuTensor, u: CpuTensor, dOut: CpuTensor, name = 'silu_mul'): { dg: CpuTensor; du: CpuTensor } {
  sameSize(g, u, 'siluMulBackward');
  sameSize(g, dOut, 'siluMulBackward');
  const dg = rt.empty(g.shape, `d_${name}.gate`);
  const du = rt.empty(g.shape, `d_${name}.up`);
  const [gs, us, ds, dgs, dus] = [rt.f32(g), rt.f32(u), rt.f32(dOut), rt.f32(dg), rt.f32(du)];
  for (let i = 0; i < gs.length; i++) {
    const sig = 1 / (1 + Math.exp(-gs[i]));
    dgs[i] = ds[i] * us[i] * sig * (1 + gs[i] * (1 - sig));
    dus[i] = ds[i] * gs[i] * sig;
  }
  return { dg, du };
}

/** dE [V, C] += dOut [N, C] scattered by ids: each token's rows summed in float64 in row order, then added once. */
export function embeddingBackward(rt: CpuRuntime, ids: ArrayLike<number>, dOut: CpuTensor, dE: CpuTensor): void {
  const C = dE.shape[1];
  if (numel(dOut.shape) !== ids.length * C) throw new ShapeError(`embedding backward: ${dOut.name} [${dOut.shape}] is not ${ids.length} rows of ${C}.`, { dOut: dOut.shape, N: ids.length, C });
  const { tokens, offsets, positions } = groupByToken(ids);
  const [d, e] = [rt.f32(dOut), rt.f32(dE)];
  const acc = new Float64Array(C);
  for (let u = 0; u < tokens.length; u++) {
    acc.fill(0);
    for (let j = offsets[u]; j < offsets[u + 1]; j++) for (let c = 0; c < C; c++) acc[c] += d[positions[j] * C + c];
    const row = tokens[u] * C;
    for (let c = 0; c < C; c++) e[row + c] += acc[c];
  }
}

/**
 * Cross-entropy of each row of logits [N, V] against targets [N]: returns CE [N] and, when `w` is given,
 * overwrites the logits with their gradient dlogits[n] = w[n]·(softmax(logits[n]) - onehot(targets[n]))
 * (w [N]: d loss / d CE_n, 0 on padding). In place, so [N, V] is held once; w null leaves them alone.
 */
export function crossEntropy(rt: CpuRuntime, logits: CpuTensor, targets: ArrayLike<number>, w: ArrayLike<number> | null): Float64Array {
  const V = logits.shape[logits.shape.length - 1];
  const N = numel(logits.shape) / V;
  if (targets.length !== N || (w && w.length !== N)) throw new ShapeError(`crossEntropy: ${targets.length} targets for ${N} rows of ${logits.name}.`, { N, targets: targets.length });
  const ls = rt.f32(logits);
  const ce = new Float64Array(N);
  for (let n = 0; n < N; n++) {
    const row = ls.subarray(n * V, (n + 1) * V);
    const t = targets[n];
    let max = -Infinity;
    for (let v = 0; v < V; v++) if (row[v] > max) max = row[v];
    let sum = 0;
    for (let v = 0; v < V; v++) sum += Math.exp(row[v] - max);
    ce[n] = max + Math.log(sum) - row[t];
    if (!w) continue;
    const g = w[n];
    if (g === 0) {
      row.fill(0);
      continue;
    }
    const k = g / sum;
    for (let v = 0; v < V; v++) row[v] = k * Math.exp(row[v] - max);
    row[t] -= g;
  }
  return ce;
}

/** g [W] += Σ over rows of dy [N, W]. */
export function columnSumsInto(rt: CpuRuntime, dy: CpuTensor, g: CpuTensor): void {
  const W = numel(g.shape);
  const N = numel(dy.shape) / W;
  const [d, gs] = [rt.f32(dy), rt.f32(g)];
  for (let j = 0; j < W; j++) {
    let s = 0;
    for (let n = 0; n < N; n++) s += d[n * W + j];
    gs[j] += s;
  }
}

export function addInPlace(rt: CpuRuntime, a: CpuTensor, b: CpuTensor): void {
  sameSize(a, b, 'addInPlace');
  const [as, bs] = [rt.f32(a), rt.f32(b)];
  for (let i = 0; i < as.length; i++) as[i] += bs[i];
}

export function scaleInPlace(rt: CpuRuntime, a: CpuTensor, s: number): void {
  const as = rt.f32(a);
  for (let i = 0; i < as.length; i++) as[i] *= s;
}
