// LoRA adapters at inference: while a LoRA session lives, the engine's forward (and so generation,
// embeddings and analysis) computes what the merged model W + (alpha/r)·B·A computes; 'base' and a
// released session give the frozen base again.

import { afterAll, expect, it } from 'vitest';
import { nodeGpu } from '../gpu/node-gpu';
import { randomWeights } from '../model/random-model';
import { randomModelConfig } from '../model/random-source';
import { toHfConfig } from '../model/config';
import { byteLevelTokenizerJson } from '../model/byte-tokenizer';
import { writeSafetensors } from '../model/safetensors';
import { memoryFiles } from '../model/source';
import type { WeightMap } from '../model/weights';
import { MemoryCheckpointStore } from '../train/checkpoint-store';
import { mergeLora, type HostAdapter } from '../train/merge';
import { DEFAULT_TAGS_TEMPLATE } from '../train/template';
import { Engine } from './engine';

const config = randomModelConfig();
const json = (v: unknown) => new TextEncoder().encode(JSON.stringify(v));
const folder = (weights: WeightMap, label: string) =>
  memoryFiles(
    new Map([
      ['config.json', json(toHfConfig(config))],
      ['tokenizer.json', json(byteLevelTokenizerJson(['<s>', '</s>']))],
      ['tokenizer_config.json', json({ bos_token: '<s>', eos_token: '</s>', add_bos_token: true })],
      ['model.safetensors', writeSafetensors(weights, { format: 'pt' })],
    ]),
    label,
  );
const base = randomWeights(config, 1);
const store = new MemoryCheckpointStore();
let merged: WeightMap | null = null;
const engine = new Engine(() => nodeGpu(), { checkpointStore: store, resolveSource: (s) => (s.kind === 'dir' ? folder(s.path === 'merged' ? merged! : base, s.path) : null) });
afterAll(() => engine.dispose());

const data = {
  train: [
    { en: 'Good morning.', cs: 'Dobré ráno.' },
    { en: 'Thank you.', cs: 'Děkuji.' },
    { en: 'Where is the station?', cs: 'Kde je nádraží?' },
  ],
  heldOut: [],
};
const ids = [[256, 72, 101, 108, 108, 111], [256, 75, 100, 101]];

it('a LoRA session changes every forward as the merged model would; base stays the files', async () => {
  await engine.loadModel({ kind: 'dir', path: 'base' }, { quant: 'f32' });
  const before = (await engine.forward(ids)).logits;
  const rank = 4;
  const alpha = 8;
  await engine.startTraining(
    {
      mode: { kind: 'lora', rank, alpha, targets: ['q', 'v', 'o', 'down'] },
      steps: 3, lr: 0.05, warmupSteps: 0, minLr: 0.05, batchSize: 3, gradAccum: 1, lambdaMap: 1, ntpFraction: 0.5, pairs: [['en', 'cs']], directions: 'both',
      template: DEFAULT_TAGS_TEMPLATE, maxLength: 64, weightDecay: 0, maxGradNorm: 0, beta1: 0.9, beta2: 0.999, eps: 1e-8, seed: 1, evalEvery: 0,
    },
    data,
  );
  expect((await engine.trainingSession!.settled()).state).toBe('finished');
  const adapted = (await engine.forward(ids)).logits;
  const ck = await store.load((await engine.saveCheckpoint()).id);
  const adapters = new Map<string, HostAdapter>();
  for (const name of Object.keys(ck.params).filter((n) => n.endsWith('.lora_A'))) {
    const w = name.slice(0, -'.lora_A'.length);
    adapters.set(w, { rank, alpha, A: ck.params[name], B: ck.params[`${w}.lora_B`] });
  }
  expect(adapters.size).toBe(4 * config.numLayers);
  merged = mergeLora(base, adapters);

  // Trained adapters change the output, by the merged model's amount.
  const diff = (a: Float32Array[], b: Float32Array[]) => Math.max(...a.flatMap((x, i) => Array.from(x, (v, j) => Math.abs(v - b[i][j]))));
  expect(diff(adapted, before)).toBeGreaterThan(1e-2);
  const other = new Engine(() => nodeGpu(), { resolveSource: () => folder(merged!, 'merged') });
  await other.loadModel({ kind: 'dir', path: 'merged' }, { quant: 'f32' });
  const reference = (await other.forward(ids)).logits;
  other.dispose();
  expect(diff(adapted, reference)).toBeLessThan(1e-4);

  // 'base' is the files; a new model drops the session and its adapters.
  expect((await engine.perplexity(['Hello'], 'base')).perplexity).not.toBe((await engine.perplexity(['Hello'], 'current')).perplexity);
  await engine.loadModel({ kind: 'dir', path: 'base' }, { quant: 'f32' });
  expect(diff((await engine.forward(ids)).logits, before)).toBe(0);
}, 120_000);
