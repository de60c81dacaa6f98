// What the UI knows about training: the corpus and its split, the chosen language pairs, the
// settings form (raw text, validated into TrainSettings here), the session's status, the step and
// evaluation series the charts draw, and the checkpoints. Step events are appended as they arrive
// ('train-steps' comes at most ~10 times a second, so copying the array per event is cheap).

import { create } from 'zustand';
import type { ReadReport } from '../data/corpus';
import { CORPORA } from '../data/corpora';
import { readCorpusBytes } from '../data/read';
import { readCorpusUrlInWorker } from '../data/read-in-worker';
import { splitCorpus } from '../data/splits';
import { readTsv } from '../data/tsv';
import type { LinearName } from '../model/weights';
import type { LangPair, ParallelTuple } from '../train/batching';
import type { CheckpointInfo } from '../train/checkpoint-store';
import { DEFAULT_PROMPT_TEMPLATE, DEFAULT_TAGS_TEMPLATE, type LossOn, type MappingTemplate } from '../train/template';
import { DEFAULT_LORA, defaultTrainSettings, LR_BY_MODE } from '../train/defaults';
import type { TrainMode } from '../train/trainable';
import type { EvalEvent, StepEvent, TrainSettings } from '../train/trainer';
import type { EngineApi, EngineEvent, TrainAlignOptions } from '../worker/engine';
import type { TrainData, TrainStatus } from '../worker/training';

type Engine = EngineApi & { onEvent(l: (e: EngineEvent) => void): unknown };

// ---------------------------------------------------------------------------------------------
// Corpus

export interface CorpusProblem {
  file: string;
  line: number;
  message: string;
}

export interface CorpusState {
  source: 'sample' | 'software' | 'upload';
  /** File name as read ('sample.tsv' for the sample). */
  name: string;
  languages: string[];
  train: ParallelTuple[];
  heldOut: ParallelTuple[];
  /** Lines the reader skipped or doubted; the corpus is usable without them. */
  problems: CorpusProblem[];
}

/** The corpus the app ships (public/data/sample.tsv). */
export const SAMPLE_CORPUS_URL = '/data/sample.tsv';

/** Shares of the tuples per split: 16 sample tuples give 12 train / 4 held-out. */
export const SPLIT = { train: 0.75, dev: 0.25, test: 0 };
export const SPLIT_SEED = 1;

/** Pairs chosen by default when the corpus has both languages. */
const DEFAULT_PAIRS: LangPair[] = [
  ['en', 'zh'],
  ['en', 'cs'],
];

export function samePair(a: LangPair, b: LangPair): boolean {
  return a[0] === b[0] && a[1] === b[1];
}

/** Every unordered pair of `languages`, in corpus order. */
export function allPairs(languages: readonly string[]): LangPair[] {
  const out: LangPair[] = [];
  for (let i = 0; i < languages.length; i++) for (let j = i + 1; j < languages.length; j++) out.push([languages[i], languages[j]]);
  return out;
}

/** A read corpus split into training and held-out tuples (SPLIT, SPLIT_SEED). */
export function corpusState(source: CorpusState['source'], name: string, report: ReadReport): CorpusState {
  const { corpus, problems } = report;
  const split = splitCorpus(corpus, SPLIT, SPLIT_SEED);
  return {
    source,
    name,
    languages: corpus.languages,
    train: split.train.map((i) => corpus.tuples[i]),
    heldOut: split.dev.map((i) => corpus.tuples[i]),
    problems,
  };
}

function defaultPairs(languages: readonly string[]): LangPair[] {
  const all = allPairs(languages);
  const chosen = all.filter((p) => DEFAULT_PAIRS.some((d) => samePair(p, d) || samePair(p, [d[1], d[0]])));
  return chosen.length ? chosen : all.slice(0, 1);
}

// ---------------------------------------------------------------------------------------------
// Settings form

export const NUMBER_FIELDS = ['steps', 'lr', 'warmupSteps', 'minLr', 'batchSize', 'gradAccum', 'lambdaMap', 'ntpFraction', 'lambdaCon', 'conLayer', 'temperature', 'maxGradNorm', 'weightDecay', 'seed', 'evalEvery', 'maxLength', 'rank', 'alpha'] as const;
export type NumberField = (typeof NUMBER_FIELDS)[number];

