// Greedy translation and held-out perplexity on the shipped model, through the engine: batched
// decoding gives each sentence what decoding it alone gives; perplexity matches the model card's
// (written when the model was built: a regression check); after full fine-tuning, 'base' still
// answers with the weights as the files hold them.

import { readFileSync } from 'node:fs';
import { afterAll, expect, it } from 'vitest';
import { dirFiles } from '../cli/dir-source';
import { readTsv } from '../data/tsv';
import { armSettings, DEFAULT_EXPERIMENT } from '../experiment/arms';
import { nodeGpu } from '../gpu/node-gpu';
import type { ParallelTuple } from '../train/batching';
import { DEFAULT_TAGS_TEMPLATE } from '../train/template';
import { Engine } from './engine';
import type { TranslateRequest } from './translate';

const DIR = 'public/models/alignscope-tiny';
const corpus = readTsv(readFileSync('public/data/corpus.tsv', 'utf8'), 'corpus.tsv').corpus;
const splits = JSON.parse(readFileSync('public/data/splits.json', 'utf8')) as Record<'train' | 'dev' | 'test', string[]>;
const byId = new Map(corpus.ids!.map((id, i) => [id, corpus.tuples[i]]));
const part = (name: 'train' | 'dev' | 'test'): ParallelTuple[] => splits[name].map((id) => byId.get(id)!);
const card = JSON.parse(readFileSync(`${DIR}/model-card.json`, 'utf8')) as { heldOutTestSplits: { everyday: Record<string, { perplexity: number }> } };

const engine = new Engine(() => nodeGpu(), { resolveSource: (s) => (s.kind === 'dir' ? dirFiles(s.path) : null) });
afterAll(() => engine.dispose());

const test = part('test');
const request = (n: number, weights: TranslateRequest['weights']): TranslateRequest => ({
  items: test.slice(0, n).map((t, i) => ({ srcLang: 'en', tgtLang: i % 2 ? 'cs' : 'zh', src: t.en })),
  template: DEFAULT_TAGS_TEMPLATE,
  maxNewTokens: 12,
  weights,
});

it('batched greedy translation equals one-by-one; perplexity equals the card; base survives full fine-tuning', async () => {
  await engine.loadModel({ kind: 'dir', path: DIR }, { quant: 'f32' });
  const together = (await engine.translate(request(3, 'current'))).outputs;
  expect(together).toHaveLength(3);
  for (let i = 0; i < 3; i++) {
    const alone = await engine.translate({ ...request(3, 'current'), items: [request(3, 'current').items[i]] });
    expect(alone.outputs[0], `sentence ${i}`).toBe(together[i]);
  }

  const en = test.map((t) => t.en);
  const before = await engine.perplexity(en, 'current');
  expect(before.perplexity).toBeCloseTo(card.heldOutTestSplits.everyday.en.perplexity, 1);
  expect(before.tokens).toBeGreaterThan(test.length);

  await engine.startTraining({ ...armSettings('mapping', { ...DEFAULT_EXPERIMENT, steps: 2, batchSize: 4 }, corpus.languages, 4), evalEvery: 0 }, { train: part('train'), heldOut: part('dev') });
  expect((await engine.trainingSession!.settled()).state).toBe('finished');
  const tuned = await engine.perplexity(en, 'current');
  expect(tuned.perplexity).not.toBe(before.perplexity);
  expect((await engine.perplexity(en, 'base')).perplexity).toBe(before.perplexity);
  expect((await engine.translate(request(3, 'base'))).outputs).toEqual(together);
}, 300_000);
