// The optimizer's maths on the CPU route (the twin of shaders/reduce.wgsl sum_squares and
// shaders/adamw.wgsl): the global Σ grad² in float64 over the tensors in their fixed order, and the
// in-place AdamW step with global-norm clipping, each element computed in float64 and stored as f32.
// Formulas: src/reference/adamw.ts.

import { clipScale, type AdamWStep } from '../reference/adamw';
import type { CpuRuntime, CpuTensor } from './runtime';

/** Σ x² over every element of every tensor, in order. */
export function sumSquares(rt: CpuRuntime, tensors: Iterable<CpuTensor>): number {
  let ss = 0;
  for (const t of tensors) {
    const x = rt.f32(t);
    for (let i = 0; i < x.length; i++) ss += x[i] * x[i];
  }
  return ss;
}

/** param, m, v [n] updated in place from grad [n]; the gradient is first scaled by clipScale(sqrt(normSq), maxNorm). */
export function adamwInPlace(rt: CpuRuntime, param: CpuTensor, grad: CpuTensor, m: CpuTensor, v: CpuTensor, normSq: number, maxNorm: number, o: Omit<AdamWStep, 'gradScale'>): void {
  const clip = clipScale(Math.sqrt(normSq), maxNorm);
  const bc1 = 1 - o.beta1 ** o.step;
  const bc2 = 1 - o.beta2 ** o.step;
  const [p, g, ms, vs] = [rt.f32(param), rt.f32(grad), rt.f32(m), rt.f32(v)];
  for (let i = 0; i < p.length; i++) {
    const gi = g[i] * clip;
    const mi = (ms[i] = o.beta1 * ms[i] + (1 - o.beta1) * gi);
    const vi = (vs[i] = o.beta2 * vs[i] + (1 - o.beta2) * gi * gi);
    p[i] = p[i] - o.lr * (mi / bc1 / (Math.sqrt(vi / bc2) + o.eps) + o.weightDecay * p[i]);
  }
}
