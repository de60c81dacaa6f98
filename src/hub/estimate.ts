// What a model will take on the GPU before any weight is downloaded: from config.json alone, the
// bytes of its weights at the chosen quantization (src/model/stored-bytes.ts), and each buffer
// checked against the adapter's limits, as the buffer pool will check it on upload (GpuLimitError
// then). The vocabulary is split into row shards that fit the binding limit, so it is checked per shard.

import type { DecoderConfig } from '../model/config';
import type { WeightQuant } from '../model/loaded-model';
import { storedBuffers, type BindingLimits } from '../model/stored-bytes';
import { parameterCount } from '../model/weights';

export type AdapterLimits = BindingLimits;

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

export function estimateMemory(config: DecoderConfig, quant: WeightQuant, limits?: AdapterLimits): MemoryEstimate {
  const all = storedBuffers(config, quant, limits);
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
  return { parameters: parameterCount(config), quant, weightBytes: all.reduce((s, b) => s + b.bytes, 0), largest: { tensor: largest.tensor, bytes: largest.bytes }, exceeds };
}
