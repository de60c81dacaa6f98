import { describe, expect, it } from 'vitest';
import { randomWeights, tinyConfig } from '../model/random-model';
import { expectedWeights, linearWeightName, qkNormName, type WeightMap } from '../model/weights';
import { compare } from './compare';
import { decoderForwardRef } from './decoder';

const maxAbsDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => compare(a, b).maxAbs;

// Qwen3's q/k norm in the float64 reference, by properties the norm must have: an RMSNorm over each
// head's D values makes attention blind to a per-head scale of the q/k projections (Llama is not),
// and its weight multiplies q and k per dimension after the norm and before RoPE.

const qwen3 = tinyConfig({ architecture: 'qwen3', hiddenSize: 32, numHeads: 4, numKvHeads: 2, headDim: 12, intermediateSize: 48, vocabSize: 40, rmsNormEps: 1e-12 });
const [B, T] = [2, 6];
const ids = [3, 17, 9, 3, 30, 12, 5, 21, 7, 1, 0, 0];
const lengths = [6, 4];

/** W [heads·D, C] with the rows of head h multiplied by factors[h] (powers of two: exact in f32). */
function scaleHeads(w: WeightMap, name: string, D: number, factors: number[]): WeightMap {
  const t = w.get(name)!;
  const C = t.shape[1];
  const data = t.data.map((v, i) => v * factors[Math.floor(i / C / D)]);
  return new Map(w).set(name, { shape: t.shape, data });
}

function rescaled(c: typeof qwen3, w: WeightMap): WeightMap {
  const q = scaleHeads(w, linearWeightName(0, 'q'), c.headDim, [4, 0.25, 8, 0.5]);
  return scaleHeads(q, linearWeightName(1, 'k'), c.headDim, [0.125, 16]);
}

describe('reference decoder: Qwen3 q/k norm', () => {
  it('lists q_norm and k_norm [head_dim] for every layer', () => {
    const names = expectedWeights(qwen3).filter((s) => s.name.includes('_norm.weight') && s.name.includes('self_attn'));
    expect(names.map((s) => [s.name, s.shape, s.role])).toEqual([
      [qkNormName(0, 'q'), [12], 'norm'],
      [qkNormName(0, 'k'), [12], 'norm'],
      [qkNormName(1, 'q'), [12], 'norm'],
      [qkNormName(1, 'k'), [12], 'norm'],
    ]);
    expect(expectedWeights(tinyConfig()).some((s) => s.name.endsWith('q_norm.weight'))).toBe(false);
  });

  it('a per-head scale of q_proj / k_proj rows leaves the logits unchanged (and changes them without the norm)', () => {
    const w = randomWeights(qwen3, 3);
    const base = decoderForwardRef(qwen3, w, ids, B, T, lengths).logits;
    const scaled = decoderForwardRef(qwen3, rescaled(qwen3, w), ids, B, T, lengths).logits;
    const diff = maxAbsDiff(base, scaled);
    console.log(`qwen3 per-head rescale: max |Δlogits| ${diff.toExponential(2)}`);
    expect(diff).toBeLessThan(1e-8);

    const llama = { ...qwen3, architecture: 'llama' as const };
    const lw = randomWeights(llama, 3);
    expect(maxAbsDiff(decoderForwardRef(llama, lw, ids, B, T, lengths).logits, decoderForwardRef(llama, rescaled(llama, lw), ids, B, T, lengths).logits)).toBeGreaterThan(1e-3);
  });

  it('q_norm weights of zero make attention uniform over the causal prefix (the mean of v)', () => {
    const c = { ...qwen3, numLayers: 1 };
    const w = randomWeights(c, 5);
    const zeroQ = new Map(w).set(qkNormName(0, 'q'), { shape: [c.headDim], data: new Float32Array(c.headDim) });
    // Uniform attention does not depend on k at all: changing k_norm's weight then changes nothing.
    const otherK = new Map(zeroQ).set(qkNormName(0, 'k'), { shape: [c.headDim], data: new Float32Array(c.headDim).fill(5) });
    const a = decoderForwardRef(c, zeroQ, ids, B, T, lengths).logits;
    expect(maxAbsDiff(a, decoderForwardRef(c, otherK, ids, B, T, lengths).logits)).toBe(0);
    // ...while with the real q_norm it does.
    const realOtherK = new Map(w).set(qkNormName(0, 'k'), { shape: [c.headDim], data: new Float32Array(c.headDim).fill(5) });
    expect(maxAbsDiff(decoderForwardRef(c, w, ids, B, T, lengths).logits, decoderForwardRef(c, realOtherK, ids, B, T, lengths).logits)).toBeGreaterThan(1e-3);
  });

  it('a missing q_norm weight is an error, not a silent identity', () => {
    const w = randomWeights(qwen3, 3);
    w.delete(qkNormName(1, 'k'));
    expect(() => decoderForwardRef(qwen3, w, ids, B, T, lengths)).toThrow(/k_norm/);
  });
});
