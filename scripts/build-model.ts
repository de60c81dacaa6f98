// npm run build:model — pre-trains the embedded default model from scratch with our own engine
// (the CPU route by default: WebAssembly SIMD threads, many times faster than WebGPU on a software
// adapter; --backend webgpu trains through Dawn instead) and writes it to
// public/models/alignscope-tiny/: config.json, model.safetensors (f32), model.onnx (q4 MatMulNBits,
// embeddings and norms f32) and model-card.json, next to the tokenizer files (scripts/train-tokenizer.ts).
// Training data: the pre-training text of src/train/pretraining.ts — the monolingual sides of both
// corpora's TRAIN splits (the software corpus's mono files, languages balanced, and the everyday
// train split), each sentence or paragraph on its own, shuffled within and across languages; never a
// pair in one sequence — the paper's starting point: a model that knows its languages but was never
// taught to map between them. Every `--eval-every` steps the held-out NTP loss on both corpora's dev
// splits goes into the card's curve. Deterministic by seed on a given route (and adapter).
//
//   npx tsx scripts/build-model.ts [--steps N] [--batch-size B] [--layers L] [--hidden D] [--mlp M]
//                                  [--heads H] [--kv-heads K] [--seed S] [--out DIR] [--backend cpu|webgpu]

import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { uploadCpuDecoder } from '../src/cpu/decoder';
import { CpuRuntime } from '../src/cpu/runtime';
import { CpuTrainer } from '../src/cpu/trainer';
import { exportDecoderOnnx } from '../src/export/onnx';
import { nodeGpu } from '../src/gpu/node-gpu';
import { GpuRuntime } from '../src/gpu/runtime';
import { readTensor } from '../src/kernels/tensor';
import { toHfConfig, type DecoderConfig } from '../src/model/config';
import { uploadDecoder } from '../src/model/decoder';
import { pretrainingInit } from '../src/train/init';
import { writeSafetensors } from '../src/model/safetensors';
import { Tokenizer } from '../src/model/tokenizer';
import { expectedWeights, parameterCount, type WeightMap } from '../src/model/weights';
import type { LangPair, ParallelTuple } from '../src/train/batching';
import { defaultTrainSettings } from '../src/train/defaults';
import { packLines } from '../src/train/pretraining';
import { EVERYDAY_REPEATS, loadPretrainingLines, shippedSplit } from './shipped-corpora';
import type { SessionTrainer } from '../src/train/session-trainer';
import { Trainer, type TrainSettings } from '../src/train/trainer';

const { values } = parseArgs({
  options: {
    steps: { type: 'string', default: '2000' },
    'batch-size': { type: 'string', default: '32' },
    layers: { type: 'string', default: '6' },
    hidden: { type: 'string', default: '192' },
    mlp: { type: 'string', default: '512' },
    heads: { type: 'string', default: '4' },
    'kv-heads': { type: 'string', default: '2' },
    'max-length': { type: 'string', default: '64' },
    'eval-every': { type: 'string', default: '100' },
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

const text = await loadPretrainingLines(seed);
const langs = text.languages;
const maxLength = Number(values['max-length']);
const rows = packLines(text.lines, (line) => tokenizer.encode(line, { addBos: false }).length, maxLength);
const everyday = await shippedSplit('everyday');
const software = await shippedSplit('software');
const heldOut = [...everyday.dev, ...software.dev];

const config: DecoderConfig = {
  architecture: 'llama',
  vocabSize: tokenizer.vocabSize,
  hiddenSize: Number(values.hidden),
  numLayers: Number(values.layers),
  numHeads: Number(values.heads),
  numKvHeads: Number(values['kv-heads']),
  headDim: Number(values.hidden) / Number(values.heads),
  intermediateSize: Number(values.mlp),
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
  const initial = pretrainingInit(config, seed);
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
  maxLength,
  seed,
  evalEvery: 0,
};
const evalEvery = Number(values['eval-every']);
const { trainer, weights: trainedWeights, device, close } = await route(settings, rows, heldOut);
console.log(`model: ${(parameterCount(config) / 1e6).toFixed(2)}M parameters; ${steps} steps of ${settings.batchSize} sentences`);
const losses: number[] = [];
/** Held-out NTP loss (both dev splits, the first 8 batches) every evalEvery steps: the card's curve. */
const curve: { step: number; minutes: number; tokensSeen: number; trainNtp: number; heldOutNtp: number }[] = [];
let tokens = 0;
const tTrain = performance.now();
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
for (let s = 0; s < steps; s++) {
  const e = await trainer.step();
  losses.push(e.lossNtp);
  tokens += e.tokens;
  if (e.step % 10 === 0 || e.step === steps) {
    console.log(`step ${e.step}/${steps} ntp ${mean(losses.slice(-10)).toFixed(3)} lr ${e.lr.toExponential(2)} ${e.tokensPerSecond.toFixed(0)} tok/s ${((performance.now() - t0) / 60000).toFixed(1)} min`);
  }
  if ((evalEvery > 0 && e.step % evalEvery === 0) || e.step === steps) {
    const held = (await trainer.evaluate(8)).lossNtp;
    curve.push({ step: e.step, minutes: Number(((performance.now() - t0) / 60000).toFixed(1)), tokensSeen: tokens, trainNtp: Number(mean(losses.slice(-evalEvery || -10)).toFixed(4)), heldOutNtp: Number(held.toFixed(4)) });
    console.log(`held-out ntp ${held.toFixed(3)} at step ${e.step}`);
  }
}

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
  data: `monolingual text of both corpora's train splits, lines of one language packed into rows of up to ${maxLength} tokens (<s> line </s> <s> line </s> ...), rows shuffled across languages: ${text.linesPerLanguage} lines per language of public/data/debian/mono.<lang>.txt.gz (seeded choice) and the ${everyday.train.length} train tuples of public/data/corpus.tsv x ${langs.length} languages, repeated ${EVERYDAY_REPEATS} times`,
  objective: 'next-token prediction only (no parallel pairs in one sequence)',
  steps,
  batchSize: settings.batchSize,
  seed,
  lr: settings.lr,
  maxLength: settings.maxLength,
  tokensSeen: tokens,
  minutes: Number(minutes.toFixed(1)),
  trainTokensPerSecond: Math.round(tokens / ((performance.now() - tTrain) / 1000)),
  adapter: device,
  finalTrainLoss: Number((losses.slice(-20).reduce((a, b) => a + b, 0) / Math.min(20, losses.length)).toFixed(4)),
  heldOutNtpLoss: curve[curve.length - 1].heldOutNtp,
  curve,
  files: { safetensors: 'model.safetensors (f32)', onnx: 'model.onnx (q4 MatMulNBits; embeddings and norms f32)' },
};
writeFileSync(join(out, 'model-card.json'), `${JSON.stringify(card, null, 2)}\n`);
console.log(JSON.stringify(card, null, 2));
await close();
process.exit(0);
