// Which backend runs a loaded model (DESIGN "Backends"), picked once per load: WebGPU where asked, or
// the CPU route (WebAssembly SIMD threads, src/cpu) where asked; 'auto' takes WebGPU on a real adapter
// and the CPU route when there is no adapter or only a fallback (software) one, whose matmuls run at
// 1-2 GFLOP/s. Both routes train (src/train/trainer.ts, src/cpu/trainer.ts).

import { WebGpuUnavailableError } from '../errors';
import type { GpuRuntime } from '../gpu/runtime';
import type { BackendName } from '../model/loaded-model';

export type BackendChoice = BackendName | 'auto';

export interface BackendPick {
  backend: BackendName;
  /** Why, when 'auto' chose: appended to the model's backend note. Empty for an explicit choice. */
  why: string;
}

/** Acquires the GPU for 'webgpu' (failing early, before any file is read, where there is none). */
export async function pickBackend(choice: BackendChoice, gpu: GpuRuntime): Promise<BackendPick> {
  if (choice === 'cpu') return { backend: 'cpu', why: '' };
  if (choice === 'webgpu') {
    await gpu.context();
    return { backend: 'webgpu', why: '' };
  }
  try {
    const { report } = await gpu.context();
    return report.isFallbackAdapter ? { backend: 'cpu', why: `; auto: the WebGPU adapter (${report.description || report.vendor}) is a software fallback` } : { backend: 'webgpu', why: '' };
  } catch (e) {
    if (e instanceof WebGpuUnavailableError) return { backend: 'cpu', why: '; auto: no WebGPU adapter' };
    throw e;
  }
}
