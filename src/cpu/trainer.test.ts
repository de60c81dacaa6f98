// The CPU route's trainer on a random tiny model (the WebGPU trainer's fixtures, test-fixtures.ts):
// it learns; runs are bit-identical on 1, 2 and 4 threads (gradient accumulation and the contrastive
// objective on); a checkpoint resumes exactly and one of another model is refused untouched; a NaN
// step is refused with nothing applied; LoRA on a q4 base trains the adapters alone, which every
// forward sees until the trainer is released.

import { describe, expect, it } from 'vitest';
import { TrainConfigError, TrainingDivergedError } from '../errors';
import { randomWeights } from '../model/random-model';
import { config, PAIRS, settings, tokenizer } from '../train/test-fixtures';
import type { TrainerCheckpoint, TrainSettings } from '../train/trainer';
import { createCpuCaches, cpuDecoderStep, releaseCaches, uploadCpuDecoder, type CpuDecoder } from './decoder';
import type { CpuRuntime } from './runtime';
import { threadRuntimes } from './test-threads';
import { CpuTrainer } from './trainer';
import { trainingFlopsPerToken } from '../train/train-flops';

const threads = threadRuntimes();

function fresh(rt: CpuRuntime, over: Partial<TrainSettings> = {}, quant: 'f32' | 'q4' = 'f32'): { trainer: CpuTrainer; decoder: CpuDecoder } {
  const decoder = uploadCpuDecoder(rt, config, randomWeights(config, 3), quant);
  return { trainer: CpuTrainer.create(rt, decoder, tokenizer, PAIRS, PAIRS.slice(0, 2), settings(over)), decoder };
}

/** Logits of one sentence through the decoder (adapters included when set). */
function logits(rt: CpuRuntime, m: CpuDecoder): Float32Array {
  const ids = Uint32Array.from([256, 72, 101, 108, 108, 111]);
  const caches = createCpuCaches(rt, m, 1, ids.length);
  const out = cpuDecoderStep(rt, m, caches, { tokens: ids, B: 1, Tq: ids.length, past: [0], qLen: [ids.length] }, {});
  const l = rt.read(out.logits!);
  rt.release(out.logits!);
  releaseCaches(rt, caches);
  return l;
}

const same = (a: TrainerCheckpoint['params'], b: TrainerCheckpoint['params']) => Object.keys(a).every((n) => a[n].every((v, i) => Object.is(v, b[n][i])));

