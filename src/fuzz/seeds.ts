// The valid files every fuzz case starts from, made by the project's own writers (nothing
// downloaded): random tiny decoders (V 258, C 64, 2 layers, 4 heads over 2 kv heads, F 128) of each
// architecture as safetensors folders, our ONNX export (q4 and f32), onnx-community graphs (Optimum
// f32 with external data, genai-builder q4), GGUF files (Q8_0, Q4_0, F16, BF16), a byte-level BPE
// tokenizer trained on the sample corpus, and the shipped sample corpus as TSV, TSV.gz and JSONL.

import { readFileSync } from 'node:fs';
import { exportDecoderOnnx } from '../export/onnx';
import { trainByteLevelBpe } from '../model/bpe-trainer';
import { toHfConfig, type DecoderConfig } from '../model/config';
import { GGML } from '../model/gguf-quant';
import { randomWeights } from '../model/random-model';
import { byteLevelTokenizerJson } from '../model/byte-tokenizer';
import { RANDOM_MODEL_SPECIALS, randomModelConfig, randomModelFiles } from '../model/random-source';
import { readTsv } from '../data/tsv';
import { decoderGguf } from '../test/gguf-writer';
import { genaiQ4, optimumF32 } from '../test/onnx-community-fixtures';

/** A model folder: file name -> bytes, with the file the format mutates. */
export interface FolderSeed {
  label: string;
  files: Map<string, Uint8Array>;
  target: string;
}

/** A corpus file: its name (the extension picks the reader) and bytes. */
export interface CorpusSeed {
  name: string;
  text: string;
  /** Gzip the (mutated) text before reading, as a .tsv.gz. */
  gzip?: boolean;
  languages?: string[];
}

const json = (v: unknown) => new TextEncoder().encode(JSON.stringify(v, null, 2));

const QWEN2_SHAPE: Partial<DecoderConfig> = { architecture: 'qwen2', attentionBias: true, tieWordEmbeddings: true };
const QWEN3_SHAPE: Partial<DecoderConfig> = { architecture: 'qwen3', ropeScaling: { type: 'llama3', factor: 8, lowFreqFactor: 1, highFreqFactor: 4, originalMaxPositions: 64 } };
const LLAMA = randomModelConfig();
const QWEN2 = randomModelConfig(QWEN2_SHAPE);
const QWEN3 = randomModelConfig(QWEN3_SHAPE);

const SAMPLE_TSV = new URL('../../public/data/sample.tsv', import.meta.url);

let sampleCache: string | undefined;
function sampleText(): string {
  return (sampleCache ??= readFileSync(SAMPLE_TSV, 'utf8'));
}

/** The random model's folder (config.json, tokenizer.json, tokenizer_config.json, model.safetensors). */
async function randomFolder(seed: number, shape: Partial<DecoderConfig> = {}): Promise<Map<string, Uint8Array>> {
  const src = randomModelFiles(seed, shape);
  const files = new Map<string, Uint8Array>();
  for (const n of ['config.json', 'tokenizer.json', 'tokenizer_config.json', 'model.safetensors']) files.set(n, await src.read(n));
  return files;
}

export async function safetensorsSeeds(): Promise<FolderSeed[]> {
  return [
    { label: 'llama untied', files: await randomFolder(1), target: 'model.safetensors' },
    { label: 'qwen2 tied, q/k/v biases', files: await randomFolder(2, QWEN2_SHAPE), target: 'model.safetensors' },
  ];
}

export async function configSeeds(): Promise<FolderSeed[]> {
  return [
    { label: 'llama', files: await randomFolder(1), target: 'config.json' },
    { label: 'qwen3, llama3 rope scaling', files: await randomFolder(3, QWEN3_SHAPE), target: 'config.json' },
  ];
}

function tokenizerFile(): Uint8Array {
  return json(bpeTokenizerJson());
}

/** The random model's byte-level tokenizer: its 258 ids fit the 258-row embeddings of the ONNX seeds. */
function byteTokenizerFile(): Uint8Array {
  return json(byteLevelTokenizerJson(RANDOM_MODEL_SPECIALS));
}

export function onnxSeeds(): FolderSeed[] {
  const folder = (label: string, c: DecoderConfig, seed: number, opts: Parameters<typeof exportDecoderOnnx>[2]): FolderSeed => ({
    label,
    files: new Map([['model.onnx', exportDecoderOnnx(c, randomWeights(c, seed), opts)], ['tokenizer.json', byteTokenizerFile()]]),
    target: 'model.onnx',
  });
  return [folder('llama q4', LLAMA, 1, { quant: 'q4' }), folder('qwen3 f32', QWEN3, 3, { quant: 'f32' }), folder('qwen2 q4 zero points, kv cache', QWEN2, 2, { quant: 'q4', zeroPoints: true, kvCache: true })];
}

