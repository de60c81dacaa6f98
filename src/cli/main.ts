// alignscope — the engine from the command line (Node, WebGPU through Dawn; SwiftShader without a GPU).
//
//   alignscope generate --model DIR "prompt"      greedy (or --temperature/--top-k) continuation
//   alignscope embed --model DIR "s1" "s2" ...     one vector per sentence per layer (--json)
//   alignscope train --model DIR --data FILE ...   fine-tune; a JSONL log of step and eval events
//   alignscope analyze --model DIR --data FILE --langs en,zh,cs   alignment metrics per layer and pair
//   alignscope perplexity --model DIR --data FILE --langs en,zh   held-out perplexity and bits per character
// --model takes a folder (config.json, tokenizer.json, model.safetensors or model.onnx), a .gguf
// file (llama/qwen2/qwen3; F32, F16, BF16, Q8_0, Q4_0, Q4_K, Q6_K tensors) or random[:SEED] for the random tiny test model; --quant is f32 unless given, as in the app. Every
// command says which quantization (and analyze which pooling) it used. Errors print their name and
// what to do; exit 1.
// --model hub:owner/name[@revision] downloads a Hugging Face Hub model once into ~/.cache/alignscope/hub
// ($ALIGNSCOPE_CACHE), resuming a cut download, and loads it from there afterwards with no network;
// $HF_TOKEN for gated repos, --hub-url or $HF_ENDPOINT for a mirror, --hub-file to pick a GGUF file.
// --backend cpu runs the model on the CPU route (WebAssembly SIMD threads, no GPU); train takes it unless told otherwise.
// --tune off keeps the default matmul kernels (no autotuning at load, decision 45).

