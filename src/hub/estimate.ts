// What a model will take on the GPU before any weight is downloaded: from config.json alone, the
// bytes of its weights at the chosen quantization (linears packed as in ARCHITECTURE.md's
// quantization section: q4 16 bytes of codes + one f32 scale per 32 weights, q8 32 + 4; embeddings,
// norms and biases stay f32), and each buffer checked against the adapter's limits, as the buffer
// pool will check it on upload (GpuLimitError then).

import type { DecoderConfig } from '../model/config';
import type { WeightQuant } from '../model/loaded-model';
import { QBLOCK } from '../model/quant';
import { expectedWeights, parameterCount } from '../model/weights';

export interface AdapterLimits {
  maxBufferSize: number;
  maxStorageBufferBindingSize: number;
}

export interface LimitExcess {
  limit: keyof AdapterLimits;
  /** The tensor (and which buffer of it: codes or scales) that does not fit. */
  tensor: string;
  need: number;
  cap: number;
}

export interface MemoryEstimate {
  parameters: number;
  quant: WeightQuant;
  /** Bytes of all weight buffers (a tied lm_head counted once). */
  weightBytes: number;
  /** The largest single buffer, which the limits are checked against first. */
  largest: { tensor: string; bytes: number };
  /** Every buffer over a limit; empty when the model fits the adapter. */
  exceeds: LimitExcess[];
}

/** The buffers of one weight: f32, or packed codes + scales for a quantized linear. */
function buffers(name: string, shape: number[], linear: boolean, quant: WeightQuant): { tensor: string; bytes: number }[] {
  if (!linear || quant === 'f32') return [{ tensor: name, bytes: 4 * shape.reduce((a, b) => a * b, 1) }];
  const [N, K] = shape;
  const blocks = N * Math.ceil(K / QBLOCK);
  return [
    { tensor: `${name} (${quant} codes)`, bytes: blocks * (quant === 'q4' ? QBLOCK / 2 : QBLOCK) },
    { tensor: `${name} (${quant} scales)`, bytes: blocks * 4 },
  ];
}

export function estimateMemory(config: DecoderConfig, quant: WeightQuant, limits?: AdapterLimits): MemoryEstimate {
  const all = expectedWeights(config).flatMap((w) => buffers(w.name, w.shape, w.role === 'linear', quant));
  const largest = all.reduce((a, b) => (b.bytes > a.bytes ? b : a));
  const exceeds: LimitExcess[] = [];
  if (limits) {
    for (const b of all) {
      // Every weight is bound as a storage buffer, so both limits apply.
      for (const limit of ['maxBufferSize', 'maxStorageBufferBindingSize'] as const) {
        if (b.bytes > limits[limit]) exceeds.push({ limit, tensor: b.tensor, need: b.bytes, cap: limits[limit] });
      }
    }
  }
  return { parameters: parameterCount(config), quant, weightBytes: all.reduce((s, b) => s + b.bytes, 0), largest, exceeds };
}
