// The { kvCache: true } ONNX export run by the real onnxruntime-web (WASM EP in Node): a prefill of N
// tokens and then M single-token steps against the returned cache give, at every position, the
// logits of one full forward over the whole sequence (the no-cache export on the same session
// runtime), of the float64 reference, and of our engine's CPU route decoding with its own KV cache.
// Greedy decoding with the cache picks the tokens of greedy decoding without it.
//
// Tolerance 1e-4 everywhere, q4 included (measured: at most 6e-6): q4 sides all compute with the same
// codes (the reference with their dequantized values), so what remains is f32 summation order, as in
// f32. That is tighter than the 1e-3 of the export's padded-batch parity tests (onnx.test.ts).

import * as ort from 'onnxruntime-web';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCpuCaches, cpuDecoderStep, releaseCaches, releaseCpuDecoder, uploadCpuDecoder } from '../cpu/decoder';
import { CpuRuntime } from '../cpu/runtime';
import type { DecoderConfig } from '../model/config';
import { dequantize, quantizeQ4, type Q4Weight } from '../model/quant';
import { readDecoderOnnx } from '../model/onnx-reader';
import { randomWeights, tinyConfig } from '../model/random-model';
import { expectedWeights, type WeightMap } from '../model/weights';
import { compare } from '../reference/compare';
import { decoderForwardRef } from '../reference/decoder';
import { randomArray } from '../reference/random';
import { exportDecoderOnnx } from './onnx';
import { createOrtSession, emptyOnnxCache, greedyOnnx, hasKvCache, runDecoderOnnx, runDecoderOnnxCached, type OnnxKvCache } from './ort-session';

ort.env.wasm.numThreads = 1;

const TIMEOUT = 120_000;
const PREFILL = 7;
const STEPS = 5;

interface Case {
  label: string;
  config: DecoderConfig;
  quant: 'f32' | 'q4';
  zeroPoints?: boolean;
  seed: number;
}

const CASES: Case[] = [
  { label: 'f32, Llama, GQA 4/2, tied', config: tinyConfig({ maxPositions: 64 }), quant: 'f32', seed: 1 },
  { label: 'q4, Llama, GQA 4/2, tied', config: tinyConfig({ maxPositions: 64 }), quant: 'q4', seed: 2 },
  {
    label: 'q4 with zero points, Qwen2 q/k/v biases, untied, llama3 rope, MHA 4/4',
    config: tinyConfig({
      architecture: 'qwen2',
      attentionBias: true,
      tieWordEmbeddings: false,
      numKvHeads: 4,
      maxPositions: 64,
      ropeScaling: { type: 'llama3', factor: 8, lowFreqFactor: 1, highFreqFactor: 4, originalMaxPositions: 32 },
    }),
    quant: 'q4',
    zeroPoints: true,
    seed: 3,
  },
  { label: 'f32, Qwen2 q/k/v biases, GQA 6/2, head_dim 8', config: tinyConfig({ architecture: 'qwen2', attentionBias: true, numHeads: 6, numKvHeads: 2, headDim: 8, hiddenSize: 48, maxPositions: 64 }), quant: 'f32', seed: 4 },
  { label: 'q4, Qwen3 q/k norm, head_dim 24, GQA 4/2, untied', config: tinyConfig({ architecture: 'qwen3', headDim: 24, tieWordEmbeddings: false, maxPositions: 64 }), quant: 'q4', seed: 5 },
];

interface Fixture {
  c: DecoderConfig;
  /** As exported; q4 linears are quantized once and `ref` holds their dequantized values, so every side computes with the same weights. */
  weights: WeightMap;
  ref: WeightMap;
  quantized: Map<string, Q4Weight>;
  kv: Uint8Array;
  plain: Uint8Array;
}

function fixture({ config: c, quant, zeroPoints, seed }: Case): Fixture {
  const weights = randomWeights(c, seed);
  const ref: WeightMap = new Map(weights);
  const quantized = new Map<string, Q4Weight>();
  if (quant === 'q4') {
    for (const spec of expectedWeights(c)) {
      if (spec.role !== 'linear') continue;
      const q = quantizeQ4(weights.get(spec.name)!.data, spec.shape[0], spec.shape[1], { zeroPoints });
      quantized.set(spec.name, q);
      ref.set(spec.name, { shape: spec.shape, data: dequantize(q) });
    }
  }
  const opts = { quant, quantized };
  return { c, weights, ref, quantized, kv: exportDecoderOnnx(c, weights, { ...opts, kvCache: true }), plain: exportDecoderOnnx(c, weights, opts) };
}

