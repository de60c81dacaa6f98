// npm run bench:cpu:model — our CPU route's decoder (src/cpu/decoder.ts: WebAssembly SIMD kernels on a thread pool) running
// the exported default model (public/models/alignscope-tiny/model.onnx, q4 MatMulNBits as shipped)
// next to onnxruntime-web's WebAssembly backend, in one Node process with the same thread count. Both
// read the same file: the shipped model re-exported with { kvCache: true } (its q4 codes as they are,
// plus past/present key-value inputs and outputs). Prefill: one sequence of 128 tokens (all logits).
// Decode: tokens per second after a 64-token prompt, 64 greedy steps of one token, each side through
// its own KV cache (the prompt's prefill not timed).
// Writes bench-results/cpu-model.json. Benchmarks are not tests: nothing here asserts speed.
//
//   npm run bench:cpu:model -- [--threads N] [--rounds R] [--simd auto|simd|relaxed]

import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg } from 'node:os';
import * as ort from 'onnxruntime-web';
import { dirFiles } from '../src/cli/dir-source';
import { createCpuCaches, cpuDecoderStep, loadCpuDecoder, releaseCaches } from '../src/cpu/decoder';
import { sampleRow } from '../src/cpu/heads';
import { CpuRuntime } from '../src/cpu/runtime';
import { exportDecoderOnnx } from '../src/export/onnx';
import { createOrtSession, emptyOnnxCache, runDecoderOnnx, runDecoderOnnxCached } from '../src/export/ort-session';
import { readModelFolder } from '../src/model/load';
import type { Q4Weight } from '../src/model/quant';
import { memoryFiles } from '../src/model/source';
import { readAllWeights, storedWeights } from '../src/model/weight-source';
import { randomArray } from '../src/reference/random';
import { medianMs } from './median-time';

const args = process.argv.slice(2);
const opt = (name: string, dflt: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : dflt;
};
const threads = Number(opt('threads', String(Math.min(4, availableParallelism()))));
const simd = opt('simd', 'auto') as 'auto' | 'simd' | 'relaxed';
const PREFILL = 128;
const PROMPT = 64;
const STEPS = 64;
const ROUNDS = Number(opt('rounds', '5'));

const time = (fn: () => unknown) => medianMs(fn, 300, 50);

// The shipped folder with model.onnx as its only weights file, re-exported with the KV cache; both
// runtimes read those bytes.
const DIR = new URL('../public/models/alignscope-tiny/', import.meta.url).pathname;
const shipped = dirFiles(DIR);
const folderWith = async (onnx: Uint8Array, label: string) =>
  memoryFiles(new Map([...(await Promise.all(['tokenizer.json', 'tokenizer_config.json'].map(async (n) => [n, await shipped.read(n)] as [string, Uint8Array]))), ['model.onnx', onnx]]), label);
const asShipped = await readModelFolder(await folderWith(await shipped.read('model.onnx'), 'alignscope-tiny (model.onnx)'));
const q4 = (await storedWeights(asShipped.weights, 'q4')) as Map<string, Q4Weight>;
const onnxBytes = exportDecoderOnnx(asShipped.config, await readAllWeights(asShipped.weights), { quant: 'q4', quantized: q4, kvCache: true });
const folder = await folderWith(onnxBytes, 'alignscope-tiny (model.onnx with KV cache)');
const host = await readModelFolder(folder);
const V = host.config.vocabSize;
const ids = Array.from(randomArray(PREFILL, 3), (v) => Math.floor((v + 1) * 0.5 * (V - 300)) + 258); // ordinary (non-special) tokens

const rt = await CpuRuntime.create({ threads, simd });
const m = await loadCpuDecoder(rt, host.config, host.weights, 'q4');

/** Ours, prefill: one step over all tokens from an empty cache, every position's logits read out (as CpuModel.forward). */
function prefillOurs(): void {
  const caches = createCpuCaches(rt, m, 1, PREFILL);
  const { logits } = cpuDecoderStep(rt, m, caches, { tokens: Uint32Array.from(ids), B: 1, Tq: PREFILL, past: [0], qLen: [PREFILL] }, { logits: 'all' });
  rt.read(logits!);
  rt.release(logits!);
  releaseCaches(rt, caches);
}

