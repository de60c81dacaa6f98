// What training updates: every weight of an f32 model (full fine-tuning), or LoRA adapters on the
// chosen linears of any model (the base stays frozen, q4/q8 included). Also the gradient buffers.

import { TrainConfigError } from '../errors';
import type { GpuContext } from '../gpu/runtime';
import { releaseTensor, uploadTensor, type GpuTensor } from '../kernels/tensor';
import type { GpuDecoder } from '../model/decoder';
import { randomArray } from '../reference/random';
import { LINEAR_NAMES, linearWeightName, type LinearName } from '../model/weights';
import { linearsByName, type LoraAdapter, type Trainable } from './backprop';

export interface LoraSettings {
  rank: number;
  alpha: number;
  /** Which linears of every layer carry an adapter. */
  targets: LinearName[];
}

export type TrainMode = { kind: 'full' } | ({ kind: 'lora' } & LoraSettings);

export function createTrainable(ctx: GpuContext, model: GpuDecoder, mode: TrainMode, seed: number): Trainable {
  const params = new Map<string, GpuTensor>();
  const lora = new Map<string, LoraAdapter>();
  if (mode.kind === 'full') {
    if (model.quant !== 'f32') {
      throw new TrainConfigError(`Full fine-tuning needs f32 weights, but this model was loaded as ${model.quant}. Reload it as f32, or train LoRA adapters.`, { quant: model.quant });
    }
    const all: GpuTensor[] = [model.embed, model.finalNorm, ...(model.lmHead === model.embed ? [] : [model.lmHead as GpuTensor])];
    for (const l of model.layers) all.push(l.inputNorm, l.postNorm, ...(Object.values(l.linears) as GpuTensor[]), ...Object.values(l.biases));
    for (const t of all) params.set(t.name, t);
    return { model, mode: 'full', lora, params };
  }
  if (!(mode.rank >= 1 && Number.isInteger(mode.rank))) throw new TrainConfigError(`LoRA rank must be a positive integer, got ${mode.rank}.`, { rank: mode.rank });
  const bad = mode.targets.filter((t) => !LINEAR_NAMES.includes(t));
  if (bad.length || mode.targets.length === 0) throw new TrainConfigError(`LoRA targets must be some of ${LINEAR_NAMES.join(', ')}; got ${mode.targets.join(', ') || 'none'}.`, { targets: mode.targets });
  const linears = linearsByName(model);
  const scale = uploadTensor(ctx, Float32Array.of(mode.alpha / mode.rank), [1], 'lora.scale');
  let i = 0;
  for (let l = 0; l < model.layers.length; l++) {
    for (const t of mode.targets) {
      const name = linearWeightName(l, t);
      const w = linears.get(name)!;
      const [out, inp] = 'shape' in w ? w.shape : [w.N, w.K];
      // Kaiming-uniform with a = sqrt(5) (PyTorch's default for nn.Linear): bound 1/sqrt(in).
      const A = uploadTensor(ctx, randomArray(mode.rank * inp, seed * 7919 + i++).map((v) => v / Math.sqrt(inp)), [mode.rank, inp], `${name}.lora_A`);
      const B = uploadTensor(ctx, new Float32Array(out * mode.rank), [out, mode.rank], `${name}.lora_B`);
      lora.set(name, { A, B, scale });
      params.set(A.name, A);
      params.set(B.name, B);
    }
  }
  return { model, mode: 'lora', lora, params };
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
