// A training session in the engine: the loop around Trainer.step with start, pause, resume and stop;
// step events batched to at most ~10 messages a second (none dropped); an evaluation at step 0 and
// every `evalEvery` steps; checkpoints to a store. The loop yields between steps so pause and stop
// requests are handled while it runs.
//
// A lost GPU device must not lose the run: the session keeps a snapshot of the trainer on the host
// (trainable weights, AdamW moments, sampler state; 3x the trainable parameters in f32) every
// `snapshotEveryMs` of training and whenever the loop ends (finished, paused, stopped). After a loss
// `recover()` rebuilds the trainer on the new device from the snapshot; for full fine-tuning that
// writes the trained weights into the model, which the new device re-uploaded from its files. A loss
// while training pauses the run at the snapshot's step, and resuming replays from there exactly.

import { DeviceLostError, TrainConfigError } from '../errors';
import type { GpuContext } from '../gpu/runtime';
import type { GpuDecoder } from '../model/decoder';
import type { ParallelTuple } from '../train/batching';
import { checkpointBytes, type CheckpointInfo, type CheckpointStore } from '../train/checkpoint-store';
import type { SessionTrainer } from '../train/session-trainer';
import type { EvalEvent, StepEvent, TrainerCheckpoint, TrainSettings } from '../train/trainer';
import { fnv1a, stableJson } from '../train/fingerprint';

export type TrainState = 'idle' | 'running' | 'paused' | 'stopped' | 'finished' | 'failed';

export interface TrainStatus {
  state: TrainState;
  step: number;
  steps: number;
  trainableParameters: number;
  error: { name: string; message: string } | null;
}

export interface TrainData {
  train: ParallelTuple[];
  heldOut: ParallelTuple[];
}

/** Re-measuring alignment while training: `run(step)` at step 0 and every `every` steps (and at the end). */
export interface AlignHook {
  every: number;
  run(step: number): Promise<void>;
}

export type TrainEvent =
  | { kind: 'train-steps'; steps: StepEvent[] }
  | ({ kind: 'train-eval' } & EvalEvent)
  | ({ kind: 'train-status' } & TrainStatus)
  | { kind: 'train-checkpoint'; info: CheckpointInfo };

const EMIT_EVERY_MS = 100;
/** How often (ms of training) the host snapshot is refreshed: the most work a device loss can cost. */
export const SNAPSHOT_EVERY_MS = 30_000;

/** What a session trains, on which backend (trainer-source.ts), and how to build its trainer again on a new device. */
export interface TrainerSource {
  /** modelKey of the model, stamped on its checkpoints. */
  model: string;
  /** A trainer of the model for these settings (checked; unusable data throws before any work). */
  create(settings: TrainSettings): Promise<SessionTrainer>;
  /** Makes sure the model's weights live on the current device (WebGPU: a lost device's model re-uploads and calls `rebuildOn`; the CPU route has nothing to do). */
  recover(): Promise<void>;
  /** WebGPU only: the trainer built synchronously on a new device, over the decoder just re-uploaded, restored from `snapshot` if any. */
  rebuildOn?(ctx: GpuContext, decoder: GpuDecoder, settings: TrainSettings, snapshot: TrainerCheckpoint | null): SessionTrainer;
}

export class TrainingSession {
  private state: TrainState = 'idle';
  private error: TrainStatus['error'] = null;
  private pending: StepEvent[] = [];
  private lastEmit = 0;
  private loop: Promise<void> | null = null;
  /** The host copy a device loss resumes from; null until the first one (then recovery starts at step 0). */
  private snapshot: TrainerCheckpoint | null = null;
  private snapshotAt = 0;

  private constructor(
    private trainer: SessionTrainer,
    private readonly source: TrainerSource,
    private readonly store: CheckpointStore,
    private readonly emit: (e: TrainEvent) => void,
    private readonly align: AlignHook | null,
    private readonly snapshotEveryMs: number,
    /** The held-out losses before step 1 when already measured on these weights (Engine.prepareTraining). */
    private initialEval: EvalEvent | null,
  ) {
    this.snapshotAt = performance.now();
  }

  static async create(source: TrainerSource, settings: TrainSettings, store: CheckpointStore, emit: (e: TrainEvent) => void, align: AlignHook | null = null, snapshotEveryMs = SNAPSHOT_EVERY_MS, initialEval: EvalEvent | null = null): Promise<TrainingSession> {
    const trainer = await source.create(settings);
    return new TrainingSession(trainer, source, store, emit, align, snapshotEveryMs, initialEval);
  }

  /**
   * Makes sure the session lives on the current device. Touching the model's weights is enough: on
   * a new device the model re-uploads its files and calls `rebuildOn` within the same GPU work.
   */
  async recover(): Promise<void> {
    await this.source.recover();
  }

  /**
   * The trainer again on a new device, from the last snapshot (or from the start, if none was taken):
   * for full fine-tuning this writes the trained weights over the `decoder` just re-uploaded from
   * the files; for LoRA it builds the adapters again and attaches them.
   */
  rebuildOn(ctx: GpuContext, decoder: GpuDecoder): void {
    if (!this.source.rebuildOn) return; // only a WebGPU model re-uploads
    this.trainer = this.source.rebuildOn(ctx, decoder, this.trainer.settings, this.snapshot);
    if (this.state !== 'running') this.emit({ kind: 'train-status', ...this.status() });
  }

  status(): TrainStatus {
    return { state: this.state, step: this.trainer.stepCount, steps: this.trainer.settings.steps, trainableParameters: this.trainer.parameterCount, error: this.error };
  }

  /** Test hook: the next step's gradient becomes NaN. */
  injectNaN(): void {
    this.trainer.injectNaN = true;
  }

