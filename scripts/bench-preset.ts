// npm run bench:preset — the workshop preset ("Reproduce the paper in miniature") end to end on the
// CPU route, as the page runs it on a seat without a usable GPU: the default model loaded as f32,
// the mapping arm of WORKSHOP_PRESET's steps on the everyday corpus (presetData), re-analysing the
// test split in every language (the app's default request) at step 0 and every `every` steps.
// Prints wall time, training time and the re-analyses' share. A benchmark, not a test.
//
//   npm run bench:preset -- [--steps N] [--every K] [--threads T]

import { readFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { dirFiles } from '../src/cli/dir-source';
import { readCorpusFile } from '../src/data/read';
import { armSettings, DEFAULT_EXPERIMENT, WORKSHOP_PRESET } from '../src/experiment/arms';
import { defaultForm, inspectCorpus, presetData, requestOf } from '../src/store/inspect-request';
import { Engine } from '../src/worker/engine';

const { values } = parseArgs({ options: { steps: { type: 'string', default: String(WORKSHOP_PRESET.steps) }, every: { type: 'string', default: String(WORKSHOP_PRESET.every) }, threads: { type: 'string', default: String(Math.min(4, availableParallelism())) } } });
const steps = Number(values.steps);
const every = Number(values.every);
const DIR = 'public/models/alignscope-tiny';
const corpus = inspectCorpus('everyday', readCorpusFile('corpus.tsv', readFileSync('public/data/corpus.tsv', 'utf8')));
const { request } = requestOf(corpus, { ...defaultForm(corpus.languages), split: 'test' });

const engine = new Engine(() => undefined, { resolveSource: () => dirFiles(DIR), cpuThreads: Number(values.threads) });
const info = await engine.loadModel({ kind: 'dir', path: DIR }, { quant: 'f32', backend: 'cpu' });
const settings = armSettings('mapping', { ...DEFAULT_EXPERIMENT, steps }, corpus.languages, info.config.numLayers);
const t0 = performance.now();
let stepMs = 0;
engine.onEvent((e) => {
  if (e.kind === 'train-align') console.error(`re-analysis at step ${e.step} (${((performance.now() - t0) / 1000).toFixed(0)} s)`);
  if (e.kind === 'train-steps') stepMs += e.steps.reduce((a, s) => a + s.ms, 0);
});
await engine.startTraining(settings, presetData(corpus), { every, request: request! });
const end = await engine.trainingSession!.settled();
if (end.state !== 'finished') throw new Error(`preset ended ${end.state}`);
const total = (performance.now() - t0) / 1000;
const analysisMs = total * 1000 - stepMs;
console.log(`workshop preset: ${steps} steps of ${DEFAULT_EXPERIMENT.batchSize}, re-analysed every ${every} (${request!.languages.length} languages x ${request!.tuples.length} test tuples): ${(total / 60).toFixed(1)} min wall; training steps ${(stepMs / 60000).toFixed(1)} min; re-analyses and held-out evaluation ${(analysisMs / 60000).toFixed(1)} min (${values.threads} threads, cores ${availableParallelism()}, load ${loadavg().map((l) => l.toFixed(1)).join(' ')})`);
engine.dispose();
process.exit(0);
