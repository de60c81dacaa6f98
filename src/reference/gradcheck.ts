// Central finite differences in float64: how every reference backward is checked.
//   numeric[i] = (f(x + h·e_i) - f(x - h·e_i)) / (step up + step down)
// where the steps are the ones actually stored (a Float32Array rounds x ± h), so f32 weights can be
// perturbed in place. Relative error of a gradient: max|analytic - numeric| / max(max|numeric|, 1e-12).

import { randomArray } from './random';

/** Numeric gradient of f at the entries `indices` of x (x is perturbed in place and restored). */
export function numericGrad(f: () => number, x: Float32Array | Float64Array, indices: ArrayLike<number>, h = 1e-5): Float64Array {
  const out = new Float64Array(indices.length);
  for (let j = 0; j < indices.length; j++) {
    const i = indices[j];
    const x0 = x[i];
    x[i] = x0 + h;
    const up = x[i] - x0;
    const fUp = f();
    x[i] = x0 - h;
    const down = x0 - x[i];
    const fDown = f();
    x[i] = x0;
    out[j] = (fUp - fDown) / (up + down);
  }
  return out;
}

export function gradError(analytic: ArrayLike<number>, numeric: ArrayLike<number>): number {
  let maxDiff = 0;
  let scale = 0;
  for (let i = 0; i < numeric.length; i++) {
    maxDiff = Math.max(maxDiff, Math.abs(analytic[i] - numeric[i]));
    scale = Math.max(scale, Math.abs(numeric[i]));
  }
  return Number.isNaN(maxDiff) ? Infinity : maxDiff / Math.max(scale, 1e-12);
}

/** min(count, n) distinct indices below n, seeded, ascending. */
export function sampleIndices(n: number, count: number, seed: number): number[] {
  const keys = randomArray(n, seed);
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => keys[a] - keys[b] || a - b);
  return order.slice(0, count).sort((a, b) => a - b);
}