/** The range each number must fall in; `integer` fields refuse fractions. */
interface NumberRule {
  min: number;
  max: number;
  integer?: boolean;
  /** The minimum itself is not allowed (a learning rate of 0 trains nothing). */
  aboveMin?: boolean;
}

export const NUMBER_RULES: Record<NumberField, NumberRule> = {
  steps: { min: 1, max: 100_000, integer: true },
  lr: { min: 0, max: 1, aboveMin: true },
  warmupSteps: { min: 0, max: 100_000, integer: true },
  minLr: { min: 0, max: 1 },
  batchSize: { min: 1, max: 256, integer: true },
  gradAccum: { min: 1, max: 64, integer: true },
  lambdaMap: { min: 0, max: 100 },
  ntpFraction: { min: 0, max: 1 },
  lambdaCon: { min: 0, max: 100 },
  conLayer: { min: 1, max: 1024, integer: true },
  temperature: { min: 0, max: 10, aboveMin: true },
  maxGradNorm: { min: 0, max: 1e6 },
  weightDecay: { min: 0, max: 1 },
  seed: { min: 0, max: 2 ** 31 - 1, integer: true },
  evalEvery: { min: 0, max: 100_000, integer: true },
  maxLength: { min: 8, max: 1 << 20, integer: true },
  rank: { min: 1, max: 512, integer: true },
  alpha: { min: 0, max: 1e4, aboveMin: true },
};

export type TrainModeKind = 'full' | 'lora';

export interface TrainForm {
  mode: TrainModeKind;
  targets: LinearName[];
  directions: 'both' | 'forward';
  template: 'tags' | 'prompt';
  lossOn: LossOn;
  /** Numbers as typed, so a half-typed value is kept and flagged rather than lost. */
  numbers: Record<NumberField, string>;
  /** Fields the user typed into; the others follow their defaults (warmup 10% of steps, min LR 10% of LR, LR by mode). */
  edited: Partial<Record<NumberField, true>>;
}


/** Short decimal text of a number (1e-3 stays '0.001', 2e-4 stays '0.0002'). */
function text(n: number): string {
  return String(Number(n.toPrecision(6)));
}

/** The form filled from the defaults the CLI uses too (src/train/defaults.ts). */
function initialForm(): TrainForm {
  const d = defaultTrainSettings(DEFAULT_LORA, []);
  return {
    mode: 'lora',
    targets: [...DEFAULT_LORA.targets],
    directions: d.directions,
    template: 'tags',
    lossOn: 'target',
    numbers: {
      steps: String(d.steps),
      lr: text(d.lr),
      warmupSteps: String(d.warmupSteps),
      minLr: text(d.minLr),
      batchSize: String(d.batchSize),
      gradAccum: String(d.gradAccum),
      lambdaMap: String(d.lambdaMap),
      ntpFraction: String(d.ntpFraction),
      lambdaCon: '0',
      conLayer: '2',
      temperature: '0.1',
      maxGradNorm: String(d.maxGradNorm),
      weightDecay: String(d.weightDecay),
      seed: String(d.seed),
      evalEvery: String(d.evalEvery),
      maxLength: String(d.maxLength),
      rank: String(DEFAULT_LORA.rank),
      alpha: String(DEFAULT_LORA.alpha),
    },
    edited: {},
  };
}

/** `form` with the fields the user did not edit recomputed from the ones they did. */
function withDerived(form: TrainForm): TrainForm {
  const n = { ...form.numbers };
  const steps = Number(n.steps);
  if (!form.edited.warmupSteps && Number.isInteger(steps) && steps >= 1) n.warmupSteps = String(Math.round(steps / 10));
  if (!form.edited.lr) n.lr = text(LR_BY_MODE[form.mode]);
  const lr = Number(n.lr);
  if (!form.edited.minLr && Number.isFinite(lr) && lr > 0) n.minLr = text(lr / 10);
  return { ...form, numbers: n };
}

