// The whole CPU decoder against the float64 reference decoder on random tiny models (f32, q8, q4;
// tied and untied; Qwen2's q/k/v biases; Qwen3's q/k norm), and the CpuModel's methods built on it: KV-cache decoding,
// greedy generation, pooled embeddings, per-token NLL. Every result is bit-identical on 1, 2 and 4
// threads (test-threads.ts).
import { describe, expect, it } from 'vitest';
import { readModelFolder } from '../model/load';
import { randomModelFiles } from '../model/random-source';
import { randomWeights, roundTripQuantized, tinyConfig } from '../model/random-model';
import type { DecoderConfig } from '../model/config';
import { readAllWeights } from '../model/weight-source';
import type { WeightMap } from '../model/weights';
import { compare } from '../reference/compare';
import { decoderForwardRef } from '../reference/decoder';
import { crossEntropyRef } from '../reference/loss';
import { poolRef } from '../reference/pooling';
import { randomArray } from '../reference/random';
import { createCpuCaches, cpuDecoderStep, releaseCaches, releaseCpuDecoder, uploadCpuDecoder } from './decoder';
import { CpuModel } from './model';
import type { CpuRuntime } from './runtime';
import { threadRuntimes } from './test-threads';

const threads = threadRuntimes();

function tokens(n: number, seed: number, V: number): number[] {
  return Array.from(randomArray(n, seed), (v) => Math.floor((v + 1) * 1000) % V);
}

function expectClose(got: ArrayLike<number>, ref: ArrayLike<number>, tol: number, what: string) {
  const d = compare(got, ref);
  console.log(`${what}: max abs ${d.maxAbs.toExponential(2)}`);
  expect(d.maxAbs).toBeLessThanOrEqual(tol);
}

/** Logits [B, T, V] and every hidden state [B, T, C] of a padded prefill. */
function forwardAll(rt: CpuRuntime, c: DecoderConfig, weights: WeightMap, quant: 'f32' | 'q8' | 'q4', seqs: number[][]): Float32Array[] {
  const m = uploadCpuDecoder(rt, c, weights, quant);
  const B = seqs.length;
  const T = Math.max(...seqs.map((s) => s.length));
  const ids = new Uint32Array(B * T);
  seqs.forEach((s, b) => ids.set(s, b * T));
  const caches = createCpuCaches(rt, m, B, T);
  const layers = Array.from({ length: c.numLayers + 1 }, (_, i) => i);
  const out = cpuDecoderStep(rt, m, caches, { tokens: ids, B, Tq: T, past: Array(B).fill(0), qLen: seqs.map((s) => s.length) }, { hiddenLayers: layers });
  const res = [rt.read(out.logits!), ...layers.map((l) => rt.read(out.hidden.get(l)!))];
  for (const t of [out.logits!, ...out.hidden.values()]) rt.release(t);
  releaseCaches(rt, caches);
  releaseCpuDecoder(rt, m);
  return res;
}

const QWEN3 = tinyConfig({ architecture: 'qwen3', headDim: 24, tieWordEmbeddings: false });

const cases: { name: string; config: DecoderConfig; quant: 'f32' | 'q8' | 'q4'; tol: number }[] = [
  { name: 'f32, tied', config: tinyConfig(), quant: 'f32', tol: 1e-4 },
  { name: 'q8, untied', config: tinyConfig({ tieWordEmbeddings: false }), quant: 'q8', tol: 1e-4 },
  { name: 'q4, tied, Qwen2 biases, odd head count', config: tinyConfig({ architecture: 'qwen2', attentionBias: true, numHeads: 6, numKvHeads: 3, headDim: 8, hiddenSize: 48 }), quant: 'q4', tol: 1e-4 },
  { name: 'f32, untied, Qwen3 q/k norm, head_dim 24 (C / H = 16)', config: QWEN3, quant: 'f32', tol: 1e-4 },
  { name: 'q4, tied, Qwen3 q/k norm, GQA 6/2', config: tinyConfig({ architecture: 'qwen3', numHeads: 6, numKvHeads: 2, headDim: 8, hiddenSize: 48 }), quant: 'q4', tol: 1e-4 },
];

