import { describe, expect, it } from 'vitest';
import type { DecoderConfig } from '../model/config';
import { randomWeights, tinyConfig } from '../model/random-model';
import { expectedWeights, linearWeightName, type LinearName } from '../model/weights';
import type { LoraRef } from './adapters';
import { decoderForwardRef, decoderTapeRef } from './decoder';
import { decoderLossAndGradsRef } from './decoder-backward';
import { gradError, numericGrad, sampleIndices } from './gradcheck';
import { crossEntropyRef } from './loss';
import { randomArray } from './random';

const H_STEP = 1e-5;
const TOL = 1e-6;
const PER_TENSOR = 20;
const SMALL = { vocabSize: 32, hiddenSize: 16, numLayers: 2, numHeads: 4, numKvHeads: 2, headDim: 4, intermediateSize: 24 };

// B = 2, T = 5; sequence 1 has 3 real tokens. Targets everywhere; weight 0 on padding and on one real
// token, and a non-binary weight to show the loss is a weighted mean.
const [B, T] = [2, 5];
const lengths = [5, 3];
const ids = [3, 17, 9, 3, 30, 12, 5, 21, 0, 0];
const targets = [17, 9, 3, 30, 1, 5, 21, 4, 0, 0];
const lossWeights = [0, 1, 1, 2, 1, 1, 1, 0, 0, 0];

/** rank-2 adapters with B non-zero (B = 0, the usual init, would leave A's gradient 0 and unchecked). */
function adapters(c: DecoderConfig, names: string[]): Map<string, LoraRef> {
  const shapes = new Map(expectedWeights(c).map((s) => [s.name, s.shape]));
  return new Map(
    names.map((name, i) => {
      const [out, inp] = shapes.get(name)!;
      const rank = 2;
      return [name, { rank, alpha: 4, A: Float64Array.from(randomArray(rank * inp, 500 + i), (v) => v / Math.sqrt(inp)), B: Float64Array.from(randomArray(out * rank, 600 + i), (v) => v / 2) }];
    }),
  );
}

const layerLinears = (layer: number, which: readonly LinearName[]) => which.map((w) => linearWeightName(layer, w));

const cases: [string, DecoderConfig, string[]][] = [
  ['tied embeddings', tinyConfig(SMALL), []],
  ['untied, q/k/v biases (qwen2)', tinyConfig({ ...SMALL, architecture: 'qwen2', tieWordEmbeddings: false, attentionBias: true }), []],
  ['tied + LoRA on every linear of layer 0', tinyConfig(SMALL), layerLinears(0, ['q', 'k', 'v', 'o', 'gate', 'up', 'down'])],
  ['qwen3: per-head q/k norm, head_dim 8 != C / H, untied', tinyConfig({ ...SMALL, architecture: 'qwen3', headDim: 8, tieWordEmbeddings: false }), []],
  ['qwen3 + LoRA on layer 0 q/k', tinyConfig({ ...SMALL, architecture: 'qwen3' }), layerLinears(0, ['q', 'k'])],
  ['untied, biases + LoRA on layer 1 q/v/down and lm_head', tinyConfig({ ...SMALL, architecture: 'qwen2', tieWordEmbeddings: false, attentionBias: true }), [...layerLinears(1, ['q', 'v', 'down']), 'lm_head.weight']],
];

describe('float64 reference decoder loss and gradients match central differences', () => {
  for (const [label, c, loraNames] of cases) {
    it(label, () => {
      const weights = randomWeights(c, 7);
      const lora = loraNames.length ? adapters(c, loraNames) : undefined;
      const { loss, grads } = decoderLossAndGradsRef(c, weights, ids, B, T, lengths, targets, lossWeights, { lora });
      // The same loss without the backward, for the differences.
      const lossOnly = () => crossEntropyRef(decoderTapeRef(c, weights, ids, B, T, lengths, lora).logits, targets, lossWeights, B * T, c.vocabSize).loss;
      expect(lossOnly()).toBe(loss);

      // The loss is the weighted cross-entropy of decoderForwardRef's logits (without adapters).
      if (!lora) expect(loss).toBe(crossEntropyRef(decoderForwardRef(c, weights, ids, B, T, lengths).logits, targets, lossWeights, B * T, c.vocabSize).loss);
      const tensors = new Map<string, Float32Array | Float64Array>(expectedWeights(c).map((s) => [s.name, weights.get(s.name)!.data]));
      for (const [name, a] of lora ?? []) tensors.set(`${name}.lora_A`, a.A).set(`${name}.lora_B`, a.B);
      expect([...grads.keys()].sort()).toEqual([...tensors.keys()].sort());

      const report: string[] = [];
      let worst = 0;
      [...tensors].forEach(([name, data], i) => {
        const g = grads.get(name)!;
        expect(g.length, name).toBe(data.length);
        const at = sampleIndices(data.length, PER_TENSOR, 31 + i);
        const err = gradError(at.map((j) => g[j]), numericGrad(lossOnly, data, at, H_STEP));
        report.push(`  ${name.padEnd(48)} ${err.toExponential(2)}`);
        worst = Math.max(worst, err);
        expect(err, name).toBeLessThanOrEqual(TOL);
      });
      console.log(`${label}: loss ${loss.toFixed(6)}, max relative FD error per tensor (h = ${H_STEP}, ${PER_TENSOR} entries each); worst ${worst.toExponential(2)}\n${report.join('\n')}`);
    });
  }

  it('padded positions and zero-weight tokens do not move the gradients', () => {
    const c = tinyConfig(SMALL);
    const weights = randomWeights(c, 7);
    const base = decoderLossAndGradsRef(c, weights, ids, B, T, lengths, targets, lossWeights);
    // Other ids and targets on padding (t >= 3 of sequence 1) change nothing.
    const ids2 = [...ids.slice(0, 8), 7, 8];
    const targets2 = [...targets.slice(0, 8), 11, 12];
    const other = decoderLossAndGradsRef(c, weights, ids2, B, T, lengths, targets2, lossWeights);
    expect(other.loss).toBe(base.loss);
    for (const [name, g] of base.grads) expect(Array.from(other.grads.get(name)!), name).toEqual(Array.from(g));
  });

  it('refuses LoRA on a weight that is not a linear', () => {
    const c = tinyConfig(SMALL);
    const lora = new Map([['model.embed_tokens.weight', { rank: 1, alpha: 1, A: new Float64Array(16), B: new Float64Array(32) }]]);
    expect(() => decoderLossAndGradsRef(c, randomWeights(c, 7), ids, B, T, lengths, targets, lossWeights, { lora })).toThrow(/not a linear weight/);
  });
});
