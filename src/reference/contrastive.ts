// Float64 reference symmetric InfoNCE over translation pairs with in-batch negatives, and its gradient.
//   x, y [n, C]: pooled sentence vectors; rows i of x and y are translations of each other.
//   x̂, ŷ = rows L2-normalised (x / max(|x|, 1e-12), as torch.nn.functional.normalize)
//   S = x̂·ŷᵀ / temperature                                            [n, n]
//   loss = ( CE(S, rows -> i) + CE(Sᵀ, rows -> i) ) / 2, each CE a mean over the n rows
// dx, dy [n, C] are the gradients with respect to the unnormalised x and y.

import { crossEntropyBackwardRef, crossEntropyRef } from './loss';
import { matmulBackwardRef, matmulRef } from './matmul';

const NORM_EPS = 1e-12;

/** x̂ [n, C] and the row norms |x| [n] (before the eps floor). */
function normalizeRows(x: ArrayLike<number>, n: number, C: number): { xh: Float64Array; norms: Float64Array } {
  const xh = new Float64Array(n * C);
  const norms = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let ss = 0;
    for (let c = 0; c < C; c++) ss += x[i * C + c] ** 2;
    norms[i] = Math.sqrt(ss);
    const d = Math.max(norms[i], NORM_EPS);
    for (let c = 0; c < C; c++) xh[i * C + c] = x[i * C + c] / d;
  }
  return { xh, norms };
}

/** dx [n, C] from dx̂: (dx̂ - x̂·(x̂·dx̂)) / |x| per row; below the eps floor x̂ = x / eps, so dx = dx̂ / eps. */
function normalizeRowsBackward(xh: Float64Array, norms: Float64Array, dxh: Float64Array, n: number, C: number): Float64Array {
  const dx = new Float64Array(n * C);
  for (let i = 0; i < n; i++) {
    let dot = 0;
    if (norms[i] > NORM_EPS) for (let c = 0; c < C; c++) dot += xh[i * C + c] * dxh[i * C + c];
    const d = Math.max(norms[i], NORM_EPS);
    for (let c = 0; c < C; c++) dx[i * C + c] = (dxh[i * C + c] - xh[i * C + c] * dot) / d;
  }
  return dx;
}

/** Sᵀ of S [n, n]. */
function transpose(S: Float64Array, n: number): Float64Array {
  return S.map((_, i) => S[(i % n) * n + Math.floor(i / n)]);
}

export function infoNceRef(x: ArrayLike<number>, y: ArrayLike<number>, n: number, C: number, temperature: number): { loss: number; dx: Float64Array; dy: Float64Array } {
  const nx = normalizeRows(x, n, C);
  const ny = normalizeRows(y, n, C);
  const shape = { M: n, N: n, K: C, transB: true };
  const S = matmulRef(nx.xh, ny.xh, shape).map((v) => v / temperature);
  const St = transpose(S, n);
  const targets = Array.from({ length: n }, (_, i) => i);
  const ones = new Float64Array(n).fill(1);
  const loss = (crossEntropyRef(S, targets, ones, n, n).loss + crossEntropyRef(St, targets, ones, n, n).loss) / 2;
  // dS [n, n] = (dCE/dS + (dCE/dSᵀ)ᵀ) / 2, then through the 1/temperature scale.
  const dS = crossEntropyBackwardRef(S, targets, ones, n, n);
  const dStT = transpose(crossEntropyBackwardRef(St, targets, ones, n, n), n);
  const dSim = dS.map((v, i) => (v + dStT[i]) / (2 * temperature));
  const { dA: dxh, dB: dyh } = matmulBackwardRef(nx.xh, ny.xh, dSim, shape);
  return { loss, dx: normalizeRowsBackward(nx.xh, nx.norms, dxh, n, C), dy: normalizeRowsBackward(ny.xh, ny.norms, dyh, n, C) };
}
