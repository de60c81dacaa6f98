// The backend-independent half of a LoadedModel: padding, layer checks, the decoding loop's
// bookkeeping, text streaming for generate, sentence batching for embed, targets and sums for the
// per-token NLL. Each backend supplies only what runs on its device: one decoder step that returns
// the sampled ids, one group of pooled sentence vectors, one group of per-token NLLs.
// Shapes: B sequences right-padded to T; prefill tokens [B, T], then [B, 1] per decoding step.

import { GpuLimitError, ShapeError } from '../errors';
import { randomArray } from '../reference/random';
import type { Pooling } from '../reference/pooling';
import type { DecoderConfig } from './config';
import type { EmbedResult, GenerateOptions, GenerateResult } from './loaded-model';
import { createStreamDecoder, type Tokenizer } from './tokenizer';

/** Sentences per forward in embed and sequenceNll: bounds activation memory for long lists. */
export const EMBED_BATCH = 16;

/** One forward step's input (ARCHITECTURE decision 13): new tokens of B sequences against their KV caches. */
export interface StepInput {
  /** Token ids [B, Tq], right-padded. */
  tokens: Uint32Array;
  B: number;
  Tq: number;
  /** Tokens already in the cache per sequence (0 for prefill). */
  past: number[];
  /** Real new tokens per sequence (<= Tq). */
  qLen: number[];
}

/** Checks a step against its caches (Tmax positions) and RoPE tables (P positions) before any backend runs it. */
export function checkStep(config: DecoderConfig, input: StepInput, Tmax: number, P: number): void {
  for (let b = 0; b < input.B; b++) {
    const end = input.past[b] + input.qLen[b];
    if (end > Tmax) throw new ShapeError(`Sequence ${b} needs ${end} positions; the cache holds ${Tmax}.`, { b, Tmax });
    if (end > P) throw new ShapeError(`Sequence ${b} needs ${end} positions; the model was loaded for ${P} (its maximum is ${config.maxPositions}).`, { b, P });
  }
  for (const id of input.tokens) if (id >= config.vocabSize) throw new ShapeError(`Token id ${id} is outside the vocabulary (${config.vocabSize}).`, { id });
}

/** Rows of each sequence's last real token in a step's [B*Tq] rows (row b*Tq for a sequence with no new token). */
export function lastRows(input: StepInput): Uint32Array {
  return Uint32Array.from({ length: input.B }, (_, b) => b * input.Tq + Math.max(1, input.qLen[b]) - 1);
}

/** Position of each of a step's [B*Tq] rows: past[b] + t. */
export function stepPositions(input: StepInput): Uint32Array {
  return Uint32Array.from({ length: input.B * input.Tq }, (_, i) => input.past[Math.floor(i / input.Tq)] + (i % input.Tq));
}

/** What a step returns: hidden states of these indices (0 = embeddings), logits of every row, each sequence's last row, or none. */
export interface StepOptions {
  hiddenLayers?: number[];
  logits?: 'all' | 'last' | 'none';
}

/** The attention kernels' seq table [B, 2]: { past, qLen } per sequence. */
export function sequenceTable(input: StepInput): Uint32Array {
  return Uint32Array.from(input.past.flatMap((p, b) => [p, input.qLen[b]]));
}

/** One step's outputs on a backend whose tensors are T; the caller releases them. */
export interface StepOutput<T> {
  /** [B, Tq, V], or [B, V] at each sequence's last real token for 'last'. */
  logits: T | null;
  /** Requested hidden states, index -> [B, Tq, C]. */
  hidden: Map<number, T>;
}

export function pad(ids: number[][]): { B: number; T: number; tokens: Uint32Array; lengths: number[] } {
  const B = ids.length;
  const lengths = ids.map((s) => s.length);
  if (B === 0 || lengths.some((n) => n === 0)) throw new ShapeError('Every sequence needs at least one token.', { lengths });
  const T = Math.max(...lengths);
  const tokens = new Uint32Array(B * T);
  ids.forEach((s, b) => tokens.set(s, b * T));
  return { B, T, tokens, lengths };
}

/** A prefill of B right-padded sequences starting at position 0. */
export function prefillInput(ids: number[][]): StepInput & { lengths: number[] } {
  const { B, T, tokens, lengths } = pad(ids);
  return { tokens, B, Tq: T, past: Array(B).fill(0), qLen: lengths, lengths };
}

export function checkLayers(config: DecoderConfig, layers: readonly number[]): void {
  for (const l of layers) if (!(l >= 0 && l <= config.numLayers)) throw new ShapeError(`Layer ${l} does not exist: hidden states run from 0 (embeddings) to ${config.numLayers}.`, { layer: l });
}

