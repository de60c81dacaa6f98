// Learning-rate schedule: linear warmup from lr/warmupSteps up to lr, then a half cosine down to
// minLr, reached exactly at the last step. Steps are 1-based, the same count AdamW's bias correction
// uses: step 1 is the first optimizer update, step totalSteps the last.
//
//   s <= W:        lr * s / W
//   W < s <= N:    minLr + (lr - minLr) * (1 + cos(pi * (s - W) / (N - W))) / 2
//   s > N:         minLr            (training past the plan keeps the floor)

import { TrainConfigError } from '../errors';

export interface LrSchedule {
  /** Peak learning rate, reached at the end of warmup. */
  lr: number;
  /** Steps of linear warmup; 0 starts the cosine at once. */
  warmupSteps: number;
  /** Planned number of optimizer steps; the cosine ends here. */
  totalSteps: number;
  /** Floor of the decay (e.g. lr / 10); 0 decays to zero. */
  minLr: number;
}

/** Throws TrainConfigError naming the first setting that cannot make a schedule. */
export function checkSchedule(s: LrSchedule): void {
  const bad = (key: string, value: unknown, want: string) =>
    new TrainConfigError(`Learning-rate schedule: ${key} must be ${want}, got ${value}.`, { setting: key, value });
  if (!(Number.isFinite(s.lr) && s.lr >= 0)) throw bad('lr', s.lr, 'a finite number >= 0');
  if (!(Number.isFinite(s.minLr) && s.minLr >= 0 && s.minLr <= s.lr)) throw bad('minLr', s.minLr, `a number in [0, lr = ${s.lr}]`);
  if (!(Number.isInteger(s.totalSteps) && s.totalSteps >= 1)) throw bad('totalSteps', s.totalSteps, 'an integer >= 1');
  if (!(Number.isInteger(s.warmupSteps) && s.warmupSteps >= 0 && s.warmupSteps <= s.totalSteps)) {
    throw bad('warmupSteps', s.warmupSteps, `an integer in [0, totalSteps = ${s.totalSteps}]`);
  }
}

/** The learning rate of optimizer step `step` (1-based). */
export function learningRate(step: number, s: LrSchedule): number {
  checkSchedule(s);
  if (!(Number.isInteger(step) && step >= 1)) throw new RangeError(`learningRate: step is 1-based, got ${step}.`);
  const { lr, warmupSteps: W, totalSteps: N, minLr } = s;
  if (step <= W) return (lr * step) / W;
  if (step >= N) return minLr;
  const progress = (step - W) / (N - W); // in (0, 1)
  return minLr + ((lr - minLr) * (1 + Math.cos(Math.PI * progress))) / 2;
}
