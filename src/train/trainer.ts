// The trainer: one optimizer step = gradAccum micro-batches of forward+backward, the loss terms and
// the global gradient norm read back together (the step's only readback), then AdamW on the GPU.
// A NaN or Inf in a loss or in the gradient norm stops before the update and restores the sampler,
// so the last good state is what remains; the step raises TrainingDivergedError.
//   L = L_ntp + λ_map · L_map (+ λ_con · L_con), L_ntp and L_map each the mean cross-entropy over
//   their own loss-weighted tokens, L_con the optional InfoNCE of contrastive.ts.

import { DeviceLostError } from '../errors';
import type { GpuContext, GpuRuntime } from '../gpu/runtime';
import { matmul } from '../kernels/matmul';
import { adamwStep, sumSquares } from '../kernels/optimizer';
import { rowSum } from '../kernels/reduce';
import { numel, readTensor, releaseTensor, uploadTensor, type GpuTensor } from '../kernels/tensor';
import type { GpuDecoder } from '../model/decoder';
import type { Tokenizer } from '../model/tokenizer';
import { decayApplies } from '../reference/adamw';
import { forwardBackward, type Trainable } from './backprop';
import type { Batch, BatchSampler, LangPair, MixConfig, ParallelTuple, SamplerState } from './batching';
import { contrastiveForwardBackward, type ContrastiveSettings } from './contrastive';
import { Rng, type RngState } from './rng';
import type { MappingTemplate } from './template';
import type { HostAdapter } from './merge';
import { checkCheckpoint, checkTrainSettings, stepEvent, contrastiveRng, divergedError, planStep, restoreSampler, totalLoss, trainSamplers, stepBatch, weightsOf, weightSums, type StepPlan, type TrainerData } from './step-plan';
import { createTrainable, releaseAll, zeroFill, zerosLike, type TrainMode } from './trainable';

export interface TrainSettings {
  mode: TrainMode;
  steps: number;
  lr: number;
  warmupSteps: number;
  minLr: number;
  batchSize: number;
  gradAccum: number;
  lambdaMap: number;
  ntpFraction: number;
  pairs: LangPair[];
  directions: MixConfig['directions'];
  template: MappingTemplate;
  maxLength: number;
  weightDecay: number;
  /** Clip the global gradient norm to this; 0 disables clipping. */
  maxGradNorm: number;
  beta1: number;
  beta2: number;
  eps: number;
  seed: number;
  /** Evaluate on held-out pairs every this many steps (0: never). */
  evalEvery: number;
  /** Recompute each layer's activations in the backward instead of keeping them (less memory, ~1/3 more compute). */
  recomputeActivations?: boolean;
  /** The optional contrastive objective; absent or weight 0: off. */
  contrastive?: ContrastiveSettings;
}

export interface StepEvent {
  step: number;
  loss: number;
  lossNtp: number;
  lossMap: number;
  /** 0 when the contrastive objective is off. */
  lossCon: number;
  gradNorm: number;
  lr: number;
  tokens: number;
  ms: number;
  tokensPerSecond: number;
  /** Matmul GFLOP/s of the step, counted by train-flops.ts. */
  gflops: number;
}

export interface EvalEvent {
  step: number;
  lossNtp: number;
  lossMap: number;
}

export interface TrainerCheckpoint {
  step: number;
  settings: TrainSettings;
  sampler: SamplerState;
  /** Draws of the contrastive pairs. */
  contrastiveRng: RngState;
  /** Trainable tensors and AdamW moments by parameter name. */
  params: Record<string, Float32Array>;
  m: Record<string, Float32Array>;
  v: Record<string, Float32Array>;
}

export class Trainer {
  stepCount = 0;
  /** Test hook: poison the next step's gradient with NaN. */
  injectNaN = false;
  /** The held-out batches, drawn once so every evaluation sees the same ones. */
  private evalSet: Batch[] | null = null;

  private constructor(
    private readonly rt: GpuRuntime,
    /** The device generation its tensors live on; after a device loss they are gone (TrainingSession rebuilds). */
    readonly generation: number,
    readonly settings: TrainSettings,
    private readonly tr: Trainable,
    private readonly grads: Map<string, GpuTensor>,
    private readonly m: Map<string, GpuTensor>,
    private readonly v: Map<string, GpuTensor>,
    private sampler: BatchSampler,
    private readonly heldOut: BatchSampler | null,
    private conRng: Rng,
    private readonly data: TrainerData,
  ) {}

  static async create(rt: GpuRuntime, decoder: GpuDecoder, tokenizer: Tokenizer, train: readonly ParallelTuple[], heldOut: readonly ParallelTuple[], settings: TrainSettings): Promise<Trainer> {
    checkTrainSettings(settings, decoder.config.numLayers);
    const samplers = trainSamplers(tokenizer, train, heldOut, settings); // throws on unusable data before any GPU work
    return rt.run(async (ctx) => Trainer.build(ctx, rt, decoder, samplers, { train, tokenizer }, settings));
  }

