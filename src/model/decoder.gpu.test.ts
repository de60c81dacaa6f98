import { afterAll, describe, expect, it } from 'vitest';
import type { GpuContext } from '../gpu/runtime';
import { pool } from '../kernels/pooling';
import { readTensor, releaseTensor, uploadU32 } from '../kernels/tensor';
import { compare } from '../reference/compare';
import { decoderForwardRef } from '../reference/decoder';
import { randomArray } from '../reference/random';
import { poolRef } from '../reference/pooling';
import { testRuntime } from '../test/gpu';
import { createCaches, decoderStep, releaseDecoder, uploadDecoder, type GpuDecoder } from './decoder';
import { randomWeights, roundTripQuantized, tinyConfig } from './random-model';

const rt = testRuntime();
afterAll(() => rt.destroy());

const config = tinyConfig();
const weights = randomWeights(config, 7);
const untied = tinyConfig({ tieWordEmbeddings: false });
const untiedWeights = randomWeights(untied, 8);

function tokens(n: number, seed: number): number[] {
  return Array.from(randomArray(n, seed), (v) => Math.floor((v + 1) * 128) % config.vocabSize);
}

/** Full forward of padded sequences; returns logits [B,T,V] and all hidden states. */
async function forwardAll(ctx: GpuContext, m: GpuDecoder, seqs: number[][]) {
  const B = seqs.length;
  const T = Math.max(...seqs.map((s) => s.length));
  const ids = new Uint32Array(B * T);
  seqs.forEach((s, b) => ids.set(s, b * T));
  const caches = createCaches(ctx, m, B, T);
  const batch = ctx.batch();
  const layers = Array.from({ length: config.numLayers + 1 }, (_, i) => i);
  const out = await decoderStep(ctx, batch, m, caches, { tokens: ids, B, Tq: T, past: Array(B).fill(0), qLen: seqs.map((s) => s.length) }, { hiddenLayers: layers });
  await batch.submit();
  const logits = await readTensor(ctx, out.logits!);
  const hidden = await Promise.all(layers.map((i) => readTensor(ctx, out.hidden.get(i)!)));
  for (const c of caches) (releaseTensor(ctx, c.k), releaseTensor(ctx, c.v));
  releaseTensor(ctx, out.logits!);
  out.hidden.forEach((t) => releaseTensor(ctx, t));
  return { ids, T, logits, hidden };
}

