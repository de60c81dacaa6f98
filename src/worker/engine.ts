// EngineApi: what the UI (and the CLI) can ask of the engine. `Engine` runs it in the current
// thread (Node, tests, the worker itself); `WorkerEngine` (client.ts) runs the same calls in a
// dedicated worker so the UI thread never touches the GPU. Events (progress, device loss) reach
// listeners registered with `onEvent` on either.

import { GpuRuntime, type RuntimeOptions } from '../gpu/runtime';
import type { AdapterReport } from '../gpu/adapter-report';
import type { PoolStats } from '../gpu/buffer-pool';
import type { WeightQuant } from '../model/decoder';
import { readModelFolder, type LoadProgress } from '../model/load';
import { Model, type EmbedResult, type ForwardResult, type GenerateOptions, type GenerateResult, type ModelInfo } from '../model/model';
import type { LoadedModel } from '../model/loaded-model';
import { CpuModel } from '../cpu/model';
import { CpuRuntime } from '../cpu/runtime';
import { pickBackend, type BackendChoice } from './backend';
import { randomModelFiles } from '../model/random-source';
import { pickedFiles, readJson, urlFolder, type ModelFiles } from '../model/source';
import type { Pooling } from '../reference/pooling';
import { NoModelError, TrainConfigError } from '../errors';
import { IndexedDbCheckpointStore, MemoryCheckpointStore, modelKey, type CheckpointInfo, type CheckpointStore } from '../train/checkpoint-store';
import type { EvalEvent, TrainSettings } from '../train/trainer';
import { heldOutKey, SNAPSHOT_EVERY_MS, TrainingSession, type TrainData, type TrainEvent, type TrainStatus } from './training';
import { trainerSource } from './trainer-source';
import { benchKernels, type KernelBenchOptions, type KernelBenchResult } from './bench-kernels';
import { benchModel, type ModelBenchOptions, type ModelBenchResult } from './bench-model';
import type { ProjectionMethod } from '../align/projection';
import { AnalysisSession, type AnalysisResult, type AnalysisSlot, type AnalyzeRequest, type Neighbour, type ProjectionResult } from './analysis';
import { benchTraining, type TrainBenchResult } from './bench-train';
import { embeddingsFromBytes, parseShippedAnalysis, sha256Hex, SHIPPED_ANALYSIS_FILE, SHIPPED_EMBEDDINGS_FILE } from './shipped-analysis';
import { onnxParity, type ParityResult } from './peer';
import { runSelfTest, type SelfTestResult } from './self-test';
import { translate, type TranslateRequest, type TranslateResult } from './translate';
import { encodeMonolingual } from '../train/template';
import { hubModelFiles, planHubDownload } from '../hub/hub-model';
import { deleteCachedModel, listCachedModels, type CachedModel } from '../hub/cache';
import { summarizePlan, type HubPlanSummary } from '../hub/plan-summary';
import { parseRepoId } from '../hub/repo-id';
import { memoryStore } from '../hub/memory-store';
import { opfsStore } from '../hub/opfs-store';
import type { CacheStore } from '../hub/storage';
import type { OrtProvider } from '../export/ort-session';
import { fastestMatmul, tuneKernels, type TuneCache, type TuneMode, type TuneReport } from '../kernels/tuner';
import { measureBandwidth, type BandwidthResult } from '../kernels/bandwidth';
import { decodeRoofline, ROOFLINE_COPY_BYTES, type DecodeRoofline } from './roofline';
import { defaultTuneCache } from '../kernels/tune-cache';
import { decoderTuneShapes } from '../model/tune-shapes';

export type EngineEvent =
  | TrainEvent
  | { kind: 'train-align'; step: number; result: AnalysisResult }
  | { kind: 'progress'; task: 'self-test' | 'tune' | 'bench-kernels' | 'bench-model' | 'bench-train' | 'embed' | 'analyze' | 'project' | 'translate' | 'perplexity'; done: number; total: number; label: string }
  | ({ kind: 'load-progress' } & LoadProgress)
  | { kind: 'generate-text'; piece: string }
  | { kind: 'device-lost'; reason: string; message: string; generation: number };

