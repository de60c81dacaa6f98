// Initial weights for pre-training from scratch (scripts/build-model.ts), GPT-2 style so the first
// step starts at loss ~ln(V) instead of far above it: with tied embeddings the logits are
// h . E^T, and embeddings of the test decoders' magnitude (0.5) give logits of std ~8 (loss ~14
// for V = 8192, measured). Uniform draws with these standard deviations:
//   embeddings                     0.02
//   linears                        1/sqrt(in)
//   o_proj and down_proj (writing into the residual stream) 1/sqrt(in) / sqrt(2 * layers)
//   norms                          exactly 1

import type { DecoderConfig } from '../model/config';
import { expectedWeights, type WeightMap } from '../model/weights';
import { Rng } from './rng';

export function pretrainingInit(c: DecoderConfig, seed: number): WeightMap {
  const rng = new Rng(seed);
  const weights: WeightMap = new Map();
  for (const spec of expectedWeights(c)) {
    const n = spec.shape.reduce((a, b) => a * b, 1);
    const residual = /\.(o_proj|down_proj)\.weight$/.test(spec.name) ? 1 / Math.sqrt(2 * c.numLayers) : 1;
    const std = spec.role === 'embedding' ? 0.02 : spec.role === 'linear' ? residual / Math.sqrt(spec.shape[1]) : 0;
    const data = new Float32Array(n);
    if (spec.role === 'norm') data.fill(1);
    else for (let i = 0; i < n; i++) data[i] = (2 * rng.next() - 1) * std * Math.sqrt(3);
    weights.set(spec.name, { shape: spec.shape, data });
  }
  return weights;
}
