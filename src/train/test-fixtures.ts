// What the trainers' tests (WebGPU trainer.gpu.test.ts, CPU route src/cpu/trainer.test.ts) train
// on: a byte-level tokenizer with language tags, a random tiny model's config, 8 en-cs pairs, and
// settings that overfit them (full fine-tuning, mapping only).

import { byteLevelTokenizerJson } from '../model/byte-tokenizer';
import { tinyConfig } from '../model/random-model';
import { Tokenizer } from '../model/tokenizer';
import type { ParallelTuple } from './batching';
import { DEFAULT_TAGS_TEMPLATE } from './template';
import type { TrainSettings } from './trainer';

const SPECIALS = ['<s>', '</s>', '<sep>', '<en>', '<cs>'];
export const tokenizer = Tokenizer.fromJson(byteLevelTokenizerJson(SPECIALS), { bos_token: '<s>', eos_token: '</s>', add_bos_token: true });
export const config = tinyConfig({ vocabSize: 256 + SPECIALS.length, bosTokenId: 256, eosTokenIds: [257], maxPositions: 128 });

export const PAIRS: ParallelTuple[] = [
  { en: 'Good morning.', cs: 'Dobré ráno.' },
  { en: 'Thank you.', cs: 'Děkuji.' },
  { en: 'Where is the station?', cs: 'Kde je nádraží?' },
  { en: 'I like tea.', cs: 'Mám rád čaj.' },
  { en: 'The dog sleeps.', cs: 'Pes spí.' },
  { en: 'It is cold today.', cs: 'Dnes je zima.' },
  { en: 'See you tomorrow.', cs: 'Na shledanou zítra.' },
  { en: 'How are you?', cs: 'Jak se máš?' },
];

export function settings(over: Partial<TrainSettings> = {}): TrainSettings {
  return {
    mode: { kind: 'full' },
    steps: 300,
    lr: 3e-3,
    warmupSteps: 10,
    minLr: 3e-4,
    batchSize: 8,
    gradAccum: 1,
    lambdaMap: 1,
    ntpFraction: 0,
    pairs: [['en', 'cs']],
    directions: 'both',
    template: DEFAULT_TAGS_TEMPLATE,
    maxLength: 96,
    weightDecay: 0,
    maxGradNorm: 1,
    beta1: 0.9,
    beta2: 0.999,
    eps: 1e-8,
    seed: 7,
    evalEvery: 0,
    ...over,
  };
}