function tokens(n: number, seed: number, V: number): number[] {
  return Array.from(randomArray(n, seed), (v) => Math.floor(((v + 1) / 2) * V) % V);
}

function maxAbs(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  return compare(a, b).maxAbs;
}

/** Present tensors are [B, Hkv, length, D], one key and one value per layer, and nothing else. */
function expectCacheShape(cache: OnnxKvCache, c: DecoderConfig, B: number, length: number): void {
  expect(cache.length).toBe(length);
  const names = Array.from({ length: c.numLayers }, (_, i) => [`past_key_values.${i}.key`, `past_key_values.${i}.value`]).flat();
  expect(Object.keys(cache.tensors).sort()).toEqual(names.sort());
  for (const t of Object.values(cache.tensors)) {
    expect(t.dims).toEqual([B, c.numKvHeads, length, c.headDim]);
    expect(t.type).toBe('float32');
  }
}

/** Logits [PREFILL + STEPS, V] of a prefill then single-token steps against the cache, teacher-forced on `ids`. */
async function cachedLogits(session: ort.InferenceSession, f: Fixture, ids: number[]): Promise<Float32Array> {
  const V = f.c.vocabSize;
  const logits = new Float32Array(ids.length * V);
  let cache = emptyOnnxCache(session, 1);
  expectCacheShape(cache, f.c, 1, 0);
  let at = 0;
  for (const chunk of [ids.slice(0, PREFILL), ...ids.slice(PREFILL).map((id) => [id])]) {
    const r = await runDecoderOnnxCached(session, cache, [chunk]);
    expect(Object.keys(r.out).filter((k) => k.startsWith('present.'))).toEqual([]);
    expect(r.out.logits.length).toBe(chunk.length * V);
    expect(r.out[`hidden_states.${f.c.numLayers}`].length).toBe(chunk.length * f.c.hiddenSize);
    logits.set(r.out.logits, at * V);
    at += chunk.length;
    expectCacheShape(r.cache, f.c, 1, at);
    cache = r.cache;
  }
  return logits;
}

/** Our engine's CPU route on the same weights (q4: the same codes), prefill then steps through its own KV cache. */
function cpuLogits(rt: CpuRuntime, f: Fixture, quant: 'f32' | 'q4', ids: number[]): Float32Array {
  const m = uploadCpuDecoder(rt, f.c, f.weights, quant, { prequantized: f.quantized });
  const caches = createCpuCaches(rt, m, 1, ids.length);
  const V = f.c.vocabSize;
  const logits = new Float32Array(ids.length * V);
  const pre = cpuDecoderStep(rt, m, caches, { tokens: Uint32Array.from(ids.slice(0, PREFILL)), B: 1, Tq: PREFILL, past: [0], qLen: [PREFILL] }, { logits: 'all' });
  logits.set(rt.read(pre.logits!), 0);
  rt.release(pre.logits!);
  for (let t = PREFILL; t < ids.length; t++) {
    const step = cpuDecoderStep(rt, m, caches, { tokens: Uint32Array.of(ids[t]), B: 1, Tq: 1, past: [t], qLen: [1] }, { logits: 'last' });
    logits.set(rt.read(step.logits!), t * V);
    rt.release(step.logits!);
  }
  releaseCaches(rt, caches);
  releaseCpuDecoder(rt, m);
  return logits;
}

/** Greedy continuation by the float64 reference, one full forward per token. */
function greedyRef(f: Fixture, prompt: number[], steps: number): number[] {
  const seq = [...prompt];
  const V = f.c.vocabSize;
  for (let s = 0; s < steps; s++) {
    const row = decoderForwardRef(f.c, f.ref, seq, 1, seq.length).logits.subarray((seq.length - 1) * V);
    let best = 0;
    for (let v = 1; v < V; v++) if (row[v] > row[best]) best = v;
    seq.push(best);
  }
  return seq.slice(prompt.length);
}

let rt: CpuRuntime;
beforeAll(async () => {
  rt = await CpuRuntime.create({ threads: 1, simd: 'simd' });
});
afterAll(() => rt.dispose());

