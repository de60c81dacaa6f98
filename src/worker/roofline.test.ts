// decodeRoofline's arithmetic on a model small enough to count by hand.

import { describe, expect, it } from 'vitest';
import { modelInfo } from '../model/loaded-model';
import { randomModelConfig } from '../model/random-source';
import type { HostModel } from '../model/load';
import { decodeRoofline } from './roofline';

// C 64, 2 layers of q/k/v/o (kv 32 wide) and gate/up/down (F 128), untied head of 300 rows.
const config = randomModelConfig({ hiddenSize: 64, numLayers: 2, numHeads: 4, numKvHeads: 2, headDim: 16, intermediateSize: 128, vocabSize: 300, tieWordEmbeddings: false });
const info = modelInfo({ config, weightsFormat: 'safetensors', fileBytes: 0 } as unknown as HostModel, 'f32', 'tiny', 0, 'webgpu', '');
const layerMacs = 64 * 64 * 2 + 32 * 64 * 2 + 128 * 64 * 3;

describe('decodeRoofline', () => {
  it('prefill GFLOP/s counts the layers per prompt token and the head once; decode bytes come from the mean KV length', () => {
    const timing = { promptTokens: 10, prefillMs: 2, decodeSteps: 4, decodeMs: 8, finalPast: 14 };
    const r = decodeRoofline(info, timing, 50, 4)!;
    expect(r.prefillTokensPerSecond).toBeCloseTo(5000, 6);
    expect(r.prefillGflops).toBeCloseTo((2 * (2 * layerMacs * 10 + 300 * 64)) / 2e6, 9);
    expect(r.bestMatmulGflops).toBe(4);
    expect(r.decodeTokensPerSecond).toBeCloseTo(500, 6);
    // f32: layers' weights and norms, final norm, head; KV at past 10 + (4 + 1) / 2 = 12.5 positions.
    const weights = 4 * (2 * (layerMacs + 2 * 64) + 64 + 300 * 64);
    const kv = 2 * 2 * 12.5 * 2 * 16 * 4;
    expect(r.bytesPerToken).toBe(weights + kv);
    expect(r.decodeGbps).toBeCloseTo(((weights + kv) * 500) / 1e9, 12);
    expect(r.bandwidthFraction).toBeCloseTo(r.decodeGbps / 50, 12);
  });

  it('has nothing to say without decode steps, and no fraction without a measured bandwidth', () => {
    expect(decodeRoofline(info, { promptTokens: 3, prefillMs: 1, decodeSteps: 0, decodeMs: 0, finalPast: 3 }, 50, 4)).toBeNull();
    const r = decodeRoofline(info, { promptTokens: 3, prefillMs: 1, decodeSteps: 2, decodeMs: 1, finalPast: 5 }, null, null)!;
    expect(r.bandwidthFraction).toBeNull();
    expect(r.copyGbps).toBeNull();
    expect(r.bestMatmulGflops).toBeNull();
  });
});
