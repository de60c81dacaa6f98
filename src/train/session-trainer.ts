// What a training session (src/worker/training.ts) asks of a trainer, whichever backend runs it:
// the WebGPU `Trainer` (trainer.ts) and the CPU route's `CpuTrainer` (src/cpu/trainer.ts) both are one.
// Steps are taken one at a time; a step that diverges rejects with TrainingDivergedError and leaves
// weights, moments and sampler as they were.

import type { EvalEvent, StepEvent, TrainerCheckpoint, TrainSettings } from './trainer';

export interface SessionTrainer {
  readonly settings: TrainSettings;
  /** Optimizer steps applied so far. */
  readonly stepCount: number;
  /** Trainable values (all weights, or the adapters). */
  readonly parameterCount: number;
  /** Test hook: poison the next step's gradient with NaN. */
  injectNaN: boolean;
  step(): Promise<StepEvent>;
  /** Held-out NTP and mapping losses over `batches` fixed batches. */
  evaluate(batches?: number): Promise<EvalEvent>;
  /** Trainable weights, AdamW moments, step and sampler state, as host arrays. */
  checkpoint(): Promise<TrainerCheckpoint>;
  /** Continues from a checkpoint of a trainer with the same settings and data (checked before anything is written). */
  restore(ck: TrainerCheckpoint): Promise<void>;
  /** Frees what the trainer holds; full fine-tuning leaves the trained weights in the model, LoRA detaches its adapters. */
  release(): Promise<void>;
}