import { createWriteStream, readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { WeightQuant } from '../model/decoder';
import { nodeGpu } from '../gpu/node-gpu';
import { Engine, type ModelSourceSpec } from '../worker/engine';
import type { BackendChoice } from '../worker/backend';
import { corpusFile, standardSplit } from '../data/corpora';
import { readCorpusBytes } from '../data/read';
import type { LinearName } from '../model/weights';
import type { LangPair } from '../train/batching';
import { defaultTrainSettings } from '../train/defaults';
import type { TrainMode } from '../train/trainable';
import { dirFiles, hubFiles } from './dir-source';
import { perplexityReport, type PerplexityReport } from '../eval/perplexity';

const USAGE = `usage:
  alignscope generate --model DIR|random[:SEED] [--quant q4|q8|f32] [--backend webgpu|cpu|auto] [--max-new-tokens N] [--temperature T] [--top-k K] [--seed S] [--json] PROMPT
  alignscope embed    --model DIR|random[:SEED] [--quant q4|q8|f32] [--backend webgpu|cpu|auto] [--layers all|0,2,4] [--pooling mean|last] [--file FILE] [--json] [SENTENCE ...]
  alignscope train    --model DIR|random[:SEED] [--backend cpu|webgpu|auto] [--corpus everyday|software | --data FILE.tsv[.gz]|FILE.jsonl[.gz]] [--limit N] [--pairs en-zh,en-cs] [--steps N] [--mode full|lora]
                      [--lr X] [--lambda-map X] [--lambda-con X --con-layer L] [--ntp-fraction X] [--batch-size N] [--grad-accum N]
                      [--rank R --alpha A --targets q,v] [--eval-every K] [--seed S] [--log FILE.jsonl]
                      (full fine-tuning loads the model as f32; LoRA keeps --quant)
  alignscope analyze  --model DIR|random[:SEED] [--corpus everyday|software | --data FILE] --langs en,zh,cs [--backend webgpu|cpu|auto] [--layers all|0,2,4] [--split test|dev|train|all]
                      [--limit N] [--pooling mean|last] [--no-centre] [--resamples N] [--json]
  alignscope perplexity --model DIR|random[:SEED] [--corpus everyday|software | --data FILE] [--langs en,zh] [--split test|dev|train|all]
                      [--limit N] [--backend webgpu|cpu|auto] [--json]
                      per language: perplexity, tokens, characters and bits per character, each sentence scored alone
  --corpus names a shipped corpus (everyday unless --data gives a file; software = public/data/debian/tuples.tsv.gz);
  --limit N takes the first N tuples of each split.
  --model hub:owner/name[@revision] (revision main unless given) downloads a Hugging Face Hub model
  once into $ALIGNSCOPE_CACHE (default ~/.cache/alignscope/hub), resuming a cut download, and loads
  it from there afterwards with no network. $HF_TOKEN for gated repos; --hub-url URL (or
  $HF_ENDPOINT) for a mirror; --hub-file NAME picks one of several GGUF files (Q4_0 unless given).
  --quant is f32 unless given (as the app loads the default model); analyze prints LAC's permutation
  null band per row and the no-model baselines (chance P@1, character n-gram surface metrics).
  --backend is webgpu unless given, cpu for train (many times faster than WebGPU on a software
  adapter): cpu runs the model on WebAssembly SIMD threads (no GPU needed), auto takes the CPU route
  when there is no WebGPU adapter or only a software one.
  --tune off keeps every matmul on its default kernel; on (the default) times the kernel variants
  for the model's shapes at load, once per adapter and process (ARCHITECTURE.md decision 45).`;

const OPTIONS = {
  model: { type: 'string' },
  'hub-url': { type: 'string' },
  'hub-file': { type: 'string' },
  quant: { type: 'string', default: 'f32' },
  backend: { type: 'string' },
  tune: { type: 'string', default: 'on' },
  'max-new-tokens': { type: 'string', default: '32' },
  temperature: { type: 'string', default: '0' },
  'top-k': { type: 'string', default: '40' },
  seed: { type: 'string', default: '1' },
  layers: { type: 'string', default: 'all' },
  pooling: { type: 'string', default: 'mean' },
  file: { type: 'string' },
  data: { type: 'string' },
  corpus: { type: 'string' },
  limit: { type: 'string' },
  pairs: { type: 'string' },
  steps: { type: 'string', default: '60' },
  mode: { type: 'string', default: 'lora' },
  lr: { type: 'string' },
  'lambda-map': { type: 'string', default: '1' },
  'lambda-con': { type: 'string', default: '0' },
  'con-layer': { type: 'string' },
  'ntp-fraction': { type: 'string', default: '0.5' },
  'batch-size': { type: 'string', default: '8' },
  'grad-accum': { type: 'string', default: '1' },
  rank: { type: 'string', default: '8' },
  alpha: { type: 'string', default: '16' },
  targets: { type: 'string', default: 'q,v' },
  'eval-every': { type: 'string', default: '10' },
  log: { type: 'string' },
  langs: { type: 'string' },
  split: { type: 'string', default: 'test' },
  'no-centre': { type: 'boolean', default: false },
  resamples: { type: 'string', default: '1000' },
  json: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
} as const;

class UsageError extends Error {}

function sourceOf(model: string | undefined): ModelSourceSpec {
  if (!model) throw new UsageError('--model is required');
  const random = /^random(?::(\d+))?$/.exec(model);
  return random ? { kind: 'random', seed: Number(random[1] ?? 1) } : { kind: 'dir', path: model };
}

function quantOf(q: string): WeightQuant {
  if (q !== 'q4' && q !== 'q8' && q !== 'f32') throw new UsageError(`--quant must be q4, q8 or f32, not ${q}`);
  return q;
}

function backendOf(given: string | undefined, dflt: BackendChoice = 'webgpu'): BackendChoice {
  const b = given ?? dflt;
  if (b !== 'webgpu' && b !== 'cpu' && b !== 'auto') throw new UsageError(`--backend must be webgpu, cpu or auto, not ${b}`);
  return b;
}

function int(name: string, v: string): number {
  const n = Number(v);
  if (!Number.isFinite(n)) throw new UsageError(`--${name} must be a number, not ${v}`);
  return n;
}

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true });
  const [command, ...rest] = positionals;
  if (values.help || !command) {
    console.log(USAGE);
    return values.help ? 0 : 2;
  }
  // A Hub model is downloaded (or found in the cache) before the engine asks for its files.
  const hub = values.model?.startsWith('hub:')
    ? await hubFiles(values.model, { baseUrl: values['hub-url'], variant: values['hub-file'], quant: quantOf(values.quant), log: (l) => console.error(l) })
    : null;
  if (values.tune !== 'on' && values.tune !== 'off') throw new UsageError(`--tune must be on or off, not ${values.tune}`);
  const engine = new Engine(() => nodeGpu(), { tune: values.tune, resolveSource: (s) => (s.kind === 'dir' ? (hub && s.path === values.model ? hub : dirFiles(s.path)) : null) });
  try {
    if (command === 'train') return await train(engine, values);
    if (command === 'analyze') return await analyze(engine, values);
    if (command === 'perplexity') return await perplexity(engine, values);
    const info = await engine.loadModel(sourceOf(values.model), { quant: quantOf(values.quant), backend: backendOf(values.backend) });
    if (!values.json) console.error(`loaded ${info.name}: ${info.architecture}, ${(info.parameters / 1e6).toFixed(2)}M parameters, ${info.quant}; ${info.backendNote}`);
    if (command === 'generate') {
      const prompt = rest.join(' ');
      if (!values.json) engine.onEvent((e) => e.kind === 'generate-text' && process.stdout.write(e.piece));
      const out = await engine.generate(prompt, {
        maxNewTokens: int('max-new-tokens', values['max-new-tokens']),
        temperature: int('temperature', values.temperature),
        topK: int('top-k', values['top-k']),
        seed: int('seed', values.seed),
      });
      console.log(values.json ? JSON.stringify({ prompt, ...out }) : '');
      return 0;
    }
    if (command === 'embed') {
      const sentences = values.file ? readFileSync(values.file, 'utf8').split('\n').filter((l) => l.trim()) : rest;
      if (sentences.length === 0) throw new UsageError('give sentences as arguments or --file FILE (one per line)');
      const L = info.config.numLayers;
      const layers = values.layers === 'all' ? Array.from({ length: L + 1 }, (_, i) => i) : values.layers.split(',').map((v) => int('layers', v));
      const pooling = values.pooling === 'last' ? 'last' : values.pooling === 'mean' ? 'mean' : null;
      if (!pooling) throw new UsageError(`--pooling must be mean or last, not ${values.pooling}`);
      const res = await engine.embed(sentences, { layers, pooling });
      const rows = (l: number) => sentences.map((_, i) => Array.from(res.vectors[l].subarray(i * res.dim, (i + 1) * res.dim)));
      if (values.json) {
        console.log(JSON.stringify({ model: info.name, quant: info.quant, pooling, dim: res.dim, sentences, layers: Object.fromEntries(res.layers.map((l, j) => [l, rows(j)])) }));
      } else {
        for (const [j, l] of res.layers.entries()) {
          const norms = rows(j).map((v) => Math.hypot(...v).toFixed(3));
          console.log(`layer ${l}: ${sentences.length} x ${res.dim}, norms ${norms.join(' ')}`);
        }
      }
      return 0;
    }
    throw new UsageError(`unknown command ${command}`);
  } finally {
    engine.dispose();
  }
}