export function communityOnnxSeeds(): FolderSeed[] {
  const base = (c: DecoderConfig) => new Map([['config.json', json(toHfConfig(c))], ['tokenizer.json', byteTokenizerFile()]]);
  const optimum = optimumF32(LLAMA, randomWeights(LLAMA, 1), { external: 'model.onnx_data' });
  const withExternal = base(LLAMA);
  withExternal.set('onnx/model.onnx', optimum.model);
  withExternal.set('onnx/model.onnx_data', optimum.external!.data);
  const qwen3 = base(QWEN3);
  qwen3.set('onnx/model.onnx', optimumF32(QWEN3, randomWeights(QWEN3, 3), { fusedQkv: false }).model);
  const genai = base(LLAMA);
  genai.set('onnx/model_q4.onnx', genaiQ4(LLAMA, randomWeights(LLAMA, 1)).model);
  return [
    { label: 'optimum f32, external data', files: withExternal, target: 'onnx/model.onnx' },
    { label: 'optimum f32, external data (data file damaged)', files: withExternal, target: 'onnx/model.onnx_data' },
    { label: 'optimum qwen3 f32, unfused qkv', files: qwen3, target: 'onnx/model.onnx' },
    { label: 'genai q4, f16 scales', files: genai, target: 'onnx/model_q4.onnx' },
  ];
}

export function ggufSeeds(): FolderSeed[] {
  const tok = bpeTokenizerJson();
  const vocab = (tok.model as { vocab: Record<string, number> }).vocab;
  const tokenizer = { json: tok, bos: vocab['<s>'], eos: vocab['</s>'], addBos: true, pre: 'alignscope' };
  const gguf = (label: string, c: DecoderConfig, type: number): FolderSeed => {
    const config = { ...c, vocabSize: Object.keys(vocab).length };
    return { label, files: new Map([['model.gguf', decoderGguf(config, randomWeights(config, 5), { type, tokenizer })]]), target: 'model.gguf' };
  };
  return [gguf('llama Q8_0', LLAMA, GGML.Q8_0), gguf('llama Q4_0', LLAMA, GGML.Q4_0), gguf('qwen2 F16', QWEN2, GGML.F16), gguf('qwen3 BF16', QWEN3, GGML.BF16)];
}

let bpeCache: Record<string, unknown> | undefined;

/** A byte-level BPE (vocabulary 400: bytes, <s>, </s>, merges) trained on the sample corpus; built once. */
export function bpeTokenizerJson(): Record<string, unknown> {
  if (!bpeCache) {
    const { corpus } = readTsv(sampleText(), 'sample.tsv');
    bpeCache = trainByteLevelBpe(corpus.tuples.flatMap((t) => Object.values(t)), { vocabSize: 400, specials: ['<s>', '</s>'] });
  }
  return structuredClone(bpeCache);
}

/** tokenizer.json (and tokenizer_config.json) seeds: the trained BPE, and the random model's byte tokenizer. */
export async function tokenizerSeeds(): Promise<FolderSeed[]> {
  const config = json({ bos_token: '<s>', eos_token: '</s>', add_bos_token: true, added_tokens_decoder: { '256': { content: '<s>', special: true } } });
  const bytes = (await randomFolder(1)).get('tokenizer.json')!;
  return [
    { label: 'trained BPE', files: new Map([['tokenizer.json', tokenizerFile()], ['tokenizer_config.json', config]]), target: 'tokenizer.json' },
    { label: 'trained BPE (config damaged)', files: new Map([['tokenizer.json', tokenizerFile()], ['tokenizer_config.json', config]]), target: 'tokenizer_config.json' },
    { label: 'byte-level, no merges', files: new Map([['tokenizer.json', bytes]]), target: 'tokenizer.json' },
  ];
}

export function tsvSeeds(): CorpusSeed[] {
  const text = sampleText();
  const lines = text.split('\n');
  // a `split` column after the id, as the software corpus has
  const withSplit = lines.map((l, i) => (l.startsWith('#') || l === '' ? l : l.replace('\t', `\t${i === 2 ? 'split' : ['train', 'dev', 'test'][i % 3]}\t`))).join('\n');
  return [{ name: 'sample.tsv', text }, { name: 'split.tsv', text: withSplit }, { name: 'sample.tsv.gz', text, gzip: true }];
}

export function jsonlSeeds(): CorpusSeed[] {
  const { corpus } = readTsv(sampleText(), 'sample.tsv');
  const lines = (withIds: 'string' | 'number' | 'none') =>
    corpus.tuples.map((t, i) => JSON.stringify(withIds === 'none' ? t : { id: withIds === 'string' ? corpus.ids![i] : i + 1, ...t })).join('\n') + '\n';
  return [
    { name: 'sample.jsonl', text: lines('string') },
    { name: 'numbered.ndjson', text: lines('number') },
    { name: 'plain.jsonl', text: lines('none'), languages: ['en', 'zh', 'cs'] },
  ];
}