/** Where to load a model from; all kinds are plain data, so they cross the worker boundary. */
export type ModelSourceSpec =
  | { kind: 'url'; url: string }
  | { kind: 'files'; files: File[] }
  | { kind: 'random'; seed: number }
  /** Node only (CLI, tests): a directory on disk, resolved by the host's `resolveSource`. */
  | { kind: 'dir'; path: string }
  /** A Hugging Face Hub repo `owner/name[@revision]`, downloaded into the hub cache (OPFS in the page) once; the token is sent, never stored. */
  | HubSourceSpec;

export type HubSourceSpec = { kind: 'hub'; id: string; baseUrl?: string; token?: string; variant?: string };

export interface PerplexityResult {
  perplexity: number;
  /** Mean negative log-likelihood per predicted token (nats). */
  nll: number;
  tokens: number;
}

export interface TrainAlignOptions {
  every: number;
  request: AnalyzeRequest;
}

export interface LoadOptions {
  quant: WeightQuant;
  /** Where the model runs (backend.ts); default 'webgpu'. Training needs 'webgpu' for now. */
  backend?: BackendChoice;
}

/** Whether the loaded model's folder held a base analysis the engine could take as its own, and why not. */
export interface ShippedAnalysisStatus {
  adopted: boolean;
  reason: string;
  result: AnalysisResult | null;
}

export interface EngineApi {
  /**
   * Acquires the GPU; rejects with WebGpuUnavailableError where there is none. `bindingLimit` lowers
   * maxStorageBufferBindingSize below the adapter's (a page's `?bindingLimit=`), first call only.
   * `tune: 'off'` (a page's `?tune=off`) keeps every matmul on its default kernel.
   */
  init(opts?: { bindingLimit?: number; tune?: TuneMode }): Promise<AdapterReport>;
  selfTest(): Promise<SelfTestResult>;
  benchKernels(opts?: KernelBenchOptions): Promise<KernelBenchResult>;
  poolStats(): Promise<PoolStats>;
  /** The kernels (matmul, attention, loss) chosen for the loaded model's shapes on this adapter (tuned at load, or from the cache); null before a WebGPU model. */
  kernelTuning(): Promise<TuneReport | null>;
  /** Loads a model; on failure the previous model (if any) stays loaded. */
  loadModel(source: ModelSourceSpec, opts: LoadOptions): Promise<ModelInfo>;
  modelInfo(): Promise<ModelInfo | null>;
  forward(ids: number[][], opts?: { hiddenLayers?: number[] }): Promise<ForwardResult>;
  /** Streams `generate-text` events while it runs. On WebGPU the result says where its speed stands (roofline.ts). */
  generate(prompt: string, opts: GenerateOptions): Promise<GenerateResult & { roofline: DecodeRoofline | null }>;
  embed(sentences: string[], opts: { layers: number[]; pooling: Pooling }): Promise<EmbedResult>;
  tokenize(text: string): Promise<{ ids: number[]; tokens: string[] }>;
  /** Runs a random model exported to ONNX in our engine and in onnxruntime-web; the loaded model is untouched. */
  checkOnnxParity(provider: OrtProvider): Promise<ParityResult>;
  benchModel(opts?: ModelBenchOptions): Promise<ModelBenchResult>;
  benchTraining(opts?: { steps?: number }): Promise<TrainBenchResult>;
  /**
   * Starts a new training session on the loaded model (the previous session is stopped and dropped).
   * With `align`, the analysis is run before the first step (and pinned as the baseline), every
   * `every` steps and at the end, each result sent as a `train-align` event.
   */
  startTraining(settings: TrainSettings, data: TrainData, align?: TrainAlignOptions): Promise<TrainStatus>;
  /**
   * Measures the held-out losses a run with these settings would start from, ahead of the click (the
   * loaded weights are untouched): startTraining with matching settings then takes them and its first
   * step comes at once. Compiles the forward pipelines on the way. False (nothing measured) once the
   * model was trained or while a session lives.
   */
  prepareTraining(settings: TrainSettings, data: TrainData): Promise<boolean>;
  pauseTraining(): Promise<TrainStatus>;
  resumeTraining(): Promise<TrainStatus>;
  stopTraining(): Promise<TrainStatus>;
  trainingStatus(): Promise<TrainStatus | null>;
  saveCheckpoint(label?: string): Promise<CheckpointInfo>;
  /** Saved checkpoints of the loaded model (the store may hold other models' too). */
  listCheckpoints(): Promise<CheckpointInfo[]>;
  restoreCheckpoint(id: string): Promise<TrainStatus>;
  /** Greedy translations through the mapping template (streams `translate` progress). */
  translate(req: TranslateRequest): Promise<TranslateResult>;
  /** Held-out perplexity of monolingual sentences ([BOS] s [EOS], every token after BOS predicted; cut to the context). */
  perplexity(sentences: string[], weights: 'current' | 'base'): Promise<PerplexityResult>;
  /** Alignment metrics for every layer and language pair (streams `analyze` progress). */
  analyze(req: AnalyzeRequest): Promise<AnalysisResult>;
  /**
   * Takes the base analysis shipped in the loaded model's folder (shipped-analysis.ts) as the latest
   * analysis, vectors included, if it was made from these very weights at this quantization.
   */
  adoptShippedAnalysis(): Promise<ShippedAnalysisStatus>;
  /** A 2-D map of one layer of the last analysis, or of the baseline one (the model before the preset trained it). */
  projectEmbeddings(layer: number, method: ProjectionMethod, seed?: number, slot?: AnalysisSlot): Promise<ProjectionResult>;
  /** Nearest sentences (all chosen languages) to one sentence at one layer of the last analysis. */
  nearestNeighbours(layer: number, language: string, index: number, k: number): Promise<Neighbour[]>;
  /** Lists a Hub repo and fetches its config.json only: the files, sizes, what is cached and the GPU memory per quantization against the adapter's limits, before the download. */
  planHubModel(source: HubSourceSpec): Promise<HubPlanSummary>;
  /** The Hub models in the cache (complete or partial). */
  listHubCache(): Promise<CachedModel[]>;
  /** Removes a Hub model (`owner/name@revision`) from the cache, partial files included; returns what is left. */
  deleteHubModel(id: string): Promise<CachedModel[]>;
}