type Values = ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>['values'];

/** The corpus of --corpus or --data (.gz gunzipped) and its split, each split cut to --limit tuples (src/data/corpora.ts). */
async function readData(values: Values) {
  const file = corpusFile({ corpus: values.corpus, data: values.data });
  const report = await readCorpusBytes(file, readFileSync(file));
  for (const p of report.problems) console.error(`${p.file}:${p.line}: ${p.message} (line skipped)`);
  const { corpus } = report;
  const limit = values.limit === undefined ? undefined : int('limit', values.limit);
  const split = standardSplit(corpus, limit);
  const pick = (ix: number[]) => ix.map((i) => corpus.tuples[i]);
  return { file, corpus, split, limit, pick };
}

/** --split of a read corpus (first --limit tuples of it); the usage error says what is allowed. */
function splitOf(data: Awaited<ReturnType<typeof readData>>, which: string) {
  if (which !== 'all' && which !== 'train' && which !== 'dev' && which !== 'test') throw new UsageError(`--split must be test, dev, train or all, not ${which}`);
  return which === 'all' ? data.corpus.tuples.slice(0, data.limit) : data.pick(data.split[which]);
}

/** --langs (all of the corpus's by default), each checked against it. */
function langsOf(values: Values, languages: readonly string[]): string[] {
  const langs = (values.langs ?? languages.join(',')).split(',');
  const missing = langs.filter((l) => !languages.includes(l));
  if (missing.length) throw new UsageError(`--langs: ${missing.join(', ')} not in the corpus (${languages.join(', ')})`);
  return langs;
}

