// What Inspect analyses, as plain data and functions (no store): a shipped corpus by name with its
// fixed split, the form the user fills (languages, split, tuples, pooling, centring, projection),
// the engine request the form makes (the same the CLI's analyze makes), and what the presets train
// on. The Inspect store, the Translate store, the model build's precompute script and tests share it.

import { CORPORA, standardSplit, type CorpusName } from '../data/corpora';
import type { ReadReport } from '../data/corpus';
import { readCorpusUrlInWorker } from '../data/read-in-worker';
import type { CorpusSplit } from '../data/splits';
import type { Pooling } from '../reference/pooling';
import type { ParallelTuple } from '../train/batching';
import type { AnalyzeRequest } from '../worker/analysis';
import type { EngineApi } from '../worker/engine';
import type { TrainData } from '../worker/training';

export type MapMethod = Parameters<EngineApi['projectEmbeddings']>[1];

export type SplitName = 'test' | 'dev' | 'train' | 'all';

/** Bootstrap settings of the LAC interval: the CLI's (`alignscope analyze` uses seed 0, 1000 resamples). */
export const BOOTSTRAP = { resamples: 1000, seed: 0 } as const;

/** A shipped corpus as read: its tuples and their fixed split (the corpus's own, or 70/10/20 by seed 0). */
export interface InspectCorpus {
  name: CorpusName;
  languages: string[];
  tuples: ParallelTuple[];
  /** Indices into `tuples`, ascending. */
  split: CorpusSplit;
}

/** Tuples the software corpus's form starts with (its test split has 1,220: minutes to embed on a software adapter). */
export const SOFTWARE_FIRST_LOOK = 200;

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

/** The form the app opens with (every language of the corpus): the request the shipped base analysis answers. */
export function defaultForm(languages: string[]): InspectForm {
  return { languages, split: 'test', count: '', pooling: 'mean', centre: true, method: 'pca' };
}

/** The split's tuples in corpus order (the order the CLI uses), or every tuple for 'all'. */
export function splitTuples(corpus: InspectCorpus, split: SplitName): ParallelTuple[] {
  return split === 'all' ? corpus.tuples : corpus.split[split].map((i) => corpus.tuples[i]);
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

/** What the presets train on (the shipped corpus's train split) and hold out (its dev split). */
export function presetData(corpus: InspectCorpus): TrainData {
  return { train: splitTuples(corpus, 'train'), heldOut: splitTuples(corpus, 'dev') };
}

/** The middle hidden state of a model with `numLayers` blocks. */
export function middleLayer(numLayers: number): number {
  return Math.round(numLayers / 2);
}

/** A shipped corpus from what its reader gave: the tuples and the split every tool uses (data/corpora.ts). */
export function inspectCorpus(name: CorpusName, report: ReadReport): InspectCorpus {
  const { corpus } = report;
  return { name, languages: corpus.languages, tuples: corpus.tuples, split: standardSplit(corpus) };
}

export async function fetchCorpus(name: CorpusName): Promise<InspectCorpus> {
  return inspectCorpus(name, await readCorpusUrlInWorker(CORPORA[name].url));
}