describe('GPU decoder vs float64 reference (random tiny config)', () => {
  for (const quant of ['q4', 'q8'] as const) {
    it(`${quant}: logits and every hidden state within 1e-3, on a padded batch`, async () => {
      const seqs = [tokens(5, 1), tokens(12, 2)];
      const { ids, T, logits, hidden } = await rt.run(async (ctx) => {
        const m = await uploadDecoder(ctx, config, weights, quant);
        try {
          return await forwardAll(ctx, m, seqs);
        } finally {
          releaseDecoder(ctx, m);
        }
      });
      const ref = decoderForwardRef(config, roundTripQuantized(config, weights, quant), ids, 2, T, seqs.map((s) => s.length));
      // Compare real tokens only: padded positions are computed but meaningless.
      const real = (a: ArrayLike<number>, width: number) => seqs.flatMap((s, b) => Array.from({ length: s.length * width }, (_, i) => a[b * T * width + i]));
      const dl = compare(real(logits, config.vocabSize), real(ref.logits, config.vocabSize));
      console.log(`${quant} logits: max abs ${dl.maxAbs.toExponential(2)}`);
      expect(dl.maxAbs).toBeLessThanOrEqual(1e-3);
      hidden.forEach((h, i) => {
        const d = compare(real(h, config.hiddenSize), real(ref.hidden[i], config.hiddenSize));
        console.log(`${quant} hidden_states.${i}: max abs ${d.maxAbs.toExponential(2)}`);
        expect(d.maxAbs).toBeLessThanOrEqual(1e-3);
      });
    });
  }

  it('Qwen3 (per-head q/k norm, head_dim 24 != C / H, untied), q8: padded prefill within 1e-3 of the reference; KV-cache steps give the prefill logits', async () => {
    const qwen3 = tinyConfig({ architecture: 'qwen3', headDim: 24, tieWordEmbeddings: false });
    const w = randomWeights(qwen3, 9);
    const seqs = [tokens(4, 7), tokens(9, 8)];
    const V = qwen3.vocabSize;
    const { prefill, stepped } = await rt.run(async (ctx) => {
      const m = await uploadDecoder(ctx, qwen3, w, 'q8');
      try {
        expect(m.layers[1].qkNorm?.k.shape).toEqual([24]);
        const prefill = await forwardAll(ctx, m, seqs);
        // The second sequence again, one token per step through the cache.
        const caches = createCaches(ctx, m, 1, seqs[1].length);
        const stepped = new Float32Array(seqs[1].length * V);
        for (const [t, id] of seqs[1].entries()) {
          const batch = ctx.batch();
          const out = await decoderStep(ctx, batch, m, caches, { tokens: Uint32Array.of(id), B: 1, Tq: 1, past: [t], qLen: [1] }, { logits: 'last' });
          await batch.submit();
          stepped.set(await readTensor(ctx, out.logits!), t * V);
          releaseTensor(ctx, out.logits!);
        }
        for (const c of caches) (releaseTensor(ctx, c.k), releaseTensor(ctx, c.v));
        return { prefill, stepped };
      } finally {
        releaseDecoder(ctx, m);
      }
    });
    const { ids, T, logits, hidden } = prefill;
    const ref = decoderForwardRef(qwen3, roundTripQuantized(qwen3, w, 'q8'), ids, 2, T, seqs.map((s) => s.length));
    const real = (a: ArrayLike<number>, width: number) => seqs.flatMap((s, b) => Array.from({ length: s.length * width }, (_, i) => a[b * T * width + i]));
    const dl = compare(real(logits, V), real(ref.logits, V));
    console.log(`qwen3 q8 logits: max abs ${dl.maxAbs.toExponential(2)}`);
    expect(dl.maxAbs).toBeLessThanOrEqual(1e-3);
    hidden.forEach((h, i) => expect(compare(real(h, qwen3.hiddenSize), real(ref.hidden[i], qwen3.hiddenSize)).maxAbs, `hidden_states.${i}`).toBeLessThanOrEqual(1e-3));
    const ds = compare(stepped, logits.subarray(T * V, T * V + seqs[1].length * V));
    console.log(`qwen3 decode steps vs prefill: max abs ${ds.maxAbs.toExponential(2)}`);
    expect(ds.maxAbs).toBeLessThanOrEqual(1e-4);
  });

  it('16 steps of KV-cache decoding pick the same greedy tokens as full recomputation', async () => {
    const prompt = tokens(6, 3);
    const steps = 16;
    const argmax = (a: Float32Array, offset: number, n: number) => {
      let best = 0;
      for (let i = 1; i < n; i++) if (a[offset + i] > a[offset + best]) best = i;
      return best;
    };
    const { cached, full } = await rt.run(async (ctx) => {
      // Untied: a random tied model greedily repeats its input token (E·Eᵀ peaks on the diagonal).
      const m = await uploadDecoder(ctx, untied, untiedWeights, 'q4');
      const V = config.vocabSize;
      // With the cache: prefill the prompt, then one token per step.
      const caches = createCaches(ctx, m, 1, prompt.length + steps);
      const cached: number[] = [];
      let next = Uint32Array.from(prompt);
      let past = 0;
      for (let s = 0; s < steps; s++) {
        const batch = ctx.batch();
        const out = await decoderStep(ctx, batch, m, caches, { tokens: next, B: 1, Tq: next.length, past: [past], qLen: [next.length] }, { logits: 'last' });
        await batch.submit();
        const tok = argmax(await readTensor(ctx, out.logits!), 0, V);
        releaseTensor(ctx, out.logits!);
        cached.push(tok);
        past += next.length;
        next = Uint32Array.from([tok]);
      }
      // Without: recompute the whole sequence for every new token.
      const full: number[] = [];
      const seq = [...prompt];
      for (let s = 0; s < steps; s++) {
        const { logits, T } = await forwardAll(ctx, m, [seq]);
        const tok = argmax(logits, (T - 1) * V, V);
        full.push(tok);
        seq.push(tok);
      }
      releaseDecoder(ctx, m);
      return { cached, full };
    });
    console.log('greedy tokens:', cached.join(' '));
    expect(new Set(cached).size).toBeGreaterThan(1); // a real continuation, not one repeated id
    expect(cached).toEqual(full);
  });

  it('a batch of sentences of lengths 3, 9 and 17 pools each exactly as when run alone', async () => {
    const seqs = [tokens(3, 4), tokens(9, 5), tokens(17, 6)];
    const C = config.hiddenSize;
    const layer = 1;
    const embedAll = async (ctx: GpuContext, m: GpuDecoder, group: number[][], mode: 'mean' | 'last') => {
      const B = group.length;
      const T = Math.max(...group.map((s) => s.length));
      const ids = new Uint32Array(B * T);
      group.forEach((s, b) => ids.set(s, b * T));
      const lengths = group.map((s) => s.length);
      const caches = createCaches(ctx, m, B, T);
      const batch = ctx.batch();
      const lens = uploadU32(ctx, Uint32Array.from(lengths), [B], 'lengths');
      const out = await decoderStep(ctx, batch, m, caches, { tokens: ids, B, Tq: T, past: Array(B).fill(0), qLen: lengths }, { hiddenLayers: [layer], logits: 'none' });
      const pooled = await pool(ctx, batch, out.hidden.get(layer)!, lens, mode);
      await batch.submit();
      return readTensor(ctx, pooled);
    };
    for (const mode of ['mean', 'last'] as const) {
      const { together, alone } = await rt.run(async (ctx) => {
        const m = await uploadDecoder(ctx, config, weights, 'q4');
        const together = await embedAll(ctx, m, seqs, mode);
        // One after another: batches recorded concurrently on one pool would hand each other buffers.
        const alone: Float32Array[] = [];
        for (const s of seqs) alone.push(await embedAll(ctx, m, [s], mode));
        releaseDecoder(ctx, m);
        return { together, alone };
      });
      seqs.forEach((_, b) => {
        const d = compare(together.subarray(b * C, (b + 1) * C), alone[b]);
        expect(d.maxAbs).toBeLessThanOrEqual(1e-4);
      });
      // And the pooled vectors are the reference's pooling of the reference hidden states.
      const ref = decoderForwardRef(config, roundTripQuantized(config, weights, 'q4'), seqs[1], 1, 9);
      expect(compare(alone[1], poolRef(ref.hidden[layer], [9], 1, 9, C, mode)).maxAbs).toBeLessThanOrEqual(1e-4);
    }
  });
});
