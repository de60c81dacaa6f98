// The experiment's results as Markdown: for each test split (the everyday and the software corpus),
// one table per measure with base and the three arms side by side; then the held-out losses and the
// LAC learning curves. Used for the model card's README and the project README (between
// EXPERIMENT_BEGIN/END markers).

import type { Arm, ExperimentConfig } from './arms';
import type { ModelEval } from './evaluate';

export type Column = 'base' | Arm;
export type TestSplitName = 'everyday' | 'software';

/** LAC of the report pairs at the middle layer, at one step of one arm's training. */
export interface CurvePoint {
  step: number;
  pairs: Record<string, { lac: number; low: number; high: number }>;
}

export interface ExperimentResult {
  config: ExperimentConfig;
  /** Tokens seen per arm. */
  tokens: Record<Arm, number>;
  minutes: number;
  /** Minutes of training per arm (evaluation excluded). */
  trainMinutes: Record<Arm, number>;
  adapter: string;
  trainPairs: string[];
  /** What the arms trained on, in words. */
  trainData: string;
  /** Evaluations per test split and model. */
  evals: Record<TestSplitName, Record<Column, ModelEval>>;
  /** Final training loss terms per arm (mean of the last 10 steps). */
  finalLoss: Record<Arm, { ntp: number; map: number; con: number }>;
  /** Held-out (dev splits) NTP and mapping losses per arm: before training and at the end. */
  heldOut: Record<Arm, { before: { ntp: number; map: number }; after: { ntp: number; map: number } }>;
  /** Per arm, LAC at the middle layer on the everyday test split every config.lacEvery steps. */
  curves: Record<Arm, CurvePoint[]>;
}

/** The markers around a generated section of a Markdown file. */
export const sectionMarkers = (name: string) => [`<!-- ${name}:begin -->`, `<!-- ${name}:end -->`] as const;
export const [EXPERIMENT_BEGIN, EXPERIMENT_END] = sectionMarkers('experiment');

const COLUMNS: readonly Column[] = ['base', 'control', 'mapping', 'contrastive'];
const ARM_COLUMNS = COLUMNS.slice(1) as Arm[];
const SPLIT_TITLES: Record<TestSplitName, string> = { everyday: 'Everyday corpus, test split', software: 'Software corpus (Debian), test split' };

const f3 = (x: number) => x.toFixed(3);
const header = (first: string) => [`| ${first} | ${COLUMNS.join(' | ')} |`, `| ${first.split(' | ').map(() => '---').join(' | ')} | ${COLUMNS.map(() => '---').join(' | ')} |`];

/** The middle hidden state of a model with `layers` blocks (hidden states 0..layers). */
export function middleLayer(layers: number): number {
  return Math.round(layers / 2);
}

/** The tables of one test split. */
function splitTables(evals: Record<Column, ModelEval>, mid: number): string[] {
  const base = evals.base;
  const layers = base.lac[0].perLayer.map((x) => x.layer);
  const lines = ['', `#### LAC per layer (mean pooling, centred; n = ${base.n})`, '', ...header('pair | layer')];
  for (const [p, pair] of base.lac.entries()) {
    for (const [i, layer] of layers.entries()) {
      const cells = COLUMNS.map((col) => {
        const x = evals[col].lac[p].perLayer[i];
        return `${f3(x.lac)} [${f3(x.low)}, ${f3(x.high)}]`;
      });
      lines.push(`| ${pair.pair} | ${layer} | ${cells.join(' | ')} |`);
    }
  }
  lines.push('', `#### Retrieval P@1 at layer ${mid} (mean of both directions, ${base.n} candidates)`, '', ...header('pair'));
  for (const [p, pair] of base.lac.entries()) {
    lines.push(`| ${pair.pair} | ${COLUMNS.map((col) => f3(evals[col].lac[p].perLayer.find((x) => x.layer === mid)!.p1)).join(' | ')} |`);
  }
  lines.push('', '#### Greedy translation (chrF / BLEU, sacreBLEU-compatible)', '', ...header('direction'));
  for (const [t, tr] of base.translation.entries()) {
    lines.push(`| ${tr.src}→${tr.tgt} | ${COLUMNS.map((col) => `${evals[col].translation[t].chrf.toFixed(1)} / ${evals[col].translation[t].bleu.toFixed(1)}`).join(' | ')} |`);
  }
  const langs = Object.keys(base.perplexity);
  lines.push('', '#### Perplexity per token / bits per character per language (each sentence alone)', '', `| model | ${langs.join(' | ')} |`, `| --- | ${langs.map(() => '---').join(' | ')} |`);
  for (const col of COLUMNS) lines.push(`| ${col} | ${langs.map((l) => `${evals[col].perplexity[l].perplexity.toFixed(1)} / ${evals[col].perplexity[l].bitsPerCharacter.toFixed(2)}`).join(' | ')} |`);
  return lines;
}

