// What every trainer does the same way whatever runs the maths (WebGPU trainer.ts, the CPU route's
// src/cpu/trainer.ts): checking the settings, the samplers, one optimizer step's plan (micro-batches,
// contrastive pairs, loss weights, learning rate) and its rewind when the step diverges, the
// divergence error, and the checks a checkpoint must pass before any tensor is written.
//   L = L_ntp + λ_map · L_map (+ λ_con · L_con); per token, d L / d CE_n = w_ntp[n] / Σ w_ntp + λ_map · w_map[n] / Σ w_map

import { TrainConfigError, TrainingDivergedError } from '../errors';
import type { Tokenizer } from '../model/tokenizer';
import { BatchSampler, type Batch, type MixConfig, type ParallelTuple, type SamplerState } from './batching';
import { contrastiveBatch, type ContrastiveSettings, type SideBatch } from './contrastive';
import { Rng, type RngState } from './rng';
import { checkSchedule, learningRate } from './schedule';
import type { StepBatch } from './backprop';
import type { DecoderConfig } from '../model/config';
import type { StepEvent, TrainerCheckpoint, TrainSettings } from './trainer';
import { trainingFlopsPerToken } from './train-flops';

/** The data a trainer draws from. */
export interface TrainerData {
  train: readonly ParallelTuple[];
  tokenizer: Tokenizer;
}

/** Throws TrainConfigError on settings no trainer can run; `numLayers` bounds the contrastive layer. */
export function checkTrainSettings(settings: TrainSettings, numLayers: number): void {
  if (!(settings.steps >= 1 && settings.batchSize >= 1 && settings.gradAccum >= 1)) {
    throw new TrainConfigError(`steps, batchSize and gradAccum must be at least 1 (got ${settings.steps}, ${settings.batchSize}, ${settings.gradAccum}).`, {});
  }
  checkSchedule({ lr: settings.lr, warmupSteps: settings.warmupSteps, totalSteps: settings.steps, minLr: settings.minLr });
  const con = settings.contrastive;
  if (con && con.weight > 0) {
    if (!(Number.isInteger(con.layer) && con.layer >= 1 && con.layer <= numLayers)) throw new TrainConfigError(`The contrastive layer must be a hidden state 1..${numLayers}, got ${con.layer}.`, { layer: con.layer });
    if (!(con.temperature > 0)) throw new TrainConfigError(`The contrastive temperature must be positive, got ${con.temperature}.`, { temperature: con.temperature });
    if (!(con.pairsPerStep >= 2)) throw new TrainConfigError(`InfoNCE needs at least 2 pairs per step (in-batch negatives), got ${con.pairsPerStep}.`, { pairsPerStep: con.pairsPerStep });
  }
}

function mixOf(s: TrainSettings): MixConfig {
  return { ntpFraction: s.ntpFraction, directions: s.directions, maxLength: s.maxLength };
}

/** The training sampler and the held-out one, at their start (throws on unusable data). */
export function trainSamplers(tokenizer: Tokenizer, train: readonly ParallelTuple[], heldOut: readonly ParallelTuple[], settings: TrainSettings): { train: BatchSampler; heldOut: BatchSampler | null } {
  const mix = mixOf(settings);
  return {
    train: new BatchSampler(train, settings.pairs, mix, tokenizer, settings.template, settings.seed),
    // Held-out batches are half NTP, half mapping whatever the training mix, so both losses are
    // always measured and runs with different mixes (the experiment's arms) see the same examples.
    heldOut: heldOut.length ? new BatchSampler(heldOut, settings.pairs, { ...mix, ntpFraction: 0.5 }, tokenizer, settings.template, settings.seed + 1) : null,
  };
}

/** The training sampler continuing from `state`. */
export function restoreSampler(data: TrainerData, settings: TrainSettings, state: SamplerState): BatchSampler {
  return BatchSampler.restore(data.train, settings.pairs, mixOf(settings), data.tokenizer, settings.template, state);
}

/** The contrastive pairs' generator of a fresh trainer. */
export function contrastiveRng(settings: TrainSettings): Rng {
  return new Rng(settings.seed * 3 + 1);
}

/** Per-token weights of one micro-batch [B*T]: for the gradient (λ folded in) and for reporting each term ([N, 2]: NTP, mapping). */
export function weightsOf(b: Batch, sums: { ntp: number; map: number }, lambdaMap: number): { grad: Float32Array; report: Float32Array } {
  const n = b.B * b.T;
  const grad = new Float32Array(n);
  const report = new Float32Array(2 * n);
  for (let i = 0; i < n; i++) {
    const wn = sums.ntp > 0 ? b.ntpWeights[i] / sums.ntp : 0;
    const wm = sums.map > 0 ? b.mapWeights[i] / sums.map : 0;
    grad[i] = wn + lambdaMap * wm;
    report[2 * i] = wn;
    report[2 * i + 1] = wm;
  }
  return { grad, report };
}

