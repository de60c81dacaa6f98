// Random decoders for tests, the e2e "random tiny model" and benchmarks: seeded weights with the
// magnitudes of an initialised network (linears ~ U(-1,1)/sqrt(in), norms ~ 1, embeddings ~ 0.5).

import { randomArray } from '../reference/random';
import type { DecoderConfig } from './config';
import { dequantize, quantize, type QuantKind } from './quant';
import { expectedWeights, type WeightMap } from './weights';
import { PACKED_VOCAB_ROWS } from './decoder-weights';

/** The tiny config the GPU tests use: 2 layers, C 64, 4 heads, 2 kv heads, V 256. */
export function tinyConfig(overrides: Partial<DecoderConfig> = {}): DecoderConfig {
  return {
    architecture: 'llama',
    vocabSize: 256,
    hiddenSize: 64,
    numLayers: 2,
    numHeads: 4,
    numKvHeads: 2,
    headDim: 16,
    intermediateSize: 128,
    rmsNormEps: 1e-5,
    ropeTheta: 10000,
    ropeScaling: null,
    maxPositions: 128,
    tieWordEmbeddings: true,
    attentionBias: false,
    bosTokenId: 1,
    eosTokenIds: [2],
    ...overrides,
  };
}

export function randomWeights(c: DecoderConfig, seed: number): WeightMap {
  const weights: WeightMap = new Map();
  expectedWeights(c).forEach((spec, i) => {
    const n = spec.shape.reduce((a, b) => a * b, 1);
    const r = randomArray(n, seed * 1000 + i + 1);
    const scale = spec.role === 'linear' ? 1 / Math.sqrt(spec.shape[1]) : spec.role === 'embedding' ? 0.5 : 0.1;
    const data = spec.role === 'norm' ? r.map((v) => 1 + 0.2 * v) : r.map((v) => v * scale);
    weights.set(spec.name, { shape: spec.shape, data });
  });
  return weights;
}

/** The same weights with every linear (and a packed embedding, decision 44) replaced by its quantize->dequantize round trip: what a q4/q8 engine computes with. */
export function roundTripQuantized(c: DecoderConfig, weights: WeightMap, kind: QuantKind, opts: { quantizeVocab?: boolean } = {}): WeightMap {
  const out: WeightMap = new Map(weights);
  const vocab = opts.quantizeVocab ?? c.vocabSize >= PACKED_VOCAB_ROWS;
  for (const spec of expectedWeights(c)) {
    if (spec.role !== 'linear' && !(spec.role === 'embedding' && vocab)) continue;
    const t = weights.get(spec.name)!;
    out.set(spec.name, { shape: t.shape, data: dequantize(quantize(kind, t.data, t.shape[0], t.shape[1])) });
  }
  return out;
}
