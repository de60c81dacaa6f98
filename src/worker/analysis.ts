// Alignment analysis in the engine: embed the same n tuples in every chosen language (pooled hidden
// states of every chosen layer), then all metrics for every layer and language pair in one pass
// (similarities on the GPU; in float64 on the CPU for a model on the CPU route), and on request a 2-D map of one layer. Embeddings of the last analysis
// are kept, so moving the layer slider only re-projects. An analysis made elsewhere (the one shipped
// beside the default model, shipped-analysis.ts) can be adopted with its vectors; `reusable` tells
// whether the kept analysis answers a request, so training's step 0 need not embed again.

import { analyzeAlignment, type AlignmentRow } from '../align/analyze';
import { chanceP1, surfaceBaseline, type SurfaceRow } from '../align/baselines';
import { preprocess } from '../align/metrics';
import { project, type ProjectionMethod } from '../align/projection';
import { ShapeError } from '../errors';
import { DEFAULT_RESAMPLES } from '../align/bootstrap';
import { fnv1a, stableJson } from '../train/fingerprint';
import type { GpuRuntime } from '../gpu/runtime';
import type { LoadedModel } from '../model/loaded-model';
import type { Pooling } from '../reference/pooling';
import type { ParallelTuple } from '../train/batching';

export interface AnalyzeRequest {
  /** The sentences: tuples having every chosen language (others are skipped and counted). */
  tuples: ParallelTuple[];
  languages: string[];
  /** Hidden-state indices (0 = embeddings, i = after layer i), or every one. */
  layers: number[] | 'all';
  pooling: Pooling;
  centre: boolean;
  resamples?: number;
  seed?: number;
}

export interface AnalysisResult {
  languages: string[];
  layers: number[];
  /** Sentences per language (tuples used). */
  n: number;
  skipped: number;
  dim: number;
  pooling: Pooling;
  centre: boolean;
  /** Bootstrap (and permutation null) resamples and seed. */
  resamples: number;
  seed: number;
  rows: AlignmentRow[];
  /** Baselines to read the rows against (src/align/baselines.ts): retrieval by chance (1/n)... */
  chanceP1: number;
  /** ...and the metrics of character n-gram vectors of the same sentences, per pair (no model). */
  surface: SurfaceRow[];
  /** The sentences, per language, in row order (for hover and tables). */
  sentences: Record<string, string[]>;
}

export interface ProjectionResult {
  layer: number;
  method: ProjectionMethod;
  languages: string[];
  n: number;
  /** [languages.length * n, 2], language-major: point (l, i) at row l*n + i. */
  points: Float32Array;
}

export interface Neighbour {
  language: string;
  index: number;
  similarity: number;
}

interface Cached {
  /** analysisKey of the result: what was measured, not on which weights. */
  key: string;
  result: AnalysisResult;
  /** Per language, per entry of result.layers: [n, dim]. */
  vectors: Map<string, Float32Array[]>;
}

export type AnalysisSlot = 'latest' | 'baseline';

export class AnalysisSession {
  private cache: Cached | null = null;
  /** A pinned earlier analysis (the model before training), kept for before/after maps. */
  private baseline: Cached | null = null;

  constructor(private readonly rt: GpuRuntime) {}

  get last(): AnalysisResult | null {
    return this.cache?.result ?? null;
  }

  /** Keeps the last analysis as the baseline (until the next pin or a new model). */
  pinBaseline(): void {
    this.baseline = this.cache;
  }

  /** The kept analysis's vectors (per language, per analysed layer: [n, dim]), for writing them out. */
  get lastVectors(): Map<string, Float32Array[]> | null {
    return this.cache?.vectors ?? null;
  }

  /** Keeps an analysis made elsewhere (with the vectors it was computed from) as the latest one. */
  adopt(result: AnalysisResult, vectors: Map<string, Float32Array[]>): void {
    this.cache = { key: analysisKey(result), result, vectors };
  }

  /** The kept analysis if it measured exactly what `req` asks for (same sentences and settings), else null. The caller knows whether the weights changed since. */
  reusable(req: AnalyzeRequest, numLayers: number): AnalysisResult | null {
    if (!this.cache) return null;
    const { layers, tuples } = this.resolve(req, numLayers);
    const sentences = Object.fromEntries(req.languages.map((l) => [l, tuples.map((t) => t[l])]));
    const key = analysisKey({ languages: req.languages, layers, pooling: req.pooling, centre: req.centre, resamples: req.resamples ?? DEFAULT_RESAMPLES, seed: req.seed ?? 0, sentences });
    return key === this.cache.key ? this.cache.result : null;
  }

  /** Forgets both analyses (a new model was loaded). */
  clear(): void {
    this.cache = null;
    this.baseline = null;
  }