/** Ours, decode: the prompt into the cache, then STEPS greedy steps of one token (as CpuModel's decoding loop); ms per step. */
function decodeOurs(): number {
  const caches = createCpuCaches(rt, m, 1, PROMPT + STEPS);
  let out = cpuDecoderStep(rt, m, caches, { tokens: Uint32Array.from(ids.slice(0, PROMPT)), B: 1, Tq: PROMPT, past: [0], qLen: [PROMPT] }, { logits: 'last' });
  const t0 = performance.now();
  for (let s = 0; s < STEPS; s++) {
    const next = sampleRow(rt.f32(out.logits!), 1, 0, 0);
    rt.release(out.logits!);
    out = cpuDecoderStep(rt, m, caches, { tokens: Uint32Array.of(next), B: 1, Tq: 1, past: [PROMPT + s], qLen: [1] }, { logits: 'last' });
  }
  const ms = (performance.now() - t0) / STEPS;
  rt.release(out.logits!);
  releaseCaches(rt, caches);
  return ms;
}

ort.env.logLevel = 'error';
ort.env.wasm.numThreads = threads;
const session = await createOrtSession(onnxBytes, 'wasm');

/** ms per decoded token of the peer, as decodeOurs: the prompt into its cache, then STEPS greedy steps of one token. */
async function decodePeer(): Promise<number> {
  const argmax = (row: Float32Array) => row.reduce((best, v, i) => (v > row[best] ? i : best), 0);
  let r = await runDecoderOnnxCached(session, emptyOnnxCache(session, 1), [ids.slice(0, PROMPT)]);
  const t0 = performance.now();
  for (let s = 0; s < STEPS; s++) r = await runDecoderOnnxCached(session, r.cache, [[argmax(r.out.logits.subarray(r.out.logits.length - V))]]);
  return (performance.now() - t0) / STEPS;
}

// Rounds alternate ours and the peer, so load from other processes falls on both alike; each figure
// is the median over rounds, with the range kept in the JSON.
decodeOurs();
await decodePeer();
const samples = { oursPrefill: [] as number[], peerPrefill: [] as number[], oursDecode: [] as number[], peerDecode: [] as number[] };
for (let r = 0; r < ROUNDS; r++) {
  samples.oursPrefill.push(await time(prefillOurs));
  samples.peerPrefill.push(await time(() => runDecoderOnnx(session, [ids])));
  samples.oursDecode.push(decodeOurs());
  samples.peerDecode.push(await decodePeer());
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const perSecond = (tokens: number, ms: number[]) => ({ median: (tokens * 1000) / median(ms), min: (tokens * 1000) / Math.max(...ms), max: (tokens * 1000) / Math.min(...ms) });
await session.release();
await rt.dispose();

const rows = [
  { phase: `prefill ${PREFILL} tokens`, ours: perSecond(PREFILL, samples.oursPrefill), peer: perSecond(PREFILL, samples.peerPrefill) },
  { phase: `decode after ${PROMPT}, ${STEPS} steps`, ours: perSecond(1, samples.oursDecode), peer: perSecond(1, samples.peerDecode) },
].map((r) => ({ ...r, ratio: r.ours.median / r.peer.median }));
const note = 'Both decode through a KV cache: the peer runs the export with past/present key-value inputs and outputs, one token per call.';
const result = {
  when: new Date().toISOString(),
  cpu: cpus()[0]?.model,
  node: process.versions.node,
  threads,
  rounds: ROUNDS,
  loadAverage: loadavg(),
  model: `${folder.label}: ${host.config.numLayers} layers, C ${host.config.hiddenSize}, V ${V}, q4`,
  ours: rt.description,
  peer: `onnxruntime-web ${ort.env.versions.web} wasm, numThreads ${threads}`,
  note,
  rows,
};
mkdirSync('bench-results', { recursive: true });
writeFileSync('bench-results/cpu-model.json', JSON.stringify(result, null, 2));
console.log(`\n== ${result.model}, tokens/s, ${threads} threads — ours: ${result.ours}; peer: ${result.peer}`);
console.log('phase'.padEnd(30) + 'ours'.padStart(10) + 'onnxrt-web'.padStart(12) + 'ours/peer'.padStart(11));
const range = (x: { min: number; max: number }) => `${x.min.toFixed(0)}-${x.max.toFixed(0)}`;
for (const r of rows) console.log(r.phase.padEnd(30) + r.ours.median.toFixed(1).padStart(10) + r.peer.median.toFixed(1).padStart(12) + r.ratio.toFixed(2).padStart(11) + `   (ranges over ${ROUNDS} rounds: ours ${range(r.ours)}, peer ${range(r.peer)})`);
console.log(`load average ${loadavg().map((x) => x.toFixed(1)).join(' ')} on ${cpus().length} logical processors`);
console.log(note);
console.log('written to bench-results/cpu-model.json');
process.exit(0);
