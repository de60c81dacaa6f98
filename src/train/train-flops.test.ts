// The training FLOPs model counted by hand on a two-layer model: C 64, kv width 32, F 128, V 300.

import { describe, expect, it } from 'vitest';
import { randomModelConfig } from '../model/random-source';
import { trainingFlopsPerToken } from './train-flops';

const config = randomModelConfig({ hiddenSize: 64, numLayers: 2, numHeads: 4, numKvHeads: 2, headDim: 16, intermediateSize: 128, vocabSize: 300 });
// Per layer q, o [64, 64]; k, v [32, 64]; gate, up [128, 64]; down [64, 128].
const layers = 2 * (64 * 64 * 2 + 32 * 64 * 2 + 128 * 64 * 3);
const head = 300 * 64;

describe('trainingFlopsPerToken', () => {
  it('full fine-tuning: forward, dX and dW of every linear; the head four times (logits, their recomputation, dX, dE)', () => {
    expect(trainingFlopsPerToken(config, { kind: 'full' })).toBe(2 * (3 * layers + 4 * head));
    // Recomputed activations run each layer's forward twice.
    expect(trainingFlopsPerToken(config, { kind: 'full' }, true)).toBe(2 * (4 * layers + 4 * head));
  });

  it('LoRA: the frozen linears forward and dX only, the adapters three times, the head three times', () => {
    // Rank 4 on q [64, 64] and v [32, 64] in both layers.
    const adapters = 2 * (4 * (64 + 64) + 4 * (32 + 64));
    expect(trainingFlopsPerToken(config, { kind: 'lora', rank: 4, alpha: 8, targets: ['q', 'v'] })).toBe(2 * (2 * layers + 3 * adapters + 3 * head));
  });
});
