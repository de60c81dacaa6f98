// What training updates on the CPU route (the twin of src/train/trainable.ts, which decides which
// tensors and the adapters' first values for both backends): full fine-tuning trains the model's own
// f32 tensors in the wasm memory in place; LoRA creates A [r, in] and B [out, r] per targeted linear
// and leaves the base (q4/q8/f32) frozen.

import { fullTensors, loraInits, type TrainMode } from '../train/trainable';
import type { CpuDecoder, CpuLinearAdapter } from './decoder';
import type { CpuRuntime, CpuTensor } from './runtime';

export interface CpuTrainable {
  model: CpuDecoder;
  mode: 'full' | 'lora';
  /** Adapters by the name of the linear weight they sit on. */
  lora: Map<string, CpuLinearAdapter>;
  /** Trainable tensors by name (HF names; adapters as `${weight}.lora_A` / `.lora_B`). */
  params: Map<string, CpuTensor>;
}

export function createCpuTrainable(rt: CpuRuntime, model: CpuDecoder, mode: TrainMode, seed: number): CpuTrainable {
  const params = new Map<string, CpuTensor>();
  const lora = new Map<string, CpuLinearAdapter>();
  if (mode.kind === 'full') {
    for (const t of fullTensors(model)) params.set(t.name, t);
    return { model, mode: 'full', lora, params };
  }
  for (const { name, out, inp, A: a } of loraInits(model, mode, seed)) {
    const A = rt.upload(a, [mode.rank, inp], `${name}.lora_A`);
    const B = rt.upload(new Float32Array(out * mode.rank), [out, mode.rank], `${name}.lora_B`);
    lora.set(name, { A, B, scale: mode.alpha / mode.rank });
    params.set(A.name, A);
    params.set(B.name, B);
  }
  return { model, mode: 'lora', lora, params };
}

/** Zero-filled tensors shaped like each parameter (gradients, optimizer moments). */
export function cpuZerosLike(rt: CpuRuntime, params: Map<string, CpuTensor>, suffix: string): Map<string, CpuTensor> {
  return new Map(
    [...params].map(([name, t]) => {
      const z = rt.empty(t.shape, `${name}.${suffix}`);
      rt.f32(z).fill(0);
      return [name, z];
    }),
  );
}
