// What the UI knows about inspecting alignment: the chosen corpus and the form (their data and the
// request they make are inspect-request.ts), the last analysis (metrics of
// every layer and pair), the 2-D map of the chosen layer, the selected tuple and its neighbours, and
// the engine's progress while it works. A new analysis or map replaces the old one only when it is
// ready, so the panel always shows the last result while it recomputes.
//
// The workshop preset ("Reproduce the paper in miniature") trains the loaded model with the mapping
// arm of src/experiment/arms.ts and has the engine re-analyse every k steps (`train-align` events):
// each result replaces the shown one, the history keeps LAC per step, and the step-0 analysis is the
// baseline the before/after toggle shows (the engine keeps its embeddings, so its map can be drawn).
//
// The default model's folder ships its base analysis (src/worker/shipped-analysis.ts): the store
// fetches it as the page opens and shows it, marked as precomputed, before the model has even
// loaded; once it has, the engine adopts the shipped vectors (checking they came from these weights)
// so neighbours, UMAP and the preset's step 0 need no re-embedding. A live analysis runs only when
// the user asks (Analyze after changing a setting), or when the engine refuses the shipped one.
//
// Moving the layer slider re-projects the embeddings the engine kept (no re-embedding). Slider
// moves come faster than projections finish, so projections are coalesced: one in flight at a
// time, and when it returns only the latest wanted (layer, method) is asked for next.

import { create } from 'zustand';
import type { AlignmentRow } from '../align/analyze';
import { armSettings, DEFAULT_EXPERIMENT, WORKSHOP_PRESET, type Arm } from '../experiment/arms';
import { DEFAULT_CORPUS, type CorpusName } from '../data/corpora';
import type { AnalysisResult, AnalysisSlot, Neighbour, ProjectionResult } from '../worker/analysis';
import { defaultForm, fetchCorpus, middleLayer, presetData, requestOf, SOFTWARE_FIRST_LOOK, type InspectCorpus, type InspectForm, type MapMethod, type SplitName } from './inspect-request';
import { parseShippedAnalysis, SHIPPED_ANALYSIS_FILE, SHIPPED_MAP_METHOD, type ShippedAnalysis } from '../worker/shipped-analysis';
import type { ModelInfo } from '../model/model';
import { useTrainStore } from './train';
import type { EngineApi, EngineEvent } from '../worker/engine';

type Engine = EngineApi & { onEvent(l: (e: EngineEvent) => void): unknown };
export type HeatMetric = 'lac' | 'mexa';

/** Seed of the UMAP layout (PCA is deterministic). */
export const MAP_SEED = 1;
/** Neighbours listed for a selected sentence. */
export const NEIGHBOURS_K = 5;



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

export const DEFAULT_PRESET: PresetForm = { steps: String(WORKSHOP_PRESET.steps), every: String(WORKSHOP_PRESET.every) };

/** The arms the workshop presets train: the paper's mapping task, and contrastive alignment beside it. */
export type PresetArm = Extract<Arm, 'mapping' | 'contrastive'>;

/** One re-analysis during the preset's training. */
export interface AlignSnapshot {
  step: number;
  rows: AlignmentRow[];
}

/** Where the shown analysis came from: the model build (shipped beside the model) or this page's engine. */
export type ResultSource = 'shipped' | 'live';

/** The shipped base analysis of a model folder, as fetched. */
export interface ShippedView {
  /** The folder URL (the loaded model's `info.name` when it is this model). */
  modelUrl: string;
  analysis: ShippedAnalysis;
  /** Whether the engine took it as its own (vectors adopted, weights checked). */
  adopted: boolean;
  /** Why the engine did not take it, when it did not. */
  refused: string | null;
}

export interface InspectState {
  /** The chosen shipped corpus; `corpus` is it once read. */
  corpusName: CorpusName;
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
  resultSource: ResultSource | null;
  shipped: ShippedView | null;
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
  /** The arm of the last preset run (null before one). */
  presetArm: PresetArm | null;
}

export interface InspectActions {
  /** Subscribes to the engine's analyze/project progress once. */
  connect(engine: Engine): void;
  /** Fetches the chosen shipped corpus (once; again after a failure). */
  loadCorpus(): Promise<void>;
  /** Chooses another shipped corpus: the form keeps its settings (the software corpus starts on its first SOFTWARE_FIRST_LOOK test tuples). */
  setCorpus(name: CorpusName): Promise<void>;
  /** Fetches a model folder's shipped base analysis and shows it if nothing else is shown (a missing file is no error). */
  loadShipped(modelUrl: string): Promise<void>;
  /** The default model has loaded: let the engine adopt the shipped analysis, or analyse live if it refuses. */
  adoptShipped(engine: EngineApi): Promise<void>;
  /** A new model: forget results of the old one (unless they are its own shipped analysis) and put the slider on its middle layer. */
  resetForModel(info: ModelInfo): void;
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
  /** Starts an arm (mapping: the paper's; contrastive: InfoNCE) on the shipped corpus's train split, re-analysing the form's languages on the test split every k steps. */
  startPreset(engine: EngineApi, numLayers: number, arm: PresetArm): Promise<void>;
  /** Has the engine measure, while the user reads, what the paper preset's first step needs (its held-out losses before training). */
  preparePreset(engine: EngineApi, numLayers: number): void;
  setView(engine: EngineApi, view: AnalysisSlot): void;
}

