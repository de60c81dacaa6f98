// Training benchmark: tokens/s and matmul GFLOP/s (against the fastest matmul the tuner timed on the
// model's shapes) of whole optimizer steps (forward + backward + AdamW) and the peak GPU memory from the buffer pool, for full fine-tuning (f32 base) and LoRA (rank 8 on q, k, v, o,
// gate, up, down of a q4 base), on random models of two sizes.

import type { AdapterReport } from '../gpu/adapter-report';
import type { GpuRuntime } from '../gpu/runtime';
import { byteLevelTokenizerJson } from '../model/byte-tokenizer';
import type { DecoderConfig } from '../model/config';
import { releaseDecoder, uploadDecoder, type WeightQuant } from '../model/decoder';
import { randomWeights, tinyConfig } from '../model/random-model';
import { Tokenizer } from '../model/tokenizer';
import { fastestMatmul, tuneKernels } from '../kernels/tuner';
import { decoderTuneShapes } from '../model/tune-shapes';
import { parameterCount } from '../model/weights';
import { defaultTrainSettings } from '../train/defaults';
import { Trainer, type TrainSettings } from '../train/trainer';
import type { TrainMode } from '../train/trainable';

const SPECIALS = ['<s>', '</s>', '<sep>', '<en>', '<de>'];

export const TRAIN_BENCH_CONFIGS: Record<string, Partial<DecoderConfig>> = {
  // The GPU tests' tiny config.
  tiny: {},
  // The size of the embedded default model (4 layers, hidden 128).
  small: { numLayers: 4, hiddenSize: 128, numHeads: 4, numKvHeads: 2, headDim: 32, intermediateSize: 384, vocabSize: 4096 },
};

export interface TrainBenchRow {
  config: string;
  parameters: number;
  mode: 'full' | 'lora';
  base: WeightQuant;
  trainableParameters: number;
  batchSize: number;
  tokensPerStep: number;
  msPerStep: number;
  tokensPerSecond: number;
  /** Matmul GFLOP/s of the steps (train-flops.ts), and the fastest matmul the tuner timed on the model's shapes. */
  gflops: number;
  bestMatmulGflops: number | null;
  peakGpuBytes: number;
}

export interface TrainBenchResult {
  when: string;
  adapter: AdapterReport;
  rows: TrainBenchRow[];
}

const PAIRS = [
  { en: 'Good morning, how are you today?', de: 'Guten Morgen, wie geht es dir heute?' },
  { en: 'The train leaves at eight o clock.', de: 'Der Zug fährt um acht Uhr ab.' },
  { en: 'I would like a cup of tea, please.', de: 'Ich hätte gern eine Tasse Tee, bitte.' },
  { en: 'The children are playing in the garden.', de: 'Die Kinder spielen im Garten.' },
];

export async function benchTraining(rt: GpuRuntime, opts: { steps?: number } = {}, onRow?: (done: number, total: number, label: string) => void): Promise<TrainBenchResult> {
  const steps = opts.steps ?? 5;
  const tokenizer = Tokenizer.fromJson(byteLevelTokenizerJson(SPECIALS), { bos_token: '<s>', eos_token: '</s>', add_bos_token: true });
  const runs: { config: string; mode: TrainMode; base: WeightQuant }[] = [];
  for (const config of Object.keys(TRAIN_BENCH_CONFIGS)) {
    runs.push({ config, mode: { kind: 'full' }, base: 'f32' });
    runs.push({ config, mode: { kind: 'lora', rank: 8, alpha: 16, targets: ['q', 'k', 'v', 'o', 'gate', 'up', 'down'] }, base: 'q4' });
  }
  const rows: TrainBenchRow[] = [];
  for (const run of runs) {
    onRow?.(rows.length, runs.length, `${run.config} ${run.mode.kind}`);
    const c = tinyConfig({ ...TRAIN_BENCH_CONFIGS[run.config], vocabSize: Math.max(256 + SPECIALS.length, TRAIN_BENCH_CONFIGS[run.config].vocabSize ?? 0), bosTokenId: 256, eosTokenIds: [257] });
    const decoder = await rt.run(async (ctx) => uploadDecoder(ctx, c, randomWeights(c, 1), run.base));
    // Tuned as a model load tunes, so the steps run the kernels a user's would.
    const tuning = await rt.run((ctx) => tuneKernels(ctx, decoderTuneShapes(decoder)));
    const settings: TrainSettings = { ...defaultTrainSettings(run.mode, [['en', 'de']], steps + 1), lr: 1e-3, minLr: 1e-4, warmupSteps: 1, evalEvery: 0 };
    const trainer = await Trainer.create(rt, decoder, tokenizer, PAIRS, [], settings);
    await trainer.step(); // warm-up: pipelines, pool
    // Peak of everything the pool holds during the steps: weights, gradients, moments, activations.
    await rt.run(async (ctx) => ctx.pool.resetPeak());
    let tokens = 0;
    let ms = 0;
    let gflop = 0;
    for (let i = 0; i < steps; i++) {
      const e = await trainer.step();
      tokens += e.tokens;
      ms += e.ms;
      gflop += (e.gflops * e.ms) / 1000;
    }
    const peak = await rt.run(async (ctx) => ctx.pool.stats().peakBytes);
    rows.push({
      config: run.config,
      parameters: parameterCount(c),
      mode: run.mode.kind,
      base: run.base,
      trainableParameters: trainer.parameterCount,
      batchSize: 8,
      tokensPerStep: tokens / steps,
      msPerStep: ms / steps,
      tokensPerSecond: (tokens / ms) * 1000,
      gflops: (gflop / ms) * 1000,
      bestMatmulGflops: fastestMatmul(tuning)?.gflops ?? null,
      peakGpuBytes: peak,
    });
    await trainer.release();
    await rt.run(async (ctx) => releaseDecoder(ctx, decoder));
  }
  onRow?.(rows.length, runs.length, 'done');
  return { when: new Date().toISOString(), adapter: (await rt.context()).report, rows };
}
