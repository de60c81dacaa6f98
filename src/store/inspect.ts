// What the UI knows about inspecting alignment: the shipped corpus and its fixed split, the form
// (languages, split, how many tuples, pooling, centring, projection), the last analysis (metrics of
// every layer and pair), the 2-D map of the chosen layer, the selected tuple and its neighbours, and
// the engine's progress while it works. A new analysis or map replaces the old one only when it is
// ready, so the panel always shows the last result while it recomputes.
//
// The workshop preset ("Reproduce the paper in miniature") trains the loaded model with the mapping
// arm of src/experiment/arms.ts and has the engine re-analyse every k steps (`train-align` events):
// each result replaces the shown one, the history keeps LAC per step, and the step-0 analysis is the
// baseline the before/after toggle shows (the engine keeps its embeddings, so its map can be drawn).
//
// Moving the layer slider re-projects the embeddings the engine kept (no re-embedding). Slider
// moves come faster than projections finish, so projections are coalesced: one in flight at a
// time, and when it returns only the latest wanted (layer, method) is asked for next.

import { create } from 'zustand';
import type { AlignmentRow } from '../align/analyze';
import { readTsv } from '../data/tsv';
import { armSettings, DEFAULT_EXPERIMENT } from '../experiment/arms';
import type { Pooling } from '../reference/pooling';
import type { ParallelTuple } from '../train/batching';
import type { AnalysisResult, AnalysisSlot, AnalyzeRequest, Neighbour, ProjectionResult } from '../worker/analysis';
import { useTrainStore } from './train';
import type { EngineApi, EngineEvent } from '../worker/engine';

type Engine = EngineApi & { onEvent(l: (e: EngineEvent) => void): unknown };
export type MapMethod = Parameters<EngineApi['projectEmbeddings']>[1];
export type SplitName = 'test' | 'dev' | 'train' | 'all';
export type HeatMetric = 'lac' | 'mexa';

/** The corpus the app ships, and its fixed split (seeded 70/10/20, the split the CLI computes). */
export const CORPUS_URL = '/data/corpus.tsv';
export const SPLITS_URL = '/data/splits.json';

/** Bootstrap settings of the LAC interval: the CLI's (`alignscope analyze` uses seed 0, 1000 resamples). */
export const BOOTSTRAP = { resamples: 1000, seed: 0 } as const;
/** Seed of the UMAP layout (PCA is deterministic). */
export const MAP_SEED = 1;
/** Neighbours listed for a selected sentence. */
export const NEIGHBOURS_K = 5;

export interface InspectCorpus {
  languages: string[];
  tuples: ParallelTuple[];
  ids: string[];
  splits: Record<'train' | 'dev' | 'test', string[]>;
}

export interface InspectForm {
  /** Chosen languages, kept in corpus order (so pairs come out as the CLI lists them). */
  languages: string[];
  split: SplitName;
  /** Tuples to use from the start of the split, as typed; '' means all of it. */
  count: string;
  pooling: Pooling;
  centre: boolean;
  method: MapMethod;
}

export interface InspectProgress {
  task: 'analyze' | 'project';
  done: number;
  total: number;
  label: string;
}

/** A sentence: tuple `index` in `language`. */
export interface PointRef {
  language: string;
  index: number;
}

/** The preset's settings as typed. */
export interface PresetForm {
  steps: string;
  /** Re-analyse every this many steps. */
  every: string;
}

export const DEFAULT_PRESET: PresetForm = { steps: String(DEFAULT_EXPERIMENT.steps), every: '10' };

/** One re-analysis during the preset's training. */
export interface AlignSnapshot {
  step: number;
  rows: AlignmentRow[];
}

