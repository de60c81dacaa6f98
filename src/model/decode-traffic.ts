// The bytes one decoding step reads from GPU memory, per sequence: what bounds decode speed (issue
// 16's roofline). Every weight buffer as stored (stored-bytes.ts) is read once per step, except the
// embedding, of which one row per token is gathered, unless it is tied as the LM head (then the
// head's matmul reads it all); plus the keys and values of every cached position, f32, in each layer.
// Activations ([1, C] rows) and the norms' reuse in caches are left out: a few KiB against megabytes.

import type { DecoderConfig } from './config';
import type { WeightQuant } from './loaded-model';
import { storedBuffers } from './stored-bytes';

export interface DecodeTraffic {
  /** Weight bytes read per step. */
  weights: number;
  /** KV-cache bytes read per step at `past` cached positions. */
  kv: number;
}

export function decodeTraffic(config: DecoderConfig, quant: WeightQuant, past: number): DecodeTraffic {
  const weights = storedBuffers(config, quant)
    .filter((b) => b.weight.role !== 'embedding' || config.tieWordEmbeddings)
    .reduce((s, b) => s + b.bytes, 0);
  const kv = config.numLayers * 2 * past * config.numKvHeads * config.headDim * 4;
  return { weights, kv };
}