/** Method names of EngineApi, checked exhaustive at compile time: the RPC layer is built from it. */
export const ENGINE_METHODS = ['init', 'selfTest', 'benchKernels', 'poolStats', 'kernelTuning', 'loadModel', 'modelInfo', 'forward', 'generate', 'embed', 'tokenize', 'checkOnnxParity', 'benchModel', 'benchTraining', 'startTraining', 'prepareTraining', 'pauseTraining', 'resumeTraining', 'stopTraining', 'trainingStatus', 'saveCheckpoint', 'listCheckpoints', 'restoreCheckpoint', 'translate', 'perplexity', 'analyze', 'adoptShippedAnalysis', 'projectEmbeddings', 'nearestNeighbours', 'planHubModel', 'listHubCache', 'deleteHubModel'] as const satisfies readonly (keyof EngineApi)[];
type Missing = Exclude<keyof EngineApi, (typeof ENGINE_METHODS)[number]>;
const _exhaustive: Missing extends never ? true : never = true;
void _exhaustive;

export type EngineListener = (e: EngineEvent) => void;

export interface EngineOptions extends RuntimeOptions {
  /** Host-specific sources (Node: `dir`); return null for kinds it does not handle. */
  resolveSource?: (spec: ModelSourceSpec) => ModelFiles | null;
  /** Default: IndexedDB where the host has it, else memory. */
  checkpointStore?: CheckpointStore;
  /** How often a training session refreshes the host copy it resumes from after a device loss (SNAPSHOT_EVERY_MS). */
  snapshotEveryMs?: number;
  /** Threads of the CPU route (default: the machine's logical processors, at most 8). */
  cpuThreads?: number;
  /** Where Hub downloads are kept. Default: OPFS where the host has it, else memory. */
  hubStore?: CacheStore;
  /** Matmul autotuning at model load (default 'on'; the CLI's --tune off). */
  tune?: TuneMode;
  /** Where tuned choices are kept. Default: IndexedDB where the host has it, else memory. */
  tuneCache?: TuneCache;
}