function errorOf(e: unknown): { name: string; message: string } {
  return { name: (e as Error)?.name ?? 'Error', message: (e as Error)?.message ?? String(e) };
}





/** Whether two analyses hold the same rows (the engine's step-0 reuse of the one on screen returns equal numbers). */
function sameNumbers(a: AnalysisResult, b: AnalysisResult | null): boolean {
  return !!b && a.rows.length === b.rows.length && a.rows.every((r, i) => Object.is(r.lac, b.rows[i].lac) && r.layer === b.rows[i].layer && r.a === b.rows[i].a && r.b === b.rows[i].b);
}




let connected = false;
/** Bumped by every analysis: replies to calls made for an older one are dropped. */
let run = 0;
/** The projection wanted next; the loop in `pumpProjection` takes it. */
let wanted: { layer: number; method: MapMethod; run: number; slot: AnalysisSlot } | null = null;
let pumping = false;
let neighbourCall = 0;
/** The shipped analysis fetched (or being fetched), by model folder. */
let shippedFetch: { url: string; done: Promise<void> } | null = null;

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

  /** The shipped PCA map of a layer, when the shown analysis is the shipped one. */
  function shippedMap(layer: number, method: MapMethod, slot: AnalysisSlot): ProjectionResult | null {
    const { shipped, resultSource, result, baseline } = get();
    const shown = slot === 'latest' ? result : baseline;
    if (!shipped || method !== SHIPPED_MAP_METHOD || shown !== shipped.analysis.result || (slot === 'latest' && resultSource !== 'shipped')) return null;
    const points = shipped.analysis.maps[layer];
    return points ? { layer, method, languages: shown.languages, n: shown.n, points: Float32Array.from(points) } : null;
  }

  function reproject(engine: EngineApi): void {
    if (!get().result || get().analyzing) return;
    const map = shippedMap(get().layer, get().form.method, get().view);
    if (map) {
      wanted = null;
      set({ projection: map, progress: null });
      return;
    }
    wanted = { layer: get().layer, method: get().form.method, run, slot: get().view };
    void pumpProjection(engine);
  }

  /** A re-analysis from the preset's training: it becomes the latest result (and, at step 0, the baseline). */
  function onAlign(engine: EngineApi, step: number, incoming: AnalysisResult): void {
    run++;
    wanted = null;
    const history = step === 0 ? [] : get().history.filter((h) => h.step < step);
    // Step 0 of a run that starts from the analysis on screen: the engine reused it, so keep the object (and its shipped maps).
    const kept = step === 0 && sameNumbers(incoming, get().result);
    const result = kept ? get().result! : incoming;
    set({
      result,
      resultSource: kept ? get().resultSource : 'live',
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
    const { selection, layer, result, resultSource, shipped } = get();
    if (!selection || !result) return;
    // The engine holds the shipped vectors only once it adopted them; until then the list says it waits.
    if (resultSource === 'shipped' && !shipped?.adopted) {
      set({ neighbours: null, neighboursLayer: layer });
      return;
    }
    const call = ++neighbourCall;
    const at = run;
    set({ neighbours: null, neighboursLayer: layer });
    engine.nearestNeighbours(layer, selection.language, selection.index, NEIGHBOURS_K).then(
      (neighbours) => call === neighbourCall && at === run && set({ neighbours }),
      (e) => call === neighbourCall && set({ error: errorOf(e) }),
    );
  }

  async function fetchShipped(modelUrl: string): Promise<void> {
    let analysis: ShippedAnalysis;
    try {
      const res = await fetch(new URL(SHIPPED_ANALYSIS_FILE, new URL(modelUrl, location.href)));
      if (!res.ok) return; // this folder ships none: the page analyses live
      analysis = parseShippedAnalysis(await res.json(), modelUrl);
    } catch (e) {
      set({ error: errorOf(e) });
      return;
    }
    set({ shipped: { modelUrl, analysis, adopted: false, refused: null } });
    if (!get().result && !get().analyzing) showShipped(analysis);
  }

  /** The shipped analysis becomes the shown one, on the middle layer. */
  function showShipped(analysis: ShippedAnalysis): void {
    const r = analysis.result;
    run++;
    set({ result: r, resultSource: 'shipped', resultSplit: analysis.split, layer: middleLayer(r.layers[r.layers.length - 1]), selection: null, neighbours: null, neighboursLayer: null, baseline: null, history: [], view: 'latest' });
    set({ projection: shippedMap(get().layer, get().form.method, 'latest') });
  }

  return {
    corpusName: DEFAULT_CORPUS,
    corpus: null,
    corpusError: null,
    form: defaultForm([]),
    layer: 0,
    analyzing: false,
    projecting: false,
    progress: null,
    result: null,
    resultSource: null,
    shipped: null,
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
    presetArm: null,

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
      if (get().corpus?.name === get().corpusName) return;
      const name = get().corpusName;
      set({ corpusError: null });
      try {
        const corpus = await fetchCorpus(name);
        if (get().corpusName !== name) return; // another corpus was chosen meanwhile
        // Every language by default: the workshop's map shows all eight.
        const keep = get().form.languages.filter((l) => corpus.languages.includes(l));
        set({ corpus, form: { ...get().form, languages: keep.length >= 2 ? keep : corpus.languages } });
      } catch (e) {
        const err = errorOf(e);
        set({ corpusError: `${err.name}: ${err.message}` });
      }
    },

    async setCorpus(name) {
      if (name === get().corpusName) return;
      set({ corpusName: name, corpus: null, form: { ...get().form, count: name === 'software' ? String(SOFTWARE_FIRST_LOOK) : '' } });
      await get().loadCorpus();
    },

    loadShipped(modelUrl) {
      // Once per folder: the app starts the fetch while the engine starts, and opening the model asks again.
      if (shippedFetch?.url !== modelUrl) shippedFetch = { url: modelUrl, done: fetchShipped(modelUrl) };
      return shippedFetch.done;
    },

    async adoptShipped(engine) {
      const shipped = get().shipped;
      const status = shipped ? await engine.adoptShippedAnalysis().catch((e: Error) => ({ adopted: false, reason: `${e.name}: ${e.message}`, result: null })) : null;
      if (status?.adopted && get().shipped === shipped && shipped) {
        set({ shipped: { ...shipped, adopted: true } });
        // Opened again after other models or training cleared the views: show it again.
        if (!get().result && !get().analyzing) showShipped(shipped.analysis);
        if (get().resultSource === 'shipped') {
          fetchNeighbours(engine);
          reproject(engine);
        }
        return;
      }
      if (shipped) set({ shipped: { ...shipped, refused: status?.reason ?? 'unknown' } });
      if (get().resultSource !== 'live') {
        set({ result: null, resultSource: null, projection: null });
        get().requestAutoAnalyze();
      }
    },

    resetForModel(info) {
      const { shipped, resultSource } = get();
      // The default model's own shipped analysis stays on screen; the engine checks the weights when it adopts it.
      if (resultSource === 'shipped' && shipped && shipped.modelUrl === info.name && shipped.analysis.quant === info.quant) return;
      run++;
      wanted = null;
      // An analysis in flight belongs to the old model: its reply is dropped (run changed).
      set({ layer: middleLayer(info.config.numLayers), analyzing: false, progress: null, result: null, resultSource: null, resultSplit: null, projection: null, selection: null, neighbours: null, neighboursLayer: null, error: null, baseline: null, history: [], view: 'latest' });
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
        set({ result, resultSource: 'live', resultSplit: split, layer, selection: null, neighbours: null, neighboursLayer: null, analyzing: false, progress: { task: 'project', done: 0, total: 1, label: `${get().form.method} projection` } });
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

    async startPreset(engine, numLayers, arm) {
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
      const { request, problem: formProblem } = requestOf(corpus, { ...form, split: 'test' });
      if (problem || !request || !corpus) {
        set({ error: { name: 'Settings', message: problem ?? formProblem ?? 'Nothing to analyse.' } });
        return;
      }
      const settings = armSettings(arm, { ...DEFAULT_EXPERIMENT, steps }, corpus.languages, numLayers);
      set({ presetArm: arm, error: null, baseline: null, history: [], view: 'latest', analyzing: true, progress: { task: 'analyze', done: 0, total: request.languages.length + 1, label: 'before training' } });
      run++;
      await useTrainStore.getState().start(engine, settings, { data: presetData(corpus), align: { every, request } });
      const failed = useTrainStore.getState().error;
      if (failed) set({ analyzing: false, progress: null, error: failed });
    },

    preparePreset(engine, numLayers) {
      const corpus = get().corpus;
      // Only the default corpus: preparing reads the whole train split into batches, seconds of worker
      // time for the software corpus's 22k tuples that the user did not ask for.
      if (!corpus || corpus.name !== DEFAULT_CORPUS) return;
      // The schedule does not change what is measured ahead, so the default steps stand in for a half-typed field.
      const settings = armSettings('mapping', DEFAULT_EXPERIMENT, corpus.languages, numLayers);
      void engine.prepareTraining(settings, presetData(corpus)).catch(() => undefined); // only a head start: a failure shows when the preset starts
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
