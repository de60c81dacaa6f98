// The eight fuzzed formats: for each, its valid seeds, how a case mutates one of them, the real
// loader that reads the result, and the check of a load that returned (src/fuzz/check.ts).
//   safetensors, onnx, onnx-community, gguf, config: readModelFolder(memoryFiles(folder)) with one
//     file of the folder mutated (model.safetensors, model.onnx, onnx/*.onnx or its external data,
//     model.gguf, config.json);
//   tokenizer: tokenizer.json or tokenizer_config.json mutated, read as the folder loader reads
//     them (readJson, then Tokenizer.fromJson);
//   tsv, jsonl: readCorpusBytes, which picks the reader by extension (gunzips .tsv.gz first).
// Case i < number of seeds loads seed i unmutated: every run checks that the seeds load.

import { gzipSync } from 'node:zlib';
import { readCorpusBytes } from '../data/read';
import { readModelFolder } from '../model/load';
import { memoryFiles, readJson } from '../model/source';
import { Tokenizer } from '../model/tokenizer';
import { checkHostModel, checkReadReport, checkTokenizer } from './check';
import { mutateBytes, type Mutated } from './bytes';
import { ggufFields, mutateGguf } from './gguf';
import { mutateJsonFile } from './json';
import { mutateCorpus } from './lines';
import { mutateOnnx } from './onnx';
import { parseTree } from './proto-tree';
import type { Rng } from './prng';
import { mutateSafetensors } from './safetensors';
import * as seeds from './seeds';

export const FORMATS = ['safetensors', 'onnx', 'onnx-community', 'gguf', 'config', 'tokenizer', 'tsv', 'jsonl'] as const;
export type FormatName = (typeof FORMATS)[number];

/** One prepared case: `run` loads it and checks the result (null: a correct load; else what is wrong). */
export interface FuzzCase {
  seed: string;
  what: string;
  /** Bytes handed to the loader, for the memory cap's scale. */
  inputBytes: number;
  run(): Promise<string | null>;
}

export interface Format {
  name: FormatName;
  seedCount: number;
  /** Case `index`: seed index % seedCount, unmutated when index < seedCount. */
  make(rng: Rng, index: number): FuzzCase;
}

/** config.json keys that size the model or pick its family: aimed at by most config mutations. */
const CONFIG_TARGETS = [
  'vocab_size', 'num_hidden_layers', 'hidden_size', 'intermediate_size', 'num_attention_heads', 'num_key_value_heads', 'head_dim',
  'max_position_embeddings', 'rms_norm_eps', 'rope_theta', 'rope_scaling', 'eos_token_id', 'bos_token_id', 'model_type', 'architectures',
  'tie_word_embeddings', 'layer_types',
].map((k) => [k]);

/** tokenizer.json parts whose damage the library and our reader must survive. */
const TOKENIZER_TARGETS = [['model', 'type'], ['model', 'vocab'], ['model', 'merges'], ['model', 'merges', 0], ['model', 'merges', 5], ['model', 'vocab', '<s>'], ['model', 'vocab', 'a'], ['model', 'ignore_merges'],
  ['added_tokens'], ['added_tokens', 0, 'id'], ['added_tokens', 0, 'content'], ['added_tokens', 1], ['pre_tokenizer', 'type'], ['pre_tokenizer', 'pretokenizers'], ['pre_tokenizer', 'pretokenizers', 0, 'pattern', 'Regex'],
  ['normalizer'], ['decoder'], ['decoder', 'type'], ['post_processor'], ['bos_token'], ['eos_token'], ['add_bos_token'], ['added_tokens_decoder', '256', 'content'], ['added_tokens_decoder', '256']];

function modelFormat(name: FormatName, list: seeds.FolderSeed[], mutate: (b: Uint8Array, rng: Rng, seed: number) => Mutated): Format {
  return {
    name,
    seedCount: list.length,
    make(rng, index) {
      const s = list[index % list.length];
      const m = index < list.length ? { bytes: s.files.get(s.target)!, what: 'unmutated seed' } : mutate(s.files.get(s.target)!, rng, index % list.length);
      const files = new Map(s.files).set(s.target, m.bytes);
      return {
        seed: `${s.label} (${s.target})`,
        what: m.what,
        inputBytes: [...files.values()].reduce((a, b) => a + b.length, 0),
        run: async () => checkHostModel(await readModelFolder(memoryFiles(files, `fuzz/${name}`))),
      };
    },
  };
}

