// What the UI knows about translating held-out sentences: the form (direction, how many TEST
// sentences from the start of the split, max new tokens), the engine's progress, and the last result:
// the same sentences translated greedily by the base model and by the fine-tuned one (the weights as
// trained so far), with per-sentence chrF and corpus chrF and BLEU for each.
//
// The corpus and its split are the Inspect store's (read, never fetched twice). A run replaces the
// result only when both translations are back; on an error the form and the last result stay.

import { create } from 'zustand';
import { scoreTranslations, sentenceChrf } from '../eval';
import type { ParallelTuple } from '../train/batching';
import { DEFAULT_TAGS_TEMPLATE } from '../train/template';
import type { EngineApi, EngineEvent } from '../worker/engine';
import type { TranslateRequest } from '../worker/translate';
import { useInspectStore } from './inspect';
import { splitTuples, type InspectCorpus } from './inspect-request';

type Engine = EngineApi & { onEvent(l: (e: EngineEvent) => void): unknown };
export type Weights = TranslateRequest['weights'];

/** Numbers as typed (so half-typed values are kept); `planOf` checks them. */
export interface TranslateForm {
  srcLang: string;
  tgtLang: string;
  /** Sentences from the start of the test split. */
  count: string;
  maxNewTokens: string;
}

export const DEFAULT_FORM: TranslateForm = { srcLang: 'en', tgtLang: 'zh', count: '8', maxNewTokens: '48' };

/** One test sentence: its source, the reference and both models' outputs with their sentence chrF. */
export interface TranslateRow {
  source: string;
  reference: string;
  base: string;
  tuned: string;
  chrfBase: number;
  chrfTuned: number;
}

/** Corpus-level scores of one model, 0..100. */
export interface ModelScores {
  chrf: number;
  bleu: number;
}

export interface TranslateResult {
  srcLang: string;
  tgtLang: string;
  maxNewTokens: number;
  rows: TranslateRow[];
  base: ModelScores;
  tuned: ModelScores;
  /** Rows whose two outputs differ (0 until the model is trained). */
  differing: number;
}

/** What the engine is doing: which model translates, and its batches done of total. */
export interface TranslateProgress {
  weights: Weights;
  done: number;
  total: number;
}

/** The engine requests' shared part and the references, or why the form describes none. */
export interface TranslatePlan {
  items: TranslateRequest['items'];
  references: string[];
  maxNewTokens: number;
}

export interface TranslateState {
  form: TranslateForm;
  /** The loaded model's context length (bounds max new tokens). */
  maxPositions: number;
  running: boolean;
  progress: TranslateProgress | null;
  result: TranslateResult | null;
  error: { name: string; message: string } | null;
}

export interface TranslateActions {
  /** Subscribes to the engine's translate progress once. */
  connect(engine: Engine): void;
  setForm(patch: Partial<TranslateForm>): void;
  /** A new model: the last result described the old one. */
  resetForModel(maxPositions: number): void;
  /** Translates the chosen sentences with the base weights, then the current ones; ignored while running. */
  run(engine: EngineApi): Promise<void>;
}

/** Test tuples that have both languages, in split order. */
export function testPairs(corpus: InspectCorpus, srcLang: string, tgtLang: string): ParallelTuple[] {
  return splitTuples(corpus, 'test').filter((t) => !!t[srcLang] && !!t[tgtLang]);
}

function wholeIn(raw: string, lo: number, hi: number): number | null {
  const n = Number(raw.trim());
  return raw.trim() !== '' && Number.isInteger(n) && n >= lo && n <= hi ? n : null;
}

