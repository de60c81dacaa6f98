// The bytes a decoding step reads, counted by hand for Qwen2.5-0.5B's shapes (tied, q/k/v biases)
// and for an untied Llama-shaped model, against decodeTraffic.

import { describe, expect, it } from 'vitest';
import { decodeTraffic } from './decode-traffic';
import { randomModelConfig } from './random-source';

// Qwen2.5-0.5B: C 896, 24 layers, 14 heads of 64, 2 kv heads, F 4864, V 151936, tied.
const qwen = randomModelConfig({ architecture: 'qwen2', hiddenSize: 896, numLayers: 24, numHeads: 14, numKvHeads: 2, headDim: 64, intermediateSize: 4864, vocabSize: 151936, tieWordEmbeddings: true, attentionBias: true });

describe('decodeTraffic', () => {
  it('q4 Qwen2.5-0.5B: every linear packed (20 bytes per 32 weights), norms and biases f32, the tied 152k embedding packed and read whole', () => {
    const [C, F, kvC, L, V] = [896, 4864, 128, 24, 151936];
    const packed = (n: number) => (n / 32) * 20;
    const layer = packed(C * C * 2 + kvC * C * 2 + F * C * 3) + 4 * (C + 2 * kvC) + 4 * 2 * C;
    const want = L * layer + 4 * C + packed(V * C);
    const t = decodeTraffic(qwen, 'q4', 100);
    expect(t.weights).toBe(want);
    expect(t.kv).toBe(L * 2 * 100 * 2 * 64 * 4);
    expect(decodeTraffic(qwen, 'q4', 0).kv).toBe(0);
  });

  it('an untied small model in f32: the embedding is gathered by rows, not read; the LM head is', () => {
    const c = randomModelConfig({ hiddenSize: 64, numLayers: 2, numHeads: 4, numKvHeads: 2, headDim: 16, intermediateSize: 128, vocabSize: 300, tieWordEmbeddings: false });
    const [C, F, kvC, L, V] = [64, 128, 32, 2, 300];
    const layer = 4 * (C * C * 2 + kvC * C * 2 + F * C * 3) + 4 * 2 * C;
    expect(decodeTraffic(c, 'f32', 7)).toEqual({ weights: L * layer + 4 * C + 4 * V * C, kv: L * 2 * 7 * kvC * 4 });
    // q4 packs the linears and the untied head; the 300-row embedding would stay f32 but is not read.
    expect(decodeTraffic(c, 'q4', 7).weights).toBe(L * ((C * C * 2 + kvC * C * 2 + F * C * 3) / 32 * 20 + 4 * 2 * C) + 4 * C + (V * C / 32) * 20);
  });
});