export class Engine implements EngineApi {
  private readonly runtime: GpuRuntime;
  private readonly listeners = new Set<EngineListener>();
  private readonly resolveSource: EngineOptions['resolveSource'];
  private model: LoadedModel | null = null;
  /** Where the loaded model came from (its folder may hold a shipped analysis). */
  private modelFiles: ModelFiles | null = null;
  /** The loaded model as its files hold it, uploaded on first use once training changed `model`. */
  private base: LoadedModel | null = null;
  /** Whether training has changed what the loaded model computes (full weights, or LoRA adapters while a session lives). */
  private tuned = false;
  private training: TrainingSession | null = null;
  /** Held-out losses measured ahead by prepareTraining on the untouched weights, by heldOutKey. */
  private initialEval: { key: string; losses: Promise<EvalEvent> } | null = null;
  private readonly analysis: AnalysisSession;
  private readonly checkpoints: CheckpointStore;
  private readonly snapshotEveryMs: number;
  /** The CPU route's runtime, created by the first model loaded on it. */
  private cpu: Promise<CpuRuntime> | null = null;
  private readonly cpuThreads: number | undefined;
  private readonly hubStore: CacheStore;
  private tuneMode: TuneMode;
  private readonly tuneCache: TuneCache;
  private tuning: TuneReport | null = null;
  /** Copy bandwidth of the current device (roofline), measured at the first generation on it. */
  private copyBandwidth: BandwidthResult | null = null;

  constructor(gpu: () => GPU | undefined, opts: EngineOptions = {}) {
    this.resolveSource = opts.resolveSource;
    this.snapshotEveryMs = opts.snapshotEveryMs ?? SNAPSHOT_EVERY_MS;
    this.cpuThreads = opts.cpuThreads;
    this.tuneMode = opts.tune ?? 'on';
    this.tuneCache = opts.tuneCache ?? defaultTuneCache();
    this.hubStore = opts.hubStore ?? (typeof navigator !== 'undefined' && typeof navigator.storage?.getDirectory === 'function' ? opfsStore() : memoryStore());
    this.checkpoints = opts.checkpointStore ?? (typeof indexedDB === 'undefined' ? new MemoryCheckpointStore() : new IndexedDbCheckpointStore());
    this.runtime = new GpuRuntime(gpu, {
      ...opts,
      onDeviceLost: (info) => {
        opts.onDeviceLost?.(info);
        this.emit({ kind: 'device-lost', ...info });
      },
    });
    this.analysis = new AnalysisSession(this.runtime);
  }

