// The CPU route's whole training forward + backward against the float64 reference decoder backward
// (src/reference/decoder-backward.ts, itself checked by central differences) on random tiny models:
// the loss and every gradient tensor, for full fine-tuning (tied; untied with Qwen2 biases) and for
// LoRA on f32, q8 and q4 bases (the reference reads the dequantized weights the kernels see). Every
// result is bit-identical on 1, 2 and 4 threads; gradients add up across calls (accumulation).

import { describe, expect, it } from 'vitest';
import type { DecoderConfig } from '../model/config';
import { dequantize, quantize } from '../model/quant';
import { randomWeights, tinyConfig } from '../model/random-model';
import { expectedWeights, linearWeightName, type LinearName, type WeightMap } from '../model/weights';
import type { LoraRef } from '../reference/adapters';
import { compare } from '../reference/compare';
import { decoderLossAndGradsRef } from '../reference/decoder-backward';
import { randomArray } from '../reference/random';
import { cpuForwardBackward } from './backprop';
import { releaseCpuDecoder, uploadCpuDecoder, type CpuLinearAdapter } from './decoder';
import type { CpuRuntime, CpuTensor } from './runtime';
import { threadRuntimes } from './test-threads';
import { cpuZerosLike, createCpuTrainable, type CpuTrainable } from './trainable';

const threads = threadRuntimes();
const SMALL = { vocabSize: 32, hiddenSize: 16, numLayers: 2, numHeads: 4, numKvHeads: 2, headDim: 4, intermediateSize: 24 };

// As the reference's own test: B = 2, T = 5, sequence 1 has 3 real tokens; a repeated token (3) and
// weight 0 on padding and on one real token.
const [B, T] = [2, 5];
const lengths = [5, 3];
const ids = Uint32Array.from([3, 17, 9, 3, 30, 12, 5, 21, 0, 0]);
const targets = Uint32Array.from([17, 9, 3, 30, 1, 5, 21, 4, 0, 0]);
const lossWeights = Float32Array.from([0, 1, 1, 2, 1, 1, 1, 0, 0, 0]);
const wSum = lossWeights.reduce((a, b) => a + b, 0);
const gradWeight = lossWeights.map((w) => w / wSum);

/** rank-2 adapters with B non-zero (B = 0, the usual start, would leave A's gradient 0 and unchecked). */
function adapters(c: DecoderConfig, names: string[]): Map<string, LoraRef> {
  const shapes = new Map(expectedWeights(c).map((s) => [s.name, s.shape]));
  return new Map(
    names.map((name, i) => {
      const [out, inp] = shapes.get(name)!;
      return [name, { rank: 2, alpha: 4, A: randomArray(2 * inp, 500 + i).map((v) => v / Math.sqrt(inp)), B: randomArray(out * 2, 600 + i).map((v) => v / 2) }];
    }),
  );
}

/** The weights as the kernels see them: linears through quantize -> dequantize for q4/q8. */
function seenWeights(c: DecoderConfig, w: WeightMap, quant: 'f32' | 'q8' | 'q4'): WeightMap {
  if (quant === 'f32') return w;
  const linears = new Set(expectedWeights(c).filter((s) => s.role === 'linear').map((s) => s.name));
  return new Map([...w].map(([name, t]) => [name, linears.has(name) ? { shape: t.shape, data: dequantize(quantize(quant, t.data, t.shape[0], t.shape[1])) } : t]));
}

/** Loss and gradients on the CPU route (the trainable's own tensors, adapters replaced by `lora`), `calls` times into the same buffers. */
function cpuGrads(rt: CpuRuntime, c: DecoderConfig, weights: WeightMap, quant: 'f32' | 'q8' | 'q4', lora: Map<string, LoraRef> | null, calls = 1): { loss: number; grads: Map<string, Float32Array> } {
  const m = uploadCpuDecoder(rt, c, weights, quant);
  let tr: CpuTrainable;
  if (lora) {
    const params = new Map<string, CpuTensor>();
    const map = new Map<string, CpuLinearAdapter>();
    for (const [name, a] of lora) {
      const A = rt.upload(a.A, [a.rank, a.A.length / a.rank], `${name}.lora_A`);
      const Bt = rt.upload(a.B, [a.B.length / a.rank, a.rank], `${name}.lora_B`);
      map.set(name, { A, B: Bt, scale: a.alpha / a.rank });
      params.set(A.name, A).set(Bt.name, Bt);
    }
    tr = { model: m, mode: 'lora', lora: map, params };
  } else {
    tr = createCpuTrainable(rt, m, { kind: 'full' }, 1);
  }
  const g = cpuZerosLike(rt, tr.params, 'grad');
  let loss = 0;
  for (let i = 0; i < calls; i++) loss = cpuForwardBackward(rt, tr, g, { B, T, ids, targets, gradWeight, lengths }).reduce((s, v, n) => s + v * gradWeight[n], 0);
  const grads = new Map([...g].map(([name, t]) => [name, rt.read(t)]));
  for (const t of g.values()) rt.release(t);
  if (lora) for (const t of tr.params.values()) rt.release(t);
  releaseCpuDecoder(rt, m);
  return { loss, grads };
}

const layerLinears = (layer: number, which: readonly LinearName[]) => which.map((w) => linearWeightName(layer, w));
const qwen = tinyConfig({ ...SMALL, architecture: 'qwen2', tieWordEmbeddings: false, attentionBias: true });
const qwen3 = tinyConfig({ ...SMALL, architecture: 'qwen3', headDim: 6, tieWordEmbeddings: false });

