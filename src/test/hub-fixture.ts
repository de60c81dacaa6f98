// Model repos for the mock Hub, made by our own writers: a tiny random Qwen2-style decoder
// (toHfConfig + writeSafetensors) with the shipped tokenizer files of alignscope-tiny, whose vocabulary
// size is read from the tokenizer itself (the shipped model is rebuilt from time to time); and the
// same weights as llama.cpp GGUF files (one per ggml type), as a GGUF repo holds them.

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { toHfConfig, type DecoderConfig } from '../model/config';
import { randomWeights, tinyConfig } from '../model/random-model';
import { writeSafetensors } from '../model/safetensors';
import { GGML_TYPES } from '../model/gguf-quant';
import { decoderGguf } from './gguf-writer';
import type { WeightMap } from '../model/weights';

const TOKENIZER_DIR = new URL('../../public/models/alignscope-tiny/', import.meta.url);

export interface FixtureModel {
  config: DecoderConfig;
  weights: WeightMap;
  /** Repo files by path. */
  files: Map<string, Uint8Array>;
}

/** Ids run from 0 to the largest id of the vocabulary and the added tokens. */
function vocabSize(tokenizer: { model?: { vocab?: Record<string, number> }; added_tokens?: { id: number }[] }): number {
  const ids = [...Object.values(tokenizer.model?.vocab ?? {}), ...(tokenizer.added_tokens ?? []).map((t) => t.id)];
  return Math.max(...ids) + 1;
}

/** The tiny model as a repo: config.json, tokenizer files, and model.safetensors or (shards > 1) an index and shards. */
export function fixtureModel(seed = 1, shards = 1): FixtureModel {
  const tokenizerBytes = new Uint8Array(readFileSync(fileURLToPath(new URL('tokenizer.json', TOKENIZER_DIR))));
  const tokenizerConfigBytes = new Uint8Array(readFileSync(fileURLToPath(new URL('tokenizer_config.json', TOKENIZER_DIR))));
  const V = vocabSize(JSON.parse(new TextDecoder().decode(tokenizerBytes)));
  const config = tinyConfig({ architecture: 'qwen2', attentionBias: true, vocabSize: V, hiddenSize: 32, intermediateSize: 64, numHeads: 2, numKvHeads: 1, headDim: 16 });
  const weights = randomWeights(config, seed);
  const json = (v: unknown) => new TextEncoder().encode(JSON.stringify(v, null, 2));
  const files = new Map<string, Uint8Array>([
    ['config.json', json(toHfConfig(config))],
    ['tokenizer.json', tokenizerBytes],
    ['tokenizer_config.json', tokenizerConfigBytes],
  ]);
  if (shards <= 1) {
    files.set('model.safetensors', writeSafetensors(weights, { format: 'pt' }));
    return { config, weights, files };
  }
  const names = [...weights.keys()];
  const per = Math.ceil(names.length / shards);
  const weightMap: Record<string, string> = {};
  for (let s = 0; s < shards; s++) {
    const shard = `model-${String(s + 1).padStart(5, '0')}-of-${String(shards).padStart(5, '0')}.safetensors`;
    const part = new Map(names.slice(s * per, (s + 1) * per).map((n) => [n, weights.get(n)!]));
    for (const n of part.keys()) weightMap[n] = shard;
    files.set(shard, writeSafetensors(part, { format: 'pt' }));
  }
  files.set('model.safetensors.index.json', json({ metadata: {}, weight_map: weightMap }));
  return { config, weights, files };
}

/** A GGUF repo of the model: a README and `tiny-<TYPE>.gguf` per ggml type, tokenizer in the metadata. */
export function fixtureGgufRepo(model: FixtureModel, types: readonly number[]): Map<string, Uint8Array> {
  const json = JSON.parse(new TextDecoder().decode(model.files.get('tokenizer.json')));
  const tokenizer = { json, bos: 256, eos: 257, addBos: true, pre: 'alignscope' };
  const files = new Map<string, Uint8Array>([['README.md', new TextEncoder().encode('# tiny')]]);
  for (const type of types) files.set(`tiny-${GGML_TYPES[type].name}.gguf`, decoderGguf(model.config, model.weights, { type, tokenizer }));
  return files;
}