export function templateOf(form: Pick<TrainForm, 'template' | 'lossOn'>): MappingTemplate {
  return form.template === 'tags' ? { ...DEFAULT_TAGS_TEMPLATE, lossOn: form.lossOn } : { ...DEFAULT_PROMPT_TEMPLATE, lossOn: form.lossOn };
}

export type FormErrors = Partial<Record<NumberField | 'mode' | 'targets' | 'pairs', string>>;

export interface FormLimits {
  /** How the loaded model's weights sit on the GPU; full fine-tuning needs 'f32'. */
  quant: 'q4' | 'q8' | 'f32';
  /** The model's context length: maxLength may not exceed it. */
  maxPositions: number;
  /** The model's blocks: the contrastive layer lies in 1..numLayers. */
  numLayers: number;
}

/** The settings the form describes, or what is wrong with it (field by field). */
export function formToSettings(form: TrainForm, pairs: readonly LangPair[], limits: FormLimits): { settings: TrainSettings | null; errors: FormErrors } {
  const errors: FormErrors = {};
  const v = {} as Record<NumberField, number>;
  for (const key of NUMBER_FIELDS) {
    const raw = form.numbers[key].trim();
    const r = NUMBER_RULES[key];
    const x = Number(raw);
    v[key] = x;
    if (raw === '' || !Number.isFinite(x)) errors[key] = 'Enter a number.';
    else if (r.integer && !Number.isInteger(x)) errors[key] = 'Enter a whole number.';
    else if (x < r.min || (r.aboveMin && x === r.min) || x > r.max) errors[key] = `Must be ${r.aboveMin ? 'above' : 'at least'} ${r.min} and at most ${r.max}.`;
  }
  if (!errors.warmupSteps && !errors.steps && v.warmupSteps > v.steps) errors.warmupSteps = `At most the number of steps (${v.steps}).`;
  if (!errors.minLr && !errors.lr && v.minLr > v.lr) errors.minLr = `At most the learning rate (${v.lr}).`;
  if (!errors.maxLength && v.maxLength > limits.maxPositions) errors.maxLength = `At most the model's context, ${limits.maxPositions} tokens.`;
  if (!errors.conLayer && v.conLayer > limits.numLayers) errors.conLayer = `At most the model's ${limits.numLayers} blocks.`;
  if (form.mode === 'full' && limits.quant !== 'f32') errors.mode = `Full fine-tuning needs f32 weights; this model is ${limits.quant}. Reload it as f32 in the Model tab, or train LoRA adapters.`;
  if (form.mode === 'lora' && form.targets.length === 0) errors.targets = 'Pick at least one linear to adapt.';
  if (pairs.length === 0) errors.pairs = 'Pick at least one language pair.';
  if (Object.keys(errors).length) return { settings: null, errors };
  const mode: TrainMode = form.mode === 'full' ? { kind: 'full' } : { kind: 'lora', rank: v.rank, alpha: v.alpha, targets: [...form.targets] };
  const settings: TrainSettings = {
    ...defaultTrainSettings(mode, [], v.steps), // AdamW's betas and eps
    mode,
    steps: v.steps,
    lr: v.lr,
    warmupSteps: v.warmupSteps,
    minLr: v.minLr,
    batchSize: v.batchSize,
    gradAccum: v.gradAccum,
    lambdaMap: v.lambdaMap,
    ntpFraction: v.ntpFraction,
    pairs: pairs.map((p) => [p[0], p[1]] as const),
    directions: form.directions,
    template: templateOf(form),
    maxLength: v.maxLength,
    weightDecay: v.weightDecay,
    maxGradNorm: v.maxGradNorm,
    seed: v.seed,
    evalEvery: v.evalEvery,
    // InfoNCE on the chosen pairs' sentences, as many pairs a step as examples (λ_con 0: off).
    ...(v.lambdaCon > 0 ? { contrastive: { layer: v.conLayer, temperature: v.temperature, weight: v.lambdaCon, pairsPerStep: v.batchSize } } : {}),
  };
  return { settings, errors };
}

// ---------------------------------------------------------------------------------------------
// The store

