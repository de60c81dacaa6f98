// A loaded model on the GPU (the WebGPU LoadedModel): forward (logits + chosen hidden states),
// streaming generation with the KV cache and GPU sampling, and sentence embeddings (pooled hidden
// states per layer). The bookkeeping shared with the CPU route is in generation.ts.
// Shapes: a batch of B token sequences, right-padded to T; C hidden, V vocab.
// After a device loss the weights are re-read from the same files on the next call.

import type { GpuContext, GpuRuntime } from '../gpu/runtime';
import { pool } from '../kernels/pooling';
import { sample } from '../kernels/sample';
import { rmsNorm } from '../kernels/rmsnorm';
import { releaseTensor, reshape, uploadTensor, uploadU32, type GpuTensor } from '../kernels/tensor';
import { vocabCrossEntropy } from '../kernels/vocab';
import type { Pooling } from '../reference/pooling';
import type { DecoderConfig } from './config';
import { createCaches, decoderStep, releaseDecoder, uploadDecoder, type GpuDecoder } from './decoder';
import { checkLayers, decodeLoop, embedSentences, generateText, greedyContinuations, nextTokenTargets, prefillInput, splitRows, sumNll, tokenBudgetGroups, type Loop } from './generation';
import type { HostModel } from './load';
import { modelInfo, type EmbedResult, type ForwardResult, type GenerateOptions, type GenerateResult, type LoadedModel, type ModelInfo, type WeightQuant } from './loaded-model';
import type { Tokenizer } from './tokenizer';

export type { EmbedResult, ForwardResult, GenerateOptions, GenerateResult, ModelInfo } from './loaded-model';

export class Model implements LoadedModel {
  readonly backend = 'webgpu' as const;

  private constructor(
    private readonly rt: GpuRuntime,
    private gpu: GpuDecoder,
    readonly tokenizer: Tokenizer,
    readonly info: ModelInfo,
    /** Re-reads the host model after a device loss. */
    private readonly reload: () => Promise<HostModel>,
  ) {}

