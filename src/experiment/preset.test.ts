// The workshop preset ("Reproduce the paper in miniature") from the shipped model, through the
// engine on the CPU route as the page runs it on a seat without a GPU: the mapping arm of arms.ts on
// the everyday corpus's train split (presetData), re-analysing EN-ZH on the test split at step 0 and
// at the end; the control arm beside it with the same steps, batches and seed.
//
// What `npm run experiment` established, and this asserts at the preset's first STEPS steps: the
// mapping arm's held-out mapping loss falls below control's (the model learns the task it is taught;
// the README's table gives the numbers at 300 steps). Also: the step-0 re-analysis is the base
// model's analysis exactly (the baseline the before/after toggle shows); the end-of-run re-analysis
// is the analysis of the trained weights. LAC itself is not asserted: at 300 steps the experiment
// found the mapping arm's LAC inside control's intervals for every pair and layer (see the README).

import { readFileSync } from 'node:fs';
import { afterAll, expect, it } from 'vitest';
import { dirFiles } from '../cli/dir-source';
import { readCorpusFile } from '../data/read';
import { inspectCorpus, middleLayer, presetData, splitTuples } from '../store/inspect-request';
import type { EvalEvent } from '../train/trainer';
import type { AnalysisResult, AnalyzeRequest } from '../worker/analysis';
import { Engine } from '../worker/engine';
import { armSettings, DEFAULT_EXPERIMENT, type Arm } from './arms';

const DIR = new URL('../../public/models/alignscope-tiny/', import.meta.url).pathname;
const corpus = inspectCorpus('everyday', readCorpusFile('corpus.tsv', readFileSync(new URL('../../public/data/corpus.tsv', import.meta.url), 'utf8')));
const STEPS = 30;

const engine = new Engine(() => undefined, { resolveSource: () => dirFiles(DIR), cpuThreads: 2 });
afterAll(() => engine.dispose());

const enZh = (r: AnalysisResult, layer: number) => r.rows.find((x) => x.layer === layer && x.a === 'en' && x.b === 'zh')!;

/** One arm from the shipped weights: its held-out evaluations and re-analyses. */
async function runArm(arm: Arm, request: AnalyzeRequest, numLayers: number) {
  await engine.loadModel({ kind: 'dir', path: DIR }, { quant: 'f32', backend: 'cpu' });
  const settings = { ...armSettings(arm, { ...DEFAULT_EXPERIMENT, steps: STEPS }, corpus.languages, numLayers), evalEvery: STEPS };
  const aligned: { step: number; result: AnalysisResult }[] = [];
  const evals: EvalEvent[] = [];
  const off = engine.onEvent((e) => {
    if (e.kind === 'train-align') aligned.push({ step: e.step, result: e.result });
    if (e.kind === 'train-eval') evals.push(e);
  });
  await engine.startTraining(settings, presetData(corpus), { every: STEPS, request });
  const end = await engine.trainingSession!.settled();
  off();
  expect(end.state).toBe('finished');
  return { aligned, evals };
}

it(`the mapping preset from the shipped model: after ${STEPS} steps its held-out mapping loss is below control's; re-analyses measure the base, then the trained weights`, async () => {
  const info = await engine.loadModel({ kind: 'dir', path: DIR }, { quant: 'f32', backend: 'cpu' });
  const mid = middleLayer(info.config.numLayers);
  const request: AnalyzeRequest = { tuples: splitTuples(corpus, 'test'), languages: ['en', 'zh'], layers: [mid], pooling: 'mean', centre: true, resamples: 1000, seed: 0 };
  const base = await engine.analyze(request);

  const mapping = await runArm('mapping', request, info.config.numLayers);
  const control = await runArm('control', request, info.config.numLayers);

  // The same fixed dev batches before and after, in both arms.
  expect(mapping.evals.map((e) => e.step)).toEqual([0, STEPS]);
  expect(control.evals[0].lossMap).toBe(mapping.evals[0].lossMap);
  expect(mapping.evals[1].lossMap).toBeLessThan(mapping.evals[0].lossMap);
  expect(mapping.evals[1].lossMap).toBeLessThan(control.evals[1].lossMap);

  // Re-analyses at step 0 and at the end; step 0 is the base model's analysis, bit for bit.
  expect(mapping.aligned.map((a) => a.step)).toEqual([0, STEPS]);
  expect(mapping.aligned[0].result.rows).toEqual(base.rows);
  // The end-of-run analysis measures the weights as trained: analysing again gives the same rows.
  const after = await engine.analyze(request);
  expect(after.rows).toEqual(control.aligned[1].result.rows);
  const [r0, r1] = [enZh(mapping.aligned[0].result, mid), enZh(mapping.aligned[1].result, mid)];
  expect(r1.lac).not.toBe(r0.lac);
  console.log(
    `preset, ${STEPS} steps x ${DEFAULT_EXPERIMENT.batchSize}: held-out mapping loss ${mapping.evals[0].lossMap.toFixed(3)} -> mapping ${mapping.evals[1].lossMap.toFixed(3)}, control ${control.evals[1].lossMap.toFixed(3)}; ` +
      `EN-ZH LAC at layer ${mid}: ${r0.lac.toFixed(3)} [${r0.lacLow.toFixed(3)}, ${r0.lacHigh.toFixed(3)}] -> mapping ${r1.lac.toFixed(3)}, control ${enZh(control.aligned[1].result, mid).lac.toFixed(3)}`,
  );
}, 600_000);
