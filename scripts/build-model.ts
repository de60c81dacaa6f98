// npm run build:model — pre-trains the embedded default model from scratch with our own engine
// (the CPU route by default: WebAssembly SIMD threads, many times faster than WebGPU on a software
// adapter; --backend webgpu trains through Dawn instead) and writes it to
// public/models/alignscope-tiny/: config.json, model.safetensors (f32), model.onnx (q4 MatMulNBits,
// embeddings and norms f32), the tokenizer files (from scripts/train-tokenizer.ts) and
// model-card.json. Training data: the monolingual sides of the corpus's TRAIN split only, each
// sentence on its own (shuffled within and across languages; no pairs in one sequence) — the
// paper's starting point: a model that knows the languages but was never taught to map between them.
// Deterministic by seed on a given route (and adapter); the two routes agree to f32 rounding.
//
//   npx tsx scripts/build-model.ts [--steps N] [--batch-size B] [--seed S] [--out DIR] [--backend cpu|webgpu]

import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { uploadCpuDecoder } from '../src/cpu/decoder';
import { CpuRuntime } from '../src/cpu/runtime';
import { CpuTrainer } from '../src/cpu/trainer';
import { readTsv } from '../src/data/tsv';
import { exportDecoderOnnx } from '../src/export/onnx';
import { nodeGpu } from '../src/gpu/node-gpu';
import { GpuRuntime } from '../src/gpu/runtime';
import { readTensor } from '../src/kernels/tensor';
import { toHfConfig, type DecoderConfig } from '../src/model/config';
import { uploadDecoder } from '../src/model/decoder';
import { randomWeights } from '../src/model/random-model';
import { writeSafetensors } from '../src/model/safetensors';
import { Tokenizer } from '../src/model/tokenizer';
import { expectedWeights, parameterCount, type WeightMap } from '../src/model/weights';
import type { LangPair, ParallelTuple } from '../src/train/batching';
import { defaultTrainSettings } from '../src/train/defaults';
import type { SessionTrainer } from '../src/train/session-trainer';
import { Trainer, type TrainSettings } from '../src/train/trainer';

const { values } = parseArgs({
  options: {
    steps: { type: 'string', default: '600' },
    'batch-size': { type: 'string', default: '32' },
    lr: { type: 'string', default: '0.003' },
    seed: { type: 'string', default: '1' },
    out: { type: 'string', default: 'public/models/alignscope-tiny' },
    backend: { type: 'string', default: 'cpu' },
  },
});
if (values.backend !== 'cpu' && values.backend !== 'webgpu') throw new Error(`--backend must be cpu or webgpu, got ${values.backend}.`);
const out = values.out;
const steps = Number(values.steps);
const seed = Number(values.seed);
const t0 = performance.now();

const tokenizerJson = JSON.parse(readFileSync(join(out, 'tokenizer.json'), 'utf8'));
const tokenizerConfig = JSON.parse(readFileSync(join(out, 'tokenizer_config.json'), 'utf8'));
const tokenizer = Tokenizer.fromJson(tokenizerJson, tokenizerConfig, join(out, 'tokenizer.json'));

const corpus = readTsv(readFileSync('public/data/corpus.tsv', 'utf8'), 'corpus.tsv').corpus;
const splits = JSON.parse(readFileSync('public/data/splits.json', 'utf8')) as Record<'train' | 'dev' | 'test', string[]>;
const byId = new Map(corpus.ids!.map((id, i) => [id, corpus.tuples[i]]));
const part = (name: 'train' | 'dev' | 'test'): ParallelTuple[] => splits[name].map((id) => byId.get(id)!);
const langs = corpus.languages;

const config: DecoderConfig = {
  architecture: 'llama',
  vocabSize: tokenizer.vocabSize,
  hiddenSize: 128,
  numLayers: 4,
  numHeads: 4,
  numKvHeads: 2,
  headDim: 32,
  intermediateSize: 384,
  rmsNormEps: 1e-5,
  ropeTheta: 10000,
  ropeScaling: null,
  maxPositions: 128,
  tieWordEmbeddings: true,
  attentionBias: false,
  bosTokenId: tokenizer.bosId ?? null,
  eosTokenIds: tokenizer.eosIds,
};

interface Route {
  trainer: SessionTrainer;
  /** The trained weights read back, in the names and shapes of expectedWeights. */
  weights(): Promise<WeightMap>;
  device: string;
  close(): Promise<void>;
}

