// npm run bench:cpu:train — training tokens per second of the default model (public/models/alignscope-tiny,
// f32, full fine-tuning, NTP + mapping, AdamW), the CPU route (src/cpu/trainer.ts) next to the WebGPU
// route on Dawn in the same Node process (SwiftShader on a machine without a GPU: what npm run
// bench:train measures in Chromium). Same settings, same seed, so both draw the same batches. The
// routes alternate round by round (machine load drifts: other processes share the cores), each
// round timing `steps` optimizer steps after one warm-up step per route; the table gives medians.
// Writes bench-results/cpu-train.json. Benchmarks are not tests: nothing here asserts speed.
//
//   npm run bench:cpu:train -- [--threads N] [--rounds R] [--steps S] [--batch-size B]

import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { dirFiles } from '../src/cli/dir-source';
import { loadCpuDecoder } from '../src/cpu/decoder';
import { CpuRuntime } from '../src/cpu/runtime';
import { CpuTrainer } from '../src/cpu/trainer';
import { readTsv } from '../src/data/tsv';
import { nodeGpu } from '../src/gpu/node-gpu';
import { GpuRuntime } from '../src/gpu/runtime';
import { uploadDecoder } from '../src/model/decoder';
import { readModelFolder } from '../src/model/load';
import { defaultTrainSettings } from '../src/train/defaults';
import type { SessionTrainer } from '../src/train/session-trainer';
import { Trainer } from '../src/train/trainer';

const args = process.argv.slice(2);
const opt = (name: string, dflt: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : dflt;
};
const threads = Number(opt('threads', String(Math.min(4, availableParallelism()))));
const ROUNDS = Number(opt('rounds', '3'));
const STEPS = Number(opt('steps', '2'));
const batchSize = Number(opt('batch-size', '8'));

const host = await readModelFolder(dirFiles(new URL('../public/models/alignscope-tiny/', import.meta.url).pathname));
const corpus = readTsv((await import('node:fs')).readFileSync('public/data/corpus.tsv', 'utf8'), 'corpus.tsv').corpus;
const tuples = corpus.tuples.slice(0, 400);
const settings = { ...defaultTrainSettings({ kind: 'full' }, [['en', 'zh']], 1 + ROUNDS * STEPS), batchSize, maxLength: 64, evalEvery: 0 };

const gpu = new GpuRuntime(() => nodeGpu());
const adapter = (await gpu.context()).report;
const gpuDecoder = await gpu.run(async (ctx) => uploadDecoder(ctx, host.config, host.weights, 'f32'));
const cpu = await CpuRuntime.create({ threads });
const routes: [string, SessionTrainer][] = [
  [`CPU route (${cpu.description})`, CpuTrainer.create(cpu, await loadCpuDecoder(cpu, host.config, host.weights, 'f32'), host.tokenizer, tuples, [], settings)],
  [`WebGPU on ${adapter.description || adapter.architecture || 'the Dawn adapter'}`, await Trainer.create(gpu, gpuDecoder, host.tokenizer, tuples, [], settings)],
];
for (const [, t] of routes) await t.step(); // warm-up: pipelines, pool, arena

const perRound = new Map<string, number[]>(routes.map(([name]) => [name, []]));
const tokensPerStep: number[] = [];
for (let r = 0; r < ROUNDS; r++) {
  for (const [name, t] of r % 2 ? [...routes].reverse() : routes) {
    let tokens = 0;
    let ms = 0;
    for (let s = 0; s < STEPS; s++) {
      const e = await t.step();
      tokens += e.tokens;
      ms += e.ms;
    }
    perRound.get(name)!.push((tokens / ms) * 1000);
    if (name === routes[0][0]) tokensPerStep.push(tokens / STEPS);
    console.error(`round ${r + 1}/${ROUNDS} ${name}: ${((tokens / ms) * 1000).toFixed(0)} tok/s`);
  }
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const rows = routes.map(([name]) => ({ route: name, tokensPerSecond: median(perRound.get(name)!), rounds: perRound.get(name)! }));
const ratio = rows[0].tokensPerSecond / rows[1].tokensPerSecond;

console.log(`\ntraining tok/s, ${host.config.numLayers} layers x ${host.config.hiddenSize} (alignscope-tiny, f32, full fine-tuning), batch ${batchSize}, ~${median(tokensPerStep).toFixed(0)} tokens/step; median of ${ROUNDS} alternating rounds of ${STEPS} steps`);
console.log('| route | tok/s (median) | rounds |\n| --- | --- | --- |');
for (const r of rows) console.log(`| ${r.route} | ${r.tokensPerSecond.toFixed(0)} | ${r.rounds.map((x) => x.toFixed(0)).join(', ')} |`);
console.log(`CPU route / WebGPU: ${ratio.toFixed(1)}x (cores ${availableParallelism()}, load ${loadavg().map((l) => l.toFixed(1)).join(' ')}: other processes share them)`);

mkdirSync('bench-results', { recursive: true });
writeFileSync('bench-results/cpu-train.json', `${JSON.stringify({ when: new Date().toISOString(), cpu: cpus()[0]?.model, threads, batchSize, rounds: ROUNDS, steps: STEPS, rows, ratio }, null, 2)}\n`);
for (const [, t] of routes) await t.release();
await cpu.dispose();
gpu.destroy();