async function perplexity(engine: Engine, values: Values): Promise<number> {
  const data = await readData(values);
  const langs = langsOf(values, data.corpus.languages);
  const tuples = splitOf(data, values.split);
  const info = await engine.loadModel(sourceOf(values.model), { quant: quantOf(values.quant), backend: backendOf(values.backend) });
  const out: Record<string, PerplexityReport> = {};
  for (const lang of langs) {
    const sentences = tuples.map((t) => t[lang]).filter((s): s is string => typeof s === 'string' && s !== '');
    out[lang] = perplexityReport(sentences, await engine.perplexity(sentences, 'current'));
    if (!values.json) process.stderr.write(`\rscored ${lang}   `);
  }
  if (values.json) {
    console.log(JSON.stringify({ model: info.name, quant: info.quant, backend: info.backend, data: data.file, split: values.split, languages: out }));
    return 0;
  }
  process.stderr.write(`\n${info.backendNote}\n`);
  console.log(`${info.name} (${info.quant}): ${values.split} split, each sentence alone (BOS + sentence + EOS)`);
  console.log('lang'.padEnd(6) + 'perplexity'.padStart(12) + 'tokens'.padStart(9) + 'chars'.padStart(9) + 'bits/char'.padStart(11));
  for (const [lang, r] of Object.entries(out)) console.log(lang.padEnd(6) + r.perplexity.toFixed(2).padStart(12) + String(r.tokens).padStart(9) + String(r.characters).padStart(9) + r.bitsPerCharacter.toFixed(3).padStart(11));
  return 0;
}

async function analyze(engine: Engine, values: Values): Promise<number> {
  const data = await readData(values);
  const { file } = data;
  const langs = langsOf(values, data.corpus.languages);
  const which = values.split;
  const tuples = splitOf(data, which);
  const pooling = values.pooling === 'last' ? 'last' : values.pooling === 'mean' ? 'mean' : null;
  if (!pooling) throw new UsageError(`--pooling must be mean or last, not ${values.pooling}`);
  const info = await engine.loadModel(sourceOf(values.model), { quant: quantOf(values.quant), backend: backendOf(values.backend) });
  if (!values.json) engine.onEvent((e) => e.kind === 'progress' && e.task === 'analyze' && process.stderr.write(`\r${e.label} (${e.done}/${e.total})   `));
  const layers = values.layers === 'all' ? 'all' : values.layers.split(',').map((v) => int('layers', v));
  const r = await engine.analyze({ tuples, languages: langs, layers, pooling, centre: !values['no-centre'], resamples: int('resamples', values.resamples), seed: 0 });
  if (values.json) {
    const { sentences: _sentences, ...result } = r; // the sentences are the corpus's own
    console.log(JSON.stringify({ model: info.name, quant: info.quant, backend: info.backend, data: file, split: which, ...result }));
    return 0;
  }
  process.stderr.write(`\n${info.backendNote}\n`);
  const f = (v: number) => v.toFixed(3);
  console.log(`${info.name} (${info.quant}): ${r.n} ${which} tuples, ${r.pooling} pooling, ${r.centre ? 'centred' : 'not centred'}; LAC [95% bootstrap interval], null = LAC's band under shuffled pairs`);
  console.log('layer'.padEnd(7) + 'pair'.padEnd(8) + 'LAC'.padStart(8) + '  interval'.padEnd(20) + '  null'.padEnd(20) + 'MEXA'.padStart(7) + 'P@1 a→b'.padStart(9) + 'P@1 b→a'.padStart(9) + 'cos'.padStart(7));
  for (const x of r.rows) {
    console.log(String(x.layer).padEnd(7) + `${x.a}-${x.b}`.padEnd(8) + f(x.lac).padStart(8) + `  [${f(x.lacLow)}, ${f(x.lacHigh)}]`.padEnd(20) + `  [${f(x.nullLow)}, ${f(x.nullHigh)}]`.padEnd(20) + f(x.mexa).padStart(7) + f(x.p1AtoB).padStart(9) + f(x.p1BtoA).padStart(9) + f(x.meanCosine).padStart(7));
  }
  console.log(`\nBaselines (no model): chance P@1 = 1/${r.n} = ${f(r.chanceP1)}; surface = character 1-3-gram vectors of the same sentences`);
  console.log('pair'.padEnd(8) + 'LAC'.padStart(8) + 'MEXA'.padStart(7) + 'P@1 a→b'.padStart(9) + 'P@1 b→a'.padStart(9));
  for (const x of r.surface) console.log(`${x.a}-${x.b}`.padEnd(8) + f(x.lac).padStart(8) + f(x.mexa).padStart(7) + f(x.p1AtoB).padStart(9) + f(x.p1BtoA).padStart(9));
  return 0;
}