  /** Reads, converts and uploads the weights tensor by tensor (`onTensor` after each). */
  static async load(rt: GpuRuntime, host: HostModel, quant: WeightQuant, name: string, reload: () => Promise<HostModel>, onTensor?: (done: number, total: number) => void): Promise<Model> {
    return rt.run(async (ctx) => {
      const before = ctx.pool.stats().liveBytes;
      const gpu = await uploadDecoder(ctx, host.config, host.weights, quant, { onTensor });
      const report = ctx.report;
      const note = `WebGPU on ${report.description || report.vendor || 'an unnamed adapter'}${report.isFallbackAdapter ? ' (a software adapter)' : ''}`;
      const info = modelInfo(host, quant, name, ctx.pool.stats().liveBytes - before, 'webgpu', note);
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
      this.gpu = await uploadDecoder(ctx, host.config, host.weights, this.info.quant);
      this.onReupload?.(ctx, this.gpu);
    }
    return this.gpu;
  }

  /** Logits and hidden states (0 = embeddings, i = after layer i) of each sequence's real tokens. */
  forward(ids: number[][], opts: { hiddenLayers?: number[]; logits?: boolean } = {}): Promise<ForwardResult> {
    const layers = opts.hiddenLayers ?? [];
    checkLayers(this.config, layers);
    return this.rt.run(async (ctx) => {
      const m = await this.decoder(ctx);
      const input = prefillInput(ids);
      const { B, Tq: T, lengths } = input;
      const caches = createCaches(ctx, m, B, T);
      const batch = ctx.batch();
      const out = await decoderStep(ctx, batch, m, caches, input, { hiddenLayers: layers, logits: opts.logits === false ? 'none' : 'all' });
      const reads = [out.logits, ...layers.map((l) => out.hidden.get(l)!)].map((t) => (t ? batch.read(t.buffer.buffer, t.shape.reduce((a, b) => a * b, 1) * 4) : null));
      await batch.submit();
      const [logitsBuf, ...hiddenBufs] = await Promise.all(reads);
      release(ctx, [...caches.flatMap((c) => [c.k, c.v]), out.logits, ...out.hidden.values()]);
      const f32 = (buf: ArrayBuffer | null) => (buf ? new Float32Array(buf) : null);
      return {
        logits: splitRows(f32(logitsBuf), lengths, T, this.config.vocabSize),
        hidden: new Map(layers.map((l, i) => [l, splitRows(f32(hiddenBufs[i]), lengths, T, this.config.hiddenSize)])),
      };
    });
  }

  generate(prompt: string, opts: GenerateOptions, onText?: (piece: string) => void): Promise<GenerateResult> {
    return this.rt.run(async (ctx) => generateText(this.tokenizer, prompt, opts, this.loop(ctx, await this.decoder(ctx)), onText));
  }

  generateGreedy(prompts: number[][], maxNewTokens: number): Promise<number[][]> {
    return this.rt.run(async (ctx) => greedyContinuations(this.tokenizer, prompts, maxNewTokens, this.loop(ctx, await this.decoder(ctx))));
  }

  /** The shared decoding loop (generation.ts) on this device: one batch per step, sampling on the GPU, B ids read back. */
  private loop(ctx: GpuContext, m: GpuDecoder): Loop {
    return (prompts, opts, onToken) =>
      decodeLoop(
        prompts,
        m.rope.cos.shape[0],
        opts,
        (B, capacity) => {
          const caches = createCaches(ctx, m, B, capacity);
          return {
            step: async (input, uHost) => {
              const batch = ctx.batch();
              const u = uploadTensor(ctx, uHost, [B], 'u');
              const out = await decoderStep(ctx, batch, m, caches, input, { logits: 'last' });
              const picked = await sample(ctx, batch, out.logits!, { topK: opts.topK, temperature: opts.temperature ?? 0, u });
              const read = batch.read(picked.buffer.buffer, 4 * B);
              await batch.submit();
              const ids = new Uint32Array(await read).slice();
              release(ctx, [u, out.logits, picked]);
              return ids;
            },
            close: () => release(ctx, caches.flatMap((c) => [c.k, c.v])),
          };
        },
        onToken,
      );
  }

  /**
   * Next-token negative log-likelihood of each sequence (natural log). The cross-entropy runs on the
   * GPU shard by shard of the vocabulary (vocabCrossEntropy: never [B, T, V] logits), and only one
   * number per token comes back. Sequences go in groups of up to `rows` tokens, so every buffer of
   * the group's step (one vocabulary shard's logits, the MLP's activations) fits one storage binding.
   */
  async sequenceNll(ids: number[][], onBatch?: (done: number, total: number) => void): Promise<{ nll: number[]; tokens: number[] }> {
    const L = this.config.numLayers;
    return this.rt.run(async (ctx) => {
      const m = await this.decoder(ctx);
      // The widest row of any buffer the step makes: a vocabulary shard's logits, the MLP, the attention.
      const c = this.config;
      const widest = Math.max(...m.lmHead.shards.map((s) => s.end - s.begin), c.intermediateSize, c.numHeads * c.headDim, c.hiddenSize);
      const rows = Math.floor(Math.min(ctx.limits.maxStorageBufferBindingSize, ctx.limits.maxBufferSize) / (4 * widest));
      const nll: number[] = [];
      for (const group of tokenBudgetGroups(ids, rows)) {
        const input = prefillInput(group);
        const { B, Tq: T, lengths } = input;
        const caches = createCaches(ctx, m, B, T);
        const batch = ctx.batch();
        const out = await decoderStep(ctx, batch, m, caches, input, { hiddenLayers: [L], logits: 'none' });
        const last = out.hidden.get(L)!;
        const final = await rmsNorm(ctx, batch, reshape(last, [B * T, this.config.hiddenSize]), m.finalNorm, this.config.rmsNormEps, 'final_norm');
        const perToken = await vocabCrossEntropy(ctx, batch, final, m.lmHead, nextTokenTargets(group, T), undefined, 'token_nll');
        const read = batch.read(perToken.buffer.buffer, B * T * 4);
        await batch.submit();
        const values = new Float32Array(await read);
        release(ctx, [perToken, final, last, ...caches.flatMap((c) => [c.k, c.v])]);
        nll.push(...sumNll(values, lengths, T));
        onBatch?.(nll.length, ids.length);
      }
      return { nll, tokens: ids.map((s) => s.length - 1) };
    });
  }

  /** A second copy of this model as its files hold it (the base weights, before any fine-tuning). */
  async fromFiles(): Promise<Model> {
    return Model.load(this.rt, await this.reload(), this.info.quant, this.info.name, this.reload);
  }

  embed(sentences: string[], opts: { layers: number[]; pooling: Pooling }, onBatch?: (done: number, total: number) => void): Promise<EmbedResult> {
    const C = this.config.hiddenSize;
    return this.rt.run(async (ctx) => {
      const m = await this.decoder(ctx);
      return embedSentences(
        this.config,
        this.tokenizer,
        m.rope.cos.shape[0],
        sentences,
        opts,
        async (group) => {
          const input = prefillInput(group);
          const { B, Tq: T, lengths } = input;
          const caches = createCaches(ctx, m, B, T);
          const batch = ctx.batch();
          const lens = uploadU32(ctx, Uint32Array.from(lengths), [B], 'lengths');
          const out = await decoderStep(ctx, batch, m, caches, input, { hiddenLayers: opts.layers, logits: 'none' });
          const pooled: GpuTensor[] = [];
          for (const l of opts.layers) pooled.push(await pool(ctx, batch, out.hidden.get(l)!, lens, opts.pooling, `layer${l}.pooled`));
          const reads = pooled.map((t) => batch.read(t.buffer.buffer, B * C * 4));
          await batch.submit();
          const bufs = await Promise.all(reads);
          release(ctx, [lens, ...pooled, ...out.hidden.values(), ...caches.flatMap((c) => [c.k, c.v])]);
          return bufs.map((buf) => new Float32Array(buf));
        },
        onBatch,
      );
    });
  }
}

function release(ctx: GpuContext, ts: (GpuTensor | null)[]): void {
  for (const t of ts) if (t) releaseTensor(ctx, t);
}
