// LoadedModel: what the engine asks of a loaded model, whichever backend runs it — `Model` on WebGPU
// (model.ts) or `CpuModel` on WebAssembly SIMD threads (src/cpu/model.ts). Both give the same results
// to float32 rounding (backend parity tests); what does not depend on the backend (tokenising, the
// decoding loop's bookkeeping, batching sentences, pooling) lives once in generation.ts.
// Shapes: a batch of B token sequences, right-padded to T; C hidden, V vocab.

import type { Pooling } from '../reference/pooling';
import type { DecoderConfig } from './config';
import type { DecodeTiming } from './generation';
import type { HostModel } from './load';
import type { QuantKind } from './quant';
import type { Tokenizer } from './tokenizer';
import { parameterCount } from './weights';

export type WeightQuant = QuantKind | 'f32';

/** Where a model runs: the WebGPU kernels (src/kernels) or the WebAssembly SIMD kernels (src/cpu). */
export type BackendName = 'webgpu' | 'cpu';

export interface ModelInfo {
  name: string;
  architecture: DecoderConfig['architecture'];
  config: DecoderConfig;
  parameters: number;
  quant: WeightQuant;
  weightsFormat: HostModel['weightsFormat'];
  fileBytes: number;
  /** Bytes the weights take where they run: GPU pool bytes on WebGPU, wasm memory on the CPU route. */
  gpuBytes: number;
  vocabSize: number;
  backend: BackendName;
  /** One line: what runs the model (adapter, or SIMD build and threads, and why fewer threads). */
  backendNote: string;
}

/** The info of a model just loaded from `host`; `bytes` are what its weights took where they run. */
export function modelInfo(host: HostModel, quant: WeightQuant, name: string, bytes: number, backend: BackendName, backendNote: string): ModelInfo {
  const config = host.config;
  return { name, architecture: config.architecture, config, parameters: parameterCount(config), quant, weightsFormat: host.weightsFormat, fileBytes: host.fileBytes, gpuBytes: bytes, vocabSize: config.vocabSize, backend, backendNote };
}

export interface ForwardResult {
  /** Per sequence: logits [T_b, V] of its real tokens. */
  logits: Float32Array[];
  /** Per requested layer: per sequence [T_b, C]. */
  hidden: Map<number, Float32Array[]>;
}

export interface GenerateOptions {
  maxNewTokens: number;
  /** 0 or topK 1 = greedy. */
  temperature?: number;
  topK?: number;
  seed?: number;
  /** Strings that end generation (not included in the output). */
  stop?: string[];
}

export interface GenerateResult {
  text: string;
  tokens: number[];
  stopped: 'eos' | 'stop' | 'length';
  timing: DecodeTiming;
}

export interface EmbedResult {
  layers: number[];
  /** Sentences cut to the model's context. */
  truncated: number;
  /** Per layer: [n, C] row-major, one row per sentence. */
  vectors: Float32Array[];
  dim: number;
}

export interface LoadedModel {
  readonly backend: BackendName;
  readonly tokenizer: Tokenizer;
  readonly info: ModelInfo;
  readonly config: DecoderConfig;
  /** Logits and hidden states (0 = embeddings, i = after layer i) of each sequence's real tokens. */
  forward(ids: number[][], opts?: { hiddenLayers?: number[]; logits?: boolean }): Promise<ForwardResult>;
  /** Continues `prompt`, calling `onText` with each newly completed piece of text. */
  generate(prompt: string, opts: GenerateOptions, onText?: (piece: string) => void): Promise<GenerateResult>;
  /** Greedy continuations of several prompts (ids, BOS included where wanted), each up to its first EOS (not included). */
  generateGreedy(prompts: number[][], maxNewTokens: number): Promise<number[][]>;
  /** Per sequence: Σ_{t>=1} -log p(ids[t] | ids[<t]) (nats), and how many tokens were predicted. */
  sequenceNll(ids: number[][], onBatch?: (done: number, total: number) => void): Promise<{ nll: number[]; tokens: number[] }>;
  /** One vector per sentence per layer: hidden states pooled over the sentence's tokens (cut to the context). */
  embed(sentences: string[], opts: { layers: number[]; pooling: Pooling }, onBatch?: (done: number, total: number) => void): Promise<EmbedResult>;
  /** A second copy of this model as its files hold it, on the same backend. */
  fromFiles(): Promise<LoadedModel>;
  release(): Promise<void>;
}