describe('ONNX export with a KV cache (Transformers.js names) run by onnxruntime-web (WASM)', () => {
  for (const k of CASES) {
    const f = fixture(k);
    it(`${k.label}: prefill ${PREFILL} + ${STEPS} cached steps = full forward, reference and our CPU engine`, async () => {
      const session = await createOrtSession(f.kv);
      expect(hasKvCache(session)).toBe(true);
      const ids = tokens(PREFILL + STEPS, k.seed * 10, f.c.vocabSize);
      const cached = await cachedLogits(session, f, ids);
      const full = (await runDecoderOnnx(await createOrtSession(f.plain), [ids])).logits;
      const fullOnKv = (await runDecoderOnnx(session, [ids])).logits; // the cache export with an empty past
      const ref = decoderForwardRef(f.c, f.ref, ids, 1, ids.length).logits;
      const ours = cpuLogits(rt, f, k.quant, ids);
      const d = { noCache: maxAbs(cached, full), kvExportNoPast: maxAbs(fullOnKv, full), reference: maxAbs(cached, ref), cpuEngine: maxAbs(cached, ours) };
      console.log(`${k.label}: max |cached - x| logits`, d);
      expect(d.noCache).toBeLessThanOrEqual(1e-4);
      expect(d.kvExportNoPast).toBeLessThanOrEqual(1e-4);
      expect(d.reference).toBeLessThanOrEqual(1e-4);
      expect(d.cpuEngine).toBeLessThanOrEqual(1e-4);
      await session.release();
    }, TIMEOUT);
  }

  it('a batch of 2 against one cache: present [2, Hkv, T, D], rows equal to the full forward of each', async () => {
    const f = fixture(CASES[1]);
    const V = f.c.vocabSize;
    const session = await createOrtSession(f.kv);
    const rows = [tokens(PREFILL + 2, 71, V), tokens(PREFILL + 2, 72, V)];
    let r = await runDecoderOnnxCached(session, emptyOnnxCache(session, 2), rows.map((s) => s.slice(0, PREFILL)));
    expectCacheShape(r.cache, f.c, 2, PREFILL);
    for (const t of [PREFILL, PREFILL + 1]) {
      r = await runDecoderOnnxCached(session, r.cache, rows.map((s) => [s[t]]));
      expectCacheShape(r.cache, f.c, 2, t + 1);
    }
    const full = (await runDecoderOnnx(await createOrtSession(f.plain), rows)).logits; // [2, PREFILL + 2, V]
    const T = PREFILL + 2;
    for (let b = 0; b < 2; b++) expect(maxAbs(r.out.logits.subarray(b * V, (b + 1) * V), full.subarray((b * T + T - 1) * V, (b * T + T) * V))).toBeLessThanOrEqual(1e-4);
    await session.release();
  }, TIMEOUT);

  for (const k of [CASES[2], CASES[4]]) {
    it(`${k.label}: greedy 24 tokens with the cache = without it (no-cache export, and the cache export run uncached) = reference`, async () => {
      const f = fixture(k);
      const V = f.c.vocabSize;
      const prompt = tokens(6, k.seed * 10 + 1, V);
      const session = await createOrtSession(f.kv);
      const withCache = await greedyOnnx(session, prompt, 24, V);
      const uncached = await greedyOnnx(session, prompt, 24, V, { cache: false });
      const plain = await greedyOnnx(await createOrtSession(f.plain), prompt, 24, V);
      console.log(`${k.label}: greedy ${withCache.join(' ')}`);
      expect(withCache).toHaveLength(24);
      expect(new Set(withCache).size).toBeGreaterThan(2); // not a collapse to one token, which any bug could also produce
      expect(withCache).toEqual(plain);
      expect(uncached).toEqual(plain);
      expect(withCache).toEqual(greedyRef(f, prompt, 24));
      await session.release();
    }, TIMEOUT);
  }

  it('the default export is unchanged: input_ids and attention_mask in, no present outputs', async () => {
    const f = fixture(CASES[0]);
    const session = await createOrtSession(f.plain);
    expect(hasKvCache(session)).toBe(false);
    expect([...session.inputNames]).toEqual(['input_ids', 'attention_mask']);
    expect(session.outputNames.filter((n) => n.startsWith('present.'))).toEqual([]);
    const kv = await createOrtSession(f.kv);
    expect([...kv.inputNames]).toEqual(['input_ids', 'attention_mask', 'position_ids', 'past_key_values.0.key', 'past_key_values.0.value', 'past_key_values.1.key', 'past_key_values.1.value']);
    expect(kv.outputNames.filter((n) => n.startsWith('present.'))).toEqual(['present.0.key', 'present.0.value', 'present.1.key', 'present.1.value']);
    await session.release();
    await kv.release();
  }, TIMEOUT);

  it('our loader reads a cache export as it reads the default one (same config, weights and q4 codes)', () => {
    const f = fixture(CASES[4]);
    const kv = readDecoderOnnx(f.kv);
    const plain = readDecoderOnnx(f.plain);
    expect(kv.config).toEqual(f.c);
    expect(kv.quantized).toEqual(f.quantized);
    expect(kv.weights).toEqual(plain.weights);
  });
});