  onEvent(listener: EngineListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async init(opts: { bindingLimit?: number; tune?: TuneMode } = {}): Promise<AdapterReport> {
    if (opts.tune) this.tuneMode = opts.tune;
    if (opts.bindingLimit !== undefined) this.runtime.lowerLimits({ maxStorageBufferBindingSize: opts.bindingLimit });
    return (await this.runtime.context()).report;
  }

  selfTest(): Promise<SelfTestResult> {
    return this.runtime.run((ctx) => runSelfTest(ctx, (done, total, label) => this.emit({ kind: 'progress', task: 'self-test', done, total, label })));
  }

  benchKernels(opts: KernelBenchOptions = {}): Promise<KernelBenchResult> {
    return this.runtime.run((ctx) => benchKernels(ctx, opts, (done, total, label) => this.emit({ kind: 'progress', task: 'bench-kernels', done, total, label })));
  }

  async poolStats(): Promise<PoolStats> {
    return (await this.runtime.context()).pool.stats();
  }

  async kernelTuning(): Promise<TuneReport | null> {
    return this.tuning;
  }

  async loadModel(spec: ModelSourceSpec, opts: LoadOptions): Promise<ModelInfo> {
    const { backend, why } = await pickBackend(opts.backend ?? 'webgpu', this.runtime);
    const files = await this.files(spec);
    const read = () => readModelFolder(files, (p) => this.emit({ kind: 'load-progress', ...p }));
    const host = await read();
    // Upload streams the weights from their files: progress counts tensors read, converted and stored.
    const onTensor = (loaded: number, total: number) => this.emit({ kind: 'load-progress', stage: 'upload', file: host.weightsFile, loaded, total });
    onTensor(0, 1);
    let model: LoadedModel;
    if (backend === 'cpu') {
      this.cpu ??= CpuRuntime.create({ threads: this.cpuThreads });
      this.tuning = null;
      model = await CpuModel.load(await this.cpu, host, opts.quant, files.label, read, why, onTensor);
    } else {
      const gpuModel = await Model.load(this.runtime, host, opts.quant, files.label, read, onTensor);
      // After a device loss the model re-uploads its files; the training session then puts back what it trained.
      gpuModel.onReupload = (ctx, decoder) => this.training?.rebuildOn(ctx, decoder);
      // Issue 16: pick the fastest kernel variants for this model's shapes (or the cached picks).
      const shapes = decoderTuneShapes(await gpuModel.gpuDecoder());
      const onProgress = (done: number, total: number, label: string) => this.emit({ kind: 'progress', task: 'tune', done, total, label });
      this.tuning = await this.runtime.run((ctx) => tuneKernels(ctx, shapes, { mode: this.tuneMode, cache: this.tuneCache, onProgress }));
      model = gpuModel;
    }
    const old = this.model;
    this.model = model;
    this.modelFiles = files;
    this.tuned = false;
    this.initialEval = null;
    this.analysis.clear();
    await this.base?.release();
    this.base = null;
    // A training session belongs to the model it was started on: end it with that model.
    if (this.training) {
      await this.training.stop();
      await this.training.release();
      this.training = null;
      this.emit({ kind: 'train-status', state: 'idle', step: 0, steps: 0, trainableParameters: 0, error: null });
    }
    await old?.release();
    return model.info;
  }

  async modelInfo(): Promise<ModelInfo | null> {
    return this.model?.info ?? null;
  }

  async forward(ids: number[][], opts: { hiddenLayers?: number[] } = {}): Promise<ForwardResult> {
    return this.loaded().forward(ids, opts);
  }

  async generate(prompt: string, opts: GenerateOptions): Promise<GenerateResult & { roofline: DecodeRoofline | null }> {
    const model = this.loaded();
    const out = await model.generate(prompt, opts, (piece) => this.emit({ kind: 'generate-text', piece }));
    if (model.info.backend !== 'webgpu') return { ...out, roofline: null };
    // The copy bandwidth is measured once per device, after the first generation (half a second or so).
    this.copyBandwidth ??= await this.runtime.run((ctx) => measureBandwidth(ctx, { bytes: ROOFLINE_COPY_BYTES })).catch(() => null);
    const best = this.tuning && fastestMatmul(this.tuning);
    return { ...out, roofline: decodeRoofline(model.info, out.timing, this.copyBandwidth?.gbps ?? null, best?.gflops ?? null) };
  }

  async embed(sentences: string[], opts: { layers: number[]; pooling: Pooling }): Promise<EmbedResult> {
    return this.loaded().embed(sentences, opts, (done, total) => this.emit({ kind: 'progress', task: 'embed', done, total, label: 'embedding sentences' }));
  }

  async tokenize(text: string): Promise<{ ids: number[]; tokens: string[] }> {
    const tok = this.loaded().tokenizer;
    const ids = tok.encode(text, { addBos: false });
    return { ids, tokens: ids.map((id) => tok.idToToken(id) ?? `<${id}>`) };
  }

  checkOnnxParity(provider: OrtProvider): Promise<ParityResult> {
    return onnxParity(this.runtime, provider);
  }

  benchModel(opts: ModelBenchOptions = {}): Promise<ModelBenchResult> {
    return benchModel(this.runtime, opts, (done, total, label) => this.emit({ kind: 'progress', task: 'bench-model', done, total, label }));
  }

  benchTraining(opts: { steps?: number } = {}): Promise<TrainBenchResult> {
    return benchTraining(this.runtime, opts, (done, total, label) => this.emit({ kind: 'progress', task: 'bench-train', done, total, label }));
  }

  async startTraining(settings: TrainSettings, data: TrainData, align?: TrainAlignOptions): Promise<TrainStatus> {
    const model = this.loaded();
    if (this.training) {
      await this.training.stop();
      await this.training.release();
      this.training = null;
    }
    // The analysis on screen describes the weights training starts from only if nothing trained them since it was made.
    const untouched = !this.tuned;
    this.tuned = true; // full fine-tuning changes the weights in place; LoRA adapters apply to every forward
    const hook = align && {
      every: Math.max(1, Math.round(align.every)),
      run: async (step: number) => {
        const kept = step === 0 && untouched ? this.analysis.reusable(align.request, model.config.numLayers) : null;
        const result = kept ?? (await this.analyze(align.request));
        if (step === 0) this.analysis.pinBaseline();
        this.emit({ kind: 'train-align', step, result });
      },
    };
    const ahead = untouched && this.initialEval?.key === heldOutKey(settings, data) ? await this.initialEval.losses.catch(() => null) : null;
    this.initialEval = null;
    this.training = await TrainingSession.create(trainerSource(this.runtime, model, data), settings, this.checkpoints, (e) => this.emit(e), hook, this.snapshotEveryMs, ahead);
    return this.training.start();
  }

  async prepareTraining(settings: TrainSettings, data: TrainData): Promise<boolean> {
    const model = this.loaded();
    if (this.tuned || this.training) return false;
    const key = heldOutKey(settings, data);
    if (this.initialEval?.key !== key) {
      // A throwaway trainer: its evaluation reads the weights; releasing it leaves them as they were.
      const losses = (async () => {
        const trainer = await trainerSource(this.runtime, model, data).create(settings);
        try {
          return await trainer.evaluate();
        } finally {
          await trainer.release();
        }
      })();
      this.initialEval = { key, losses };
    }
    await this.initialEval.losses;
    return true;
  }

  async pauseTraining(): Promise<TrainStatus> {
    return this.session().pause();
  }

  async resumeTraining(): Promise<TrainStatus> {
    await this.session().recover();
    return this.session().start();
  }

  async stopTraining(): Promise<TrainStatus> {
    return this.session().stop();
  }

  async trainingStatus(): Promise<TrainStatus | null> {
    return this.training?.status() ?? null;
  }

  async saveCheckpoint(label?: string): Promise<CheckpointInfo> {
    await this.session().recover();
    return this.session().saveCheckpoint(label);
  }

  async listCheckpoints(): Promise<CheckpointInfo[]> {
    if (!this.model) return [];
    const key = modelKey(this.model.info.name, this.model.config);
    return (await this.checkpoints.list()).filter((c) => c.model === key);
  }

  async restoreCheckpoint(id: string): Promise<TrainStatus> {
    await this.session().recover();
    return this.session().restoreCheckpoint(id);
  }

  async translate(req: TranslateRequest): Promise<TranslateResult> {
    return translate(await this.weights(req.weights), req, (done, total) => this.emit({ kind: 'progress', task: 'translate', done, total, label: 'translating' }));
  }

  async perplexity(sentences: string[], weights: 'current' | 'base'): Promise<PerplexityResult> {
    const model = await this.weights(weights);
    const P = model.config.maxPositions;
    const ids = sentences.map((s) => encodeMonolingual(model.tokenizer, s).ids.slice(0, P));
    const { nll, tokens } = await model.sequenceNll(ids, (done, total) => this.emit({ kind: 'progress', task: 'perplexity', done, total, label: 'scoring sentences' }));
    const sum = nll.reduce((a, b) => a + b, 0);
    const count = tokens.reduce((a, b) => a + b, 0);
    return { perplexity: Math.exp(sum / count), nll: sum / count, tokens: count };
  }

  async analyze(req: AnalyzeRequest): Promise<AnalysisResult> {
    return this.analysis.analyze(this.loaded(), req, (done, total, label) => this.emit({ kind: 'progress', task: 'analyze', done, total, label }));
  }

  async adoptShippedAnalysis(): Promise<ShippedAnalysisStatus> {
    const model = this.loaded();
    const files = this.modelFiles!;
    const no = (reason: string): ShippedAnalysisStatus => ({ adopted: false, reason, result: null });
    if (!(await files.has(SHIPPED_ANALYSIS_FILE))) return no(`${files.label} has no ${SHIPPED_ANALYSIS_FILE}`);
    if (this.tuned) return no('the model has been trained since it was loaded');
    const shipped = parseShippedAnalysis(await readJson(files, SHIPPED_ANALYSIS_FILE), files.label);
    if (shipped.quant !== model.info.quant) return no(`it was measured with ${shipped.quant} weights; the model is loaded as ${model.info.quant}`);
    if ((await sha256Hex(await files.read(shipped.weightsFile))) !== shipped.weightsSha256) return no(`${shipped.weightsFile} is not the file it was measured on`);
    const vectors = embeddingsFromBytes(await files.read(SHIPPED_EMBEDDINGS_FILE), shipped.result, files.label);
    this.analysis.adopt(shipped.result, vectors);
    return { adopted: true, reason: `measured on these weights by the model build`, result: shipped.result };
  }

  async projectEmbeddings(layer: number, method: ProjectionMethod, seed = 1, slot: AnalysisSlot = 'latest'): Promise<ProjectionResult> {
    return this.analysis.project(layer, method, seed, (done, total, label) => this.emit({ kind: 'progress', task: 'project', done, total, label }), slot);
  }

  async nearestNeighbours(layer: number, language: string, index: number, k: number): Promise<Neighbour[]> {
    return this.analysis.neighbours(layer, language, index, k);
  }

  async planHubModel(source: HubSourceSpec): Promise<HubPlanSummary> {
    // Without an adapter (CPU route) the estimate is still given, with no limits to check.
    const limits = await this.runtime.context().then(
      ({ report: { limits: l } }) => ({ maxBufferSize: l.maxBufferSize, maxStorageBufferBindingSize: l.maxStorageBufferBindingSize }),
      () => null,
    );
    const plan = await planHubDownload(source.id, { store: this.hubStore, baseUrl: source.baseUrl, token: source.token, variant: source.variant });
    return summarizePlan(plan, limits, await this.hubStore.available());
  }

  listHubCache(): Promise<CachedModel[]> {
    return listCachedModels(this.hubStore);
  }

  async deleteHubModel(id: string): Promise<CachedModel[]> {
    await deleteCachedModel(this.hubStore, parseRepoId(id));
    return listCachedModels(this.hubStore);
  }

  /** The analysis session (Node: the model build writes out its vectors). */
  get analyses(): AnalysisSession {
    return this.analysis;
  }

  /** The running session, for tests that wait for it to settle. */
  get trainingSession(): TrainingSession | null {
    return this.training;
  }

  private session(): TrainingSession {
    if (!this.training) throw new TrainConfigError('No training session: start training first.', {});
    return this.training;
  }

  /** The current weights, or the base ones (a second upload only once training changed the model). */
  private async weights(which: 'current' | 'base'): Promise<LoadedModel> {
    const model = this.loaded();
    if (which === 'current' || !this.tuned) return model;
    this.base ??= await model.fromFiles();
    return this.base;
  }

  private loaded(): LoadedModel {
    if (!this.model) throw new NoModelError('No model is loaded yet: load one in the Model panel (or with --model) first.');
    return this.model;
  }

  private async files(spec: ModelSourceSpec): Promise<ModelFiles> {
    const custom = this.resolveSource?.(spec);
    if (custom) return custom;
    switch (spec.kind) {
      case 'url':
        return urlFolder(spec.url);
      case 'files':
        return pickedFiles(spec.files);
      case 'random':
        return randomModelFiles(spec.seed);
      case 'dir':
        throw new Error('Loading from a directory works in Node only (the CLI); in the browser pick the folder instead.');
      case 'hub':
        return hubModelFiles(spec.id, {
          store: this.hubStore,
          baseUrl: spec.baseUrl,
          token: spec.token,
          variant: spec.variant,
          onProgress: (p) => this.emit({ kind: 'load-progress', stage: 'download', file: p.file, loaded: p.done, total: p.total }),
        });
    }
  }

  /** Releases the GPU device and the CPU route's threads (tests, page unload). */
  dispose(): void {
    this.runtime.destroy();
    void this.cpu?.then((rt) => rt.dispose());
  }

  private emit(e: EngineEvent): void {
    for (const l of this.listeners) l(e);
  }
}