export interface InspectState {
  corpus: InspectCorpus | null;
  corpusError: string | null;
  form: InspectForm;
  /** The chosen hidden state: 0 = embeddings, L = after the last block. */
  layer: number;
  analyzing: boolean;
  projecting: boolean;
  /** The engine's last progress event for the work in flight; null when idle. */
  progress: InspectProgress | null;
  result: AnalysisResult | null;
  /** The split the result came from (for labels and file names). */
  resultSplit: SplitName | null;
  projection: ProjectionResult | null;
  selection: PointRef | null;
  /** Neighbours of the selection at `neighboursLayer`; null while asked for. */
  neighbours: Neighbour[] | null;
  neighboursLayer: number | null;
  showLinks: boolean;
  heatMetric: HeatMetric;
  error: { name: string; message: string } | null;
  /** Analyse as soon as the corpus is read (the app opening on its default model). */
  autoAnalyze: boolean;
  preset: PresetForm;
  /** The analysis before the preset trained (step 0); null before a preset run. */
  baseline: AnalysisResult | null;
  /** Every re-analysis of the current preset run, by step. */
  history: AlignSnapshot[];
  /** Which analysis the views show: the latest, or the baseline (before training). */
  view: AnalysisSlot;
}

export interface InspectActions {
  /** Subscribes to the engine's analyze/project progress once. */
  connect(engine: Engine): void;
  /** Fetches the shipped corpus and its split (once; again after a failure). */
  loadCorpus(): Promise<void>;
  /** A new model: forget results of the old one and put the slider on its middle layer. */
  resetForModel(numLayers: number): void;
  setForm(patch: Partial<InspectForm>): void;
  toggleLanguage(language: string): void;
  analyze(engine: EngineApi): Promise<void>;
  setLayer(engine: EngineApi, layer: number): void;
  setMethod(engine: EngineApi, method: MapMethod): void;
  select(engine: EngineApi, point: PointRef | null): void;
  setShowLinks(on: boolean): void;
  setHeatMetric(metric: HeatMetric): void;
  requestAutoAnalyze(): void;
  setPreset(patch: Partial<PresetForm>): void;
  /** Starts the mapping arm on the shipped corpus's train split, re-analysing the form's languages on the test split every k steps. */
  startPreset(engine: EngineApi, numLayers: number): Promise<void>;
  setView(engine: EngineApi, view: AnalysisSlot): void;
}

function errorOf(e: unknown): { name: string; message: string } {
  return { name: (e as Error)?.name ?? 'Error', message: (e as Error)?.message ?? String(e) };
}

/** The split's tuples in corpus order (the order the CLI uses), or every tuple for 'all'. */
export function splitTuples(corpus: InspectCorpus, split: SplitName): ParallelTuple[] {
  if (split === 'all') return corpus.tuples;
  const wanted = new Set(corpus.splits[split]);
  return corpus.tuples.filter((_, i) => wanted.has(corpus.ids[i]));
}

/** The engine request the form describes, or why there is none. */
export function requestOf(corpus: InspectCorpus | null, form: InspectForm): { request: AnalyzeRequest | null; problem: string | null } {
  if (!corpus) return { request: null, problem: 'The corpus is not read yet.' };
  if (form.languages.length < 2) return { request: null, problem: 'Choose at least two languages.' };
  const all = splitTuples(corpus, form.split);
  let tuples = all;
  const raw = form.count.trim();
  if (raw !== '') {
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 2 || n > all.length) return { request: null, problem: `Tuples: a whole number from 2 to ${all.length}, or empty for all.` };
    tuples = all.slice(0, n);
  }
  return { request: { tuples, languages: form.languages, layers: 'all', pooling: form.pooling, centre: form.centre, ...BOOTSTRAP }, problem: null };
}

/** The middle hidden state of a model with `numLayers` blocks. */
export function middleLayer(numLayers: number): number {
  return Math.round(numLayers / 2);
}

async function fetchCorpus(): Promise<InspectCorpus> {
  const [tsv, splits] = await Promise.all([CORPUS_URL, SPLITS_URL].map(async (url) => {
    const res = await fetch(url);
    if (!res.ok) throw new Error(`Could not fetch ${url}: HTTP ${res.status}.`);
    return res.text();
  }));
  const { corpus } = readTsv(tsv, 'corpus.tsv');
  if (!corpus.ids) throw new Error('corpus.tsv has no id column, so splits.json cannot name its tuples.');
  const parsed = JSON.parse(splits) as InspectCorpus['splits'];
  return { languages: corpus.languages, tuples: corpus.tuples, ids: corpus.ids, splits: { train: parsed.train, dev: parsed.dev, test: parsed.test } };
}

