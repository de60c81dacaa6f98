// The whole decoder's gradients on the GPU against the float64 reference (itself checked by finite
// differences): full fine-tuning of an f32 model, and LoRA adapters on a frozen q4 base.

import { afterAll, describe, expect, it } from 'vitest';
import { TrainConfigError } from '../errors';
import type { GpuRuntime } from '../gpu/runtime';
import { readTensor } from '../kernels/tensor';
import type { DecoderConfig } from '../model/config';
import { LOSS_ROWS } from '../ops/vocab-shards';
import { uploadDecoder } from '../model/decoder';
import { randomWeights, roundTripQuantized, tinyConfig } from '../model/random-model';
import type { LoraRef } from '../reference/adapters';
import { compare } from '../reference/compare';
import { decoderLossAndGradsRef } from '../reference/decoder-backward';
import { randomArray } from '../reference/random';
import { testRuntime } from '../test/gpu';
import { forwardBackward, type StepBatch } from './backprop';
import { createTrainable, zerosLike } from './trainable';

const rt = testRuntime();
afterAll(() => rt.destroy());

const TOL = 1e-2;

function makeBatch(c: DecoderConfig, seed: number): StepBatch & { weights: Float32Array } {
  const [B, T] = [2, 6];
  const lengths = [6, 4];
  const r = (n: number, s: number) => Array.from(randomArray(n, s), (v) => Math.floor(((v + 1) / 2) * c.vocabSize));
  const ids = Uint32Array.from(r(B * T, seed));
  const targets = Uint32Array.from(r(B * T, seed + 1));
  const weights = Float32Array.from({ length: B * T }, (_, i) => (i % T < lengths[Math.floor(i / T)] && i % 5 !== 2 ? 1 : 0));
  const total = weights.reduce((a, b) => a + b, 0);
  return { B, T, ids, targets, lengths, weights, gradWeight: weights.map((w) => w / total) };
}

const configs: [string, DecoderConfig][] = [
  ['tied', tinyConfig({ hiddenSize: 32, numHeads: 4, numKvHeads: 2, headDim: 8, intermediateSize: 48, vocabSize: 64 })],
  ['untied, q/k/v biases', tinyConfig({ architecture: 'qwen2', attentionBias: true, tieWordEmbeddings: false, hiddenSize: 32, numHeads: 4, numKvHeads: 2, headDim: 8, intermediateSize: 48, vocabSize: 64 })],
  ['untied, qwen3 per-head q/k norm, head_dim 12 != C / H', tinyConfig({ architecture: 'qwen3', tieWordEmbeddings: false, hiddenSize: 32, numHeads: 4, numKvHeads: 2, headDim: 12, intermediateSize: 48, vocabSize: 64 })],
];