/** The sentences and settings the form describes, or the problem to show instead. */
export function planOf(corpus: InspectCorpus | null, form: TranslateForm, maxPositions: number): { plan: TranslatePlan | null; problem: string | null } {
  if (!corpus) return { plan: null, problem: 'The corpus is not read yet.' };
  const { srcLang, tgtLang } = form;
  if (!corpus.languages.includes(srcLang) || !corpus.languages.includes(tgtLang)) return { plan: null, problem: 'Choose two languages of the corpus.' };
  if (srcLang === tgtLang) return { plan: null, problem: 'Choose two different languages.' };
  const pairs = testPairs(corpus, srcLang, tgtLang);
  const count = wholeIn(form.count, 1, pairs.length);
  if (count === null) return { plan: null, problem: `Sentences: a whole number from 1 to ${pairs.length}.` };
  const maxNewTokens = wholeIn(form.maxNewTokens, 1, maxPositions - 1);
  if (maxNewTokens === null) return { plan: null, problem: `Max new tokens: a whole number from 1 to ${maxPositions - 1}.` };
  const chosen = pairs.slice(0, count);
  return {
    plan: { items: chosen.map((t) => ({ srcLang, tgtLang, src: t[srcLang] })), references: chosen.map((t) => t[tgtLang]), maxNewTokens },
    problem: null,
  };
}

function scoresOf(outputs: readonly string[], references: readonly string[], tgtLang: string): ModelScores {
  const s = scoreTranslations(outputs, references, tgtLang);
  return { chrf: s.chrf.score, bleu: s.bleu.score };
}

/** Rows and scores from the plan and both models' outputs (one per item, in order). */
export function buildResult(plan: TranslatePlan, base: readonly string[], tuned: readonly string[]): TranslateResult {
  const n = plan.items.length;
  if (base.length !== n || tuned.length !== n) throw new Error(`The engine returned ${base.length} base and ${tuned.length} fine-tuned outputs for ${n} sentences.`);
  const { srcLang, tgtLang } = plan.items[0];
  const rows = plan.items.map((it, i) => ({
    source: it.src,
    reference: plan.references[i],
    base: base[i],
    tuned: tuned[i],
    chrfBase: sentenceChrf(base[i], [plan.references[i]]).score,
    chrfTuned: sentenceChrf(tuned[i], [plan.references[i]]).score,
  }));
  return {
    srcLang,
    tgtLang,
    maxNewTokens: plan.maxNewTokens,
    rows,
    base: scoresOf(base, plan.references, tgtLang),
    tuned: scoresOf(tuned, plan.references, tgtLang),
    differing: rows.filter((r) => r.base !== r.tuned).length,
  };
}

function errorOf(e: unknown): { name: string; message: string } {
  return { name: (e as Error)?.name ?? 'Error', message: (e as Error)?.message ?? String(e) };
}

let connected = false;
/** Bumped by a new model: a run started for the old one drops its result. */
let generation = 0;

export const useTranslateStore = create<TranslateState & TranslateActions>()((set, get) => ({
  form: DEFAULT_FORM,
  maxPositions: 0,
  running: false,
  progress: null,
  result: null,
  error: null,

  connect(engine) {
    if (connected) return;
    connected = true;
    engine.onEvent((e) => {
      const progress = get().progress;
      if (e.kind === 'progress' && e.task === 'translate' && get().running && progress) set({ progress: { ...progress, done: e.done, total: e.total } });
    });
  },

  setForm(patch) {
    set({ form: { ...get().form, ...patch } });
  },

  resetForModel(maxPositions) {
    generation++;
    set({ maxPositions, result: null, error: null });
  },

  async run(engine) {
    if (get().running) return;
    const { plan, problem } = planOf(useInspectStore.getState().corpus, get().form, get().maxPositions);
    if (!plan) {
      set({ error: { name: 'Settings', message: problem ?? 'Nothing to translate.' } });
      return;
    }
    const mine = generation;
    const request = { items: plan.items, template: DEFAULT_TAGS_TEMPLATE, maxNewTokens: plan.maxNewTokens };
    const outputs: Record<Weights, string[]> = { base: [], current: [] };
    set({ running: true, error: null });
    try {
      for (const weights of ['base', 'current'] as const) {
        set({ progress: { weights, done: 0, total: plan.items.length } });
        outputs[weights] = (await engine.translate({ ...request, weights })).outputs;
      }
      if (mine === generation) set({ result: buildResult(plan, outputs.base, outputs.current) });
    } catch (e) {
      if (mine === generation) set({ error: errorOf(e) });
    } finally {
      set({ running: false, progress: null });
    }
  },
}));
