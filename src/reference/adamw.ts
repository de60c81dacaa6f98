// Float64 reference of one AdamW step (Loshchilov & Hutter, decoupled weight decay) with bias
// correction, in PyTorch's torch.optim.AdamW form, plus global-norm gradient clipping. The oracle
// for the GPU optimizer kernel. All arrays are flat [n] views of one tensor.
//
//   g  = grad * gradScale                         (gradScale = clipScale(globalNorm, maxNorm))
//   m' = beta1 m + (1 - beta1) g
//   v' = beta2 v + (1 - beta2) g²
//   m^ = m' / (1 - beta1^step),  v^ = v' / (1 - beta2^step)          (step is 1-based)
//   p' = p - lr * (m^ / (sqrt(v^) + eps) + weightDecay * p)
// The decay is multiplied by lr (PyTorch's convention), so it follows the learning-rate schedule.

import { ShapeError } from '../errors';

export interface AdamWStep {
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
  /** Decoupled decay coefficient; pass 0 for tensors where `decayApplies(name)` is false. */
  weightDecay: number;
  /** 1-based count of updates including this one. */
  step: number;
  /** Multiplies the gradient first (the clipping factor); default 1. */
  gradScale?: number;
}

export interface AdamWState {
  param: Float64Array;
  m: Float64Array;
  v: Float64Array;
}

/** One AdamW update of one tensor; returns new arrays and leaves the inputs alone. */
export function adamwStepRef(param: ArrayLike<number>, grad: ArrayLike<number>, m: ArrayLike<number>, v: ArrayLike<number>, o: AdamWStep): AdamWState {
  const n = param.length;
  if (grad.length !== n || m.length !== n || v.length !== n) {
    throw new ShapeError(`adamwStepRef: param, grad, m and v must have one length; got ${n}, ${grad.length}, ${m.length}, ${v.length}.`, { param: n, grad: grad.length, m: m.length, v: v.length });
  }
  if (!(Number.isInteger(o.step) && o.step >= 1)) throw new RangeError(`adamwStepRef: step is 1-based, got ${o.step}.`);
  const scale = o.gradScale ?? 1;
  const bc1 = 1 - o.beta1 ** o.step;
  const bc2 = 1 - o.beta2 ** o.step;
  const out: AdamWState = { param: new Float64Array(n), m: new Float64Array(n), v: new Float64Array(n) };
  for (let i = 0; i < n; i++) {
    const g = grad[i] * scale;
    const mi = o.beta1 * m[i] + (1 - o.beta1) * g;
    const vi = o.beta2 * v[i] + (1 - o.beta2) * g * g;
    const update = mi / bc1 / (Math.sqrt(vi / bc2) + o.eps);
    out.param[i] = param[i] - o.lr * (update + o.weightDecay * param[i]);
    out.m[i] = mi;
    out.v[i] = vi;
  }
  return out;
}

/** sqrt of the sum of squares over every gradient tensor: the norm that clipping looks at. */
export function globalGradNorm(grads: readonly ArrayLike<number>[]): number {
  let ss = 0;
  for (const g of grads) for (let i = 0; i < g.length; i++) ss += g[i] * g[i];
  return Math.sqrt(ss);
}

/**
 * The factor that brings the global norm down to `maxNorm`: min(1, maxNorm / (globalNorm + 1e-6)),
 * as torch.nn.utils.clip_grad_norm_. maxNorm <= 0 or Infinity turns clipping off (1), as in
 * shaders/adamw.wgsl. A NaN norm gives NaN: the trainer must see a broken step, not a skipped one.
 */
export function clipScale(globalNorm: number, maxNorm: number): number {
  if (Number.isNaN(globalNorm)) return NaN;
  if (!(maxNorm > 0) || maxNorm === Infinity) return 1;
  return Math.min(1, maxNorm / (globalNorm + 1e-6));
}

/**
 * Whether weight decay applies to the tensor named `weightName` (Hugging Face names). Common
 * practice (HF Trainer, nanoGPT's treatment of matrices): decay matrices — linear weights, LoRA A/B,
 * embeddings and lm_head — and not gains or offsets: RMSNorm/LayerNorm weights (`*norm.weight`,
 * GPT-2's `ln_*.weight`) and every `.bias`. Decaying a norm gain pulls it toward 0, not toward the
 * identity it starts at.
 */
export function decayApplies(weightName: string): boolean {
  if (weightName.endsWith('.bias') || weightName === 'bias') return false;
  const last = weightName.split('.').slice(-2, -1)[0] ?? '';
  if (weightName.endsWith('.weight') && (/norm/i.test(last) || /^ln(_|$)/.test(last))) return false;
  return true;
}
