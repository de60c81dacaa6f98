// The engine and the base analysis shipped beside the default model: adopted only for the weights it
// was measured on (f32, same file), its vectors then serve neighbours, and a training session that
// starts from untouched weights takes it as its step-0 baseline without embedding anything again.

import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { dirFiles } from '../cli/dir-source';
import { armSettings, DEFAULT_EXPERIMENT } from '../experiment/arms';
import { nodeGpu } from '../gpu/node-gpu';
import { readCorpusFile } from '../data/read';
import { defaultForm, inspectCorpus, requestOf, splitTuples } from '../store/inspect-request';
import type { AnalysisResult } from './analysis';
import { Engine, type EngineEvent } from './engine';

const DIR = new URL('../../public/models/alignscope-tiny/', import.meta.url).pathname;
const engine = new Engine(() => nodeGpu(), { resolveSource: (s) => (s.kind === 'dir' ? dirFiles(s.path) : null) });
afterAll(() => engine.dispose());
const corpus = inspectCorpus('everyday', readCorpusFile('corpus.tsv', readFileSync(new URL('../../public/data/corpus.tsv', import.meta.url), 'utf8')));
const shipped = JSON.parse(readFileSync(`${DIR}base-analysis.json`, 'utf8')) as { result: AnalysisResult };

describe('the shipped base analysis in the engine', () => {
  it('is refused for weights loaded as q4 (it was measured in f32), and says so', async () => {
    await engine.loadModel({ kind: 'dir', path: DIR }, { quant: 'q4' });
    const s = await engine.adoptShippedAnalysis();
    expect(s.adopted).toBe(false);
    expect(s.reason).toMatch(/f32 weights; the model is loaded as q4/);
  });

  it('is adopted for the f32 weights; neighbours come from its vectors; step 0 of a preset reuses it without embedding', async () => {
    await engine.loadModel({ kind: 'dir', path: DIR }, { quant: 'f32' });
    const s = await engine.adoptShippedAnalysis();
    expect(s).toMatchObject({ adopted: true });
    expect(s.result!.rows.map((r) => r.lac)).toEqual(shipped.result.rows.map((r) => r.lac));
    const nn = await engine.nearestNeighbours(2, 'en', 0, 3);
    expect(nn).toHaveLength(3);

    const { request } = requestOf(corpus, defaultForm(corpus.languages));
    const events: EngineEvent[] = [];
    const step0 = new Promise<AnalysisResult>((resolve) =>
      engine.onEvent((e) => {
        events.push(e);
        if (e.kind === 'train-align' && e.step === 0) resolve(e.result);
      }),
    );
    const settings = armSettings('mapping', { ...DEFAULT_EXPERIMENT, steps: 2, batchSize: 4, evalEvery: 0 }, corpus.languages, 4);
    await engine.startTraining(settings, { train: splitTuples(corpus, 'train'), heldOut: splitTuples(corpus, 'dev') }, { every: 1000, request: request! });
    const result = await step0;
    await engine.stopTraining();
    expect(result.rows.map((r) => r.lac)).toEqual(shipped.result.rows.map((r) => r.lac));
    const before = events.slice(0, events.findIndex((e) => e.kind === 'train-align'));
    expect(before.filter((e) => e.kind === 'progress' && e.task === 'analyze')).toEqual([]);

    // Trained weights: the shipped analysis no longer describes them.
    expect((await engine.adoptShippedAnalysis()).reason).toMatch(/trained since it was loaded/);
  });
});
