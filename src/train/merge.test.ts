import { describe, expect, it } from 'vitest';
import { randomWeights, tinyConfig } from '../model/random-model';
import type { LoraRef } from '../reference/adapters';
import { compare } from '../reference/compare';
import { decoderForwardRef, decoderTapeRef } from '../reference/decoder';
import { randomArray } from '../reference/random';
import { mergeLora, type HostAdapter } from './merge';

describe('mergeLora', () => {
  it('the merged model computes what base + adapters computed', () => {
    const c = tinyConfig({ hiddenSize: 32, numHeads: 4, numKvHeads: 2, headDim: 8, intermediateSize: 48, vocabSize: 64 });
    const weights = randomWeights(c, 2);
    const adapters = new Map<string, HostAdapter>();
    const refs = new Map<string, LoraRef>();
    ['model.layers.0.self_attn.q_proj.weight', 'model.layers.1.mlp.down_proj.weight'].forEach((name, i) => {
      const [N, K] = weights.get(name)!.shape;
      const a = { rank: 4, alpha: 8, A: randomArray(4 * K, 10 + i), B: randomArray(N * 4, 20 + i).map((v) => v * 0.2) };
      adapters.set(name, a);
      refs.set(name, a);
    });
    const ids = [1, 5, 9, 33, 2, 60];
    const withAdapters = decoderTapeRef(c, weights, ids, 1, 6, [6], refs).logits;
    const merged = decoderForwardRef(c, mergeLora(weights, adapters), ids, 1, 6).logits;
    expect(compare(merged, withAdapters).maxRel).toBeLessThan(1e-6);
    expect(compare(decoderForwardRef(c, weights, ids, 1, 6).logits, withAdapters).maxRel).toBeGreaterThan(1e-3); // the adapters mattered
    expect(mergeLora(weights, adapters).get('model.norm.weight')).toBe(weights.get('model.norm.weight'));
  });

  it('refuses an adapter for a weight the model does not have, or of the wrong shape', () => {
    const c = tinyConfig();
    const weights = randomWeights(c, 1);
    expect(() => mergeLora(weights, new Map([['nope.weight', { rank: 1, alpha: 1, A: new Float32Array(1), B: new Float32Array(1) }]]))).toThrow(/no such linear weight/);
    expect(() => mergeLora(weights, new Map([['model.layers.0.self_attn.q_proj.weight', { rank: 2, alpha: 1, A: new Float32Array(3), B: new Float32Array(3) }]]))).toThrow(/were expected/);
  });
});
