// "What to expect" beside the workshop preset, from the experiment's measured numbers
// (public/models/<model>/experiment.json, written by `npm run experiment`), so the page never
// promises an effect the experiment did not find. Middle layer, everyday test split.

import { REPORT_PAIRS } from './arms';
import { middleLayer, type ExperimentResult } from './report';

const f2 = (x: number) => x.toFixed(2);

/** Sentences that say what the experiment measured: mapping loss, middle-layer LAC per arm, chrF. */
export function presetExpectation(r: ExperimentResult): string[] {
  const e = r.evals.everyday;
  const layers = e.base.lac[0].perLayer.map((x) => x.layer);
  const mid = middleLayer(layers[layers.length - 1]);
  const lacAt = (col: keyof typeof e, pair: string) => e[col].lac.find((p) => p.pair === pair)!.perLayer.find((x) => x.layer === mid)!;
  const h = r.heldOut;
  const lines = [
    `In \`npm run experiment\` (${r.config.steps} steps of ${r.config.batchSize} on both corpora, everyday test split, n = ${e.base.n}), the held-out mapping loss fell from ${f2(h.mapping.before.map)} to ${f2(h.mapping.after.map)} with the mapping task, against ${f2(h.control.after.map)} for continued NTP alone (control).`,
  ];
  const pairs = REPORT_PAIRS.map(([a, b]) => {
    const [base, control, mapping, contrastive] = (['base', 'control', 'mapping', 'contrastive'] as const).map((c) => lacAt(c, `${a}-${b}`));
    const beyond = mapping.low > control.high ? ', above control beyond both intervals' : mapping.lac > control.lac ? ', above control but inside the intervals' : ', not above control';
    return `${a.toUpperCase()}–${b.toUpperCase()} ${f2(base.lac)} → ${f2(mapping.lac)} [${f2(mapping.low)}, ${f2(mapping.high)}] (control ${f2(control.lac)}, contrastive ${f2(contrastive.lac)}${beyond})`;
  });
  lines.push(`LAC at layer ${mid}, base → mapping: ${pairs.join('; ')}.`);
  const tr = e.base.translation.map((t, i) => `${t.src}→${t.tgt} ${t.chrf.toFixed(1)} → ${e.mapping.translation[i].chrf.toFixed(1)}`);
  lines.push(`chrF of greedy translation, base → mapping: ${tr.join(', ')}.`);
  return lines;
}
