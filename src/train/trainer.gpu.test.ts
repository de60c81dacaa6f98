// The trainer on a random tiny model: it learns (the mapping loss falls below 10% of its start
// within 300 steps), the same seed gives the same curve, a checkpoint resumes exactly (and one of
// another model is refused untouched), and a NaN stops the step with the weights untouched.

import { afterAll, describe, expect, it } from 'vitest';
import { TrainConfigError, TrainingDivergedError } from '../errors';
import { uploadDecoder, type GpuDecoder } from '../model/decoder';
import { randomWeights } from '../model/random-model';
import { testRuntime } from '../test/gpu';
import { config, PAIRS, settings, tokenizer } from './test-fixtures';
import { Trainer, type TrainSettings } from './trainer';

const rt = testRuntime();
afterAll(() => rt.destroy());

async function freshTrainer(over: Partial<TrainSettings> = {}): Promise<Trainer> {
  const decoder: GpuDecoder = await rt.run(async (ctx) => uploadDecoder(ctx, config, randomWeights(config, 3), 'f32'));
  return Trainer.create(rt, decoder, tokenizer, PAIRS, PAIRS.slice(0, 2), settings(over));
}

describe('Trainer', () => {
  it('overfits 8 parallel pairs with the mapping loss alone: below 10% of its start within 300 steps', async () => {
    const tr = await freshTrainer();
    const losses: number[] = [];
    let reached = -1;
    for (let i = 0; i < 300; i++) {
      const e = await tr.step();
      losses.push(e.lossMap);
      expect(e.lossNtp).toBe(0);
      if (reached < 0 && e.lossMap < 0.1 * losses[0]) {
        reached = e.step;
        break;
      }
    }
    console.log(`mapping loss ${losses[0].toFixed(3)} -> ${losses[losses.length - 1].toFixed(3)}; below 10% at step ${reached}`);
    expect(reached).toBeGreaterThan(0);
  });

  it('the same seed gives the same loss curve; LoRA trains too', async () => {
    const run = async () => {
      const tr = await freshTrainer({ steps: 5, warmupSteps: 2, ntpFraction: 0.5, gradAccum: 2, batchSize: 4 });
      const out: number[] = [];
      for (let i = 0; i < 5; i++) out.push((await tr.step()).loss);
      await tr.release();
      return out;
    };
    const a = await run();
    expect(await run()).toEqual(a);
    const lora = await freshTrainer({ steps: 5, warmupSteps: 2, mode: { kind: 'lora', rank: 4, alpha: 8, targets: ['q', 'v', 'down'] } });
    const first = (await lora.step()).loss;
    let last = first;
    for (let i = 0; i < 4; i++) last = (await lora.step()).loss;
    expect(last).toBeLessThan(first);
  });

  it('adds the contrastive objective: its loss is reported and falls', async () => {
    const tr = await freshTrainer({ steps: 12, warmupSteps: 2, lambdaMap: 0, ntpFraction: 0.5, contrastive: { layer: 1, temperature: 0.1, weight: 1, pairsPerStep: 8 } });
    const con: number[] = [];
    for (let i = 0; i < 12; i++) con.push((await tr.step()).lossCon);
    console.log(`contrastive loss ${con[0].toFixed(3)} -> ${con[11].toFixed(3)}`);
    expect(con[0]).toBeGreaterThan(0.5);
    expect(con[11]).toBeLessThan(con[0] * 0.5);
    await expect(freshTrainer({ contrastive: { layer: 9, temperature: 0.1, weight: 1, pairsPerStep: 8 } })).rejects.toThrow(/hidden state 1\.\.2/);
  });

  it('resuming from a checkpoint gives the same following losses as an uninterrupted run', async () => {
    const straight = await freshTrainer({ steps: 6, warmupSteps: 2 });
    const full: number[] = [];
    for (let i = 0; i < 6; i++) full.push((await straight.step()).loss);

    const first = await freshTrainer({ steps: 6, warmupSteps: 2 });
    for (let i = 0; i < 3; i++) await first.step();
    // Structured clone: what IndexedDB, OPFS or postMessage would store.
    const ck = structuredClone(await first.checkpoint());
    const resumed = await freshTrainer({ steps: 6, warmupSteps: 2 });
    await resumed.restore(ck);
    const rest: number[] = [];
    for (let i = 0; i < 3; i++) rest.push((await resumed.step()).loss);
    expect(resumed.stepCount).toBe(6);
    expect(rest).toEqual(full.slice(3));
  });

  it('refuses a checkpoint of a model with other shapes with a TrainConfigError, before writing anything', async () => {
    const tr = await freshTrainer({ steps: 6, warmupSteps: 2 });
    await tr.step();
    const before = await tr.checkpoint();
    const other = structuredClone(before);
    const last = Object.keys(other.v).at(-1)!; // a mismatch found only at the end must not leave the first tensors written
    other.params = Object.fromEntries(Object.entries(other.params).map(([n, t]) => [n, t.map((x) => x + 1)]));
    other.v[last] = new Float32Array(other.v[last].length + 4);
    const err = await tr.restore(other).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TrainConfigError);
    expect((err as Error).message).toContain(`${last} has ${other.v[last].length} values where this model's has ${before.v[last].length}: it belongs to another model`);
    const after = await tr.checkpoint();
    for (const name of Object.keys(before.params)) expect(Array.from(after.params[name])).toEqual(Array.from(before.params[name]));
    expect(after.step).toBe(1);
  });

  it('a NaN in the gradient raises TrainingDivergedError naming the step, and nothing is applied', async () => {
    const tr = await freshTrainer({ steps: 10, warmupSteps: 2 });
    await tr.step();
    const before = await tr.checkpoint();
    tr.injectNaN = true;
    const err = await tr.step().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TrainingDivergedError);
    expect((err as TrainingDivergedError).data).toMatchObject({ step: 2 });
    expect((err as Error).message).toMatch(/step 2.*not applied/);
    const after = await tr.checkpoint();
    expect(after.step).toBe(1);
    for (const name of Object.keys(before.params)) expect(Array.from(after.params[name])).toEqual(Array.from(before.params[name]));
    expect(after.sampler).toEqual(before.sampler);
    // And training goes on from the good state.
    expect(Number.isFinite((await tr.step()).loss)).toBe(true);
  });
});
