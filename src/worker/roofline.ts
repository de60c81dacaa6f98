// Where a generation on WebGPU stands against what the adapter can do (issue 16's roofline): decode
// is bound by memory bandwidth, so its tokens/s times the bytes one step reads (decode-traffic.ts) is
// compared with the copy bandwidth measured on this adapter (kernels/bandwidth.ts); prefill is bound
// by arithmetic, so its GFLOP/s (2 flops per weight of the layers' linears per prompt token, plus the
// LM head for the one row whose logits are sampled; attention's T² terms left out) is compared with
// the fastest matmul the autotuner measured at load.

import type { DecodeTiming } from '../model/generation';
import type { ModelInfo } from '../model/loaded-model';
import { decodeTraffic } from '../model/decode-traffic';
import { expectedWeights } from '../model/weights';

/**
 * Bytes of the buffer the app's bandwidth measurement copies: past the last-level caches of today's
 * GPUs (50-96 MB), so it measures memory, not cache; the two buffers live only for the measurement.
 */
export const ROOFLINE_COPY_BYTES = 128 * 2 ** 20;

export interface DecodeRoofline {
  prefillTokensPerSecond: number;
  /** 2 · (the layers' linear weights · prompt tokens + the LM head's) ÷ time. */
  prefillGflops: number;
  /** The fastest matmul GFLOP/s the autotuner measured on this adapter; null when nothing was timed. */
  bestMatmulGflops: number | null;
  decodeTokensPerSecond: number;
  /** Bytes a decode step read on average: weights as stored + the KV cache at its mean length. */
  bytesPerToken: number;
  /** bytesPerToken × decode tokens/s. */
  decodeGbps: number;
  /** The copy bandwidth measured on this adapter (GB/s of reads + writes). */
  copyGbps: number | null;
  /** decodeGbps ÷ copyGbps. */
  bandwidthFraction: number | null;
}

/** Multiply-adds of a prefill over T tokens: every layer's linears per token, the LM head for the last row. */
function prefillMacs(info: ModelInfo, T: number): number {
  const c = info.config;
  const size = (name: string) => expectedWeights(c).filter((w) => w.role === 'linear' && w.name.startsWith(name)).reduce((s, w) => s + w.shape[0] * w.shape[1], 0);
  return size('model.layers.') * T + c.vocabSize * c.hiddenSize;
}

export function decodeRoofline(info: ModelInfo, t: DecodeTiming, copyGbps: number | null, bestMatmulGflops: number | null): DecodeRoofline | null {
  if (t.decodeSteps === 0 || t.decodeMs <= 0 || t.prefillMs <= 0) return null;
  // Decode step i (1-based) attends over the prompt and i new tokens.
  const meanPast = t.promptTokens + (t.decodeSteps + 1) / 2;
  const traffic = decodeTraffic(info.config, info.quant, meanPast);
  const bytesPerToken = traffic.weights + traffic.kv;
  const decodeTokensPerSecond = (t.decodeSteps / t.decodeMs) * 1000;
  const decodeGbps = (bytesPerToken * decodeTokensPerSecond) / 1e9;
  return {
    prefillTokensPerSecond: (t.promptTokens / t.prefillMs) * 1000,
    prefillGflops: (2 * prefillMacs(info, t.promptTokens)) / (t.prefillMs * 1e6),
    bestMatmulGflops,
    decodeTokensPerSecond,
    bytesPerToken,
    decodeGbps,
    copyGbps,
    bandwidthFraction: copyGbps ? decodeGbps / copyGbps : null,
  };
}