/** A fresh random model and its trainer on the chosen route. */
async function route(settings: TrainSettings, train: ParallelTuple[], dev: ParallelTuple[]): Promise<Route> {
  const initial = randomWeights(config, seed);
  if (values.backend === 'cpu') {
    const rt = await CpuRuntime.create();
    const decoder = uploadCpuDecoder(rt, config, initial, 'f32', { contextLength: config.maxPositions });
    const all = [decoder.embed, decoder.finalNorm, ...decoder.layers.flatMap((l) => [l.inputNorm, l.postNorm, ...Object.values(l.linears)])];
    return {
      trainer: CpuTrainer.create(rt, decoder, tokenizer, train, dev, settings),
      weights: async () => new Map(all.flatMap((t) => ('shape' in t ? [[t.name, { shape: [...t.shape], data: rt.read(t) }] as const] : []))),
      device: `CPU route: ${rt.description}`,
      close: () => rt.dispose(),
    };
  }
  const rt = new GpuRuntime(() => nodeGpu());
  const decoder = await rt.run(async (ctx) => uploadDecoder(ctx, config, initial, 'f32', { contextLength: config.maxPositions }));
  const report = (await rt.context()).report;
  return {
    trainer: await Trainer.create(rt, decoder, tokenizer, train, dev, settings),
    weights: () =>
      rt.run(async (ctx) => {
        const all = [decoder.embed, decoder.finalNorm, ...decoder.layers.flatMap((l) => [l.inputNorm, l.postNorm, ...Object.values(l.linears)])];
        const map: WeightMap = new Map();
        for (const t of all) if ('shape' in t) map.set(t.name, { shape: [...t.shape], data: await readTensor(ctx, t) });
        return map;
      }),
    device: report.description || report.architecture,
    close: async () => rt.destroy(),
  };
}

// NTP only: pairs just name the languages whose sentences are sampled (each alone).
const pairs: LangPair[] = langs.slice(1).map((l) => [langs[0], l]);
const settings = {
  ...defaultTrainSettings({ kind: 'full' }, pairs, steps),
  lr: Number(values.lr),
  minLr: Number(values.lr) / 10,
  warmupSteps: Math.max(1, Math.round(steps / 20)),
  batchSize: Number(values['batch-size']),
  ntpFraction: 1,
  lambdaMap: 0,
  weightDecay: 0.1,
  maxLength: 64,
  seed,
  evalEvery: 0,
};
const { trainer, weights: trainedWeights, device, close } = await route(settings, part('train'), part('dev'));
console.log(`model: ${(parameterCount(config) / 1e6).toFixed(2)}M parameters; ${steps} steps of ${settings.batchSize} sentences`);
const losses: number[] = [];
let tokens = 0;
for (let s = 0; s < steps; s++) {
  const e = await trainer.step();
  losses.push(e.lossNtp);
  tokens += e.tokens;
  if (e.step % 10 === 0 || e.step === steps) {
    const avg = losses.slice(-10).reduce((a, b) => a + b, 0) / Math.min(10, losses.length);
    console.log(`step ${e.step}/${steps} ntp ${avg.toFixed(3)} lr ${e.lr.toExponential(2)} ${e.tokensPerSecond.toFixed(0)} tok/s ${((performance.now() - t0) / 60000).toFixed(1)} min`);
  }
}
const heldOut = await trainer.evaluate(4);

const weights = await trainedWeights();
for (const spec of expectedWeights(config)) if (!weights.has(spec.name)) throw new Error(`missing ${spec.name}`);
writeFileSync(join(out, 'config.json'), `${JSON.stringify(toHfConfig(config), null, 2)}\n`);
writeFileSync(join(out, 'model.safetensors'), writeSafetensors(weights, { format: 'pt', producer: 'alignscope build:model' }));
writeFileSync(join(out, 'model.onnx'), exportDecoderOnnx(config, weights, { quant: 'q4' }));
const minutes = (performance.now() - t0) / 60000;
const card = {
  name: 'alignscope-tiny',
  architecture: 'llama',
  parameters: parameterCount(config),
  config: { layers: config.numLayers, hidden: config.hiddenSize, heads: config.numHeads, kvHeads: config.numKvHeads, mlp: config.intermediateSize, vocab: config.vocabSize, context: config.maxPositions, tiedEmbeddings: true },
  data: `monolingual sentences of the train split of public/data/corpus.tsv (${splits.train.length} tuples x ${langs.length} languages), each alone, shuffled within and across languages`,
  objective: 'next-token prediction only (no parallel pairs in one sequence)',
  steps,
  batchSize: settings.batchSize,
  seed,
  lr: settings.lr,
  tokensSeen: tokens,
  minutes: Number(minutes.toFixed(1)),
  adapter: device,
  finalTrainLoss: Number((losses.slice(-20).reduce((a, b) => a + b, 0) / Math.min(20, losses.length)).toFixed(4)),
  heldOutNtpLoss: Number(heldOut.lossNtp.toFixed(4)),
  files: { safetensors: 'model.safetensors (f32)', onnx: 'model.onnx (q4 MatMulNBits; embeddings and norms f32)' },
};
writeFileSync(join(out, 'model-card.json'), `${JSON.stringify(card, null, 2)}\n`);
console.log(JSON.stringify(card, null, 2));
await close();
process.exit(0);
