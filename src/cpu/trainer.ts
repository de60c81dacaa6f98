// The trainer of the CPU route: the WebGPU Trainer's contract (SessionTrainer) and objective on the
// WebAssembly kernels. One optimizer step = gradAccum micro-batches of forward + backward
// (backprop.ts), the optional contrastive pairs (contrastive.ts), the global gradient norm, then AdamW
// (optimizer.ts). Everything it shares with the WebGPU trainer — settings checks, samplers, the step's
// plan, loss weights, the divergence error, checkpoint checks — is src/train/step-plan.ts.
// A NaN or Inf in a loss or in Σ grad² stops before the update (decision 20): nothing is written,
// the sampler and contrastive draws are rewound, and the step raises TrainingDivergedError.
// Deterministic (decision 19): the kernels split outputs across threads without changing how any one
// is summed, and the light ops run on one thread, so 1, 2 or 4 threads give the same bits.

import type { Tokenizer } from '../model/tokenizer';
import { decayApplies } from '../reference/adamw';
import type { Batch, BatchSampler, ParallelTuple } from '../train/batching';
import { Rng } from '../train/rng';
import type { SessionTrainer } from '../train/session-trainer';
import { checkCheckpoint, checkTrainSettings, stepEvent, contrastiveRng, divergedError, planStep, restoreSampler, totalLoss, trainSamplers, stepBatch, weightsOf, weightSums, type StepPlan, type TrainerData } from '../train/step-plan';
import type { EvalEvent, StepEvent, TrainerCheckpoint, TrainSettings } from '../train/trainer';
import { cpuForwardBackward } from './backprop';
import { cpuContrastiveForwardBackward } from './contrastive';
import type { CpuDecoder } from './decoder';
import { adamwInPlace, sumSquares } from './optimizer';
import { numel, type CpuRuntime, type CpuTensor } from './runtime';
import { cpuZerosLike, createCpuTrainable, type CpuTrainable } from './trainable';

export class CpuTrainer implements SessionTrainer {
  stepCount = 0;
  injectNaN = false;
  /** The held-out batches, drawn once so every evaluation sees the same ones. */
  private evalSet: Batch[] | null = null;

  private constructor(
    private readonly rt: CpuRuntime,
    readonly settings: TrainSettings,
    private readonly tr: CpuTrainable,
    private readonly grads: Map<string, CpuTensor>,
    private readonly m: Map<string, CpuTensor>,
    private readonly v: Map<string, CpuTensor>,
    private sampler: BatchSampler,
    private readonly heldOut: BatchSampler | null,
    private conRng: Rng,
    private readonly data: TrainerData,
  ) {}

  /** Full fine-tuning trains `decoder`'s weights in place; LoRA hangs its adapters on it until `release`. */
  static create(rt: CpuRuntime, decoder: CpuDecoder, tokenizer: Tokenizer, train: readonly ParallelTuple[], heldOut: readonly ParallelTuple[], settings: TrainSettings): CpuTrainer {
    checkTrainSettings(settings, decoder.config.numLayers);
    const samplers = trainSamplers(tokenizer, train, heldOut, settings);
    const tr = createCpuTrainable(rt, decoder, settings.mode, settings.seed);
    // Inference (generation, embeddings, analysis) sees the adapters while the session lives.
    if (tr.mode === 'lora') decoder.adapters = tr.lora;
    const zeros = (suffix: string) => cpuZerosLike(rt, tr.params, suffix);
    return new CpuTrainer(rt, settings, tr, zeros('grad'), zeros('adam_m'), zeros('adam_v'), samplers.train, samplers.heldOut, contrastiveRng(settings), { train, tokenizer });
  }

  get parameterCount(): number {
    return [...this.tr.params.values()].reduce((s, t) => s + numel(t.shape), 0);
  }

