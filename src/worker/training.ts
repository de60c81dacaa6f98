// A training session in the engine: the loop around Trainer.step with start, pause, resume and stop;
// step events batched to at most ~10 messages a second (none dropped); an evaluation at step 0 and
// every `evalEvery` steps; checkpoints to a store. The loop yields between steps so pause and stop
// requests are handled while it runs.

import type { GpuRuntime } from '../gpu/runtime';
import type { GpuDecoder } from '../model/decoder';
import type { Tokenizer } from '../model/tokenizer';
import type { ParallelTuple } from '../train/batching';
import { checkpointBytes, type CheckpointInfo, type CheckpointStore } from '../train/checkpoint-store';
import { Trainer, type EvalEvent, type StepEvent, type TrainSettings } from '../train/trainer';

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

export class TrainingSession {
  private state: TrainState = 'idle';
  private error: TrainStatus['error'] = null;
  private pending: StepEvent[] = [];
  private lastEmit = 0;
  private loop: Promise<void> | null = null;

  private constructor(
    private readonly trainer: Trainer,
    private readonly store: CheckpointStore,
    private readonly emit: (e: TrainEvent) => void,
    private readonly align: AlignHook | null,
  ) {}

  static async create(rt: GpuRuntime, decoder: GpuDecoder, tokenizer: Tokenizer, data: TrainData, settings: TrainSettings, store: CheckpointStore, emit: (e: TrainEvent) => void, align: AlignHook | null = null): Promise<TrainingSession> {
    return new TrainingSession(await Trainer.create(rt, decoder, tokenizer, data.train, data.heldOut, settings), store, emit, align);
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
    const info: CheckpointInfo = { id: `step-${ck.step}-${Date.now()}`, step: ck.step, savedAt: new Date().toISOString(), bytes: checkpointBytes(ck), label: label || `step ${ck.step}` };
    await this.store.save(info, ck);
    this.emit({ kind: 'train-checkpoint', info });
    return info;
  }

  async restoreCheckpoint(id: string): Promise<TrainStatus> {
    if (this.state === 'running') await this.pause();
    await this.trainer.restore(await this.store.load(id));
    this.setState('paused');
    return this.status();
  }

  release(): Promise<void> {
    return this.trainer.release();
  }

  private async run(): Promise<void> {
    const s = this.trainer.settings;
    try {
      if (this.trainer.stepCount === 0 && s.evalEvery > 0) this.emit({ kind: 'train-eval', ...(await this.trainer.evaluate()) });
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
        await new Promise((r) => setTimeout(r, 0)); // let pause/stop requests in
      }
      this.flush();
      if (this.state === 'running') this.setState('finished');
    } catch (e) {
      this.flush();
      this.error = { name: (e as Error).name, message: (e as Error).message };
      this.setState('failed');
    }
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
