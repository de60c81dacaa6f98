// Every alignment metric for every chosen layer and every pair of chosen languages, in one call.
// Pure: it takes pooled embeddings (what Model.embed returns per language) and knows nothing of the
// model, so the engine, the CLI and tests call it alike.
//
// Input: languages L_1..L_k, layers l_1..l_m, and per language the vectors of each layer in the
// order of `layers`: vectors.get(L)[t] is [n, dim] row-major for layer layers[t], row i = sentence i
// (sentence i of every language is a translation of sentence i of every other).
// Output: one row per (layer, unordered pair a < b in the order of `languages`), layers outermost:
//   m · k(k-1)/2 rows. Metrics are those of metrics.ts for A = a, B = b; the LAC interval is the
//   percentile bootstrap over sentences of bootstrap.ts (same seed for every row, so rows of one run
//   use the same resampled sentence sets and are directly comparable). Each row also carries LAC's
//   permutation null band (baselines.ts: the same vectors with shuffled pairings, same seed), read
//   off S computed on the CPU in float64 (n² · C per pair: 1.4 M multiply-adds for n = 105, C = 128).
//
// Work per layer: each language is preprocessed once (centring on its own mean is independent of
// the pair). With a runtime, S, its per-sentence statistics and the bootstrap's c·S·c sums stay on
// the GPU and only O(n + resamples) numbers per pair come back (gpu-metrics.ts); without one, the
// float64 reference computes S and everything from it on the CPU.

import { ShapeError } from '../errors';
import type { GpuRuntime } from '../gpu/runtime';
import { permutationNull } from './baselines';
import { bootstrapInterval, DEFAULT_RESAMPLES } from './bootstrap';
import { alignmentOnGpu } from './gpu-metrics';
import { metricsFromSimilarity, preprocess, similarityMatrix } from './metrics';

export interface AnalyzeInput {
  languages: string[];
  /** Layer numbers (0 = embeddings, i = after block i); vectors are given in this order. */
  layers: number[];
  /** Per language, per entry of `layers`: pooled vectors [n, dim]. */
  vectors: Map<string, Float32Array[]>;
  /** Vector size C (EmbedResult.dim). */
  dim: number;
}

export interface AnalyzeOptions {
  /** Centre each language on its own mean before normalising; true by default (DESIGN.md). */
  centre?: boolean;
  /** Compute on this GPU runtime (S never read back); the float64 CPU reference when absent. */
  runtime?: GpuRuntime | null;
  /** Bootstrap resamples for the LAC interval (1000 by default; 0 skips it: lacLow/lacHigh = NaN). */
  resamples?: number;
  /** Bootstrap seed (0 by default) and coverage (0.95 by default). */
  seed?: number;
  level?: number;
  /** Wang & Isola exponent; 2 by default. */
  alpha?: number;
  /** Called after each layer with (layers done, layers in all). */
  onProgress?: (done: number, total: number) => void;
}

export interface AlignmentRow {
  layer: number;
  a: string;
  b: string;
  lac: number;
  lacLow: number;
  lacHigh: number;
  /** LAC's permutation null band (shuffled pairings; NaN when resamples = 0): values inside it say nothing. */
  nullLow: number;
  nullHigh: number;
  mexa: number;
  p1AtoB: number;
  p1BtoA: number;
  meanCosine: number;
  meanOffdiag: number;
  alignment: number;
}

/** All metrics for all layers and language pairs; see the header of this file. */
export async function analyzeAlignment(input: AnalyzeInput, opts: AnalyzeOptions = {}): Promise<AlignmentRow[]> {
  const { languages, layers, dim: C } = input;
  const n = checkInput(input);
  const centre = opts.centre ?? true;
  const resamples = opts.resamples ?? DEFAULT_RESAMPLES;
  const pairs: [number, number][] = [];
  for (let a = 0; a < languages.length; a++) for (let b = a + 1; b < languages.length; b++) pairs.push([a, b]);
  if (pairs.length === 0) return [];

  const rows: AlignmentRow[] = [];
  for (let t = 0; t < layers.length; t++) {
    const mats = languages.map((lang) => preprocess(input.vectors.get(lang)![t], n, C, { centre }));
    // GPU: only per-sentence statistics and the bootstrap sums come back (gpu-metrics.ts);
    // CPU: the float64 reference on the full S.
    const results = opts.runtime
      ? await alignmentOnGpu(
          opts.runtime,
          mats.map((m) => Float32Array.from(m)),
          pairs,
          n,
          C,
          { resamples, seed: opts.seed, level: opts.level, alpha: opts.alpha },
        )
      : pairs.map(([a, b]) => {
          const S = similarityMatrix(mats[a], mats[b], n, C);
          const metrics = metricsFromSimilarity(S, n, { alpha: opts.alpha });
          const lac = resamples > 0 ? bootstrapInterval(S, n, 'lac', { resamples, seed: opts.seed, level: opts.level }) : { low: NaN, high: NaN, estimate: metrics.lac, valid: 0 };
          return { metrics, lac };
        });
    pairs.forEach(([a, b], p) => {
      const { metrics: m, lac: ci } = results[p];
      const band = resamples > 0 ? permutationNull(similarityMatrix(mats[a], mats[b], n, C), n, { resamples, seed: opts.seed, level: opts.level }) : { low: NaN, high: NaN };
      rows.push({
        layer: layers[t],
        a: languages[a],
        b: languages[b],
        lac: m.lac,
        lacLow: ci.low,
        lacHigh: ci.high,
        nullLow: band.low,
        nullHigh: band.high,
        mexa: m.mexa,
        p1AtoB: m.p1AtoB,
        p1BtoA: m.p1BtoA,
        meanCosine: m.meanCosine,
        meanOffdiag: m.meanOffdiag,
        alignment: m.alignment,
      });
    });
    opts.onProgress?.(t + 1, layers.length);
  }
  return rows;
}

/** Validates the input and returns n, the number of sentences. */
function checkInput(input: AnalyzeInput): number {
  const { languages, layers, vectors, dim: C } = input;
  if (!(Number.isInteger(C) && C >= 1)) throw new ShapeError(`Vector size must be a positive integer, got ${C}.`, { dim: C });
  if (new Set(languages).size !== languages.length) throw new ShapeError(`Languages must be distinct, got ${languages.join(', ')}.`, { languages });
  let n = -1;
  for (const lang of languages) {
    const perLayer = vectors.get(lang);
    if (!perLayer) throw new ShapeError(`No embeddings for language "${lang}".`, { language: lang });
    if (perLayer.length !== layers.length) {
      throw new ShapeError(`Language "${lang}" has vectors for ${perLayer.length} layers; ${layers.length} layers were asked for.`, { language: lang, got: perLayer.length, layers });
    }
    for (const [t, v] of perLayer.entries()) {
      if (v.length % C !== 0) throw new ShapeError(`Language "${lang}", layer ${layers[t]}: ${v.length} values is not a whole number of ${C}-vectors.`, { language: lang, layer: layers[t], length: v.length, dim: C });
      const rows = v.length / C;
      if (n < 0) n = rows;
      else if (rows !== n) {
        throw new ShapeError(`Language "${lang}", layer ${layers[t]}: ${rows} sentences, but ${n} elsewhere; parallel sets need the same sentences in every language.`, { language: lang, layer: layers[t], got: rows, expected: n });
      }
    }
  }
  if (languages.length >= 2 && layers.length > 0 && n < 2) throw new ShapeError(`Alignment metrics need at least 2 parallel sentences, got ${n}.`, { n });
  return n;
}