describe('CpuTrainer', () => {
  it('overfits 8 parallel pairs with the mapping loss alone: below 10% of its start within 300 steps', async () => {
    const { trainer } = fresh(threads.get(2));
    const losses: number[] = [];
    let reached = -1;
    for (let i = 0; i < 300 && reached < 0; i++) {
      const e = await trainer.step();
      losses.push(e.lossMap);
      expect(e.lossNtp).toBe(0);
      // Speed as the chart draws it: the step's matmul FLOPs over its time.
      expect(e.gflops).toBeGreaterThan(0);
      expect(e.gflops).toBeCloseTo((e.tokens * trainingFlopsPerToken(config, trainer.settings.mode)) / (e.ms * 1e6), 9);
      if (e.lossMap < 0.1 * losses[0]) reached = e.step;
    }
    console.log(`mapping loss ${losses[0].toFixed(3)} -> ${losses[losses.length - 1].toFixed(3)}; below 10% at step ${reached}`);
    expect(reached).toBeGreaterThan(0);
    const ev = await trainer.evaluate();
    expect(ev.lossMap).toBeGreaterThan(0);
    expect(ev.lossNtp).toBeGreaterThan(0);
    await trainer.release();
  });

  it('1, 2 and 4 threads give the same bits: losses, gradient norms and every weight after 4 steps (accumulation 2, NTP + mapping + contrastive)', async () => {
    const over: Partial<TrainSettings> = { steps: 4, warmupSteps: 1, batchSize: 4, gradAccum: 2, ntpFraction: 0.5, contrastive: { layer: 1, temperature: 0.1, weight: 0.5, pairsPerStep: 4 } };
    const runs = await Promise.all(
      ([1, 2, 4] as const).map(async (n) => {
        const { trainer } = fresh(threads.get(n), over);
        const events = [];
        for (let i = 0; i < 4; i++) events.push(await trainer.step());
        const ck = await trainer.checkpoint();
        await trainer.release();
        return { events, ck };
      }),
    );
    const [one, ...rest] = runs;
    expect(one.events.every((e) => e.lossCon > 0 && e.lossNtp > 0 && e.lossMap > 0)).toBe(true);
    for (const r of rest) {
      expect(r.events.map((e) => [e.loss, e.lossNtp, e.lossMap, e.lossCon, e.gradNorm])).toEqual(one.events.map((e) => [e.loss, e.lossNtp, e.lossMap, e.lossCon, e.gradNorm]));
      expect(same(r.ck.params, one.ck.params) && same(r.ck.m, one.ck.m) && same(r.ck.v, one.ck.v)).toBe(true);
    }
  });

  it('resuming from a checkpoint gives the same following losses as an uninterrupted run', async () => {
    const rt = threads.get(2);
    const over = { steps: 6, warmupSteps: 2, ntpFraction: 0.5 };
    const straight = fresh(rt, over).trainer;
    const full: number[] = [];
    for (let i = 0; i < 6; i++) full.push((await straight.step()).loss);
    const first = fresh(rt, over).trainer;
    for (let i = 0; i < 3; i++) await first.step();
    const ck = structuredClone(await first.checkpoint());
    const resumed = fresh(rt, over).trainer;
    await resumed.restore(ck);
    const rest: number[] = [];
    for (let i = 0; i < 3; i++) rest.push((await resumed.step()).loss);
    expect(resumed.stepCount).toBe(6);
    expect(rest).toEqual(full.slice(3));
    for (const t of [straight, first, resumed]) await t.release();
  });

  it('refuses a checkpoint of a model with other shapes with a TrainConfigError, before writing anything', async () => {
    const { trainer } = fresh(threads.get(2), { steps: 6, warmupSteps: 2 });
    await trainer.step();
    const before = await trainer.checkpoint();
    const other = structuredClone(before);
    const last = Object.keys(other.v).at(-1)!;
    other.params = Object.fromEntries(Object.entries(other.params).map(([n, t]) => [n, t.map((x) => x + 1)]));
    other.v[last] = new Float32Array(other.v[last].length + 4);
    const err = await trainer.restore(other).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TrainConfigError);
    const after = await trainer.checkpoint();
    expect(same(after.params, before.params)).toBe(true);
    expect(after.step).toBe(1);
    await trainer.release();
  });

  it('a NaN in the gradient raises TrainingDivergedError naming the step; weights, moments and sampler stay those of the last good step', async () => {
    const rt = threads.get(2);
    const { trainer } = fresh(rt, { steps: 10, warmupSteps: 2 });
    await trainer.step();
    const before = await trainer.checkpoint();
    trainer.injectNaN = true;
    const err = await trainer.step().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TrainingDivergedError);
    expect((err as TrainingDivergedError).data).toMatchObject({ step: 2 });
    expect((err as Error).message).toMatch(/step 2.*not applied/);
    const after = await trainer.checkpoint();
    expect(after.step).toBe(1);
    expect(same(after.params, before.params) && same(after.m, before.m) && same(after.v, before.v)).toBe(true);
    expect(after.sampler).toEqual(before.sampler);
    // The step taken next is the one an undisturbed run takes.
    const control = fresh(rt, { steps: 10, warmupSteps: 2 }).trainer;
    await control.step();
    expect((await trainer.step()).loss).toBe((await control.step()).loss);
    await trainer.release();
    await control.release();
  });

  it('LoRA on a q4 base: only the adapters train, every forward sees them while the trainer lives, the base is untouched', async () => {
    const rt = threads.get(2);
    const { trainer, decoder } = fresh(rt, { steps: 5, warmupSteps: 2, mode: { kind: 'lora', rank: 4, alpha: 8, targets: ['q', 'v', 'down'] } }, 'q4');
    const base = logits(rt, { ...decoder, adapters: undefined });
    expect(trainer.parameterCount).toBe(2 * 4 * ((64 + 64) + (64 + 32) + (128 + 64)));
    const first = (await trainer.step()).loss;
    let last = first;
    for (let i = 0; i < 4; i++) last = (await trainer.step()).loss;
    expect(last).toBeLessThan(first);
    expect(logits(rt, decoder)).not.toEqual(base);
    await trainer.release();
    expect(decoder.adapters).toBeUndefined();
    expect(logits(rt, decoder)).toEqual(base);
    expect(() => fresh(rt, {}, 'q4')).toThrow(/Full fine-tuning needs f32 weights/);
  });
});
