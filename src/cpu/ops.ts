// The decoder's light ops on the CPU route: TypeScript over f32 views of the wasm memory, one thread
// (they are O(N·C) next to the matmuls' O(N·C·K)). Semantics of the WGSL kernels in src/kernels and of
// their float64 references in src/reference; sums are taken in float64 (JS numbers), each result
// rounded once to f32.
//   embedding  ids [N] -> out [N, C] = E[ids]                 (E [V, C])
//   rmsNorm    x [N, C] -> x / sqrt(mean(x²) + eps) · w       (w [C])
//   ropeInPlace x [N, heads, D] rotated at positions [N]      (tables cos, sin [P, D/2])
//   add        a, b [n] -> a + b;  addRowsInPlace y [N, W] += bias [W];  siluMul g, u [n] -> silu(g)·u
//   gatherRows x [N, C] -> [rows.length, C]
// Every op allocates its output before taking views: an allocation may grow (and so detach) the memory.

import { ShapeError } from '../errors';
import { numel, type CpuRuntime, type CpuTensor } from './runtime';

function sameSize(a: CpuTensor, b: CpuTensor, op: string): void {
  if (numel(a.shape) !== numel(b.shape)) throw new ShapeError(`${op}: ${a.name} [${a.shape}] and ${b.name} [${b.shape}] differ in size.`, { a: a.shape, b: b.shape });
}

export function embedding(rt: CpuRuntime, ids: ArrayLike<number>, E: CpuTensor, name = 'embeddings'): CpuTensor {
  const [V, C] = E.shape;
  const out = rt.empty([ids.length, C], name);
  const e = rt.f32(E);
  const y = rt.f32(out);
  for (let n = 0; n < ids.length; n++) {
    const id = ids[n];
    if (!(id >= 0 && id < V)) throw new ShapeError(`Token id ${id} is outside the vocabulary (${V}).`, { id });
    y.set(e.subarray(id * C, (id + 1) * C), n * C);
  }
  return out;
}

export function rmsNorm(rt: CpuRuntime, x: CpuTensor, w: CpuTensor, eps: number, name = `rmsnorm(${x.name})`): CpuTensor {
  const C = w.shape[0];
  const N = numel(x.shape) / C;
  if (!Number.isInteger(N)) throw new ShapeError(`rmsNorm: ${x.name} [${x.shape}] is not rows of ${C}.`, { x: x.shape, C });
  const out = rt.empty(x.shape, name);
  const [xs, ws, y] = [rt.f32(x), rt.f32(w), rt.f32(out)];
  for (let n = 0; n < N; n++) {
    let ss = 0;
    for (let c = 0; c < C; c++) ss += xs[n * C + c] * xs[n * C + c];
    const r = 1 / Math.sqrt(ss / C + eps);
    for (let c = 0; c < C; c++) y[n * C + c] = xs[n * C + c] * r * ws[c];
  }
  return out;
}

/** Rotate-half RoPE (Hugging Face): pair (i, i + D/2) of each head turned by the table angle of its row's position. */
export function ropeInPlace(rt: CpuRuntime, x: CpuTensor, positions: ArrayLike<number>, tables: { cos: CpuTensor; sin: CpuTensor }): void {
  const [N, heads, D] = x.shape;
  const [P, half] = tables.cos.shape;
  if (x.shape.length !== 3 || half * 2 !== D || positions.length !== N) throw new ShapeError(`rope: ${x.name} [${x.shape}] does not fit tables [${tables.cos.shape}] and ${positions.length} positions.`, { x: x.shape, tables: tables.cos.shape });
  const [xs, cos, sin] = [rt.f32(x), rt.f32(tables.cos), rt.f32(tables.sin)];
  for (let n = 0; n < N; n++) {
    const pos = positions[n];
    if (!(pos >= 0 && pos < P)) throw new ShapeError(`rope: position ${pos} is outside the tables (${P} positions).`, { pos, P });
    for (let h = 0; h < heads; h++) {
      const base = (n * heads + h) * D;
      for (let i = 0; i < half; i++) {
        const c = cos[pos * half + i];
        const s = sin[pos * half + i];
        const x1 = xs[base + i];
        const x2 = xs[base + i + half];
        xs[base + i] = x1 * c - x2 * s;
        xs[base + i + half] = x2 * c + x1 * s;
      }
    }
  }
}

export function add(rt: CpuRuntime, a: CpuTensor, b: CpuTensor, name = `add(${a.name},${b.name})`): CpuTensor {
  sameSize(a, b, 'add');
  const out = rt.empty(a.shape, name);
  const [as, bs, y] = [rt.f32(a), rt.f32(b), rt.f32(out)];
  for (let i = 0; i < y.length; i++) y[i] = as[i] + bs[i];
  return out;
}

export function addRowsInPlace(rt: CpuRuntime, y: CpuTensor, bias: CpuTensor): void {
  const W = numel(bias.shape);
  const ys = rt.f32(y);
  const bs = rt.f32(bias);
  if (ys.length % W !== 0) throw new ShapeError(`add bias: ${y.name} [${y.shape}] is not rows of ${W}.`, { y: y.shape, W });
  for (let i = 0; i < ys.length; i++) ys[i] += bs[i % W];
}

/** SwiGLU's gate: silu(g) · u, silu(x) = x / (1 + e^-x). */
export function siluMul(rt: CpuRuntime, g: CpuTensor, u: CpuTensor, name = 'silu_mul'): CpuTensor {
  sameSize(g, u, 'siluMul');
  const out = rt.empty(g.shape, name);
  const [gs, us, y] = [rt.f32(g), rt.f32(u), rt.f32(out)];
  for (let i = 0; i < y.length; i++) y[i] = (gs[i] / (1 + Math.exp(-gs[i]))) * us[i];
  return out;
}

export function gatherRows(rt: CpuRuntime, x: CpuTensor, rows: ArrayLike<number>, name = `rows(${x.name})`): CpuTensor {
  const C = x.shape[x.shape.length - 1];
  const N = numel(x.shape) / C;
  const out = rt.empty([rows.length, C], name);
  const [xs, y] = [rt.f32(x), rt.f32(out)];
  for (let r = 0; r < rows.length; r++) {
    if (!(rows[r] >= 0 && rows[r] < N)) throw new ShapeError(`gatherRows: row ${rows[r]} of ${x.name} does not exist (${N} rows).`, { row: rows[r], N });
    y.set(xs.subarray(rows[r] * C, (rows[r] + 1) * C), r * C);
  }
  return out;
}