export interface TrainStoreState {
  corpus: CorpusState | null;
  corpusLoading: boolean;
  /** Why the corpus could not be read at all (a fetch failure, an empty file). */
  corpusError: string | null;
  /** Chosen pairs, each in corpus language order. */
  pairs: LangPair[];
  form: TrainForm;
  /** The session as the engine last reported it; null before the first start. */
  status: TrainStatus | null;
  /** Every optimizer step of the current run, in order. */
  steps: StepEvent[];
  /** Held-out losses: step 0 (before training) and every evalEvery steps. */
  evals: EvalEvent[];
  checkpoints: CheckpointInfo[];
  /** The last engine call that was refused (TrainConfigError, NoModelError, ...). */
  error: { name: string; message: string } | null;
  /** The control call in flight, if any (pause and stop wait for the step in flight to finish). */
  pending: TrainAction | null;
  /** Who started the current run: the Train panel, or the workshop preset (which re-analyses alignment). */
  origin: 'panel' | 'preset' | null;
}

export interface TrainStoreActions {
  /** Subscribes to the engine's training events once, and lists the stored checkpoints. */
  connect(engine: Engine): void;
  /** Fetches and reads the bundled sample (SAMPLE_CORPUS_URL). */
  loadSample(): Promise<void>;
  /** Reads the shipped software corpus (Debian's translations; split by source, its dev split held out). */
  loadSoftware(): Promise<void>;
  /** Reads a .tsv or .jsonl file; line problems are kept, a file that cannot be read at all sets corpusError. */
  loadFile(file: File): Promise<void>;
  togglePair(pair: LangPair): void;
  /** Changes choices (mode, targets, directions, template); numbers through setNumber. */
  setChoice(patch: Partial<Omit<TrainForm, 'numbers' | 'edited'>>): void;
  setNumber(field: NumberField, value: string): void;
  /** A model with `numLayers` blocks is loaded: the contrastive layer follows its middle unless the user set it. */
  fitToModel(numLayers: number): void;
  /** Starts a run on the Train panel's corpus, or on `opts.data` (the workshop preset's split), re-analysing with `opts.align`. */
  start(engine: EngineApi, settings: TrainSettings, opts?: { data?: TrainData; align?: TrainAlignOptions }): Promise<void>;
  pause(engine: EngineApi): Promise<void>;
  resume(engine: EngineApi): Promise<void>;
  stop(engine: EngineApi): Promise<void>;
  saveCheckpoint(engine: EngineApi): Promise<void>;
  restoreCheckpoint(engine: EngineApi, id: string): Promise<void>;
}

export type TrainAction = 'start' | 'pause' | 'resume' | 'stop' | 'save' | 'restore';

let connected = false;
/** Between a start call and the new session's first 'running' status, events belong to the session being replaced. */
let replacing = false;

function errorOf(e: unknown): { name: string; message: string } {
  return { name: (e as Error).name ?? 'Error', message: (e as Error).message ?? String(e) };
}

