// The experiment in miniature (arXiv 2604.10590's claim on the embedded default model): three arms
// that continue training the same pre-trained model with the same steps, seed, learning rate and
// batch size, and differ only in the objective:
//   control      continued next-token prediction only (monolingual sentences of all languages);
//   mapping      NTP + λ_map · the bidirectional translation-mapping task on parallel sentences;
//   contrastive  NTP + λ_con · InfoNCE on mean-pooled hidden states of the middle layer.
// All arms fine-tune every weight (the model is f32), so evaluation, generation and the maps see the
// trained weights. Mapping pairs are English-centric (EN-X for every other language): CS-UK and
// ZH-JA are never shown as pairs, so their alignment measures transfer.

import type { LangPair } from '../train/batching';
import { defaultTrainSettings } from '../train/defaults';
import type { TrainSettings } from '../train/trainer';

export const ARMS = ['control', 'mapping', 'contrastive'] as const;
export type Arm = (typeof ARMS)[number];

/** The language pairs the report shows (the paper's): high-resource, cross-script, related, CJK. */
export const REPORT_PAIRS: readonly LangPair[] = [
  ['en', 'zh'],
  ['en', 'cs'],
  ['cs', 'uk'],
  ['zh', 'ja'],
];

/** Translation directions scored with chrF and BLEU. */
export const TRANSLATION_DIRECTIONS: readonly LangPair[] = [
  ['en', 'zh'],
  ['en', 'cs'],
];

export interface ExperimentConfig {
  steps: number;
  lr: number;
  /** Examples per step (NTP and mapping examples together). */
  batchSize: number;
  seed: number;
  lambdaMap: number;
  lambdaCon: number;
  /** InfoNCE temperature. */
  temperature: number;
  /** Held-out (dev split) NTP and mapping losses every this many steps (0: never). */
  evalEvery: number;
  /** LAC of the report pairs at the middle layer every this many steps (the learning curve). */
  lacEvery: number;
  /**
   * Longest example in tokens: NTP rows are cut to it, longer mapping pairs dropped. 64 keeps a
   * batch of 16 near 1,000 token slots; the software corpus's long help paragraphs would otherwise
   * pad every batch that draws one to 128.
   */
  maxLength: number;
}

export const DEFAULT_EXPERIMENT: ExperimentConfig = {
  steps: 300,
  lr: 1e-3,
  batchSize: 16,
  seed: 1,
  lambdaMap: 1,
  lambdaCon: 1,
  temperature: 0.1,
  evalEvery: 50,
  lacEvery: 50,
  maxLength: 64,
};

/**
 * The workshop preset's defaults in the page: the mapping (or contrastive) arm of DEFAULT_EXPERIMENT
 * on the everyday corpus for as many steps as the experiment, re-analysing the test split in every
 * language every `every` steps. `npm run bench:preset`: 4.6 min on the CPU route of our 2-core
 * machine (training 3.3, re-analyses and held-out losses 1.2).
 */
export const WORKSHOP_PRESET = { steps: DEFAULT_EXPERIMENT.steps, every: 50 };

/** EN-X for every other language of the corpus. */
export function englishCentricPairs(languages: readonly string[]): LangPair[] {
  return languages.filter((l) => l !== 'en').map((l) => ['en', l] as const);
}

/** Training settings of one arm; `numLayers` places the contrastive objective on the middle layer. */
export function armSettings(arm: Arm, cfg: ExperimentConfig, languages: readonly string[], numLayers: number): TrainSettings {
  const base: TrainSettings = {
    ...defaultTrainSettings({ kind: 'full' }, englishCentricPairs(languages), cfg.steps),
    lr: cfg.lr,
    minLr: cfg.lr / 10,
    warmupSteps: Math.max(1, Math.round(cfg.steps / 10)),
    batchSize: cfg.batchSize,
    seed: cfg.seed,
    evalEvery: cfg.evalEvery,
    maxLength: cfg.maxLength,
    ntpFraction: 1,
    lambdaMap: 0,
  };
  switch (arm) {
    case 'control':
      return base;
    case 'mapping':
      // Half of each batch are translation examples (both directions), half monolingual sentences.
      return { ...base, ntpFraction: 0.5, lambdaMap: cfg.lambdaMap };
    case 'contrastive':
      return { ...base, contrastive: { layer: Math.max(1, Math.round(numLayers / 2)), temperature: cfg.temperature, weight: cfg.lambdaCon, pairsPerStep: cfg.batchSize } };
  }
}