describe('CPU decoder vs float64 reference decoder', () => {
  for (const { name, config, quant, tol } of cases) {
    it(`${name}: logits and every hidden state of a padded batch (lengths 1, 5, 12)`, () => {
      const weights = randomWeights(config, 7);
      const seqs = [tokens(1, 3, config.vocabSize), tokens(5, 1, config.vocabSize), tokens(12, 2, config.vocabSize)];
      const [logits, ...hidden] = threads.onAll((rt) => forwardAll(rt, config, weights, quant, seqs));
      const T = 12;
      const ids = seqs.flatMap((s) => [...s, ...Array(T - s.length).fill(0)]);
      const ref = decoderForwardRef(config, quant === 'f32' ? weights : roundTripQuantized(config, weights, quant), ids, 3, T, seqs.map((s) => s.length));
      // Real tokens only: padded positions are computed but meaningless.
      const real = (a: ArrayLike<number>, width: number) => seqs.flatMap((s, b) => Array.from({ length: s.length * width }, (_, i) => a[b * T * width + i]));
      expectClose(real(logits, config.vocabSize), real(ref.logits, config.vocabSize), tol, `${name} logits`);
      hidden.forEach((h, i) => expectClose(real(h, config.hiddenSize), real(ref.hidden[i], config.hiddenSize), tol, `${name} hidden_states.${i}`));
    });
  }

  for (const [arch, config] of [['llama', tinyConfig({ tieWordEmbeddings: false })], ['qwen3', QWEN3]] as const) {
  it(`${arch}: decoding one token at a time through the KV cache gives the prefill logits of every position`, () => {
    const weights = randomWeights(config, 8);
    const prompt = tokens(9, 4, config.vocabSize);
    const V = config.vocabSize;
    const [full, stepped] = threads.onAll((rt) => {
      const [prefill] = forwardAll(rt, config, weights, 'q4', [prompt]);
      const m = uploadCpuDecoder(rt, config, weights, 'q4');
      const caches = createCpuCaches(rt, m, 1, prompt.length);
      const rows = new Float32Array(prompt.length * V);
      prompt.forEach((id, t) => {
        const out = cpuDecoderStep(rt, m, caches, { tokens: Uint32Array.of(id), B: 1, Tq: 1, past: [t], qLen: [1] }, { logits: 'last' });
        rows.set(rt.read(out.logits!), t * V);
        rt.release(out.logits!);
      });
      releaseCaches(rt, caches);
      releaseCpuDecoder(rt, m);
      return [prefill, rows];
    });
    expectClose(stepped, full, 1e-5, `${arch} decode steps vs prefill`);
  });
  }
});

