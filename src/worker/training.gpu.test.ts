// Training through the engine: events, pause and resume, stop, checkpoints, clear errors, and a lost
// GPU device (Engine.dispose destroys the device the way a driver reset does; the next call gets a new one).

import { afterAll, describe, expect, it } from 'vitest';
import { NoModelError, TrainConfigError } from '../errors';
import { nodeGpu } from '../gpu/node-gpu';
import { MemoryCheckpointStore } from '../train/checkpoint-store';
import { DEFAULT_TAGS_TEMPLATE } from '../train/template';
import type { TrainSettings, StepEvent } from '../train/trainer';
import { Engine, type EngineEvent } from './engine';

const engines: Engine[] = [];
function engine(opts: { snapshotEveryMs?: number; checkpointStore?: MemoryCheckpointStore } = {}): Engine {
  const e = new Engine(() => nodeGpu(), { checkpointStore: new MemoryCheckpointStore(), ...opts });
  engines.push(e);
  return e;
}
afterAll(() => engines.forEach((e) => e.dispose()));

const data = {
  train: [
    { en: 'Good morning.', cs: 'Dobré ráno.' },
    { en: 'Thank you.', cs: 'Děkuji.' },
    { en: 'Where is the station?', cs: 'Kde je nádraží?' },
    { en: 'I like tea.', cs: 'Mám rád čaj.' },
  ],
  heldOut: [{ en: 'The dog sleeps.', cs: 'Pes spí.' }],
};

const settings = (over: Partial<TrainSettings> = {}): TrainSettings => ({
  mode: { kind: 'full' },
  steps: 12,
  lr: 3e-3,
  warmupSteps: 2,
  minLr: 3e-4,
  batchSize: 4,
  gradAccum: 1,
  lambdaMap: 1,
  ntpFraction: 0.5,
  pairs: [['en', 'cs']],
  directions: 'both',
  template: DEFAULT_TAGS_TEMPLATE,
  maxLength: 64,
  weightDecay: 0.01,
  maxGradNorm: 1,
  beta1: 0.9,
  beta2: 0.999,
  eps: 1e-8,
  seed: 1,
  evalEvery: 4,
  ...over,
});

