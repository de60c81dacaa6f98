// What a model will take on the GPU before any weight is downloaded: from config.json alone, the
// bytes of its weights at the chosen quantization (linears packed as in ARCHITECTURE.md's
// quantization section: q4 16 bytes of codes + one f32 scale per 32 weights, q8 32 + 4; norms and
// biases stay f32; the vocabulary matrices as decision 44 keeps them: packed with a q4/q8 model
// from 32k rows, f32 below, an untied head always like the linears), and each buffer checked
// against the adapter's limits, as the buffer pool will check it on upload (GpuLimitError then).
// The vocabulary is split into row shards that fit the binding limit, so it is checked per shard.

import type { DecoderConfig } from '../model/config';
import type { WeightQuant } from '../model/loaded-model';
import { vocabKind } from '../model/decoder-weights';
import { QBLOCK } from '../model/quant';
import { vocabShardRows } from '../ops/vocab-shards';
import { expectedWeights, parameterCount, type WeightSpec } from '../model/weights';

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

/** The buffers of one weight [N, K] (or [N]): f32, or packed codes + scales. */
function buffers(name: string, shape: number[], kind: WeightQuant): { tensor: string; bytes: number }[] {
  if (kind === 'f32') return [{ tensor: name, bytes: 4 * shape.reduce((a, b) => a * b, 1) }];
  const [N, K] = shape;
  const blocks = N * Math.ceil(K / QBLOCK);
  return [
    { tensor: `${name} (${kind} codes)`, bytes: blocks * (kind === 'q4' ? QBLOCK / 2 : QBLOCK) },
    { tensor: `${name} (${kind} scales)`, bytes: blocks * 4 },
  ];
}

/** The buffers of a weight as it will be stored: a vocabulary matrix in row shards (decision 44). */
function stored(w: WeightSpec, quant: WeightQuant, limits?: AdapterLimits): { tensor: string; bytes: number }[] {
  const vocab = w.role === 'embedding' || w.name === 'lm_head.weight';
  if (!vocab) return buffers(w.name, w.shape, w.role === 'linear' ? quant : 'f32');
  const [V, C] = w.shape;
  const kind = vocabKind(quant, V, w.name === 'lm_head.weight');
  const rows = limits ? vocabShardRows(limits, V, C, kind) : V;
  const out: { tensor: string; bytes: number }[] = [];
  for (let begin = 0; begin < V; begin += rows) {
    const end = Math.min(V, begin + rows);
    out.push(...buffers(rows >= V ? w.name : `${w.name}[${begin}:${end}]`, [end - begin, C], kind));
  }
  return out;
}

export function estimateMemory(config: DecoderConfig, quant: WeightQuant, limits?: AdapterLimits): MemoryEstimate {
  const all = expectedWeights(config).flatMap((w) => stored(w, quant, limits));
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