  async analyze(model: LoadedModel, req: AnalyzeRequest, progress: (done: number, total: number, label: string) => void): Promise<AnalysisResult> {
    const { layers, tuples } = this.resolve(req, model.config.numLayers);
    const total = req.languages.length + 1;
    const vectors = new Map<string, Float32Array[]>();
    const sentences: Record<string, string[]> = {};
    let dim = 0;
    for (const [i, lang] of req.languages.entries()) {
      progress(i, total, `embedding ${lang}`);
      sentences[lang] = tuples.map((t) => t[lang]);
      const e = await model.embed(sentences[lang], { layers, pooling: req.pooling });
      vectors.set(lang, e.vectors);
      dim = e.dim;
    }
    progress(req.languages.length, total, 'metrics');
    const rows = await analyzeAlignment({ languages: req.languages, layers, vectors, dim }, { centre: req.centre, runtime: model.backend === 'webgpu' ? this.rt : null, resamples: req.resamples ?? DEFAULT_RESAMPLES, seed: req.seed ?? 0 });
    const surface = surfaceBaseline(sentences, req.languages, { centre: req.centre });
    const resamples = req.resamples ?? DEFAULT_RESAMPLES;
    const seed = req.seed ?? 0;
    const result: AnalysisResult = { languages: req.languages, layers, n: tuples.length, skipped: req.tuples.length - tuples.length, dim, pooling: req.pooling, centre: req.centre, resamples, seed, rows, chanceP1: chanceP1(tuples.length), surface, sentences };
    this.cache = { key: analysisKey(result), result, vectors };
    progress(total, total, 'done');
    return result;
  }

  /** The layers `req` names (all of them for 'all') and the tuples that have every chosen language; throws on a bad request. */
  private resolve(req: AnalyzeRequest, L: number): { layers: number[]; tuples: ParallelTuple[] } {
    if (req.languages.length < 2) throw new ShapeError('Choose at least two languages to compare.', { languages: req.languages });
    const layers = req.layers === 'all' ? Array.from({ length: L + 1 }, (_, i) => i) : req.layers;
    const bad = layers.find((l) => !(Number.isInteger(l) && l >= 0 && l <= L));
    if (bad !== undefined) throw new ShapeError(`Layer ${bad} does not exist: hidden states run from 0 (embeddings) to ${L}.`, { layer: bad });
    const tuples = req.tuples.filter((t) => req.languages.every((l) => typeof t[l] === 'string' && t[l] !== ''));
    if (tuples.length < 2) throw new ShapeError(`Only ${tuples.length} tuples have all of ${req.languages.join(', ')}; at least 2 are needed.`, { n: tuples.length });
    return { layers, tuples };
  }

  /**
   * The k sentences (of any chosen language) nearest to sentence `index` of `language` at one
   * analysed layer, by cosine of the pooled vectors (each language centred first when the analysis
   * was), most similar first; the sentence itself is left out.
   */
  neighbours(layer: number, language: string, index: number, k: number): Neighbour[] {
    if (!this.cache) throw new ShapeError('Nothing analysed yet: run an analysis first.', {});
    const { result, vectors } = this.cache;
    const at = result.layers.indexOf(layer);
    if (at < 0) throw new ShapeError(`Layer ${layer} was not analysed (have ${result.layers.join(', ')}).`, { layer });
    if (!result.languages.includes(language) || !(index >= 0 && index < result.n)) throw new ShapeError(`No sentence ${index} in ${language}.`, { language, index });
    const { n, dim: C } = result;
    const prepared = new Map(result.languages.map((l) => [l, preprocess(vectors.get(l)![at], n, C, { centre: result.centre })]));
    const q = prepared.get(language)!.subarray(index * C, (index + 1) * C);
    const all: Neighbour[] = [];
    for (const [l, X] of prepared) {
      for (let i = 0; i < n; i++) {
        if (l === language && i === index) continue;
        let dot = 0;
        for (let c = 0; c < C; c++) dot += q[c] * X[i * C + c];
        all.push({ language: l, index: i, similarity: dot });
      }
    }
    return all.sort((a, b) => b.similarity - a.similarity).slice(0, k);
  }

  /** A 2-D map of every language's points at one analysed layer (of the latest or the baseline analysis), projected together. */
  async project(layer: number, method: ProjectionMethod, seed: number, progress: (done: number, total: number, label: string) => void, slot: AnalysisSlot = 'latest'): Promise<ProjectionResult> {
    const cached = slot === 'latest' ? this.cache : this.baseline;
    if (!cached) throw new ShapeError(slot === 'latest' ? 'Nothing analysed yet: run an analysis first.' : 'No baseline analysis: start the preset (it analyses the model before training) first.', { slot });
    const { result, vectors } = cached;
    const at = result.layers.indexOf(layer);
    if (at < 0) throw new ShapeError(`Layer ${layer} was not analysed (have ${result.layers.join(', ')}).`, { layer });
    const { n, dim, languages } = result;
    const all = new Float32Array(languages.length * n * dim);
    languages.forEach((lang, l) => all.set(vectors.get(lang)![at], l * n * dim));
    const p = await project(all, languages.length * n, dim, { method, seed, onProgress: (done, total) => progress(done, total, `${method} projection`) });
    return { layer, method, languages, n, points: p.points };
  }
}

/** What an analysis measured (sentences and settings), as a short hash: equal keys, equal numbers on equal weights. */
function analysisKey(r: Pick<AnalysisResult, 'languages' | 'layers' | 'pooling' | 'centre' | 'resamples' | 'seed' | 'sentences'>): string {
  const { languages, layers, pooling, centre, resamples, seed, sentences } = r;
  return fnv1a([stableJson({ languages, layers, pooling, centre, resamples, seed }), ...languages.flatMap((l) => sentences[l])]);
}
