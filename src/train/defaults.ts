// Default training settings, shared by the CLI and the Train panel: a short run that shows the
// effect of the mapping task on a small model without tuning.

import type { LangPair } from './batching';
import { DEFAULT_TAGS_TEMPLATE } from './template';
import type { TrainMode } from './trainable';
import type { TrainSettings } from './trainer';

export const DEFAULT_LORA: Extract<TrainMode, { kind: 'lora' }> = { kind: 'lora', rank: 8, alpha: 16, targets: ['q', 'v'] };

/** Learning rate by mode: adapters start from zero and tolerate a larger step. */
export const LR_BY_MODE = { full: 1e-3, lora: 2e-3 } as const;

export function defaultTrainSettings(mode: TrainMode, pairs: LangPair[], steps = 60): TrainSettings {
  const lr = LR_BY_MODE[mode.kind];
  return {
    mode,
    steps,
    lr,
    warmupSteps: Math.round(steps / 10),
    minLr: lr / 10,
    batchSize: 8,
    gradAccum: 1,
    lambdaMap: 1,
    ntpFraction: 0.5,
    pairs,
    directions: 'both',
    template: DEFAULT_TAGS_TEMPLATE,
    maxLength: 128,
    weightDecay: 0.01,
    maxGradNorm: 1,
    beta1: 0.9,
    beta2: 0.999,
    eps: 1e-8,
    seed: 1,
    evalEvery: 10,
  };
}
