// Held-out evaluation of one model state for the experiment (base, or an arm after training), on
// a TEST split only: LAC per layer with 95% bootstrap intervals and retrieval P@1 for the report
// pairs, greedy translation scored by chrF and BLEU (on `translateCount` tuples spread evenly over
// the split: the software corpus's test split is ordered by source, so its first tuples would all
// come from one program), and perplexity and bits per character per language (each sentence alone).
// The same function serves the CLI (`npm run experiment`) and the app, through EngineApi.

import type { EngineApi } from '../worker/engine';
import type { ParallelTuple } from '../train/batching';
import type { MappingTemplate } from '../train/template';
import { scoreTranslations } from '../eval';
import { perplexityReport, type PerplexityReport } from '../eval/perplexity';
import { REPORT_PAIRS, TRANSLATION_DIRECTIONS } from './arms';

export interface LayerLac {
  layer: number;
  lac: number;
  low: number;
  high: number;
  /** Retrieval precision@1, the mean of both directions. */
  p1: number;
}

export interface TranslationEval {
  src: string;
  tgt: string;
  chrf: number;
  bleu: number;
  /** The first few hypotheses, for the report. */
  samples: { source: string; reference: string; output: string }[];
}

export interface ModelEval {
  /** Sentences per language in the analysis. */
  n: number;
  lac: { pair: string; perLayer: LayerLac[] }[];
  translation: TranslationEval[];
  perplexity: Record<string, PerplexityReport>;
}

export interface EvalOptions {
  template: MappingTemplate;
  /** Test sentences translated per direction (spread evenly over the split). */
  translateCount: number;
  maxNewTokens: number;
  resamples: number;
  weights: 'current' | 'base';
}

export const DEFAULT_EVAL: Omit<EvalOptions, 'template' | 'weights'> = { translateCount: 32, maxNewTokens: 48, resamples: 1000 };

const SAMPLES = 3;

type Evaluator = Pick<EngineApi, 'analyze' | 'translate' | 'perplexity'>;

/** LAC rows of the report pairs (layer order), from an analysis of their languages. */
export async function reportLac(engine: Pick<EngineApi, 'analyze'>, test: ParallelTuple[], resamples: number): Promise<{ n: number; lac: ModelEval['lac'] }> {
  const languages = [...new Set(REPORT_PAIRS.flat())];
  const analysis = await engine.analyze({ tuples: test, languages, layers: 'all', pooling: 'mean', centre: true, resamples, seed: 0 });
  const lac = REPORT_PAIRS.map(([a, b]) => ({
    pair: `${a}-${b}`,
    perLayer: analysis.rows
      .filter((r) => (r.a === a && r.b === b) || (r.a === b && r.b === a))
      .map((r) => ({ layer: r.layer, lac: r.lac, low: r.lacLow, high: r.lacHigh, p1: (r.p1AtoB + r.p1BtoA) / 2 })),
  }));
  return { n: analysis.n, lac };
}

/** `count` items of `xs` at even spacing, in order (all of them when there are no more than `count`). */
export function spread<T>(xs: readonly T[], count: number): T[] {
  if (xs.length <= count) return [...xs];
  return Array.from({ length: count }, (_, i) => xs[Math.floor((i * xs.length) / count)]);
}

export async function evaluateModel(engine: Evaluator, test: ParallelTuple[], languages: readonly string[], opts: EvalOptions): Promise<ModelEval> {
  const { n, lac } = await reportLac(engine, test, opts.resamples);
  const translation: TranslationEval[] = [];
  for (const [src, tgt] of TRANSLATION_DIRECTIONS) {
    const tuples = spread(test, opts.translateCount);
    const { outputs } = await engine.translate({ items: tuples.map((t) => ({ srcLang: src, tgtLang: tgt, src: t[src] })), template: opts.template, maxNewTokens: opts.maxNewTokens, weights: opts.weights });
    const references = tuples.map((t) => t[tgt]);
    const scores = scoreTranslations(outputs, references, tgt);
    translation.push({
      src,
      tgt,
      chrf: scores.chrf.score,
      bleu: scores.bleu.score,
      samples: tuples.slice(0, SAMPLES).map((t, i) => ({ source: t[src], reference: t[tgt], output: outputs[i] })),
    });
  }
  const perplexity: Record<string, PerplexityReport> = {};
  for (const lang of languages) {
    const sentences = test.map((t) => t[lang]).filter((s) => s);
    perplexity[lang] = perplexityReport(sentences, await engine.perplexity(sentences, opts.weights));
  }
  return { n, lac, translation, perplexity };
}
