// A random model as a folder of real files (config.json, tokenizer.json, model.safetensors) in
// memory, so demos and tests load it through the same readers as a downloaded checkpoint.
// Its tokenizer is byte-level (one token per UTF-8 byte) plus <s>, </s>; V = 258.

import { byteLevelTokenizerJson } from './byte-tokenizer';
import { toHfConfig, type DecoderConfig } from './config';
import { randomWeights, tinyConfig } from './random-model';
import { writeSafetensors } from './safetensors';
import { memoryFiles, type ModelFiles } from './source';

export const RANDOM_MODEL_SPECIALS = ['<s>', '</s>'];

export function randomModelConfig(overrides: Partial<DecoderConfig> = {}): DecoderConfig {
  return tinyConfig({ vocabSize: 256 + RANDOM_MODEL_SPECIALS.length, bosTokenId: 256, eosTokenIds: [257], tieWordEmbeddings: false, ...overrides });
}

export function randomModelFiles(seed = 1, overrides: Partial<DecoderConfig> = {}): ModelFiles {
  const config = randomModelConfig(overrides);
  const json = (v: unknown) => new TextEncoder().encode(JSON.stringify(v, null, 2));
  return memoryFiles(
    new Map([
      ['config.json', json(toHfConfig(config))],
      ['tokenizer.json', json(byteLevelTokenizerJson(RANDOM_MODEL_SPECIALS))],
      ['tokenizer_config.json', json({ bos_token: '<s>', eos_token: '</s>', add_bos_token: true })],
      ['model.safetensors', writeSafetensors(randomWeights(config, seed), { format: 'pt', origin: `alignscope random model, seed ${seed}` })],
    ]),
    `random-tiny-seed${seed}`,
  );
}
