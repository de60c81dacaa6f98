// npx tsx scripts/evaluate-model.ts [DIR] — held-out numbers for a model folder's card, on the TEST
// splits of both corpora: perplexity per token and bits per character per language (each sentence
// alone: BOS + sentence + EOS, every token after BOS predicted; the numbers `alignscope perplexity`
// prints), and LAC per layer with its bootstrap interval for the paper's pairs EN-ZH, EN-CS, CS-UK,
// ZH-JA (mean pooling, centred). Writes them into DIR/model-card.json and DIR/README.md, and the
// project README's tables of the default model at its middle layer (between <!-- baselines:begin -->
// and <!-- corpora-lac:begin --> markers): the baselines on the everyday test split, and LAC on both
// test splits beside the software corpus's surface baseline.

import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { dirFiles } from '../src/cli/dir-source';
import { perplexityReport, type PerplexityReport } from '../src/eval/perplexity';
import { reportLac } from '../src/experiment/evaluate';
import { middleLayer, spliceSection } from '../src/experiment/report';
import type { AnalysisResult } from '../src/worker/analysis';
import { nodeGpu } from '../src/gpu/node-gpu';
import { Engine } from '../src/worker/engine';
import { shippedSplit } from './shipped-corpora';

const dir = process.argv[2] ?? 'public/models/alignscope-tiny';
const tests = { everyday: (await shippedSplit('everyday')).test, software: (await shippedSplit('software')).test };
const languages = (await shippedSplit('everyday')).languages;

const engine = new Engine(() => nodeGpu(), { resolveSource: (s) => (s.kind === 'dir' ? dirFiles(s.path) : null) });
await engine.loadModel({ kind: 'dir', path: dir }, { quant: 'f32', backend: 'cpu' });

const round = (x: number, d: number) => Number(x.toFixed(d));
const heldOut: Record<string, Record<string, PerplexityReport>> = {};
for (const [name, test] of Object.entries(tests)) {
  heldOut[name] = {};
  for (const lang of languages) {
    const sentences = test.map((t) => t[lang]).filter((x) => x);
    const r = perplexityReport(sentences, await engine.perplexity(sentences, 'current'));
    heldOut[name][lang] = { perplexity: round(r.perplexity, 2), tokens: r.tokens, characters: r.characters, bitsPerCharacter: round(r.bitsPerCharacter, 3) };
  }
}

const report = await reportLac(engine, tests.everyday, 1000);
const lac = report.lac.map((p) => ({ ...p, perLayer: p.perLayer.map((r) => ({ layer: r.layer, lac: round(r.lac, 4), low: round(r.low, 4), high: round(r.high, 4), p1: round(r.p1, 3) })) }));
const layers = lac[0].perLayer.map((r) => r.layer);

const cardPath = join(dir, 'model-card.json');
const card = { ...JSON.parse(readFileSync(cardPath, 'utf8')), heldOutTestSplits: heldOut, lacTestSplit: { n: report.n, pooling: 'mean', centred: true, resamples: 1000, pairs: lac } };
writeFileSync(cardPath, `${JSON.stringify(card, null, 2)}\n`);

const curve = card.curve as { step: number; minutes: number; tokensSeen: number; trainNtp: number; heldOutNtp: number }[];
const md = [
  `# ${card.name}`,
  '',
  `A ${(card.parameters / 1e6).toFixed(2)} M-parameter Llama-architecture decoder (${card.config.layers} layers, hidden ${card.config.hidden}, ${card.config.heads} heads, ${card.config.kvHeads} kv heads, SwiGLU ${card.config.mlp}, vocabulary ${card.config.vocab}, context ${card.config.context}, tied embeddings), pre-trained from scratch by \`npm run build:model\` with AlignScope's own engine.`,
  '',
  `- Tokenizer: byte-level BPE, ${card.config.vocab} tokens, trained by \`npm run build:tokenizer\` on the same text (see the README's tokenizer section for tokens per sentence by language).`,
  `- Data: ${card.data}.`,
  `- Objective: ${card.objective}. It has never seen a translation pair in one sequence: the starting point of the paper's experiment.`,
  `- Training: ${card.steps} steps of ${card.batchSize} rows of up to ${card.maxLength} tokens, AdamW, lr ${card.lr} (warmup, cosine), seed ${card.seed}; ${card.tokensSeen} tokens; ${card.minutes} minutes (${card.trainTokensPerSecond} tokens/s) on ${card.adapter}, a 2-core machine.`,
  `- Final training loss (NTP, last 20 steps): ${card.finalTrainLoss}; held-out NTP loss (dev splits of both corpora): ${card.heldOutNtpLoss}.`,
  `- Files: \`model.safetensors\` (f32) + \`config.json\` + tokenizer files; \`model.onnx\` (q4 MatMulNBits, embeddings and norms f32; runs in onnxruntime-web); \`base-analysis.json\` + \`base-embeddings.bin\` (the first view's analysis).`,
  '',
  '## Held-out fluency per language (test splits, each sentence alone)',
  '',
  'Perplexity per token, and bits per character (total NLL of BOS + sentence + EOS over the sentence\'s Unicode characters: comparable across tokenizers). `alignscope perplexity --model DIR --corpus everyday|software --split test --json` prints the same numbers.',
  '',
  `| test split | ${languages.join(' | ')} |`,
  `| --- | ${languages.map(() => '---').join(' | ')} |`,
  ...Object.entries(heldOut).flatMap(([name, r]) => [
    `| ${name}: perplexity | ${languages.map((l) => r[l].perplexity.toFixed(1)).join(' | ')} |`,
    `| ${name}: bits/char | ${languages.map((l) => r[l].bitsPerCharacter.toFixed(2)).join(' | ')} |`,
  ]),
  '',
  '## Pre-training curve',
  '',
  '| step | minutes | tokens seen | train NTP | held-out NTP |',
  '| --- | --- | --- | --- | --- |',
  ...curve.map((c) => `| ${c.step} | ${c.minutes} | ${c.tokensSeen} | ${c.trainNtp.toFixed(3)} | ${c.heldOutNtp.toFixed(3)} |`),
  '',
  `## LAC per layer (everyday test split, n = ${report.n}, mean pooling, centred; 95% bootstrap interval)`,
  '',
  `| layer | ${lac.map((p) => p.pair).join(' | ')} |`,
  `| --- | ${lac.map(() => '---').join(' | ')} |`,
  ...layers.map((l) => `| ${l} | ${lac.map((p) => { const r = p.perLayer.find((x) => x.layer === l)!; return `${r.lac.toFixed(3)} [${r.low.toFixed(3)}, ${r.high.toFixed(3)}]`; }).join(' | ')} |`),
  '',
  'Layer 0 is the embedding output; layer i the residual stream after block i. Reproduce: `npx tsx scripts/evaluate-model.ts`.',
  '',
];
writeFileSync(join(dir, 'README.md'), md.join('\n'));
console.log(md.join('\n'));