let connected = false;
/** Bumped by every analysis: replies to calls made for an older one are dropped. */
let run = 0;
/** The projection wanted next; the loop in `pumpProjection` takes it. */
let wanted: { layer: number; method: MapMethod; run: number; slot: AnalysisSlot } | null = null;
let pumping = false;
let neighbourCall = 0;

export const useInspectStore = create<InspectState & InspectActions>()((set, get) => {
  async function pumpProjection(engine: EngineApi): Promise<void> {
    if (pumping) return;
    pumping = true;
    set({ projecting: true });
    try {
      while (wanted) {
        const w = wanted;
        wanted = null;
        try {
          const projection = await engine.projectEmbeddings(w.layer, w.method, MAP_SEED, w.slot);
          if (w.run === run) set({ projection, error: null });
        } catch (e) {
          if (w.run === run) set({ error: errorOf(e) });
        }
      }
    } finally {
      pumping = false;
      set({ projecting: false, progress: get().analyzing ? get().progress : null });
    }
  }

  function reproject(engine: EngineApi): void {
    if (!get().result || get().analyzing) return;
    wanted = { layer: get().layer, method: get().form.method, run, slot: get().view };
    void pumpProjection(engine);
  }

  /** A re-analysis from the preset's training: it becomes the latest result (and, at step 0, the baseline). */
  function onAlign(engine: EngineApi, step: number, result: AnalysisResult): void {
    run++;
    wanted = null;
    const history = step === 0 ? [] : get().history.filter((h) => h.step < step);
    set({
      result,
      resultSplit: 'test',
      baseline: step === 0 ? result : get().baseline,
      history: [...history, { step, rows: result.rows }],
      analyzing: false,
      selection: get().view === 'latest' ? null : get().selection,
      neighbours: null,
      neighboursLayer: null,
    });
    if (get().view === 'latest') reproject(engine);
  }

  function fetchNeighbours(engine: EngineApi): void {
    const { selection, layer, result } = get();
    if (!selection || !result) return;
    const call = ++neighbourCall;
    const at = run;
    set({ neighbours: null, neighboursLayer: layer });
    engine.nearestNeighbours(layer, selection.language, selection.index, NEIGHBOURS_K).then(
      (neighbours) => call === neighbourCall && at === run && set({ neighbours }),
      (e) => call === neighbourCall && set({ error: errorOf(e) }),
    );
  }

  return {
    corpus: null,
    corpusError: null,
    form: { languages: [], split: 'test', count: '', pooling: 'mean', centre: true, method: 'pca' },
    layer: 0,
    analyzing: false,
    projecting: false,
    progress: null,
    result: null,
    resultSplit: null,
    projection: null,
    selection: null,
    neighbours: null,
    neighboursLayer: null,
    showLinks: true,
    heatMetric: 'lac',
    error: null,
    autoAnalyze: false,
    preset: DEFAULT_PRESET,
    baseline: null,
    history: [],
    view: 'latest',

    connect(engine) {
      if (connected) return;
      connected = true;
      engine.onEvent((e) => {
        if (e.kind === 'train-align') {
          onAlign(engine, e.step, e.result);
          return;
        }
        if (e.kind !== 'progress' || (e.task !== 'analyze' && e.task !== 'project')) return;
        if (get().analyzing || get().projecting) set({ progress: { task: e.task, done: e.done, total: e.total, label: e.label } });
      });
    },

    async loadCorpus() {
      if (get().corpus) return;
      set({ corpusError: null });
      try {
        const corpus = await fetchCorpus();
        // Every language by default: the workshop's map shows all eight.
        set({ corpus, form: { ...get().form, languages: corpus.languages } });
      } catch (e) {
        const err = errorOf(e);
        set({ corpusError: `${err.name}: ${err.message}` });
      }
    },

    resetForModel(numLayers) {
      run++;
      wanted = null;
      // An analysis in flight belongs to the old model: its reply is dropped (run changed).
      set({ layer: middleLayer(numLayers), analyzing: false, progress: null, result: null, resultSplit: null, projection: null, selection: null, neighbours: null, neighboursLayer: null, error: null, baseline: null, history: [], view: 'latest' });
    },

    setForm(patch) {
      set({ form: { ...get().form, ...patch } });
    },

    toggleLanguage(language) {
      const { form, corpus } = get();
      const on = new Set(form.languages);
      if (on.has(language)) on.delete(language);
      else on.add(language);
      const order = corpus?.languages ?? [...on];
      set({ form: { ...form, languages: order.filter((l) => on.has(l)) } });
    },

    async analyze(engine) {
      const { request, problem } = requestOf(get().corpus, get().form);
      if (!request) {
        set({ error: { name: 'Settings', message: problem ?? 'Nothing to analyse.' } });
        return;
      }
      const split = get().form.split;
      const mine = ++run;
      wanted = null;
      set({ view: 'latest' });
      set({ analyzing: true, progress: { task: 'analyze', done: 0, total: request.languages.length + 1, label: 'starting' }, error: null });
      try {
        const result = await engine.analyze(request);
        if (mine !== run) return;
        const top = result.layers[result.layers.length - 1];
        const layer = result.layers.includes(get().layer) ? get().layer : middleLayer(top);
        // The old map stays until the new one is drawn; its points belong to the old analysis, so
        // the selection (an index into it) is dropped.
        set({ result, resultSplit: split, layer, selection: null, neighbours: null, neighboursLayer: null, analyzing: false, progress: { task: 'project', done: 0, total: 1, label: `${get().form.method} projection` } });
        reproject(engine);
      } catch (e) {
        if (mine === run) set({ analyzing: false, progress: null, error: errorOf(e) });
      }
    },

    setLayer(engine, layer) {
      if (layer === get().layer) return;
      set({ layer });
      reproject(engine);
      fetchNeighbours(engine);
    },

    setMethod(engine, method) {
      set({ form: { ...get().form, method } });
      reproject(engine);
    },

    select(engine, point) {
      neighbourCall++;
      set({ selection: point, neighbours: null, neighboursLayer: null });
      if (point) fetchNeighbours(engine);
    },

    setShowLinks(showLinks) {
      set({ showLinks });
    },

    setHeatMetric(heatMetric) {
      set({ heatMetric });
    },

    requestAutoAnalyze() {
      set({ autoAnalyze: true });
    },

    setPreset(patch) {
      set({ preset: { ...get().preset, ...patch } });
    },

    async startPreset(engine, numLayers) {
      const { corpus, form, preset } = get();
      const steps = Number(preset.steps);
      const every = Number(preset.every);
      const problem = !corpus
        ? 'The corpus is not read yet.'
        : !(Number.isInteger(steps) && steps >= 1 && steps <= 10_000)
          ? 'Steps: a whole number from 1 to 10000.'
          : !(Number.isInteger(every) && every >= 1)
            ? 'Re-analyse every: a whole number of steps, at least 1.'
            : null;
      const { request, problem: formProblem } = requestOf(corpus, { ...form, split: 'test', count: '' });
      if (problem || !request || !corpus) {
        set({ error: { name: 'Settings', message: problem ?? formProblem ?? 'Nothing to analyse.' } });
        return;
      }
      const settings = armSettings('mapping', { ...DEFAULT_EXPERIMENT, steps }, corpus.languages, numLayers);
      set({ error: null, baseline: null, history: [], view: 'latest', analyzing: true, progress: { task: 'analyze', done: 0, total: request.languages.length + 1, label: 'before training' } });
      run++;
      await useTrainStore.getState().start(engine, settings, { data: { train: splitTuples(corpus, 'train'), heldOut: splitTuples(corpus, 'dev') }, align: { every, request } });
      const failed = useTrainStore.getState().error;
      if (failed) set({ analyzing: false, progress: null, error: failed });
    },

    setView(engine, view) {
      if (view === get().view || (view === 'baseline' && !get().baseline)) return;
      set({ view });
      run++;
      wanted = null;
      set({ selection: null, neighbours: null, neighboursLayer: null });
      reproject(engine);
    },
  };
});
