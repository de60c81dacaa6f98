import { describe, expect, it } from 'vitest';
import { tinyConfig } from '../model/random-model';
import { expectedWeights } from '../model/weights';
import { pretrainingInit } from './init';

const std = (x: Float32Array) => Math.sqrt(x.reduce((a, v) => a + v * v, 0) / x.length);

describe('pretrainingInit', () => {
  const c = tinyConfig({ numLayers: 2, hiddenSize: 64, intermediateSize: 128 });
  const w = pretrainingInit(c, 1);

  it('gives every expected weight its shape, norms exactly 1', () => {
    for (const spec of expectedWeights(c)) expect(w.get(spec.name)!.shape).toEqual(spec.shape);
    expect([...w.get('model.norm.weight')!.data].every((v) => v === 1)).toBe(true);
  });

  it('draws embeddings at std 0.02, linears at 1/sqrt(in), residual writers 1/sqrt(2L) smaller', () => {
    expect(std(w.get('model.embed_tokens.weight')!.data)).toBeCloseTo(0.02, 2);
    expect(std(w.get('model.layers.0.self_attn.q_proj.weight')!.data) * Math.sqrt(64)).toBeCloseTo(1, 1);
    expect(std(w.get('model.layers.0.mlp.down_proj.weight')!.data) * Math.sqrt(128) * Math.sqrt(4)).toBeCloseTo(1, 1);
  });

  it('is deterministic by seed', () => {
    expect(pretrainingInit(c, 1).get('model.layers.1.mlp.up_proj.weight')!.data).toEqual(w.get('model.layers.1.mlp.up_proj.weight')!.data);
    expect(pretrainingInit(c, 2).get('model.layers.1.mlp.up_proj.weight')!.data).not.toEqual(w.get('model.layers.1.mlp.up_proj.weight')!.data);
  });
});