export function experimentMarkdown(r: ExperimentResult): string {
  const layers = r.evals.everyday.base.lac[0].perLayer.map((x) => x.layer);
  const mid = middleLayer(layers[layers.length - 1]);
  const c = r.config;
  const lines = [
    `Reproduce: \`npm run experiment\` (${r.minutes.toFixed(1)} min on ${r.adapter}; training ${ARM_COLUMNS.map((a) => `${a} ${r.trainMinutes[a].toFixed(1)}`).join(', ')} min). From the shipped model, each arm trains every weight for ${c.steps} steps of ${c.batchSize} examples of up to ${c.maxLength} tokens (lr ${c.lr}, warmup + cosine, seed ${c.seed}) on ${r.trainData}; mapping: half of each batch are translation examples of ${r.trainPairs.join(', ')} in both directions, λ_map ${c.lambdaMap}; contrastive: InfoNCE on layer ${mid}, λ_con ${c.lambdaCon}, τ ${c.temperature}. Everything below is measured on held-out TEST splits; nothing was tuned on them. Brackets: 95% bootstrap intervals (1000 resamples over sentences).`,
  ];
  for (const split of Object.keys(SPLIT_TITLES) as TestSplitName[]) lines.push('', `### ${SPLIT_TITLES[split]}`, ...splitTables(r.evals[split], mid));
  lines.push('', '### Held-out losses (dev splits of both corpora, mean cross-entropy per token, before → after training)', '', '| arm | NTP | mapping |', '| --- | --- | --- |');
  for (const arm of ARM_COLUMNS) {
    const h = r.heldOut[arm];
    lines.push(`| ${arm} | ${f3(h.before.ntp)} → ${f3(h.after.ntp)} | ${f3(h.before.map)} → ${f3(h.after.map)} |`);
  }
  const steps = r.curves[ARM_COLUMNS[0]].map((p) => p.step);
  const pairs = Object.keys(r.curves[ARM_COLUMNS[0]][0]?.pairs ?? {});
  lines.push('', `### LAC during training (layer ${mid}, everyday test split, every ${c.lacEvery} steps)`, '', `| pair | arm | ${steps.map((s) => `step ${s}`).join(' | ')} |`, `| --- | --- | ${steps.map(() => '---').join(' | ')} |`);
  for (const pair of pairs) for (const arm of ARM_COLUMNS) lines.push(`| ${pair} | ${arm} | ${r.curves[arm].map((p) => f3(p.pairs[pair].lac)).join(' | ')} |`);
  return lines.join('\n');
}

/** Replaces the text between the markers of section `name` (default: the experiment's), or appends a section with them. */
export function spliceSection(doc: string, heading: string, body: string, name = 'experiment'): string {
  const [begin, end] = sectionMarkers(name);
  const block = `${begin}\n${body}\n${end}`;
  const a = doc.indexOf(begin);
  const b = doc.indexOf(end);
  if (a >= 0 && b > a) return doc.slice(0, a) + block + doc.slice(b + end.length);
  return `${doc.trimEnd()}\n\n${heading}\n\n${block}\n`;
}