  start(): TrainStatus {
    if (this.state === 'running') return this.status();
    this.error = null; // a resumed run starts clean (the reason it stopped was shown)
    this.setState('running');
    this.loop = this.run();
    return this.status();
  }

  /** Finishes the step in flight, then waits. */
  async pause(): Promise<TrainStatus> {
    if (this.state === 'running') this.setState('paused');
    await this.loop;
    return this.status();
  }

  async stop(): Promise<TrainStatus> {
    if (this.state === 'running' || this.state === 'paused' || this.state === 'idle') this.setState('stopped');
    await this.loop;
    return this.status();
  }

  /** Resolves when the loop ends (finished, paused, stopped or failed). */
  async settled(): Promise<TrainStatus> {
    await this.loop;
    return this.status();
  }

  async saveCheckpoint(label = ''): Promise<CheckpointInfo> {
    const ck = await this.trainer.checkpoint();
    const info: CheckpointInfo = { id: `step-${ck.step}-${Date.now()}`, model: this.source.model, step: ck.step, savedAt: new Date().toISOString(), bytes: checkpointBytes(ck), label: label || `step ${ck.step}` };
    await this.store.save(info, ck);
    this.emit({ kind: 'train-checkpoint', info });
    return info;
  }

  async restoreCheckpoint(id: string): Promise<TrainStatus> {
    const info = (await this.store.list()).find((c) => c.id === id);
    if (!info) throw new TrainConfigError(`There is no checkpoint ${id}; pick one from the list.`, { id });
    if (info.model !== this.source.model) {
      throw new TrainConfigError(`Checkpoint "${info.label}" was trained on ${info.model.split('#')[0]}, not on the loaded model; load that model to restore it.`, { id, model: info.model });
    }
    if (this.state === 'running') await this.pause();
    await this.trainer.restore(await this.store.load(id));
    this.snapshot = null; // the restored state is the one to keep
    await this.takeSnapshot(true);
    this.setState('paused');
    return this.status();
  }

  release(): Promise<void> {
    return this.trainer.release();
  }

  private async run(): Promise<void> {
    const s = this.trainer.settings;
    try {
      await this.takeSnapshot(true); // from the first step on, a device loss resumes from here, not from the files
      if (this.trainer.stepCount === 0 && s.evalEvery > 0) this.emit({ kind: 'train-eval', ...(this.initialEval ?? (await this.trainer.evaluate())) });
      this.initialEval = null; // a restored or resumed run measures again
      if (this.trainer.stepCount === 0 && this.align) await this.align.run(0);
      while (this.state === 'running' && this.trainer.stepCount < s.steps) {
        this.pending.push(await this.trainer.step());
        const step = this.trainer.stepCount;
        if (performance.now() - this.lastEmit >= EMIT_EVERY_MS || step === s.steps) this.flush();
        if (s.evalEvery > 0 && (step % s.evalEvery === 0 || step === s.steps)) this.emit({ kind: 'train-eval', ...(await this.trainer.evaluate()) });
        if (this.align && (step % this.align.every === 0 || step === s.steps)) {
          this.flush(); // the loss chart moves before the alignment views do
          await this.align.run(step);
        }
        await this.takeSnapshot(false);
        await new Promise((r) => setTimeout(r, 0)); // let pause/stop requests in
      }
      this.flush();
      await this.takeSnapshot(true);
      if (this.state === 'running') this.setState('finished');
    } catch (e) {
      this.flush();
      if (e instanceof DeviceLostError) return this.pauseAfterLoss(e);
      this.error = { name: (e as Error).name, message: (e as Error).message };
      this.setState('failed');
    }
  }

  /** Refreshes the host snapshot when it is older than snapshotEveryMs (always when `force`). */
  private async takeSnapshot(force: boolean): Promise<void> {
    if (this.snapshot?.step === this.trainer.stepCount) return;
    if (!force && performance.now() - this.snapshotAt < this.snapshotEveryMs) return;
    this.snapshot = await this.trainer.checkpoint();
    this.snapshotAt = performance.now();
  }

  /** The device went away mid-run: rebuild on a new one from the snapshot, then wait paused. */
  private async pauseAfterLoss(e: DeviceLostError): Promise<void> {
    this.state = 'paused';
    try {
      await this.recover();
    } catch (again) {
      this.error = { name: (again as Error).name, message: `${e.message} No new device could be acquired: ${(again as Error).message}` };
      return this.setState('failed');
    }
    this.error = { name: e.name, message: `${e.message} Training is paused at step ${this.trainer.stepCount}, the last copy of the run kept in memory; resume continues from there.` };
    this.setState('paused');
  }

  private flush(): void {
    if (this.pending.length === 0) return;
    this.emit({ kind: 'train-steps', steps: this.pending });
    this.pending = [];
    this.lastEmit = performance.now();
  }

  private setState(state: TrainState): void {
    this.state = state;
    this.emit({ kind: 'train-status', ...this.status() });
  }
}

/**
 * What the held-out evaluation before step 1 depends on: the held-out batches (tuples, pairs, mix,
 * template, batch size, seed) and how the losses are weighed, not the schedule (steps, learning rate).
 * Equal keys on equal weights give equal losses.
 */
export function heldOutKey(settings: TrainSettings, data: TrainData): string {
  const { mode, pairs, directions, template, ntpFraction, maxLength, batchSize, seed, lambdaMap } = settings;
  return fnv1a([stableJson({ mode, pairs, directions, template, ntpFraction, maxLength, batchSize, seed, lambdaMap }), ...data.heldOut.map((t) => stableJson(t))]);
}