const cases: { label: string; c: DecoderConfig; quant: 'f32' | 'q8' | 'q4'; lora: string[] | null }[] = [
  { label: 'full fine-tuning, tied embeddings', c: tinyConfig(SMALL), quant: 'f32', lora: null },
  { label: 'full fine-tuning, untied, q/k/v biases (qwen2)', c: qwen, quant: 'f32', lora: null },
  { label: 'full fine-tuning, untied, per-head q/k norm, head_dim 6 (qwen3)', c: qwen3, quant: 'f32', lora: null },
  { label: 'LoRA on q, k of both layers, q4 base, q/k norm (qwen3)', c: tinyConfig({ ...SMALL, architecture: 'qwen3', hiddenSize: 32, headDim: 8 }), quant: 'q4', lora: [...layerLinears(0, ['q', 'k']), ...layerLinears(1, ['q', 'k'])] },
  { label: 'LoRA on every linear of layer 0, f32 base', c: tinyConfig(SMALL), quant: 'f32', lora: layerLinears(0, ['q', 'k', 'v', 'o', 'gate', 'up', 'down']) },
  { label: 'LoRA on layer 1 q/v/down and lm_head, q8 base, biases', c: qwen, quant: 'q8', lora: [...layerLinears(1, ['q', 'v', 'down']), 'lm_head.weight'] },
  { label: 'LoRA on q, v, gate of both layers, q4 base', c: tinyConfig({ ...SMALL, hiddenSize: 40, headDim: 10 }), quant: 'q4', lora: [...layerLinears(0, ['q', 'v', 'gate']), ...layerLinears(1, ['q', 'v', 'gate'])] },
];

/** f32 against float64: relative to each tensor's largest gradient. */
const TOL = 2e-5;

describe('CPU training forward + backward vs the float64 reference decoder backward', () => {
  for (const { label, c, quant, lora: names } of cases) {
    it(`${label}: loss and every gradient tensor; same bits on 1, 2, 4 threads`, () => {
      const weights = randomWeights(c, 7);
      const lora = names ? adapters(c, names) : null;
      const ref = decoderLossAndGradsRef(c, seenWeights(c, weights, quant), ids, B, T, lengths, targets, lossWeights, { lora: lora ?? undefined });
      let got: { loss: number; grads: Map<string, Float32Array> } | null = null;
      threads.onAll((rt) => {
        const r = cpuGrads(rt, c, weights, quant, lora);
        got ??= r;
        return [Float32Array.of(r.loss), ...r.grads.values()];
      });
      const { loss, grads } = got!;
      expect(Math.abs(loss - ref.loss) / ref.loss).toBeLessThan(1e-6);
      const want = lora ? [...lora.keys()].flatMap((n) => [`${n}.lora_A`, `${n}.lora_B`]) : [...ref.grads.keys()];
      expect([...grads.keys()].sort()).toEqual(want.sort());
      const report: string[] = [];
      let worst = 0;
      for (const name of want) {
        const d = compare(grads.get(name)!, ref.grads.get(name)!);
        report.push(`  ${name.padEnd(48)} ${d.maxRel.toExponential(2)}`);
        worst = Math.max(worst, d.maxRel);
        expect(d.maxRel, name).toBeLessThanOrEqual(TOL);
      }
      console.log(`${label}: loss ${loss.toFixed(6)} (ref ${ref.loss.toFixed(6)}), worst relative gradient diff ${worst.toExponential(2)}\n${report.join('\n')}`);
    });
  }

  it('gradients add up: two calls give twice one call', () => {
    const c = tinyConfig(SMALL);
    const weights = randomWeights(c, 7);
    const rt = threads.get(2);
    const once = cpuGrads(rt, c, weights, 'f32', null);
    const twice = cpuGrads(rt, c, weights, 'f32', null, 2);
    for (const [name, g] of once.grads) expect(compare(twice.grads.get(name)!, g.map((v) => 2 * v)).maxRel, name).toBeLessThan(1e-6);
  });

  for (const c of [tinyConfig(SMALL), qwen3]) {
    it(`${c.architecture}: evaluation (backward: false) gives the same CE and leaves the gradients at zero; recomputing gives the same gradients`, () => {
      const rt = threads.get(2);
      const m = uploadCpuDecoder(rt, c, randomWeights(c, 7), 'f32');
      const tr = createCpuTrainable(rt, m, { kind: 'full' }, 1);
      const g = cpuZerosLike(rt, tr.params, 'grad');
      const batch = { B, T, ids, targets, gradWeight, lengths };
      const evalCe = cpuForwardBackward(rt, tr, g, batch, { backward: false });
      for (const t of g.values()) expect(rt.f32(t).every((v) => v === 0), t.name).toBe(true);
      const recomputed = cpuForwardBackward(rt, tr, g, batch, { recompute: true });
      expect(Array.from(recomputed)).toEqual(Array.from(evalCe));
      const kept = cpuZerosLike(rt, tr.params, 'grad2');
      cpuForwardBackward(rt, tr, kept, batch);
      // Recomputing each layer's tape gives the very same gradients as keeping it.
      for (const [name, t] of g) expect(Array.from(rt.f32(t)), name).toEqual(Array.from(rt.f32(kept.get(name)!)));
      for (const t of [...g.values(), ...kept.values()]) rt.release(t);
      releaseCpuDecoder(rt, m);
    });
  }
});
