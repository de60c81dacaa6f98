// npx tsx scripts/evaluate-model.ts [DIR] — held-out numbers for a model folder's card: perplexity
// per language on the TEST split (each sentence alone: BOS + sentence + EOS, every token after BOS
// predicted), and LAC per layer with its bootstrap interval for the paper's pairs EN-ZH, EN-CS,
// CS-UK, ZH-JA (mean pooling, centred). Writes them into DIR/model-card.json and DIR/README.md.

import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { dirFiles } from '../src/cli/dir-source';
import { readTsv } from '../src/data/tsv';
import { nodeGpu } from '../src/gpu/node-gpu';
import { Engine } from '../src/worker/engine';
import { reportLac } from '../src/experiment/evaluate';

const dir = process.argv[2] ?? 'public/models/alignscope-tiny';
const corpus = readTsv(readFileSync('public/data/corpus.tsv', 'utf8'), 'corpus.tsv').corpus;
const splits = JSON.parse(readFileSync('public/data/splits.json', 'utf8')) as Record<'train' | 'dev' | 'test', string[]>;
const byId = new Map(corpus.ids!.map((id, i) => [id, corpus.tuples[i]]));
const test = splits.test.map((id) => byId.get(id)!);

const engine = new Engine(() => nodeGpu(), { resolveSource: (s) => (s.kind === 'dir' ? dirFiles(s.path) : null) });
await engine.loadModel({ kind: 'dir', path: dir }, { quant: 'f32' });

const perplexity: Record<string, number> = {};
for (const lang of corpus.languages) perplexity[lang] = Number((await engine.perplexity(test.map((t) => t[lang]), 'current')).perplexity.toFixed(2));

const report = await reportLac(engine, test, 1000);
const lac = report.lac.map((p) => ({ ...p, perLayer: p.perLayer.map((r) => ({ layer: r.layer, lac: Number(r.lac.toFixed(4)), low: Number(r.low.toFixed(4)), high: Number(r.high.toFixed(4)), p1: Number(r.p1.toFixed(3)) })) }));
const layers = lac[0].perLayer.map((r) => r.layer);

const cardPath = join(dir, 'model-card.json');
const card = { ...JSON.parse(readFileSync(cardPath, 'utf8')), heldOutPerplexityPerLanguage: perplexity, lacTestSplit: { n: report.n, pooling: 'mean', centred: true, resamples: 1000, pairs: lac } };
writeFileSync(cardPath, `${JSON.stringify(card, null, 2)}\n`);

const md = [
  `# ${card.name}`,
  '',
  `A ${(card.parameters / 1e6).toFixed(2)} M-parameter Llama-architecture decoder (${card.config.layers} layers, hidden ${card.config.hidden}, ${card.config.heads} heads, ${card.config.kvHeads} kv heads, SwiGLU ${card.config.mlp}, vocabulary ${card.config.vocab}, context ${card.config.context}, tied embeddings), pre-trained from scratch by \`npm run build:model\` with AlignScope's own WebGPU engine.`,
  '',
  `- Data: ${card.data}.`,
  `- Objective: ${card.objective}. It has never seen a translation pair in one sequence: the starting point of the paper's experiment.`,
  `- Training: ${card.steps} steps of ${card.batchSize} sentences, AdamW, lr ${card.lr} (warmup, cosine), seed ${card.seed}; ${card.tokensSeen} tokens; ${card.minutes} minutes on ${card.adapter} (a software adapter on a 2-core CPU machine).`,
  `- Final training loss (NTP, last 20 steps): ${card.finalTrainLoss}; held-out (dev) NTP loss: ${card.heldOutNtpLoss}.`,
  `- Files: \`model.safetensors\` (f32) + \`config.json\` + tokenizer files; \`model.onnx\` (q4 MatMulNBits, embeddings and norms f32; runs in onnxruntime-web).`,
  '',
  '## Held-out perplexity per language (test split, each sentence alone)',
  '',
  `| ${corpus.languages.join(' | ')} |`,
  `| ${corpus.languages.map(() => '---').join(' | ')} |`,
  `| ${corpus.languages.map((l) => perplexity[l]).join(' | ')} |`,
  '',
  `## LAC per layer (test split, n = ${report.n}, mean pooling, centred; 95% bootstrap interval)`,
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
engine.dispose();
process.exit(0);