  /** One optimizer step. Rejects with TrainingDivergedError (nothing applied) on NaN/Inf. */
  async step(): Promise<StepEvent> {
    const s = this.settings;
    const plan = planStep(s, this.stepCount, this.sampler, this.conRng, this.data);
    const t0 = performance.now();
    const losses = this.gradients(plan);
    const normSq = sumSquares(this.rt, this.grads.values());
    const loss = totalLoss(plan, s, losses);
    if (![loss, normSq].every(Number.isFinite)) {
      this.sampler = restoreSampler(this.data, s, plan.before.sampler);
      this.conRng = Rng.fromState(plan.before.con);
      throw divergedError(plan.step, loss, normSq, this.stepCount);
    }
    for (const [name, p] of this.tr.params) {
      adamwInPlace(this.rt, p, this.grads.get(name)!, this.m.get(name)!, this.v.get(name)!, normSq, s.maxGradNorm, {
        lr: plan.lr,
        beta1: s.beta1,
        beta2: s.beta2,
        eps: s.eps,
        weightDecay: decayApplies(name) ? s.weightDecay : 0,
        step: plan.step,
      });
    }
    this.stepCount = plan.step;
    const ms = performance.now() - t0;
    return stepEvent(plan, s, this.tr.model.config, losses, loss, normSq, ms);
  }

  /** Gradients of the micro-batches (and the contrastive pairs) summed into this.grads; returns [L_ntp, L_map, L_con]. */
  private gradients(plan: StepPlan): number[] {
    for (const g of this.grads.values()) this.rt.f32(g).fill(0);
    const losses = [0, 0, 0];
    for (const b of plan.micro) {
      const w = weightsOf(b, plan.sums, this.settings.lambdaMap);
      if (this.injectNaN) w.grad[0] = NaN;
      const ce = cpuForwardBackward(this.rt, this.tr, this.grads, stepBatch(b, w.grad), { recompute: this.settings.recomputeActivations });
      addReported(losses, ce, w.report);
    }
    this.injectNaN = false;
    if (plan.con) losses[2] = cpuContrastiveForwardBackward(this.rt, this.tr, this.grads, plan.con.pairs, plan.con.settings);
    return losses;
  }

  /** Held-out NTP and mapping loss over `batches` fixed batches (the same ones every time). */
  async evaluate(batches = 2): Promise<EvalEvent> {
    if (!this.heldOut) return { step: this.stepCount, lossNtp: NaN, lossMap: NaN };
    const s = this.settings;
    this.evalSet ??= Array.from({ length: batches }, () => this.heldOut!.next(s.batchSize));
    const sums = weightSums(this.evalSet);
    const losses = [0, 0];
    for (const b of this.evalSet) {
      const w = weightsOf(b, sums, s.lambdaMap);
      addReported(losses, cpuForwardBackward(this.rt, this.tr, this.grads, stepBatch(b, w.grad), { backward: false }), w.report);
    }
    return { step: this.stepCount, lossNtp: losses[0], lossMap: losses[1] };
  }

  async checkpoint(): Promise<TrainerCheckpoint> {
    const read = (m: Map<string, CpuTensor>) => Object.fromEntries([...m].map(([name, t]) => [name, this.rt.read(t)]));
    return { step: this.stepCount, settings: this.settings, sampler: this.sampler.state(), contrastiveRng: this.conRng.state(), params: read(this.tr.params), m: read(this.m), v: read(this.v) };
  }

  async restore(ck: TrainerCheckpoint): Promise<void> {
    checkCheckpoint(ck, new Map([...this.tr.params].map(([name, t]) => [name, numel(t.shape)])));
    for (const [map, saved] of [[this.tr.params, ck.params], [this.m, ck.m], [this.v, ck.v]] as const) for (const [name, t] of map) this.rt.f32(t).set(saved[name]);
    this.sampler = restoreSampler(this.data, this.settings, ck.sampler);
    this.conRng = Rng.fromState(ck.contrastiveRng);
    this.stepCount = ck.step;
  }

  async release(): Promise<void> {
    for (const t of [...this.grads.values(), ...this.m.values(), ...this.v.values()]) this.rt.release(t);
    if (this.tr.model.adapters === this.tr.lora) this.tr.model.adapters = undefined;
    if (this.tr.mode === 'lora') for (const t of this.tr.params.values()) this.rt.release(t);
  }
}

/** losses[k] += Σ_n CE_n · report[n, k] over the rows that count for term k (rows of weight 0 are left out, as in the reference). */
function addReported(losses: number[], ce: Float64Array, report: Float32Array): void {
  for (let n = 0; n < ce.length; n++) {
    for (let k = 0; k < 2; k++) if (report[2 * n + k] !== 0) losses[k] += ce[n] * report[2 * n + k];
  }
}