  /**
   * `create` on a given device, synchronously and without checking the settings again: the
   * training session rebuilds its trainer this way inside the model's re-upload after a device loss.
   */
  static build(ctx: GpuContext, rt: GpuRuntime, decoder: GpuDecoder, samplers: { train: BatchSampler; heldOut: BatchSampler | null }, data: TrainerData, settings: TrainSettings): Trainer {
    const tr = createTrainable(ctx, decoder, settings.mode, settings.seed);
    // Inference (generation, embeddings, analysis) sees the adapters while the session lives.
    if (tr.mode === 'lora') decoder.adapters = tr.lora;
    return new Trainer(rt, ctx.generation, settings, tr, zerosLike(ctx, tr.params, 'grad'), zerosLike(ctx, tr.params, 'adam_m'), zerosLike(ctx, tr.params, 'adam_v'), samplers.train, samplers.heldOut, contrastiveRng(settings), data);
  }

  /** GPU work on this trainer's tensors; DeviceLostError if the device they lived on is gone. */
  private onDevice<T>(work: (ctx: GpuContext) => Promise<T>): Promise<T> {
    return this.rt.run(async (ctx) => {
      if (ctx.generation !== this.generation) throw new DeviceLostError('The GPU device this training run lived on was lost; its session rebuilds it from the last snapshot.', { generation: this.generation });
      return work(ctx);
    });
  }

  get parameterCount(): number {
    return [...this.tr.params.values()].reduce((s, t) => s + t.shape.reduce((a, b) => a * b, 1), 0);
  }

  /** One optimizer step. Rejects with TrainingDivergedError (nothing applied) on NaN/Inf. */
  async step(): Promise<StepEvent> {
    const s = this.settings;
    const plan = planStep(s, this.stepCount, this.sampler, this.conRng, this.data);
    const { step: stepNo, lr } = plan;
    const t0 = performance.now();
    return this.onDevice(async (ctx) => {
      const { losses, normSq, normTotal } = await this.gradients(ctx, plan.micro, plan.sums, plan.con);
      const loss = totalLoss(plan, s, losses);
      if (![loss, normSq].every(Number.isFinite)) {
        releaseTensor(ctx, normTotal);
        this.sampler = restoreSampler(this.data, s, plan.before.sampler);
        this.conRng = Rng.fromState(plan.before.con);
        throw divergedError(stepNo, loss, normSq, this.stepCount);
      }
      const batch = ctx.batch();
      for (const [name, p] of this.tr.params) {
        await adamwStep(ctx, batch, p, this.grads.get(name)!, this.m.get(name)!, this.v.get(name)!, normTotal, {
          lr,
          beta1: s.beta1,
          beta2: s.beta2,
          eps: s.eps,
          weightDecay: decayApplies(name) ? s.weightDecay : 0,
          maxNorm: s.maxGradNorm,
          step: stepNo,
        });
      }
      await batch.submit();
      await ctx.device.queue.onSubmittedWorkDone();
      releaseTensor(ctx, normTotal);
      this.stepCount = stepNo;
      const ms = performance.now() - t0;
      return stepEvent(plan, s, this.tr.model.config, losses, loss, normSq, ms);
    });
  }

  /** Gradients of the micro-batches (and the contrastive pairs) summed into this.grads; loss terms and Σ grad² read back together. */
  private async gradients(ctx: GpuContext, micro: Batch[], sums: { ntp: number; map: number }, con: StepPlan['con']) {
    zeroFill(ctx, this.grads);
    const lossBuf = uploadTensor(ctx, new Float32Array(2), [1, 2], 'losses');
    const slots = uploadTensor(ctx, new Float32Array(this.grads.size), [1, this.grads.size], 'grad_norm_slots');
    const batch = ctx.batch();
    for (const b of micro) {
      const w = weightsOf(b, sums, this.settings.lambdaMap);
      if (this.injectNaN) w.grad[0] = NaN;
      const report = uploadTensor(ctx, w.report, [b.B * b.T, 2], 'loss_weights');
      const ce = await forwardBackward(ctx, batch, this.tr, this.grads, stepBatch(b, w.grad), { recompute: this.settings.recomputeActivations });
      await matmul(ctx, batch, { ...ce, shape: [1, b.B * b.T] }, report, { into: lossBuf });
      releaseTensor(ctx, ce);
      releaseTensor(ctx, report);
    }
    this.injectNaN = false;
    const conLoss = con ? await contrastiveForwardBackward(ctx, batch, this.tr, this.grads, con.pairs, con.settings) : null;
    let i = 0;
    for (const g of this.grads.values()) await sumSquares(ctx, batch, g, slots, i++);
    const normTotal = await rowSum(ctx, batch, slots, 'grad_norm_sq');
    const readLoss = batch.read(lossBuf.buffer.buffer, 8);
    const readNorm = batch.read(normTotal.buffer.buffer, 4);
    const readCon = conLoss ? batch.read(conLoss.buffer.buffer, 4) : null;
    await batch.submit();
    const [ntp, map] = new Float32Array(await readLoss);
    const losses = [ntp, map, readCon ? new Float32Array(await readCon)[0] : 0];
    const normSq = new Float32Array(await readNorm)[0];
    if (conLoss) releaseTensor(ctx, conLoss);
    releaseTensor(ctx, lossBuf);
    releaseTensor(ctx, slots);
    return { losses, normSq, normTotal };
  }