/** What one forward + backward reads of a micro-batch, with its per-token gradient weights. */
export function stepBatch(b: Batch, gradWeight: Float32Array): StepBatch {
  return { B: b.B, T: b.T, ids: b.ids, targets: b.targets, gradWeight, lengths: b.lengths };
}

/** Σ of each term's weights over the batches: what normalises L_ntp and L_map. */
export function weightSums(batches: readonly Batch[]): { ntp: number; map: number } {
  return { ntp: batches.reduce((a, b) => a + b.weightSums.ntp, 0), map: batches.reduce((a, b) => a + b.weightSums.map, 0) };
}

export interface StepPlan {
  /** 1-based number of the step. */
  step: number;
  micro: Batch[];
  sums: { ntp: number; map: number };
  /** The contrastive objective and its pairs, when on. */
  con: { settings: ContrastiveSettings; pairs: { a: SideBatch; b: SideBatch } } | null;
  /** Real tokens of the micro-batches. */
  tokens: number;
  lr: number;
  /** Sampler and contrastive draws as they were before the plan, for a step that is not applied. */
  before: { sampler: SamplerState; con: RngState };
}

/** Draws step `stepCount + 1`: gradAccum micro-batches from `sampler`, the contrastive pairs from `conRng`. */
export function planStep(settings: TrainSettings, stepCount: number, sampler: BatchSampler, conRng: Rng, data: TrainerData): StepPlan {
  const s = settings;
  const step = stepCount + 1;
  const before = { sampler: sampler.state(), con: conRng.state() };
  const micro = Array.from({ length: s.gradAccum }, () => sampler.next(s.batchSize));
  const conSettings = s.contrastive && s.contrastive.weight > 0 ? s.contrastive : null;
  const con = conSettings ? { settings: conSettings, pairs: contrastiveBatch(data.tokenizer, data.train, s.pairs[(step - 1) % s.pairs.length], conSettings.pairsPerStep, conRng, s.maxLength) } : null;
  const tokens = micro.reduce((a, b) => a + b.lengths.reduce((x, y) => x + y, 0), 0);
  const lr = learningRate(step, { lr: s.lr, warmupSteps: s.warmupSteps, totalSteps: s.steps, minLr: s.minLr });
  return { step, micro, sums: weightSums(micro), con, tokens, lr, before };
}

/** The total loss of a step from its terms [ntp, map, con]. */
export function totalLoss(plan: StepPlan, settings: TrainSettings, [ntp, map, con]: readonly number[]): number {
  return ntp + settings.lambdaMap * map + (plan.con ? plan.con.settings.weight * con : 0);
}

/** What a finished step reports: its losses, gradient norm and speed (tokens/s and matmul GFLOP/s, train-flops.ts). */
export function stepEvent(plan: StepPlan, settings: TrainSettings, config: DecoderConfig, [lossNtp, lossMap, lossCon]: readonly number[], loss: number, normSq: number, ms: number): StepEvent {
  const flops = plan.tokens * trainingFlopsPerToken(config, settings.mode, settings.recomputeActivations);
  return { step: plan.step, loss, lossNtp, lossMap, lossCon, gradNorm: Math.sqrt(normSq), lr: plan.lr, tokens: plan.tokens, ms, tokensPerSecond: (plan.tokens / ms) * 1000, gflops: flops / (ms * 1e6) };
}

export function divergedError(step: number, loss: number, normSq: number, kept: number): TrainingDivergedError {
  return new TrainingDivergedError(
    `Training diverged at step ${step}: loss ${loss}, gradient norm ${Math.sqrt(normSq)}. The step was not applied; weights and optimizer state are those of step ${kept}. Lower the learning rate or enable gradient clipping.`,
    { step, loss, gradNorm: Math.sqrt(normSq) },
  );
}

/**
 * Checks that `ck` holds every trainable tensor with the size it has here (`sizes`: name -> values),
 * weights and both moments, before anything is written: a checkpoint of another model changes nothing.
 */
export function checkCheckpoint(ck: TrainerCheckpoint, sizes: ReadonlyMap<string, number>): void {
  for (const saved of [ck.params, ck.m, ck.v]) {
    for (const [name, size] of sizes) {
      if (!saved[name]) throw new TrainConfigError(`The checkpoint has no ${name}: it belongs to another model or training mode.`, { tensor: name });
      if (saved[name].length !== size) throw new TrainConfigError(`The checkpoint's ${name} has ${saved[name].length} values where this model's has ${size}: it belongs to another model.`, { tensor: name, saved: saved[name].length, expected: size });
    }
  }
}