describe('decoder gradients on the GPU vs float64 reference', () => {
  for (const [label, config] of configs) {
    it(`full fine-tuning (${label}): loss and every weight's gradient`, async () => {
      const weights = randomWeights(config, 3);
      const s = makeBatch(config, 11);
      const { loss, grads } = await rt.run(async (ctx) => {
        const tr = createTrainable(ctx, await uploadDecoder(ctx, config, weights, 'f32'), { kind: 'full' }, 1);
        const g = zerosLike(ctx, tr.params, 'grad');
        const batch = ctx.batch();
        const ce = await forwardBackward(ctx, batch, tr, g, s);
        await batch.submit();
        const perToken = await readTensor(ctx, ce);
        const out = new Map<string, Float32Array>();
        for (const [name, t] of g) out.set(name, await readTensor(ctx, t));
        return { loss: perToken.reduce((acc, c, i) => acc + c * s.gradWeight[i], 0), grads: out };
      });
      const ref = decoderLossAndGradsRef(config, weights, s.ids, s.B, s.T, s.lengths, s.targets, s.weights);
      expect(Math.abs(loss - ref.loss) / ref.loss).toBeLessThanOrEqual(1e-5);
      expect([...grads.keys()].sort()).toEqual([...ref.grads.keys()].sort());
      let worst = 0;
      for (const [name, g] of grads) {
        const d = compare(g, ref.grads.get(name)!);
        worst = Math.max(worst, d.maxRel);
        expect(d.maxRel, name).toBeLessThanOrEqual(TOL);
      }
      console.log(`${label}: loss ${loss.toFixed(5)} (ref ${ref.loss.toFixed(5)}), worst gradient rel. error ${worst.toExponential(2)} over ${grads.size} tensors`);
    });
  }

  for (const architecture of ['llama', 'qwen3'] as const) {
    it(`${architecture}: recomputing activations per layer gives the same gradients with less memory`, async () => {
      const config = tinyConfig({ architecture, numLayers: 4, hiddenSize: 32, numHeads: 4, numKvHeads: 2, headDim: 8, intermediateSize: 48, vocabSize: 64 });
      const weights = randomWeights(config, 6);
      const s = makeBatch(config, 31);
      const run = (recompute: boolean) =>
        rt.run(async (ctx) => {
          const tr = createTrainable(ctx, await uploadDecoder(ctx, config, weights, 'f32'), { kind: 'full' }, 1);
          const g = zerosLike(ctx, tr.params, 'grad');
          const base = ctx.pool.stats().liveBytes;
          ctx.pool.resetPeak();
          const batch = ctx.batch();
          await forwardBackward(ctx, batch, tr, g, s, { recompute });
          await batch.submit();
          const peak = ctx.pool.stats().peakBytes - base;
          const out: Float32Array[] = [];
          for (const t of g.values()) out.push(await readTensor(ctx, t));
          return { peak, grads: out };
        });
      const kept = await run(false);
      const recomputed = await run(true);
      console.log(`activation peak: kept ${kept.peak} B, recomputed ${recomputed.peak} B`);
      expect(recomputed.grads.map((g) => Array.from(g))).toEqual(kept.grads.map((g) => Array.from(g)));
      expect(recomputed.peak).toBeLessThan(kept.peak);
    });
  }

  /** LoRA (rank 4 on q, v, down; B non-zero so A gets a gradient too) on a frozen q4 base: adapter gradients against the reference. */
  async function expectLoraGrads(runtime: GpuRuntime, config: DecoderConfig, label: string, quantizeVocab = false): Promise<void> {
    const weights = randomWeights(config, 4);
    const s = makeBatch(config, 21);
    const rank = 4;
    const alpha = 8;
    const { grads, adapters, shards } = await runtime.run(async (ctx) => {
      const decoder = await uploadDecoder(ctx, config, weights, 'q4', { quantizeVocab });
      const tr = createTrainable(ctx, decoder, { kind: 'lora', rank, alpha, targets: ['q', 'v', 'down'] }, 5);
      const adapters = new Map<string, LoraRef>();
      let i = 0;
      for (const [name, a] of tr.lora) {
        const B = randomArray(a.B.shape[0] * rank, 100 + i++).map((v) => v * 0.1);
        ctx.device.queue.writeBuffer(a.B.buffer.buffer, 0, B);
        adapters.set(name, { rank, alpha, A: await readTensor(ctx, a.A), B });
      }
      const g = zerosLike(ctx, tr.params, 'grad');
      const batch = ctx.batch();
      await forwardBackward(ctx, batch, tr, g, s);
      await batch.submit();
      const out = new Map<string, Float32Array>();
      for (const [name, t] of g) out.set(name, await readTensor(ctx, t));
      return { grads: out, adapters, shards: [decoder.embed.shards.length, decoder.lmHead.shards.length] };
    });
    expect(grads.size).toBe(2 * 3 * config.numLayers);
    const ref = decoderLossAndGradsRef(config, roundTripQuantized(config, weights, 'q4', { quantizeVocab }), s.ids, s.B, s.T, s.lengths, s.targets, s.weights, { lora: adapters });
    let worst = 0;
    for (const [name, g] of grads) {
      const d = compare(g, ref.grads.get(name)!);
      worst = Math.max(worst, d.maxRel);
      expect(d.maxRel, name).toBeLessThanOrEqual(TOL);
    }
    console.log(`${label} (vocabulary shards: embedding ${shards[0]}, head ${shards[1]}): worst adapter gradient rel. error ${worst.toExponential(2)} over ${grads.size} tensors`);
    return void expect(shards).toEqual(label.includes('shards') ? [3, 3] : [1, 1]);
  }

  it('LoRA on a frozen q4 base: adapter gradients (B non-zero so A gets one too)', () => expectLoraGrads(rt, configs[1][1], 'LoRA q4'));

  it('LoRA on a q4 base whose vocabulary a lowered binding limit splits into shards (embedding and untied head, each quantized): the same gradients; full fine-tuning is refused', async () => {
    // 24 rows of logits for LOSS_ROWS tokens fill the binding: 64 rows of vocabulary in shards of 24, 24 and 16.
    const lowered = testRuntime({ limitOverrides: { maxStorageBufferBindingSize: 24 * 4 * LOSS_ROWS } });
    try {
      await expectLoraGrads(lowered, configs[1][1], 'LoRA q4 in vocabulary shards', true);
      const err = await lowered.run(async (ctx) => createTrainable(ctx, await uploadDecoder(ctx, configs[0][1], randomWeights(configs[0][1], 3), 'f32'), { kind: 'full' }, 1)).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(TrainConfigError);
      expect((err as Error).message).toMatch(/64-row vocabulary in one buffer, but this adapter keeps it in 3 shards.*LoRA/);
    } finally {
      lowered.destroy();
    }
  });
});
