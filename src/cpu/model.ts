// A loaded model on the CPU route (the WebAssembly LoadedModel): the same methods and results as the
// WebGPU `Model` (src/model/model.ts), over cpuDecoderStep. The bookkeeping both share (decoding loop,
// text streaming, sentence batching, NLL targets) is src/model/generation.ts; here is only what runs
// on this backend: a step, sampling and pooling over the step's outputs, read from the wasm memory.
// Pooling is src/reference/pooling.ts itself (float64 mean or last row over [B, T, C]: one pass, cheap
// next to the forward), so the pooling maths exist once for the host.
// Shapes: a batch of B token sequences, right-padded to T; C hidden, V vocab.

import type { DecoderConfig } from '../model/config';
import { checkLayers, decodeLoop, embedSentences, generateText, greedyContinuations, nextTokenTargets, prefillInput, splitRows, sumNll, tokenBudgetGroups, type Loop } from '../model/generation';
import type { HostModel } from '../model/load';
import { modelInfo, type EmbedResult, type ForwardResult, type GenerateOptions, type GenerateResult, type LoadedModel, type ModelInfo, type WeightQuant } from '../model/loaded-model';
import type { Tokenizer } from '../model/tokenizer';
import { poolRef, type Pooling } from '../reference/pooling';
import { createCpuCaches, cpuDecoderStep, releaseCaches, releaseCpuDecoder, loadCpuDecoder, type CpuDecoder } from './decoder';
import { sampleRow, tokenNll } from './heads';
import type { CpuRuntime } from './runtime';

export class CpuModel implements LoadedModel {
  readonly backend = 'cpu' as const;

  private constructor(
    private readonly rt: CpuRuntime,
    private readonly m: CpuDecoder,
    readonly tokenizer: Tokenizer,
    readonly info: ModelInfo,
    /** Re-reads the host model (fromFiles). */
    private readonly reload: () => Promise<HostModel>,
    private readonly why: string,
  ) {}

  /** `why` is appended to the backend note (the engine's reason for the CPU route, when it chose it). */
  static async load(rt: CpuRuntime, host: HostModel, quant: WeightQuant, name: string, reload: () => Promise<HostModel>, why = '', onTensor?: (done: number, total: number) => void): Promise<CpuModel> {
    const before = rt.arena.stats().liveBytes;
    const m = await loadCpuDecoder(rt, host.config, host.weights, quant, { onTensor });
    const info = modelInfo(host, quant, name, rt.arena.stats().liveBytes - before, 'cpu', `CPU route: ${rt.description}${why}`);
    return new CpuModel(rt, m, host.tokenizer, info, reload, why);
  }

  get config(): DecoderConfig {
    return this.info.config;
  }

  /** The runtime and the weights in its memory, for training: full fine-tuning updates them in place, LoRA hangs adapters on them. */
  get training(): { rt: CpuRuntime; decoder: CpuDecoder } {
    return { rt: this.rt, decoder: this.m };
  }

  async release(): Promise<void> {
    releaseCpuDecoder(this.rt, this.m);
  }

  async fromFiles(): Promise<CpuModel> {
    return await CpuModel.load(this.rt, await this.reload(), this.info.quant, this.info.name, this.reload, this.why);
  }

  async forward(ids: number[][], opts: { hiddenLayers?: number[]; logits?: boolean } = {}): Promise<ForwardResult> {
    const layers = opts.hiddenLayers ?? [];
    checkLayers(this.config, layers);
    const input = prefillInput(ids);
    const { B, Tq: T, lengths } = input;
    const caches = createCpuCaches(this.rt, this.m, B, T);
    const out = cpuDecoderStep(this.rt, this.m, caches, input, { hiddenLayers: layers, logits: opts.logits === false ? 'none' : 'all' });
    const logits = out.logits ? this.rt.read(out.logits) : null;
    const hidden = new Map(layers.map((l) => [l, splitRows(this.rt.read(out.hidden.get(l)!), lengths, T, this.config.hiddenSize)]));
    for (const t of [out.logits, ...out.hidden.values()]) if (t) this.rt.release(t);
    releaseCaches(this.rt, caches);
    return { logits: splitRows(logits, lengths, T, this.config.vocabSize), hidden };
  }

  generate(prompt: string, opts: GenerateOptions, onText?: (piece: string) => void): Promise<GenerateResult> {
    return generateText(this.tokenizer, prompt, opts, this.loop, onText);
  }

  generateGreedy(prompts: number[][], maxNewTokens: number): Promise<number[][]> {
    return greedyContinuations(this.tokenizer, prompts, maxNewTokens, this.loop);
  }

  /** The shared decoding loop (generation.ts) on the CPU: logits of each sequence's last token, sampled in TypeScript. */
  private readonly loop: Loop = (prompts, opts, onToken) =>
    decodeLoop(
      prompts,
      this.m.rope.cos.shape[0],
      opts,
      (B, capacity) => {
        const caches = createCpuCaches(this.rt, this.m, B, capacity);
        const V = this.config.vocabSize;
        return {
          step: async (input, u) => {
            const { logits } = cpuDecoderStep(this.rt, this.m, caches, input, { logits: 'last' });
            const rows = this.rt.f32(logits!);
            const ids = Uint32Array.from({ length: B }, (_, b) => sampleRow(rows.subarray(b * V, (b + 1) * V), opts.topK, opts.temperature ?? 0, u[b]));
            this.rt.release(logits!);
            return ids;
          },
          close: () => releaseCaches(this.rt, caches),
        };
      },
      onToken,
    );

  /** Next-token negative log-likelihood of each sequence (natural log), in groups of up to EMBED_BATCH sequences. */
  async sequenceNll(ids: number[][], onBatch?: (done: number, total: number) => void): Promise<{ nll: number[]; tokens: number[] }> {
    const V = this.config.vocabSize;
    const nll: number[] = [];
    for (const group of tokenBudgetGroups(ids, Infinity)) {
      const input = prefillInput(group);
      const { B, Tq: T, lengths } = input;
      const caches = createCpuCaches(this.rt, this.m, B, T);
      const { logits } = cpuDecoderStep(this.rt, this.m, caches, input, { logits: 'all' });
      const perToken = tokenNll(this.rt.f32(logits!), nextTokenTargets(group, T), B * T, V);
      this.rt.release(logits!);
      releaseCaches(this.rt, caches);
      nll.push(...sumNll(perToken, lengths, T));
      onBatch?.(nll.length, ids.length);
    }
    return { nll, tokens: ids.map((s) => s.length - 1) };
  }

  embed(sentences: string[], opts: { layers: number[]; pooling: Pooling }, onBatch?: (done: number, total: number) => void): Promise<EmbedResult> {
    const C = this.config.hiddenSize;
    return embedSentences(
      this.config,
      this.tokenizer,
      this.m.rope.cos.shape[0],
      sentences,
      opts,
      async (group) => {
        const input = prefillInput(group);
        const { B, Tq: T, lengths } = input;
        const caches = createCpuCaches(this.rt, this.m, B, T);
        const out = cpuDecoderStep(this.rt, this.m, caches, input, { hiddenLayers: opts.layers, logits: 'none' });
        const pooled = opts.layers.map((l) => Float32Array.from(poolRef(this.rt.f32(out.hidden.get(l)!), lengths, B, T, C, opts.pooling)));
        for (const t of out.hidden.values()) this.rt.release(t);
        releaseCaches(this.rt, caches);
        return pooled;
      },
      onBatch,
    );
  }
}
