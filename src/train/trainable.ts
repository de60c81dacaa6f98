// What training updates: every weight of an f32 model (full fine-tuning), or LoRA adapters on the
// chosen linears of any model (the base stays frozen, q4/q8 included). Also the gradient buffers.
// Which tensors, and the adapters' first values, are decided here for every backend (fullTensors,
// loraInits); createTrainable puts them on the GPU, src/cpu/trainable.ts in the wasm memory.

import { TrainConfigError } from '../errors';
import type { GpuContext } from '../gpu/runtime';
import { releaseTensor, uploadTensor, type GpuQWeight, type GpuTensor } from '../kernels/tensor';
import type { GpuVocab } from '../kernels/vocab';
import type { GpuDecoder } from '../model/decoder';
import { linearsByName, type DecoderTensors } from '../model/decoder-weights';
import { randomArray } from '../reference/random';
import { LINEAR_NAMES, linearWeightName, type LinearName } from '../model/weights';
import type { LoraAdapter, Trainable } from './backprop';

export interface LoraSettings {
  rank: number;
  alpha: number;
  /** Which linears of every layer carry an adapter. */
  targets: LinearName[];
}

export type TrainMode = { kind: 'full' } | ({ kind: 'lora' } & LoraSettings);

/** Every weight full fine-tuning updates (a tied lm_head is the embedding, listed once); refuses a quantized model. */
export function fullTensors<T, Q>(model: DecoderTensors<T, Q>): T[] {
  if (model.quant !== 'f32') {
    throw new TrainConfigError(`Full fine-tuning needs f32 weights, but this model was loaded as ${model.quant}. Reload it as f32, or train LoRA adapters.`, { quant: model.quant });
  }
  const all = [model.embed, model.finalNorm, ...(model.lmHead === model.embed ? [] : [model.lmHead as T])];
  for (const l of model.layers) all.push(l.inputNorm, l.postNorm, ...(Object.values(l.linears) as T[]), ...(Object.values(l.biases) as T[]), ...(l.qkNorm ? [l.qkNorm.q, l.qkNorm.k] : []));
  return all;
}

/** One adapter to create: on the linear `name` W [out, in], A [r, in] starting at `A`, B [out, r] at zero. */
export interface LoraInit {
  name: string;
  out: number;
  inp: number;
  A: Float32Array;
}

/** The adapters of `mode` on `model`, in a fixed order, with A Kaiming-uniform from `seed`. */
export function loraInits<T extends { shape: readonly number[] }, Q extends { N: number; K: number }, E>(model: DecoderTensors<T, Q, E>, mode: Extract<TrainMode, { kind: 'lora' }>, seed: number): LoraInit[] {
  if (!(mode.rank >= 1 && Number.isInteger(mode.rank))) throw new TrainConfigError(`LoRA rank must be a positive integer, got ${mode.rank}.`, { rank: mode.rank });
  const bad = mode.targets.filter((t) => !LINEAR_NAMES.includes(t));
  if (bad.length || mode.targets.length === 0) throw new TrainConfigError(`LoRA targets must be some of ${LINEAR_NAMES.join(', ')}; got ${mode.targets.join(', ') || 'none'}.`, { targets: mode.targets });
  const linears = linearsByName(model, false);
  const inits: LoraInit[] = [];
  for (let l = 0; l < model.layers.length; l++) {
    for (const t of mode.targets) {
      const name = linearWeightName(l, t);
      const w = linears.get(name)!;
      const [out, inp] = 'shape' in w ? w.shape : [w.N, w.K];
      // Kaiming-uniform with a = sqrt(5) (PyTorch's default for nn.Linear): bound 1/sqrt(in).
      inits.push({ name, out, inp, A: randomArray(mode.rank * inp, seed * 7919 + inits.length).map((v) => v / Math.sqrt(inp)) });
    }
  }
  return inits;
}

export function createTrainable(ctx: GpuContext, model: GpuDecoder, mode: TrainMode, seed: number): Trainable {
  const params = new Map<string, GpuTensor>();
  const lora = new Map<string, LoraAdapter>();
  if (mode.kind === 'full') {
    for (const t of fullTensors(wholeVocab(model))) params.set(t.name, t);
    return { model, mode: 'full', lora, params };
  }
  const inits = loraInits(model, mode, seed);
  const scale = uploadTensor(ctx, Float32Array.of(mode.alpha / mode.rank), [1], 'lora.scale');
  for (const { name, out, inp, A: a } of inits) {
    const A = uploadTensor(ctx, a, [mode.rank, inp], `${name}.lora_A`);
    const B = uploadTensor(ctx, new Float32Array(out * mode.rank), [out, mode.rank], `${name}.lora_B`);
    lora.set(name, { A, B, scale });
    params.set(A.name, A);
    params.set(B.name, B);
  }
  return { model, mode: 'lora', lora, params };
}

/**
 * The decoder with its vocabulary matrices as plain tensors, as full fine-tuning trains them: one
 * f32 shard each. A vocabulary split into shards (decision 44) is refused: its optimizer state alone
 * would be twice the shards, past what such an adapter holds; LoRA leaves it frozen.
 */
function wholeVocab(model: GpuDecoder): DecoderTensors<GpuTensor, GpuQWeight> {
  const whole = (v: GpuVocab) => {
    if (v.shards.length !== 1) {
      throw new TrainConfigError(`Full fine-tuning needs the ${v.V}-row vocabulary in one buffer, but this adapter keeps it in ${v.shards.length} shards (maxStorageBufferBindingSize). Train LoRA adapters instead.`, { shards: v.shards.length, vocab: v.V });
    }
    // A packed shard means a q4/q8 model, which fullTensors refuses before it looks at any tensor.
    return v.shards[0].w as GpuTensor;
  };
  const embed = whole(model.embed);
  return { ...model, embed, lmHead: model.lmHead === model.embed ? embed : whole(model.lmHead) };
}

/** Zero-filled tensors shaped like each parameter (gradients, optimizer moments). */
export function zerosLike(ctx: GpuContext, params: Map<string, GpuTensor>, suffix: string): Map<string, GpuTensor> {
  return new Map([...params].map(([name, t]) => [name, uploadTensor(ctx, new Float32Array(t.shape.reduce((a, b) => a * b, 1)), t.shape, `${name}.${suffix}`)]));
}

/** Sets every tensor to zero (queued ahead of the next submit, so call it between batches). */
export function zeroFill(ctx: GpuContext, tensors: Map<string, GpuTensor>): void {
  for (const t of tensors.values()) ctx.device.queue.writeBuffer(t.buffer.buffer, 0, new Float32Array(t.shape.reduce((a, b) => a * b, 1)));
}

export function releaseAll(ctx: GpuContext, tensors: Iterable<GpuTensor>): void {
  for (const t of tensors) releaseTensor(ctx, t);
}
