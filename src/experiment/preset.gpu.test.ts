// The workshop preset ("Reproduce the paper in miniature") from the shipped model, through the
// engine as the app runs it: the mapping arm of arms.ts for 30 steps on the corpus's train split,
// re-analysing EN-ZH on the held-out test split at step 0 and at the end.
//
// What holds and is asserted: the held-out (dev) mapping loss falls; the step-0 re-analysis is the
// base model's analysis exactly (the baseline the before/after toggle shows); the end-of-run
// re-analysis is the analysis of the trained weights, and differs from the baseline.
// What the issue asked for and does NOT hold at this budget: EN-ZH LAC at the middle layer rising
// beyond its step-0 bootstrap interval (see the README's experiment table; the numbers are logged).
// Batch 8 instead of the preset's 16 keeps this under ~3 minutes on SwiftShader.

import { readFileSync } from 'node:fs';
import { afterAll, expect, it } from 'vitest';
import { dirFiles } from '../cli/dir-source';
import { readTsv } from '../data/tsv';
import { nodeGpu } from '../gpu/node-gpu';
import type { ParallelTuple } from '../train/batching';
import type { EvalEvent } from '../train/trainer';
import type { AnalysisResult, AnalyzeRequest } from '../worker/analysis';
import { Engine } from '../worker/engine';
import { armSettings, DEFAULT_EXPERIMENT } from './arms';
import { middleLayer } from './report';

const DIR = 'public/models/alignscope-tiny';
const corpus = readTsv(readFileSync('public/data/corpus.tsv', 'utf8'), 'corpus.tsv').corpus;
const splits = JSON.parse(readFileSync('public/data/splits.json', 'utf8')) as Record<'train' | 'dev' | 'test', string[]>;
const byId = new Map(corpus.ids!.map((id, i) => [id, corpus.tuples[i]]));
const part = (name: 'train' | 'dev' | 'test'): ParallelTuple[] => splits[name].map((id) => byId.get(id)!);

const engine = new Engine(() => nodeGpu(), { resolveSource: (s) => (s.kind === 'dir' ? dirFiles(s.path) : null) });
afterAll(() => engine.dispose());

const enZh = (r: AnalysisResult, layer: number) => r.rows.find((x) => x.layer === layer && x.a === 'en' && x.b === 'zh')!;

it('the mapping preset from the shipped model: held-out mapping loss falls; re-analyses measure the base, then the trained weights', async () => {
  const info = await engine.loadModel({ kind: 'dir', path: DIR }, { quant: 'f32' });
  const mid = middleLayer(info.config.numLayers);
  const request: AnalyzeRequest = { tuples: part('test'), languages: ['en', 'zh'], layers: [mid], pooling: 'mean', centre: true, resamples: 1000, seed: 0 };
  const base = await engine.analyze(request);

  const steps = 30;
  const settings = { ...armSettings('mapping', { ...DEFAULT_EXPERIMENT, steps, batchSize: 8 }, corpus.languages, info.config.numLayers), evalEvery: steps };
  const aligned: { step: number; result: AnalysisResult }[] = [];
  const evals: EvalEvent[] = [];
  engine.onEvent((e) => {
    if (e.kind === 'train-align') aligned.push({ step: e.step, result: e.result });
    if (e.kind === 'train-eval') evals.push(e);
  });
  await engine.startTraining(settings, { train: part('train'), heldOut: part('dev') }, { every: steps, request });
  const end = await engine.trainingSession!.settled();
  expect(end.state).toBe('finished');

  // The held-out mapping loss (the same fixed dev batches before and after) falls.
  expect(evals.map((e) => e.step)).toEqual([0, steps]);
  expect(evals[1].lossMap).toBeLessThan(evals[0].lossMap);

  // Re-analyses at step 0 and at the end; step 0 is the base model's analysis, bit for bit.
  expect(aligned.map((a) => a.step)).toEqual([0, steps]);
  expect(aligned[0].result.rows).toEqual(base.rows);
  // The end-of-run analysis measures the weights as trained: analysing again gives the same rows.
  const after = await engine.analyze(request);
  expect(after.rows).toEqual(aligned[1].result.rows);
  const [r0, r1] = [enZh(aligned[0].result, mid), enZh(aligned[1].result, mid)];
  expect(r1.lac).not.toBe(r0.lac);
  console.log(
    `preset, ${steps} steps x 8: held-out mapping loss ${evals[0].lossMap.toFixed(3)} -> ${evals[1].lossMap.toFixed(3)}, NTP ${evals[0].lossNtp.toFixed(3)} -> ${evals[1].lossNtp.toFixed(3)}; ` +
      `EN-ZH LAC at layer ${mid}: ${r0.lac.toFixed(3)} [${r0.lacLow.toFixed(3)}, ${r0.lacHigh.toFixed(3)}] -> ${r1.lac.toFixed(3)} [${r1.lacLow.toFixed(3)}, ${r1.lacHigh.toFixed(3)}]` +
      ` (${r1.lac > r0.lacHigh ? 'above' : 'not above'} the step-0 interval)`,
  );
}, 600_000);
