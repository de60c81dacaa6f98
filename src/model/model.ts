// A loaded model on the GPU: forward (logits + chosen hidden states), streaming generation with
// the KV cache and GPU sampling, and sentence embeddings (pooled hidden states per layer).
// Shapes: a batch of B token sequences, right-padded to T; C hidden, V vocab.
// After a device loss the weights are re-read from the same files on the next call.

import type { GpuContext, GpuRuntime } from '../gpu/runtime';
import { tokenNll } from '../kernels/loss';
import { pool } from '../kernels/pooling';
import { sample } from '../kernels/sample';
import { releaseTensor, uploadTensor, uploadU32, type GpuTensor } from '../kernels/tensor';
import { GpuLimitError, ShapeError } from '../errors';
import { randomArray } from '../reference/random';
import type { Pooling } from '../reference/pooling';
import type { DecoderConfig } from './config';
import { createCaches, decoderStep, releaseDecoder, uploadDecoder, type GpuDecoder, type WeightQuant } from './decoder';
import type { HostModel } from './load';
import { createStreamDecoder, type Tokenizer } from './tokenizer';
import { parameterCount } from './weights';

export interface ModelInfo {
  name: string;
  architecture: DecoderConfig['architecture'];
  config: DecoderConfig;
  parameters: number;
  quant: WeightQuant;
  weightsFormat: HostModel['weightsFormat'];
  fileBytes: number;
  /** Bytes the weights take on the GPU (pool live bytes added by the upload). */
  gpuBytes: number;
  vocabSize: number;
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
}

export interface EmbedResult {
  layers: number[];
  /** Sentences cut to the model's context. */
  truncated: number;
  /** Per layer: [n, C] row-major, one row per sentence. */
  vectors: Float32Array[];
  dim: number;
}

/** Sentences embedded per GPU batch: bounds activation memory for long lists. */
const EMBED_BATCH = 16;

export class Model {
  private constructor(
    private readonly rt: GpuRuntime,
    private gpu: GpuDecoder,
    readonly tokenizer: Tokenizer,
    readonly info: ModelInfo,
    /** Re-reads the host model after a device loss. */
    private readonly reload: () => Promise<HostModel>,
  ) {}

  static async load(rt: GpuRuntime, host: HostModel, quant: WeightQuant, name: string, reload: () => Promise<HostModel>): Promise<Model> {
    return rt.run(async (ctx) => {
      const before = ctx.pool.stats().liveBytes;
      const gpu = uploadDecoder(ctx, host.config, host.weights, quant, { prequantized: host.quantized });
      const info: ModelInfo = {
        name,
        architecture: host.config.architecture,
        config: host.config,
        parameters: parameterCount(host.config),
        quant,
        weightsFormat: host.weightsFormat,
        fileBytes: host.fileBytes,
        gpuBytes: ctx.pool.stats().liveBytes - before,
        vocabSize: host.config.vocabSize,
      };
      return new Model(rt, gpu, host.tokenizer, info, reload);
    });
  }

  get config(): DecoderConfig {
    return this.info.config;
  }

  release(): Promise<void> {
    return this.rt.run(async (ctx) => {
      if (this.gpu.generation === ctx.generation) releaseDecoder(ctx, this.gpu);
    });
  }

  /** The GPU weights, for training (full fine-tuning updates them in place). */
  gpuDecoder(): Promise<GpuDecoder> {
    return this.rt.run((ctx) => this.decoder(ctx));
  }

  /**
   * Called inside the re-upload after a device loss, on the new device, before anything uses the
   * fresh weights: training puts back what it changed (see TrainingSession). Synchronous, so no
   * other GPU work can see the model between the upload and the restore.
   */
  onReupload: ((ctx: GpuContext, decoder: GpuDecoder) => void) | null = null;

  /** The decoder on the current device, re-uploaded if the device changed since. */
  private async decoder(ctx: GpuContext): Promise<GpuDecoder> {
    if (this.gpu.generation !== ctx.generation) {
      const host = await this.reload();
      this.gpu = uploadDecoder(ctx, host.config, host.weights, this.info.quant, { prequantized: host.quantized });
      this.onReupload?.(ctx, this.gpu);
    }
    return this.gpu;
  }

