// Engine.prepareTraining measures the held-out losses a run would start from ahead of the click; a
// run with the same held-out batches (its schedule may differ) then starts from those numbers, which
// are the ones it would have measured itself.

import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { readTsv } from '../data/tsv';
import { nodeGpu } from '../gpu/node-gpu';
import { defaultTrainSettings } from '../train/defaults';
import type { EvalEvent, TrainSettings } from '../train/trainer';
import { Engine } from './engine';

const engine = new Engine(() => nodeGpu());
afterAll(() => engine.dispose());
const { corpus } = readTsv(readFileSync(new URL('../../public/data/corpus.tsv', import.meta.url), 'utf8'), 'corpus.tsv');
const data = { train: corpus.tuples.slice(0, 40), heldOut: corpus.tuples.slice(40, 60) };
const settings = (steps: number): TrainSettings => ({ ...defaultTrainSettings({ kind: 'full' }, [['en', 'cs']], steps), batchSize: 4, evalEvery: 5 });

/** The step-0 held-out losses of a run started now; the run is stopped right after them. */
async function firstEval(s: TrainSettings): Promise<EvalEvent> {
  const got = new Promise<EvalEvent>((resolve) => {
    const off = engine.onEvent((e) => {
      if (e.kind === 'train-eval' && e.step === 0) {
        off();
        void engine.stopTraining(); // before step 1: the state is checked first
        resolve(e);
      }
    });
  });
  await engine.startTraining(s, data);
  const e = await got;
  await engine.trainingSession!.settled();
  return e;
}

describe('prepareTraining', () => {
  it('gives a run the held-out losses it would have measured itself', async () => {
    await engine.loadModel({ kind: 'random', seed: 3 }, { quant: 'f32' });
    expect(await engine.prepareTraining(settings(60), data)).toBe(true);
    const ahead = await firstEval(settings(7)); // another schedule, the same held-out batches
    expect(engine.trainingSession!.status().step).toBe(0);

    await engine.loadModel({ kind: 'random', seed: 3 }, { quant: 'f32' });
    const measured = await firstEval(settings(7));
    expect(Number.isFinite(measured.lossNtp) && Number.isFinite(measured.lossMap)).toBe(true);
    expect([ahead.lossNtp, ahead.lossMap]).toEqual([measured.lossNtp, measured.lossMap]);
  });

  it('measures nothing once the weights were trained (the numbers would describe other weights)', async () => {
    await engine.loadModel({ kind: 'random', seed: 3 }, { quant: 'f32' });
    await engine.startTraining({ ...settings(1), evalEvery: 0 }, data);
    await engine.trainingSession!.settled();
    expect(await engine.prepareTraining(settings(60), data)).toBe(false);
  });
});