describe('training in the engine', () => {
  it('runs to the end, streaming batched step events, evaluations and status; the loss falls', async () => {
    const e = engine();
    await expect(e.startTraining(settings(), data)).rejects.toBeInstanceOf(NoModelError);
    await e.loadModel({ kind: 'random', seed: 1 }, { quant: 'f32' });
    const events: EngineEvent[] = [];
    e.onEvent((ev) => events.push(ev));
    const started = await e.startTraining(settings(), data);
    expect(started.state).toBe('running');
    expect(started.trainableParameters).toBeGreaterThan(100_000);
    const end = await e.trainingSession!.settled();
    expect(end).toMatchObject({ state: 'finished', step: 12, steps: 12 });
    const steps = events.flatMap((ev) => (ev.kind === 'train-steps' ? ev.steps : [])) as StepEvent[];
    expect(steps.map((s) => s.step)).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
    expect(events.filter((ev) => ev.kind === 'train-steps').length).toBeLessThan(12 + 1);
    for (const s of steps) expect(Object.values(s).every(Number.isFinite)).toBe(true);
    expect(steps[11].loss).toBeLessThan(steps[0].loss);
    const evals = events.filter((ev) => ev.kind === 'train-eval');
    expect(evals.map((ev) => ev.kind === 'train-eval' && ev.step)).toEqual([0, 4, 8, 12]);
    expect(events.filter((ev) => ev.kind === 'train-status').map((ev) => ev.kind === 'train-status' && ev.state)).toEqual(['running', 'finished']);
    // Full fine-tuning changed the loaded model itself: its generation differs from a fresh copy.
    const fresh = engine();
    await fresh.loadModel({ kind: 'random', seed: 1 }, { quant: 'f32' });
    expect((await e.forward([[256, 65, 66]])).logits[0]).not.toEqual((await fresh.forward([[256, 65, 66]])).logits[0]);
  });

  it('pauses after the step in flight, resumes, stops; checkpoints save, list and restore', async () => {
    const e = engine();
    await e.loadModel({ kind: 'random', seed: 2 }, { quant: 'f32' });
    await e.startTraining(settings({ steps: 30, evalEvery: 0 }), data);
    await new Promise((r) => setTimeout(r, 300));
    const paused = await e.pauseTraining();
    expect(paused.state).toBe('paused');
    expect(paused.step).toBeGreaterThan(0);
    expect(paused.step).toBeLessThan(30);
    await new Promise((r) => setTimeout(r, 200));
    expect((await e.trainingStatus())!.step).toBe(paused.step); // nothing runs while paused

    const info = await e.saveCheckpoint('mid');
    expect(info).toMatchObject({ step: paused.step, label: 'mid' });
    expect(info.bytes).toBeGreaterThan(0);
    expect((await e.listCheckpoints()).map((c) => c.id)).toEqual([info.id]);

    expect((await e.resumeTraining()).state).toBe('running');
    await new Promise((r) => setTimeout(r, 200));
    const stopped = await e.stopTraining();
    expect(stopped.state).toBe('stopped');
    expect(stopped.step).toBeGreaterThan(paused.step);

    const restored = await e.restoreCheckpoint(info.id);
    expect(restored).toMatchObject({ state: 'paused', step: paused.step });
  });

  it('lists and restores a checkpoint only on the model it was trained on', async () => {
    const store = new MemoryCheckpointStore(); // one store, as IndexedDB is one per browser profile
    const a = engine({ checkpointStore: store });
    await a.loadModel({ kind: 'random', seed: 2 }, { quant: 'f32' });
    await a.startTraining(settings({ steps: 2, evalEvery: 0 }), data);
    await a.trainingSession!.settled();
    const info = await a.saveCheckpoint('seed 2');
    expect(info.model).toMatch(/^random-tiny-seed2#[0-9a-f]{8}$/);

    const b = engine({ checkpointStore: store });
    await b.loadModel({ kind: 'random', seed: 3 }, { quant: 'f32' });
    expect(await b.listCheckpoints()).toEqual([]);
    await b.startTraining(settings({ steps: 1, warmupSteps: 0, evalEvery: 0 }), data);
    await b.trainingSession!.settled();
    const err = await b.restoreCheckpoint(info.id).catch((x: unknown) => x);
    expect(err).toBeInstanceOf(TrainConfigError);
    expect((err as Error).message).toMatch(/"seed 2" was trained on random-tiny-seed2, not on the loaded model; load that model to restore it/);
    expect(await b.trainingStatus()).toMatchObject({ state: 'finished', step: 1 });

    await b.loadModel({ kind: 'random', seed: 2 }, { quant: 'f32' });
    expect((await b.listCheckpoints()).map((c) => c.id)).toEqual([info.id]);
  });

  it('refuses full fine-tuning of a quantized model with a TrainConfigError that says what to do; LoRA works there', async () => {
    const e = engine();
    await e.loadModel({ kind: 'random', seed: 3 }, { quant: 'q4' });
    const err = await e.startTraining(settings(), data).catch((x: unknown) => x);
    expect(err).toBeInstanceOf(TrainConfigError);
    expect((err as Error).message).toMatch(/Reload it as f32, or train LoRA adapters/);
    await e.startTraining(settings({ steps: 3, evalEvery: 0, mode: { kind: 'lora', rank: 4, alpha: 8, targets: ['q', 'v'] } }), data);
    expect((await e.trainingSession!.settled()).state).toBe('finished');
  });

  it('a device lost mid-run pauses at the last snapshot, and resuming replays to exactly the uninterrupted weights', async () => {
    const ids = [[256, 65, 66, 67]];
    const run = settings({ steps: 8, evalEvery: 0 });
    const reference = engine();
    await reference.loadModel({ kind: 'random', seed: 4 }, { quant: 'f32' });
    await reference.startTraining(run, data);
    expect((await reference.trainingSession!.settled()).state).toBe('finished');
    const trained = (await reference.forward(ids)).logits[0];

    const e = engine({ snapshotEveryMs: 0 }); // a snapshot after every step
    await e.loadModel({ kind: 'random', seed: 4 }, { quant: 'f32' });
    const lost: number[] = [];
    e.onEvent((ev) => {
      if (ev.kind === 'device-lost') lost.push(ev.generation);
      if (ev.kind === 'train-steps' && ev.steps.at(-1)!.step >= 3 && lost.length === 0) e.dispose();
    });
    await e.startTraining(run, data);
    const paused = await e.trainingSession!.settled();
    expect(lost).toHaveLength(1);
    expect(paused.state).toBe('paused');
    expect(paused.error?.name).toBe('DeviceLostError');
    expect(paused.error?.message).toMatch(new RegExp(`paused at step ${paused.step}.*resume continues from there`));
    expect(paused.step).toBeGreaterThanOrEqual(2);
    expect(paused.step).toBeLessThan(8);

    expect((await e.resumeTraining()).error).toBeNull();
    expect(await e.trainingSession!.settled()).toMatchObject({ state: 'finished', step: 8 });
    const replayed = (await e.forward(ids)).logits[0];
    expect(Math.max(...replayed.map((x, i) => Math.abs(x - trained[i])))).toBeLessThan(1e-5);
  });

  for (const mode of [{ kind: 'full' as const }, { kind: 'lora' as const, rank: 4, alpha: 8, targets: ['q', 'v'] as ('q' | 'v')[] }]) {
    it(`a device lost after a ${mode.kind} run keeps what was trained: the model computes the trained weights, not its files`, async () => {
      const ids = [[256, 72, 73]];
      const e = engine();
      await e.loadModel({ kind: 'random', seed: 5 }, { quant: 'f32' });
      const base = (await e.forward(ids)).logits[0];
      await e.startTraining(settings({ steps: 4, evalEvery: 0, mode }), data);
      expect((await e.trainingSession!.settled()).state).toBe('finished');
      const trained = (await e.forward(ids)).logits[0];
      expect(trained).not.toEqual(base);

      const lost = new Promise((r) => e.onEvent((ev) => ev.kind === 'device-lost' && r(ev)));
      e.dispose();
      await lost; // what the app sees; the next call runs on a new device
      const after = (await e.forward(ids)).logits[0];
      expect(Math.max(...after.map((x, i) => Math.abs(x - trained[i])))).toBeLessThan(1e-6);
      expect(await e.trainingStatus()).toMatchObject({ state: 'finished', step: 4, error: null });
    });
  }
});
