// The experiment's results as Markdown: one table per measure, base and the three arms side by side.
// Used for the model card's README and the project README (between EXPERIMENT_BEGIN/END markers).

import type { Arm, ExperimentConfig } from './arms';
import type { ModelEval } from './evaluate';

export interface ExperimentResult {
  config: ExperimentConfig;
  /** Training examples per arm: steps x batch size; tokens seen per arm. */
  tokens: Record<Arm, number>;
  minutes: number;
  adapter: string;
  trainPairs: string[];
  evals: Record<'base' | Arm, ModelEval>;
  /** Final training loss terms per arm (mean of the last 10 steps). */
  finalLoss: Record<Arm, { ntp: number; map: number; con: number }>;
  /** Held-out (dev split) NTP and mapping losses per arm: before training and at the end. */
  heldOut: Record<Arm, { before: { ntp: number; map: number }; after: { ntp: number; map: number } }>;
}

export const EXPERIMENT_BEGIN = '<!-- experiment:begin -->';
export const EXPERIMENT_END = '<!-- experiment:end -->';

const COLUMNS = ['base', 'control', 'mapping', 'contrastive'] as const;

const f3 = (x: number) => x.toFixed(3);

/** The middle hidden state of a model with `layers` blocks (hidden states 0..layers). */
export function middleLayer(layers: number): number {
  return Math.round(layers / 2);
}

export function experimentMarkdown(r: ExperimentResult): string {
  const base = r.evals.base;
  const layers = base.lac[0].perLayer.map((x) => x.layer);
  const mid = middleLayer(layers[layers.length - 1]);
  const c = r.config;
  const lines = [
    `Reproduce: \`npm run experiment\` (${r.minutes.toFixed(1)} min on ${r.adapter}). From the shipped model, each arm trains every weight for ${c.steps} steps of ${c.batchSize} examples (lr ${c.lr}, warmup + cosine, seed ${c.seed}); mapping: half of each batch are translation examples of ${r.trainPairs.join(', ')} in both directions, λ_map ${c.lambdaMap}; contrastive: InfoNCE on layer ${mid}, λ_con ${c.lambdaCon}, τ ${c.temperature}. Everything below is measured on the held-out TEST split (n = ${base.n}); nothing was tuned on it. Brackets: 95% bootstrap intervals (1000 resamples over sentences).`,
    '',
    `### LAC per layer (mean pooling, centred)`,
    '',
    `| pair | layer | ${COLUMNS.join(' | ')} |`,
    `| --- | --- | ${COLUMNS.map(() => '---').join(' | ')} |`,
  ];
  for (const [p, pair] of base.lac.entries()) {
    for (const [i, layer] of layers.entries()) {
      const cells = COLUMNS.map((col) => {
        const x = r.evals[col].lac[p].perLayer[i];
        return `${f3(x.lac)} [${f3(x.low)}, ${f3(x.high)}]`;
      });
      lines.push(`| ${pair.pair} | ${layer} | ${cells.join(' | ')} |`);
    }
  }
  lines.push('', `### Retrieval P@1 at layer ${mid} (mean of both directions, ${base.n} candidates)`, '', `| pair | ${COLUMNS.join(' | ')} |`, `| --- | ${COLUMNS.map(() => '---').join(' | ')} |`);
  for (const [p, pair] of base.lac.entries()) {
    lines.push(`| ${pair.pair} | ${COLUMNS.map((col) => f3(r.evals[col].lac[p].perLayer.find((x) => x.layer === mid)!.p1)).join(' | ')} |`);
  }
  lines.push('', '### Greedy translation (chrF / BLEU, sacreBLEU-compatible)', '', `| direction | ${COLUMNS.join(' | ')} |`, `| --- | ${COLUMNS.map(() => '---').join(' | ')} |`);
  for (const [t, tr] of base.translation.entries()) {
    lines.push(`| ${tr.src}→${tr.tgt} | ${COLUMNS.map((col) => `${r.evals[col].translation[t].chrf.toFixed(1)} / ${r.evals[col].translation[t].bleu.toFixed(1)}`).join(' | ')} |`);
  }
  lines.push('', '### Held-out losses (dev split, mean cross-entropy per token, before → after training)', '', '| arm | NTP | mapping |', '| --- | --- | --- |');
  for (const arm of COLUMNS.slice(1) as Arm[]) {
    const h = r.heldOut[arm];
    lines.push(`| ${arm} | ${f3(h.before.ntp)} → ${f3(h.after.ntp)} | ${f3(h.before.map)} → ${f3(h.after.map)} |`);
  }
  const langs = Object.keys(base.perplexity);
  lines.push('', '### Perplexity per language (monolingual fluency)', '', `| model | ${langs.join(' | ')} |`, `| --- | ${langs.map(() => '---').join(' | ')} |`);
  for (const col of COLUMNS) lines.push(`| ${col} | ${langs.map((l) => r.evals[col].perplexity[l].toFixed(1)).join(' | ')} |`);
  return lines.join('\n');
}

/** Replaces the text between the markers (or appends a section with them). */
export function spliceSection(doc: string, heading: string, body: string): string {
  const block = `${EXPERIMENT_BEGIN}\n${body}\n${EXPERIMENT_END}`;
  const a = doc.indexOf(EXPERIMENT_BEGIN);
  const b = doc.indexOf(EXPERIMENT_END);
  if (a >= 0 && b > a) return doc.slice(0, a) + block + doc.slice(b + EXPERIMENT_END.length);
  return `${doc.trimEnd()}\n\n${heading}\n\n${block}\n`;
}
