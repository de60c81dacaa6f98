// npx tsx scripts/precompute-analysis.ts [DIR] — the base analysis the app shows the moment it opens
// (src/worker/shipped-analysis.ts): the app's default request (every language, TEST split, mean
// pooling, centred, 1,000 resamples, seed 0) on the model in DIR loaded as f32 on the CPU route, as the app loads it without a GPU,
// plus the PCA map of every layer. Writes DIR/base-analysis.json and DIR/base-embeddings.bin; run by
// `npm run build:model` after the model is trained, and again whenever the weights or corpus change.

import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { dirFiles } from '../src/cli/dir-source';
import { readCorpusFile } from '../src/data/read';
import { nodeGpu } from '../src/gpu/node-gpu';
import { MAP_SEED } from '../src/store/inspect';
import { defaultForm, inspectCorpus, requestOf } from '../src/store/inspect-request';
import { Engine } from '../src/worker/engine';
import { embeddingsToBytes, sha256Hex, SHIPPED_ANALYSIS_FILE, SHIPPED_EMBEDDINGS_FILE, SHIPPED_FORMAT, SHIPPED_MAP_METHOD, type ShippedAnalysis } from '../src/worker/shipped-analysis';

const dir = process.argv[2] ?? 'public/models/alignscope-tiny';
const weightsFile = 'model.safetensors';
const corpus = inspectCorpus('everyday', readCorpusFile('corpus.tsv', readFileSync('public/data/corpus.tsv', 'utf8')));
const form = defaultForm(corpus.languages);
const { request, problem } = requestOf(corpus, form);
if (!request) throw new Error(problem ?? 'no request');

const t0 = performance.now();
const engine = new Engine(() => nodeGpu(), { resolveSource: (s) => (s.kind === 'dir' ? dirFiles(s.path) : null) });
await engine.loadModel({ kind: 'dir', path: dir }, { quant: 'f32', backend: 'cpu' });
engine.onEvent((e) => e.kind === 'progress' && process.stderr.write(`\r${e.task}: ${e.label} (${e.done}/${e.total})      `));
const result = await engine.analyze(request);
const maps: ShippedAnalysis['maps'] = {};
for (const layer of result.layers) {
  const p = await engine.projectEmbeddings(layer, SHIPPED_MAP_METHOD, MAP_SEED);
  maps[layer] = Array.from(p.points, (v) => Number(v.toFixed(5)));
}
const shipped: ShippedAnalysis = {
  format: SHIPPED_FORMAT,
  weightsFile,
  weightsSha256: await sha256Hex(readFileSync(join(dir, weightsFile))),
  quant: 'f32',
  split: form.split,
  result,
  maps,
};
writeFileSync(join(dir, SHIPPED_ANALYSIS_FILE), `${JSON.stringify(shipped)}\n`);
writeFileSync(join(dir, SHIPPED_EMBEDDINGS_FILE), embeddingsToBytes(result, engine.analyses.lastVectors!));
console.error(`\nwrote ${SHIPPED_ANALYSIS_FILE} and ${SHIPPED_EMBEDDINGS_FILE} for ${result.languages.length} languages × ${result.n} sentences × ${result.layers.length} layers in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
engine.dispose();
process.exit(0);