export const useTrainStore = create<TrainStoreState & TrainStoreActions>()((set, get) => {
  /**
   * Runs one control call with `pending` set; a refusal lands in `error`. Pause, stop and restore
   * reply once the loop has settled, so their status is the final word; start and resume reply at
   * once, and events may already have moved on, so theirs only fills in when none was heard yet.
   */
  async function call(action: TrainAction, fn: () => Promise<TrainStatus | null>): Promise<void> {
    set({ pending: action, error: null });
    try {
      const status = await fn();
      const settled = action === 'pause' || action === 'stop' || action === 'restore';
      if (status && (settled || !get().status)) set({ status });
    } catch (e) {
      set({ error: errorOf(e) });
    } finally {
      set({ pending: null });
    }
  }

  async function loadCorpus(read: () => Promise<CorpusState>): Promise<void> {
    set({ corpusLoading: true, corpusError: null });
    try {
      const corpus = await read();
      set({ corpus, corpusLoading: false, pairs: defaultPairs(corpus.languages) });
    } catch (e) {
      // The corpus read before (if any) stays.
      const err = errorOf(e);
      set({ corpusLoading: false, corpusError: `${err.name}: ${err.message}` });
    }
  }

  function onEvent(e: EngineEvent): void {
    if (e.kind === 'train-status') {
      if (replacing && e.state !== 'running') return;
      replacing = false;
      const { kind: _k, ...status } = e;
      // 'idle' comes when a new model replaced the one the run trained: its run is gone.
      set(status.state === 'idle' ? { status: null, steps: [], evals: [] } : { status });
    } else if (replacing) {
      return;
    } else if (e.kind === 'train-steps') {
      const last = e.steps[e.steps.length - 1];
      const status = get().status;
      set({ steps: get().steps.concat(e.steps), status: status && last ? { ...status, step: last.step } : status });
    } else if (e.kind === 'train-eval') {
      const { kind: _k, ...ev } = e;
      set({ evals: [...get().evals.filter((x) => x.step !== ev.step), ev] });
    } else if (e.kind === 'train-checkpoint') {
      if (!get().checkpoints.some((c) => c.id === e.info.id)) set({ checkpoints: [...get().checkpoints, e.info] });
    }
  }

  return {
    corpus: null,
    corpusLoading: false,
    corpusError: null,
    pairs: [],
    form: initialForm(),
    status: null,
    steps: [],
    evals: [],
    checkpoints: [],
    error: null,
    pending: null,
    origin: null,

    connect(engine) {
      if (connected) return;
      connected = true;
      engine.onEvent(onEvent);
      void engine.listCheckpoints().then(
        (checkpoints) => set({ checkpoints }),
        () => undefined, // no store yet: the list fills as checkpoints are saved
      );
    },

    loadSample: () =>
      loadCorpus(async () => {
        const res = await fetch(SAMPLE_CORPUS_URL);
        if (!res.ok) throw new Error(`Could not fetch the sample corpus (${SAMPLE_CORPUS_URL}): HTTP ${res.status}.`);
        return corpusState('sample', 'sample.tsv', readTsv(await res.text(), 'sample.tsv'));
      }),

    loadSoftware: () =>
      loadCorpus(async () => {
        return corpusState('software', CORPORA.software.label, await readCorpusUrlInWorker(CORPORA.software.url));
      }),

    loadFile: (file) => loadCorpus(async () => corpusState('upload', file.name, await readCorpusBytes(file.name, new Uint8Array(await file.arrayBuffer())))),

    togglePair(pair) {
      const pairs = get().pairs;
      set({ pairs: pairs.some((p) => samePair(p, pair)) ? pairs.filter((p) => !samePair(p, pair)) : [...pairs, pair] });
    },

    setChoice(patch) {
      set({ form: withDerived({ ...get().form, ...patch }) });
    },

    setNumber(field, value) {
      const form = get().form;
      set({ form: withDerived({ ...form, numbers: { ...form.numbers, [field]: value }, edited: { ...form.edited, [field]: true } }) });
    },

    fitToModel(numLayers) {
      const form = get().form;
      if (!form.edited.conLayer) set({ form: { ...form, numbers: { ...form.numbers, conLayer: String(Math.max(1, Math.round(numLayers / 2))) } } });
    },

    start(engine, settings, opts = {}) {
      return call('start', async () => {
        replacing = true;
        set({ steps: [], evals: [], origin: opts.align ? 'preset' : 'panel' });
        try {
          return await engine.startTraining(settings, opts.data ?? { train: get().corpus?.train ?? [], heldOut: get().corpus?.heldOut ?? [] }, opts.align);
        } catch (e) {
          // The engine stops the previous session before it builds the new one: neither is left.
          set({ status: null });
          throw e;
        } finally {
          replacing = false;
        }
      });
    },

    pause: (engine) => call('pause', () => engine.pauseTraining()),
    resume: (engine) => call('resume', () => engine.resumeTraining()),
    stop: (engine) => call('stop', () => engine.stopTraining()),

    saveCheckpoint(engine) {
      return call('save', async () => {
        const info = await engine.saveCheckpoint();
        if (!get().checkpoints.some((c) => c.id === info.id)) set({ checkpoints: [...get().checkpoints, info] });
        return null;
      });
    },

    restoreCheckpoint(engine, id) {
      return call('restore', async () => {
        const status = await engine.restoreCheckpoint(id);
        // The run continues from the checkpoint's step: later points would be redrawn twice.
        set({ steps: get().steps.filter((s) => s.step <= status.step), evals: get().evals.filter((e) => e.step <= status.step) });
        return status;
      });
    },
  };
});