function tokenizerFormat(list: seeds.FolderSeed[]): Format {
  return {
    name: 'tokenizer',
    seedCount: list.length,
    make(rng, index) {
      const s = list[index % list.length];
      const m = index < list.length ? { bytes: s.files.get(s.target)!, what: 'unmutated seed' } : mutateJsonFile(s.files.get(s.target)!, rng, TOKENIZER_TARGETS);
      const files = memoryFiles(new Map(s.files).set(s.target, m.bytes), 'fuzz/tokenizer');
      return {
        seed: `${s.label} (${s.target})`,
        what: m.what,
        inputBytes: m.bytes.length,
        // as readModelFolder reads them
        run: async () => {
          const config = (await files.has('tokenizer_config.json')) ? await readJson(files, 'tokenizer_config.json') : undefined;
          return checkTokenizer(Tokenizer.fromJson(await readJson(files, 'tokenizer.json'), config, 'fuzz/tokenizer.json'));
        },
      };
    },
  };
}

function corpusFormat(name: 'tsv' | 'jsonl', list: seeds.CorpusSeed[]): Format {
  return {
    name,
    seedCount: list.length,
    make(rng, index) {
      const s = list[index % list.length];
      let m: Mutated = index < list.length ? { bytes: new TextEncoder().encode(s.text), what: 'unmutated seed' } : mutateCorpus(s.text, rng, name === 'jsonl');
      // .gz seeds: the mutated text gzipped (a valid archive), or 1 in 3 the archive itself damaged
      if (s.gzip) m = index >= list.length && rng.chance(0.33) ? { bytes: mutateGz(gzipSync(s.text), rng), what: 'gzip bytes damaged' } : { ...m, bytes: gzipSync(m.bytes) };
      return {
        seed: s.name,
        what: m.what,
        inputBytes: m.bytes.length,
        run: async () => checkReadReport(await readCorpusBytes(s.name, m.bytes, s.languages ? { languages: s.languages } : {})),
      };
    },
  };
}

/** A gzip archive with a few bytes overwritten past its 10-byte header, or cut short. */
function mutateGz(gz: Uint8Array, rng: Rng): Uint8Array {
  const out = rng.chance(0.5) ? gz.slice(0, rng.int(gz.length)) : gz.slice();
  for (let i = 0, n = rng.range(0, 4); i < n && out.length > 10; i++) out[10 + rng.int(out.length - 10)] = rng.int(256);
  return out;
}

/** The format's seeds and mutator; seeds are built once per process. */
export async function loadFormat(name: FormatName): Promise<Format> {
  switch (name) {
    case 'safetensors':
      return modelFormat(name, await seeds.safetensorsSeeds(), mutateSafetensors);
    case 'config':
      return modelFormat(name, await seeds.configSeeds(), (b, rng) => mutateJsonFile(b, rng, CONFIG_TARGETS));
    case 'onnx':
    case 'onnx-community': {
      const list = name === 'onnx' ? seeds.onnxSeeds() : seeds.communityOnnxSeeds();
      const trees = list.map((s) => (s.target.endsWith('.onnx') ? parseTree(s.files.get(s.target)!) : undefined));
      // the external data file has no structure to aim at: blind damage and truncation
      return modelFormat(name, list, (b, rng, i) => (trees[i] ? mutateOnnx(b, rng, trees[i]) : mutateBytes(b, rng)));
    }
    case 'gguf': {
      const list = seeds.ggufSeeds();
      const fields = list.map((s) => ggufFields(s.files.get(s.target)!));
      return modelFormat(name, list, (b, rng, i) => mutateGguf(b, rng, fields[i]));
    }
    case 'tokenizer':
      return tokenizerFormat(await seeds.tokenizerSeeds());
    case 'tsv':
      return corpusFormat(name, seeds.tsvSeeds());
    case 'jsonl':
      return corpusFormat(name, seeds.jsonlSeeds());
  }
}