if (dir === 'public/models/alignscope-tiny') {
  // The paper's languages at the middle layer: what `alignscope analyze --layers MID --json` computes.
  const mid = middleLayer(card.config.layers);
  const paper = ['en', 'zh', 'ja', 'cs', 'uk'];
  const PAIRS = [['en', 'zh'], ['en', 'cs'], ['cs', 'uk'], ['zh', 'ja']];
  const at = async (tuples: typeof tests.everyday) => engine.analyze({ tuples, languages: paper, layers: [mid], pooling: 'mean', centre: true, resamples: 1000, seed: 0 });
  const [everyday, software] = [await at(tests.everyday), await at(tests.software)];
  const row = (r: AnalysisResult, [a, b]: string[]) => r.rows.find((x) => x.layer === mid && x.a === a && x.b === b)!;
  const surface = (r: AnalysisResult, [a, b]: string[]) => r.surface.find((x) => x.a === a && x.b === b)!;
  const f3 = (x: number) => x.toFixed(3);
  const baselines = [
    `For the default model on the everyday test split (n = ${everyday.n}, layer ${mid}, mean pooling, centred), from`,
    `\`npx alignscope analyze --model public/models/alignscope-tiny --data public/data/corpus.tsv --langs en,zh,ja,cs,uk --layers ${mid} --json\`:`,
    '',
    '| pair | LAC | shuffled pairs (95%) | surface LAC | P@1 a→b | surface P@1 a→b | MEXA | surface MEXA |',
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
    ...PAIRS.map((p) => {
      const [r, s] = [row(everyday, p), surface(everyday, p)];
      return `| ${p.join('-').toUpperCase()} | ${f3(r.lac)} | [${f3(r.nullLow)}, ${f3(r.nullHigh)}] | ${f3(s.lac)} | ${f3(r.p1AtoB)} | ${f3(s.p1AtoB)} | ${f3(r.mexa)} | ${f3(s.mexa)} |`;
    }),
  ];
  const corpora = [
    `LAC of the default model at layer ${mid} on both test splits (\`npx alignscope analyze --model public/models/alignscope-tiny --corpus software --langs en,zh,ja,cs,uk --layers ${mid} --split test\`), with the software corpus's surface baseline:`,
    '',
    `| pair | everyday (n = ${everyday.n}) | software (n = ${software.n.toLocaleString('en')}) | software surface |`,
    '| --- | --- | --- | --- |',
    ...PAIRS.map((p) => {
      const [e, s] = [row(everyday, p), row(software, p)];
      return `| ${p.join('-').toUpperCase()} | ${f3(e.lac)} [${f3(e.lacLow)}, ${f3(e.lacHigh)}] | ${f3(s.lac)} [${f3(s.lacLow)}, ${f3(s.lacHigh)}] | ${f3(surface(software, p).lac)} |`;
    }),
  ];
  let readme = readFileSync('README.md', 'utf8');
  readme = spliceSection(readme, '## Baselines', baselines.join('\n'), 'baselines');
  readme = spliceSection(readme, '## Corpora', corpora.join('\n'), 'corpora-lac');
  writeFileSync('README.md', readme);
  console.log([...baselines, '', ...corpora].join('\n'));
}
engine.dispose();
process.exit(0);