  /** Logits and hidden states (0 = embeddings, i = after layer i) of each sequence's real tokens. */
  forward(ids: number[][], opts: { hiddenLayers?: number[]; logits?: boolean } = {}): Promise<ForwardResult> {
    const layers = opts.hiddenLayers ?? [];
    for (const l of layers) if (!(l >= 0 && l <= this.config.numLayers)) throw new ShapeError(`Layer ${l} does not exist: hidden states run from 0 (embeddings) to ${this.config.numLayers}.`, { layer: l });
    return this.rt.run(async (ctx) => {
      const m = await this.decoder(ctx);
      const { B, T, tokens, lengths } = pad(ids);
      const caches = createCaches(ctx, m, B, T);
      const batch = ctx.batch();
      const out = await decoderStep(ctx, batch, m, caches, { tokens, B, Tq: T, past: Array(B).fill(0), qLen: lengths }, { hiddenLayers: layers, logits: opts.logits === false ? 'none' : 'all' });
      const reads = [out.logits, ...layers.map((l) => out.hidden.get(l)!)].map((t) => (t ? batch.read(t.buffer.buffer, t.shape.reduce((a, b) => a * b, 1) * 4) : null));
      await batch.submit();
      const [logitsBuf, ...hiddenBufs] = await Promise.all(reads);
      release(ctx, [...caches.flatMap((c) => [c.k, c.v]), out.logits, ...out.hidden.values()]);
      const split = (buf: ArrayBuffer | null, width: number) => lengths.map((n, b) => (buf ? new Float32Array(buf, b * T * width * 4, n * width).slice() : new Float32Array(0)));
      return {
        logits: split(logitsBuf, this.config.vocabSize),
        hidden: new Map(layers.map((l, i) => [l, split(hiddenBufs[i], this.config.hiddenSize)])),
      };
    });
  }

