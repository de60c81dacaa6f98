// The GPU buffers a decoder's weights become at a quantization, with their bytes: linears packed as
// in ARCHITECTURE.md's quantization section (q4 16 bytes of codes + one f32 scale per 32 weights, q8
// 32 + 4); norms and biases f32; the vocabulary matrices as decision 44 keeps them (packed with a
// q4/q8 model from 32k rows, f32 below, an untied head always like the linears), in row shards that
// fit the binding limit when limits are given. Used for the Hub plan's memory estimate before any
// download, and for the bytes a decoding step reads (decode-traffic.ts).

import type { DecoderConfig } from './config';
import { vocabKind } from './decoder-weights';
import type { WeightQuant } from './loaded-model';
import { QBLOCK } from './quant';
import { expectedWeights, type WeightSpec } from './weights';
import { vocabShardRows } from '../ops/vocab-shards';

export interface StoredBuffer {
  /** The tensor and which buffer of it ("… (q4 codes)", "…[0:16384]"). */
  tensor: string;
  /** The weight it stores. */
  weight: WeightSpec;
  bytes: number;
}

export interface BindingLimits {
  maxBufferSize: number;
  maxStorageBufferBindingSize: number;
}

/** The buffers of one weight [N, K] (or [N]): f32, or packed codes + scales. */
function buffers(name: string, weight: WeightSpec, shape: number[], kind: WeightQuant): StoredBuffer[] {
  if (kind === 'f32') return [{ tensor: name, weight, bytes: 4 * shape.reduce((a, b) => a * b, 1) }];
  const [N, K] = shape;
  const blocks = N * Math.ceil(K / QBLOCK);
  return [
    { tensor: `${name} (${kind} codes)`, weight, bytes: blocks * (kind === 'q4' ? QBLOCK / 2 : QBLOCK) },
    { tensor: `${name} (${kind} scales)`, weight, bytes: blocks * 4 },
  ];
}

/** The buffers of a weight as it will be stored: a vocabulary matrix in row shards (decision 44). */
function stored(w: WeightSpec, quant: WeightQuant, limits?: BindingLimits): StoredBuffer[] {
  const vocab = w.role === 'embedding' || w.name === 'lm_head.weight';
  if (!vocab) return buffers(w.name, w, w.shape, w.role === 'linear' ? quant : 'f32');
  const [V, C] = w.shape;
  const kind = vocabKind(quant, V, w.name === 'lm_head.weight');
  const rows = limits ? vocabShardRows(limits, V, C, kind) : V;
  const out: StoredBuffer[] = [];
  for (let begin = 0; begin < V; begin += rows) {
    const end = Math.min(V, begin + rows);
    out.push(...buffers(rows >= V ? w.name : `${w.name}[${begin}:${end}]`, w, [end - begin, C], kind));
  }
  return out;
}

/** Every weight buffer of `config` at `quant` (a tied LM head is the embedding's, counted once). */
export function storedBuffers(config: DecoderConfig, quant: WeightQuant, limits?: BindingLimits): StoredBuffer[] {
  return expectedWeights(config).flatMap((w) => stored(w, quant, limits));
}