describe('CpuModel on the random tiny model (byte tokenizer)', () => {
  const loadOn = async (rt: CpuRuntime) => {
    const host = await readModelFolder(randomModelFiles(3));
    return { model: await CpuModel.load(rt, host, 'q8', 'random', () => readModelFolder(randomModelFiles(3))), host };
  };

  it('embed (mean and last pooling), per-token NLL and greedy generation agree with the reference and across 1, 2, 4 threads', async () => {
    const sentences = ['a cat', 'the children are playing', 'x'];
    const results = [];
    for (const n of [2, 1, 4] as const) {
      const { model, host } = await loadOn(threads.get(n));
      const layers = [0, 1, 2];
      const mean = await model.embed(sentences, { layers, pooling: 'mean' });
      const last = await model.embed(sentences, { layers, pooling: 'last' });
      const ids = sentences.map((s) => model.tokenizer.encode(s, { addBos: true }));
      const { nll, tokens: predicted } = await model.sequenceNll(ids);
      const greedy = await model.generateGreedy(ids, 6);
      const { timing, ...streamed } = await model.generate('a cat', { maxNewTokens: 6 });
      // The steps' times differ by run; their counts do not: the prompt's prefill, then one step per token after the first.
      expect([timing.promptTokens, timing.decodeSteps]).toEqual([model.tokenizer.encode('a cat', { addBos: true }).length, streamed.tokens.length - 1]);
      results.push({ mean, last, nll, greedy, streamed });
      await model.release();
      if (n !== 2) continue;
      // The reference, once: hidden states and logits of the same token ids.
      const c = host.config;
      const w = roundTripQuantized(c, await readAllWeights(host.weights), 'q8');
      const plain = sentences.map((s) => model.tokenizer.encode(s, { addBos: false }));
      const T = Math.max(...plain.map((s) => s.length));
      const ref = decoderForwardRef(c, w, plain.flatMap((s) => [...s, ...Array(T - s.length).fill(0)]), plain.length, T, plain.map((s) => s.length));
      for (const [j, l] of layers.entries()) {
        expectClose(mean.vectors[j], poolRef(ref.hidden[l], plain.map((s) => s.length), plain.length, T, c.hiddenSize, 'mean'), 1e-4, `embed mean layer ${l}`);
        expectClose(last.vectors[j], poolRef(ref.hidden[l], plain.map((s) => s.length), plain.length, T, c.hiddenSize, 'last'), 1e-4, `embed last layer ${l}`);
      }
      ids.forEach((s, b) => {
        const r = decoderForwardRef(c, w, s, 1, s.length);
        const ce = crossEntropyRef(r.logits, [...s.slice(1), 0], [...Array(s.length - 1).fill(1), 0], s.length, c.vocabSize);
        expect(predicted[b]).toBe(s.length - 1);
        expect(Math.abs(nll[b] - ce.loss * (s.length - 1))).toBeLessThanOrEqual(1e-3);
      });
      expect(streamed.tokens).toEqual(greedy[0].slice(0, streamed.tokens.length));
    }
    for (const r of results.slice(1)) expect(r).toEqual(results[0]);
  });

  it('a Qwen3 model read from its files (config.json model_type qwen3, q_norm/k_norm in the safetensors): embed, NLL and generation match the reference', async () => {
    const overrides = { architecture: 'qwen3', headDim: 24 } as const;
    const host = await readModelFolder(randomModelFiles(5, overrides));
    expect(host.config).toMatchObject(overrides);
    expect(host.weights.shapes.get('model.layers.1.self_attn.k_norm.weight')).toEqual([24]);
    const weights = await readAllWeights(host.weights);
    const model = await CpuModel.load(threads.get(1), host, 'f32', 'random-qwen3', () => readModelFolder(randomModelFiles(5, overrides)));
    try {
      const sentences = ['a cat', 'the children are playing'];
      const plain = sentences.map((s) => model.tokenizer.encode(s, { addBos: false }));
      const T = Math.max(...plain.map((s) => s.length));
      const ref = decoderForwardRef(host.config, weights, plain.flatMap((s) => [...s, ...Array(T - s.length).fill(0)]), plain.length, T, plain.map((s) => s.length));
      const mean = await model.embed(sentences, { layers: [1, 2], pooling: 'mean' });
      [1, 2].forEach((l, j) => expectClose(mean.vectors[j], poolRef(ref.hidden[l], plain.map((s) => s.length), plain.length, T, host.config.hiddenSize, 'mean'), 1e-4, `qwen3 embed mean layer ${l}`));
      const ids = sentences.map((s) => model.tokenizer.encode(s, { addBos: true }));
      const { nll } = await model.sequenceNll(ids);
      ids.forEach((s, b) => {
        const ce = crossEntropyRef(decoderForwardRef(host.config, weights, s, 1, s.length).logits, [...s.slice(1), 0], [...Array(s.length - 1).fill(1), 0], s.length, host.config.vocabSize);
        expect(Math.abs(nll[b] - ce.loss * (s.length - 1))).toBeLessThanOrEqual(1e-3);
      });
      // Greedy generation: each new token is the reference's argmax after the text so far.
      const [greedy] = await model.generateGreedy([ids[0]], 4);
      expect(greedy.length).toBeGreaterThan(0);
      let seq = [...ids[0]];
      for (const tok of greedy) {
        const logits = decoderForwardRef(host.config, weights, seq, 1, seq.length).logits.subarray((seq.length - 1) * host.config.vocabSize);
        expect(tok).toBe(logits.indexOf(Math.max(...logits)));
        seq = [...seq, tok];
      }
    } finally {
      await model.release();
    }
  });

  it('asks for layers that exist and for a sentence that is not empty', async () => {
    const { model } = await loadOn(threads.get(1));
    await expect(model.embed(['a'], { layers: [3], pooling: 'mean' })).rejects.toThrow(/Layer 3 does not exist/);
    await expect(model.embed([''], { layers: [0], pooling: 'mean' })).rejects.toThrow(/empty/);
    await model.release();
  });
});