  /** Continues `prompt`, calling `onText` with each newly completed piece of text. */
  generate(prompt: string, opts: GenerateOptions, onText?: (piece: string) => void): Promise<GenerateResult> {
    const promptIds = this.tokenizer.encode(prompt, { addBos: true });
    if (promptIds.length === 0) throw new ShapeError('The prompt is empty and the tokenizer adds no BOS token: type something to continue.', {});
    const stream = createStreamDecoder(this.tokenizer);
    const tokens: number[] = [];
    let text = '';
    let stopped: GenerateResult['stopped'] = 'length';
    const topK = opts.temperature && opts.temperature > 0 ? (opts.topK ?? 40) : 1;
    return this.rt.run(async (ctx) => {
      await this.decodeLoop(ctx, await this.decoder(ctx), [promptIds], { ...opts, topK }, (_, id) => {
        if (this.tokenizer.eosIds.includes(id)) {
          stopped = 'eos';
          return false;
        }
        tokens.push(id);
        // Checkpoints may pad the embedding matrix past the tokenizer's vocabulary; such ids have no text.
        const piece = id < this.tokenizer.vocabSize ? stream.push(id) : '';
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
      return { text, tokens, stopped };
    });
  }

  /**
   * Greedy continuations of several prompts (token ids, BOS included where wanted) at once, each up
   * to its first EOS (not included) or `maxNewTokens`: one prefill, then one batched step per token.
   */
  generateGreedy(prompts: number[][], maxNewTokens: number): Promise<number[][]> {
    if (prompts.some((p) => p.length === 0)) throw new ShapeError('Every prompt needs at least one token.', {});
    const out = prompts.map((): number[] => []);
    return this.rt.run(async (ctx) => {
      await this.decodeLoop(ctx, await this.decoder(ctx), prompts, { maxNewTokens, topK: 1 }, (b, id) => {
        if (this.tokenizer.eosIds.includes(id)) return false;
        out[b].push(id);
        return true;
      });
      return out;
    });
  }

  /**
   * The decoding loop shared by generate and generateGreedy. Shapes: B prompts right-padded to T for
   * the prefill, then tokens [B, 1] per step; a KV cache [B, capacity, Hkv, D] per layer. A finished
   * sequence is fed with qLen 0 (nothing cached, its logits ignored). `onToken(b, id)` is called with
   * each sequence's next token and returns false to end that sequence.
   */
  private async decodeLoop(
    ctx: GpuContext,
    m: GpuDecoder,
    prompts: number[][],
    opts: { maxNewTokens: number; topK: number; temperature?: number; seed?: number },
    onToken: (b: number, id: number) => boolean,
  ): Promise<void> {
    const B = prompts.length;
    const prefill = pad(prompts);
    const capacity = Math.min(prefill.T + opts.maxNewTokens, m.rope.cos.shape[0]);
    const caches = createCaches(ctx, m, B, capacity);
    const live = prompts.map(() => true);
    const past: number[] = Array(B).fill(0);
    let next = { tokens: prefill.tokens, Tq: prefill.T, qLen: prefill.lengths };
    try {
      for (let step = 0; step < opts.maxNewTokens; step++) {
        for (let b = 0; b < B; b++) if (past[b] + next.qLen[b] > capacity) live[b] = false;
        if (!live.some(Boolean)) break;
        const qLen = next.qLen.map((n, b) => (live[b] ? n : 0));
        const batch = ctx.batch();
        const u = uploadTensor(ctx, randomArray(B, (opts.seed ?? 1) * 7919 + step).map((v) => (v + 1) / 2), [B], 'u');
        const out = await decoderStep(ctx, batch, m, caches, { tokens: next.tokens, B, Tq: next.Tq, past, qLen }, { logits: 'last' });
        const picked = await sample(ctx, batch, out.logits!, { topK: opts.topK, temperature: opts.temperature ?? 0, u });
        const read = batch.read(picked.buffer.buffer, 4 * B);
        await batch.submit();
        const ids = new Uint32Array(await read).slice();
        release(ctx, [u, out.logits, picked]);
        for (let b = 0; b < B; b++) {
          past[b] += qLen[b];
          if (live[b] && !onToken(b, ids[b])) live[b] = false;
          if (!live[b]) ids[b] = 0;
        }
        next = { tokens: ids, Tq: 1, qLen: Array(B).fill(1) };
      }
    } finally {
      release(ctx, caches.flatMap((c) => [c.k, c.v]));
    }
  }

  /**
   * Next-token negative log-likelihood of each sequence: the sum over t >= 1 of -log p(ids[t] | ids[<t])
   * (natural log), and how many tokens were predicted. The cross-entropy runs on the GPU and only one
   * number per token comes back (a 128k vocabulary would otherwise mean 512 KB read back per token).
   * Sequences go in groups of up to EMBED_BATCH whose logits [B, T, V] fit one storage binding.
   */
  async sequenceNll(ids: number[][], onBatch?: (done: number, total: number) => void): Promise<{ nll: number[]; tokens: number[] }> {
    const V = this.config.vocabSize;
    return this.rt.run(async (ctx) => {
      const m = await this.decoder(ctx);
      const rows = Math.floor(Math.min(ctx.limits.maxStorageBufferBindingSize, ctx.limits.maxBufferSize) / (4 * V));
      const nll: number[] = [];
      for (const group of tokenBudgetGroups(ids, rows)) {
        const { B, T, tokens, lengths } = pad(group);
        // targets[b, t] = ids[b][t + 1]; the last position and padding predict nothing (their NLL is skipped).
        const targets = new Uint32Array(B * T);
        group.forEach((seq, b) => targets.set(seq.slice(1), b * T));
        const caches = createCaches(ctx, m, B, T);
        const batch = ctx.batch();
        const out = await decoderStep(ctx, batch, m, caches, { tokens, B, Tq: T, past: Array(B).fill(0), qLen: lengths }, { logits: 'all' });
        const tgt = uploadU32(ctx, targets, [B * T], 'targets');
        const perToken = await tokenNll(ctx, batch, out.logits!, tgt);
        const read = batch.read(perToken.buffer.buffer, B * T * 4);
        await batch.submit();
        const values = new Float32Array(await read);
        release(ctx, [tgt, perToken, out.logits, ...caches.flatMap((c) => [c.k, c.v])]);
        lengths.forEach((n, b) => nll.push(values.subarray(b * T, b * T + n - 1).reduce((a, x) => a + x, 0)));
        onBatch?.(nll.length, ids.length);
      }
      return { nll, tokens: ids.map((s) => s.length - 1) };
    });
  }

  /** A second copy of this model as its files hold it (the base weights, before any fine-tuning). */
  async fromFiles(): Promise<Model> {
    return Model.load(this.rt, await this.reload(), this.info.quant, this.info.name, this.reload);
  }

  /**
   * One vector per sentence per layer: hidden states pooled over the sentence's tokens. A sentence
   * longer than the model's context is cut to it (`truncated` counts them).
   */
  embed(sentences: string[], opts: { layers: number[]; pooling: Pooling }, onBatch?: (done: number, total: number) => void): Promise<EmbedResult> {
    const C = this.config.hiddenSize;
    for (const l of opts.layers) if (!(l >= 0 && l <= this.config.numLayers)) throw new ShapeError(`Layer ${l} does not exist: hidden states run from 0 (embeddings) to ${this.config.numLayers}.`, { layer: l });
    const P = Math.min(this.config.maxPositions, this.gpu.rope.cos.shape[0]);
    const full = sentences.map((s) => this.tokenizer.encode(s, { addBos: false }));
    const truncated = full.filter((t) => t.length > P).length;
    const ids = full.map((t) => t.slice(0, P));
    const empty = ids.findIndex((t) => t.length === 0);
    if (empty >= 0) throw new ShapeError(`Sentence ${empty + 1} is empty: nothing to embed.`, { index: empty });
    return this.rt.run(async (ctx) => {
      const m = await this.decoder(ctx);
      const vectors = opts.layers.map(() => new Float32Array(sentences.length * C));
      for (let start = 0; start < ids.length; start += EMBED_BATCH) {
        const group = ids.slice(start, start + EMBED_BATCH);
        const { B, T, tokens, lengths } = pad(group);
        const caches = createCaches(ctx, m, B, T);
        const batch = ctx.batch();
        const lens = uploadU32(ctx, Uint32Array.from(lengths), [B], 'lengths');
        const out = await decoderStep(ctx, batch, m, caches, { tokens, B, Tq: T, past: Array(B).fill(0), qLen: lengths }, { hiddenLayers: opts.layers, logits: 'none' });
        const pooled: GpuTensor[] = [];
        for (const l of opts.layers) pooled.push(await pool(ctx, batch, out.hidden.get(l)!, lens, opts.pooling, `layer${l}.pooled`));
        const reads = pooled.map((t) => batch.read(t.buffer.buffer, B * C * 4));
        await batch.submit();
        const bufs = await Promise.all(reads);
        bufs.forEach((buf, i) => vectors[i].set(new Float32Array(buf), start * C));
        release(ctx, [lens, ...pooled, ...out.hidden.values(), ...caches.flatMap((c) => [c.k, c.v])]);
        onBatch?.(Math.min(start + EMBED_BATCH, ids.length), ids.length);
      }
      return { layers: opts.layers, vectors, dim: C, truncated };
    });
  }
}

/**
 * Consecutive groups of at most EMBED_BATCH sequences whose padded size B x T stays within `rows`
 * logit rows. A sequence longer than `rows` alone cannot be evaluated on this adapter.
 */
function tokenBudgetGroups(ids: number[][], rows: number): number[][][] {
  const groups: number[][][] = [];
  let group: number[][] = [];
  let T = 0;
  ids.forEach((seq, i) => {
    if (seq.length > rows) {
      throw new GpuLimitError(`Sequence ${i + 1} has ${seq.length} tokens, but this adapter holds the logits of at most ${rows} tokens in one buffer (maxStorageBufferBindingSize); shorten the sentence.`, { index: i, tokens: seq.length, rows });
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

function pad(ids: number[][]): { B: number; T: number; tokens: Uint32Array; lengths: number[] } {
  const B = ids.length;
  const lengths = ids.map((s) => s.length);
  if (B === 0 || lengths.some((n) => n === 0)) throw new ShapeError('Every sequence needs at least one token.', { lengths });
  const T = Math.max(...lengths);
  const tokens = new Uint32Array(B * T);
  ids.forEach((s, b) => tokens.set(s, b * T));
  return { B, T, tokens, lengths };
}

function release(ctx: GpuContext, ts: (GpuTensor | null)[]): void {
  for (const t of ts) if (t) releaseTensor(ctx, t);
}