/** Rows [B, T, width] of a padded result, cut per sequence to its real length: [T_b, width] each. */
export function splitRows(data: Float32Array | null, lengths: number[], T: number, width: number): Float32Array[] {
  return lengths.map((n, b) => (data ? data.slice(b * T * width, (b * T + n) * width) : new Float32Array(0)));
}

/**
 * Consecutive groups of at most EMBED_BATCH sequences whose padded size B x T stays within `rows`
 * token rows (what a GPU binding holds of the step's widest activation; Infinity on the CPU). A
 * sequence longer than `rows` alone cannot be evaluated on this adapter.
 */
export function tokenBudgetGroups(ids: number[][], rows: number): number[][][] {
  const groups: number[][][] = [];
  let group: number[][] = [];
  let T = 0;
  ids.forEach((seq, i) => {
    if (seq.length > rows) {
      throw new GpuLimitError(`Sequence ${i + 1} has ${seq.length} tokens, but this adapter holds the activations of at most ${rows} tokens in one buffer (maxStorageBufferBindingSize); shorten the sentence.`, { index: i, tokens: seq.length, rows });
    }
    const t = Math.max(T, seq.length);
    if (group.length === EMBED_BATCH || (group.length + 1) * t > rows) {
      groups.push(group);
      group = [];
    }
    group.push(seq);
    T = Math.max(...group.map((s) => s.length));
  });
  if (group.length) groups.push(group);
  return groups;
}

/** targets [B*T]: targets[b, t] = ids[b][t + 1]; the last position and padding predict nothing (0, skipped when summing). */
export function nextTokenTargets(group: number[][], T: number): Uint32Array {
  const targets = new Uint32Array(group.length * T);
  group.forEach((seq, b) => targets.set(seq.slice(1), b * T));
  return targets;
}

/** Per sequence: the sum of its first length - 1 per-token NLLs out of perToken [B, T]. */
export function sumNll(perToken: ArrayLike<number>, lengths: number[], T: number): number[] {
  return lengths.map((n, b) => {
    let s = 0;
    for (let t = 0; t < n - 1; t++) s += perToken[b * T + t];
    return s;
  });
}

/** A backend's decoding session over KV caches of `capacity` positions for B sequences. */
export interface Stepper {
  /** Runs one step and returns each sequence's next token, sampled with its uniform draw u [B] in [0, 1). */
  step(input: StepInput, u: Float32Array): Promise<Uint32Array>;
  /** Releases the caches. */
  close(): void;
}

export interface LoopOptions {
  maxNewTokens: number;
  topK: number;
  temperature?: number;
  seed?: number;
}

/**
 * The decoding loop shared by generate and generateGreedy (ARCHITECTURE decision 23): B prompts
 * right-padded for the prefill, then tokens [B, 1] per step; caches hold up to the prompt plus
 * maxNewTokens, at most `positions`. A finished sequence is fed with qLen 0 (nothing cached, its
 * token ignored). `onToken(b, id)` gets each sequence's next token and returns false to end it.
 */
export async function decodeLoop(
  prompts: number[][],
  positions: number,
  opts: LoopOptions,
  open: (B: number, capacity: number) => Stepper,
  onToken: (b: number, id: number) => boolean,
): Promise<DecodeTiming> {
  const B = prompts.length;
  const prefill = pad(prompts);
  const capacity = Math.min(prefill.T + opts.maxNewTokens, positions);
  const stepper = open(B, capacity);
  const live = prompts.map(() => true);
  const past: number[] = Array(B).fill(0);
  let next = { tokens: prefill.tokens, Tq: prefill.T, qLen: prefill.lengths };
  const timing: DecodeTiming = { promptTokens: prefill.T, prefillMs: 0, decodeSteps: 0, decodeMs: 0, finalPast: 0 };
  try {
    for (let step = 0; step < opts.maxNewTokens; step++) {
      for (let b = 0; b < B; b++) if (past[b] + next.qLen[b] > capacity) live[b] = false;
      if (!live.some(Boolean)) break;
      const qLen = next.qLen.map((n, b) => (live[b] ? n : 0));
      const u = randomArray(B, (opts.seed ?? 1) * 7919 + step).map((v) => (v + 1) / 2);
      // Each step ends with its B ids read back, so wall clock around it is the step's time.
      const t0 = performance.now();
      const ids = await stepper.step({ tokens: next.tokens, B, Tq: next.Tq, past: [...past], qLen }, u);
      const ms = performance.now() - t0;
      if (step === 0) timing.prefillMs = ms;
      else (timing.decodeMs += ms), (timing.decodeSteps += 1);
      for (let b = 0; b < B; b++) {
        past[b] += qLen[b];
        if (live[b] && !onToken(b, ids[b])) live[b] = false;
        if (!live[b]) ids[b] = 0;
      }
      next = { tokens: ids, Tq: 1, qLen: Array(B).fill(1) };
    }
  } finally {
    stepper.close();
  }
  timing.finalPast = Math.max(0, ...past);
  return timing;
}