  /** Held-out NTP and mapping loss over `batches` fixed batches (the same ones every time). */
  async evaluate(batches = 2): Promise<EvalEvent> {
    if (!this.heldOut) return { step: this.stepCount, lossNtp: NaN, lossMap: NaN };
    const s = this.settings;
    this.evalSet ??= Array.from({ length: batches }, () => this.heldOut!.next(s.batchSize));
    const list = this.evalSet;
    const sums = weightSums(list);
    return this.onDevice(async (ctx) => {
      const lossBuf = uploadTensor(ctx, new Float32Array(2), [1, 2], 'eval_losses');
      const batch = ctx.batch();
      for (const b of list) {
        const w = weightsOf(b, sums, s.lambdaMap);
        const report = uploadTensor(ctx, w.report, [b.B * b.T, 2], 'loss_weights');
        const ce = await forwardBackward(ctx, batch, this.tr, this.grads, stepBatch(b, w.grad), { backward: false });
        await matmul(ctx, batch, { ...ce, shape: [1, b.B * b.T] }, report, { into: lossBuf });
        releaseTensor(ctx, ce);
        releaseTensor(ctx, report);
      }
      await batch.submit();
      const [lossNtp, lossMap] = await readTensor(ctx, lossBuf);
      releaseTensor(ctx, lossBuf);
      return { step: this.stepCount, lossNtp, lossMap };
    });
  }

  /** Trainable weights, AdamW moments, step and sampler state, read back to the CPU. */
  async checkpoint(): Promise<TrainerCheckpoint> {
    return this.onDevice(async (ctx) => {
      const read = async (m: Map<string, GpuTensor>) => {
        const out: Record<string, Float32Array> = {};
        for (const [name, t] of m) out[name] = await readTensor(ctx, t);
        return out;
      };
      return {
        step: this.stepCount,
        settings: this.settings,
        sampler: this.sampler.state(),
        contrastiveRng: this.conRng.state(),
        params: await read(this.tr.params),
        m: await read(this.m),
        v: await read(this.v),
      };
    });
  }

  /** The LoRA adapters read back, for merging into the base (merge.ts); empty for full fine-tuning. */
  async adapters(): Promise<Map<string, HostAdapter>> {
    const mode = this.settings.mode;
    if (mode.kind !== 'lora') return new Map();
    return this.onDevice(async (ctx) => {
      const out = new Map<string, HostAdapter>();
      for (const [name, a] of this.tr.lora) out.set(name, { rank: mode.rank, alpha: mode.alpha, A: await readTensor(ctx, a.A), B: await readTensor(ctx, a.B) });
      return out;
    });
  }

  /** Continues from a checkpoint of a trainer with the same settings and data. */
  restore(ck: TrainerCheckpoint): Promise<void> {
    return this.onDevice(async (ctx) => this.restoreOn(ctx, ck));
  }

  /** `restore` on the device this trainer lives on, synchronously (see `build`). */
  restoreOn(ctx: GpuContext, ck: TrainerCheckpoint): void {
    checkCheckpoint(ck, new Map([...this.tr.params].map(([name, t]) => [name, numel(t.shape)])));
    const tensors = [[this.tr.params, ck.params], [this.m, ck.m], [this.v, ck.v]] as const;
    for (const [map, saved] of tensors) for (const [name, t] of map) ctx.device.queue.writeBuffer(t.buffer.buffer, 0, saved[name]);
    this.sampler = restoreSampler(this.data, this.settings, ck.sampler);
    this.conRng = Rng.fromState(ck.contrastiveRng);
    this.stepCount = ck.step;
  }

  release(): Promise<void> {
    return this.rt.run(async (ctx) => {
      if (ctx.generation !== this.generation) return; // a lost device took the buffers with it
      releaseAll(ctx, [...this.grads.values(), ...this.m.values(), ...this.v.values()]);
      if (this.tr.model.adapters === this.tr.lora) this.tr.model.adapters = undefined;
      if (this.tr.mode === 'lora') releaseAll(ctx, [...this.tr.params.values(), ...new Set([...this.tr.lora.values()].map((a) => a.scale))]);
    });
  }
}