async function train(engine: Engine, values: Values): Promise<number> {
  const { corpus, split, pick } = await readData(values);
  const pairs: LangPair[] = (values.pairs ?? `${corpus.languages[0]}-${corpus.languages[1]}`).split(',').map((p) => {
    const [a, b] = p.split('-');
    if (!a || !b) throw new UsageError(`--pairs takes pairs like en-zh,en-cs; got ${p}`);
    return [a, b];
  });
  const mode: TrainMode =
    values.mode === 'full'
      ? { kind: 'full' }
      : values.mode === 'lora'
        ? { kind: 'lora', rank: int('rank', values.rank), alpha: int('alpha', values.alpha), targets: values.targets.split(',') as LinearName[] }
        : (() => {
            throw new UsageError(`--mode must be full or lora, not ${values.mode}`);
          })();
  const info = await engine.loadModel(sourceOf(values.model), { quant: mode.kind === 'full' ? 'f32' : quantOf(values.quant), backend: backendOf(values.backend, 'cpu') });
  const settings = defaultTrainSettings(mode, pairs, int('steps', values.steps));
  const lambdaCon = int('lambda-con', values['lambda-con']);
  Object.assign(settings, {
    lambdaMap: int('lambda-map', values['lambda-map']),
    ntpFraction: int('ntp-fraction', values['ntp-fraction']),
    batchSize: int('batch-size', values['batch-size']),
    gradAccum: int('grad-accum', values['grad-accum']),
    evalEvery: int('eval-every', values['eval-every']),
    seed: int('seed', values.seed),
    ...(values.lr ? { lr: int('lr', values.lr), minLr: int('lr', values.lr) / 10 } : {}),
    ...(lambdaCon > 0
      ? { contrastive: { layer: values['con-layer'] ? int('con-layer', values['con-layer']) : Math.ceil(info.config.numLayers / 2), temperature: 0.1, weight: lambdaCon, pairsPerStep: 8 } }
      : {}),
  });
  const log = values.log ? createWriteStream(values.log) : null;
  const write = (o: unknown) => (log ? log.write(`${JSON.stringify(o)}\n`) : process.stdout.write(`${JSON.stringify(o)}\n`));
  engine.onEvent((e) => {
    if (e.kind === 'train-steps') for (const s of e.steps) write({ kind: 'step', ...s });
    if (e.kind === 'train-eval') write({ kind: 'eval', step: e.step, lossNtp: e.lossNtp, lossMap: e.lossMap });
    if (e.kind === 'train-steps' && log) process.stderr.write(`\rstep ${e.steps[e.steps.length - 1].step}/${settings.steps} loss ${e.steps[e.steps.length - 1].loss.toFixed(4)}`);
  });
  console.error(`training ${info.name} (${mode.kind}) on ${split.train.length} tuples, held out ${split.dev.length}; pairs ${pairs.map((p) => p.join('-')).join(', ')}`);
  await engine.startTraining(settings, { train: pick(split.train), heldOut: pick(split.dev) });
  const end = await engine.trainingSession!.settled();
  await new Promise<void>((r) => (log ? log.end(r) : r()));
  if (end.error) console.error(`\nalignscope: ${end.error.name}: ${end.error.message}`);
  else console.error(`\n${end.state} at step ${end.step}`);
  return end.state === 'finished' ? 0 : 1;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: Error) => {
    if (e instanceof UsageError || e.name === 'TypeError' && /parseArgs|Unknown option/.test(e.message)) {
      console.error(`alignscope: ${e.message}\n${USAGE}`);
      process.exit(2);
    }
    console.error(`alignscope: ${e.name}: ${e.message}`);
    process.exit(1);
  },
);