/**
 * Wall clock of a decoding loop: the first step (the prompt's prefill, which also yields the first
 * new token) and the steps after it, each one token per sequence against the KV cache.
 */
export interface DecodeTiming {
  /** Padded prompt length the prefill ran over. */
  promptTokens: number;
  prefillMs: number;
  decodeSteps: number;
  decodeMs: number;
  /** Cached positions of the longest sequence at the end (the KV cache the last step read). */
  finalPast: number;
}

export type Loop = (prompts: number[][], opts: LoopOptions, onToken: (b: number, id: number) => boolean) => Promise<DecodeTiming>;

/** generate's bookkeeping: the prompt with BOS, streamed text, EOS and stop strings; `loop` runs decodeLoop on a backend. */
export async function generateText(tokenizer: Tokenizer, prompt: string, opts: GenerateOptions, loop: Loop, onText?: (piece: string) => void): Promise<GenerateResult> {
  const promptIds = tokenizer.encode(prompt, { addBos: true });
  if (promptIds.length === 0) throw new ShapeError('The prompt is empty and the tokenizer adds no BOS token: type something to continue.', {});
  const stream = createStreamDecoder(tokenizer);
  const tokens: number[] = [];
  let text = '';
  let stopped: GenerateResult['stopped'] = 'length';
  const topK = opts.temperature && opts.temperature > 0 ? (opts.topK ?? 40) : 1;
  const timing = await loop([promptIds], { ...opts, topK }, (_, id) => {
    if (tokenizer.eosIds.includes(id)) {
      stopped = 'eos';
      return false;
    }
    tokens.push(id);
    // Checkpoints may pad the embedding matrix past the tokenizer's vocabulary; such ids have no text.
    const piece = id < tokenizer.vocabSize ? stream.push(id) : '';
    text += piece;
    const hit = opts.stop?.find((s) => text.includes(s));
    if (hit !== undefined) {
      text = text.slice(0, text.indexOf(hit));
      stopped = 'stop';
      return false;
    }
    if (piece) onText?.(piece);
    return true;
  });
  return { text, tokens, stopped, timing };
}

/** generateGreedy's bookkeeping: each prompt's tokens up to its first EOS. */
export async function greedyContinuations(tokenizer: Tokenizer, prompts: number[][], maxNewTokens: number, loop: Loop): Promise<number[][]> {
  if (prompts.some((p) => p.length === 0)) throw new ShapeError('Every prompt needs at least one token.', {});
  const out = prompts.map((): number[] => []);
  await loop(prompts, { maxNewTokens, topK: 1 }, (b, id) => {
    if (tokenizer.eosIds.includes(id)) return false;
    out[b].push(id);
    return true;
  });
  return out;
}

/**
 * embed's bookkeeping: sentences tokenised without BOS and cut to `positions` tokens, in groups of
 * EMBED_BATCH; `pooled(group)` returns per layer the group's vectors [group.length, C].
 */
export async function embedSentences(
  config: DecoderConfig,
  tokenizer: Tokenizer,
  positions: number,
  sentences: string[],
  opts: { layers: number[]; pooling: Pooling },
  pooled: (group: number[][]) => Promise<Float32Array[]>,
  onBatch?: (done: number, total: number) => void,
): Promise<EmbedResult> {
  const C = config.hiddenSize;
  checkLayers(config, opts.layers);
  const P = Math.min(config.maxPositions, positions);
  const full = sentences.map((s) => tokenizer.encode(s, { addBos: false }));
  const truncated = full.filter((t) => t.length > P).length;
  const ids = full.map((t) => t.slice(0, P));
  const empty = ids.findIndex((t) => t.length === 0);
  if (empty >= 0) throw new ShapeError(`Sentence ${empty + 1} is empty: nothing to embed.`, { index: empty });
  const vectors = opts.layers.map(() => new Float32Array(sentences.length * C));
  for (let start = 0; start < ids.length; start += EMBED_BATCH) {
    const group = await pooled(ids.slice(start, start + EMBED_BATCH));
    group.forEach((v, i) => vectors[i].set(v, start * C));
    onBatch?.(Math.min(start + EMBED_BATCH, ids.length), ids.length);
  }
  return { layers: opts.layers, vectors, dim: C, truncated };
}
