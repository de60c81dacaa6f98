// npm run bench:device — the whole benchmark and the GPU test tier on this machine's GPU (issue 16,
// item 5), written to ONE JSON file. For a Linux machine with a GPU and its Vulkan driver:
//
//   1. Node + npm `webgpu` (Dawn) on the system Vulkan (ALIGNSCOPE_SYSTEM_VULKAN=1, so node-gpu.ts
//      does not point Vulkan at SwiftShader): the adapter, the copy bandwidth, every matmul variant
//      and the tuner's choices (bench-kernels.ts), our model bench (bench-model.ts) and training
//      (bench-train.ts). onnxruntime-web has no WebGPU backend in Node (its Node entry,
//      dist/ort.node.min.mjs, registers only cpu and wasm), so the peer is recorded as failed here;
//   2. the race against onnxruntime-web's WebGPU EP in Chromium: `node scripts/bench.mjs model --gpu`
//      (the built app in headless Chromium with the flags for a real GPU, bench.mjs's GPU_FLAGS);
//      its adapter report says whether Chromium got the GPU or fell back to SwiftShader;
//   3. the GPU test tier: `vitest run --project gpu` with the same environment (pass/fail counts).
//
// Writes bench/results/<gpu>-<date>.json, or bench-results/device-<gpu>-<date>.json when the adapter
// is a software one (SwiftShader, llvmpipe: never committed). Benchmarks assert nothing about speed.
//
//   npm run bench:device -- [--presets small,qwen05b] [--quick] [--software] [--no-browser] [--no-tests]
//   --quick      a few minutes on a software adapter: 256³ kernels, 64 MiB copy, small model with one
//                repeat and 8 decode steps, one training step, one test file (end-to-end check)
//   --software   keep node-gpu.ts's default (SwiftShader where installed) instead of the system Vulkan

import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, release, totalmem } from 'node:os';
import type { AdapterReport } from '../src/gpu/adapter-report';
import { nodeGpu } from '../src/gpu/node-gpu';
import { GpuRuntime } from '../src/gpu/runtime';
import { benchKernels } from '../src/worker/bench-kernels';
import { benchModel, type ModelBenchOptions } from '../src/worker/bench-model';
import { benchTraining } from '../src/worker/bench-train';

const args = process.argv.slice(2);
const opt = (name: string, dflt: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : dflt;
};
const quick = args.includes('--quick');
const software = args.includes('--software');
// The default model's size and the 0.5 B shape (issue 16's Measure section).
const presets = opt('presets', quick ? 'small' : 'small,qwen05b').split(',') as NonNullable<ModelBenchOptions['preset']>[];
// Read by nodeGpu() at its first call, and inherited by the test tier's vitest.
if (!software && !process.env.VK_ICD_FILENAMES) process.env.ALIGNSCOPE_SYSTEM_VULKAN = '1';

/** stdout of a command, or null where it is missing or fails (driver tools are optional). */
function tryRun(cmd: string, cmdArgs: string[]): string | null {
  try {
    return execFileSync(cmd, cmdArgs, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 30_000 }).trim();
  } catch {
    return null;
  }
}

const log = (s: string) => console.log(`[bench:device ${new Date().toISOString().slice(11, 19)}] ${s}`);
const started = Date.now();
const phases: Record<string, number> = {};
async function phase<T>(name: string, work: () => Promise<T>): Promise<T> {
  log(`${name}…`);
  const t0 = Date.now();
  try {
    return await work();
  } finally {
    phases[name] = (Date.now() - t0) / 1000;
  }
}

const rt = new GpuRuntime(() => nodeGpu());
const adapter: AdapterReport = (await rt.context()).report;
const isSoftware = adapter.isFallbackAdapter || /swiftshader|llvmpipe|lavapipe/i.test(`${adapter.vendor} ${adapter.architecture} ${adapter.description}`);
log(`adapter: ${adapter.vendor} ${adapter.architecture} ${adapter.description}${isSoftware ? ' (software)' : ''}`);

const machine = {
  node: process.version,
  webgpuPackage: JSON.parse(readFileSync('node_modules/webgpu/package.json', 'utf8')).version as string,
  onnxruntimeWeb: JSON.parse(readFileSync('node_modules/onnxruntime-web/package.json', 'utf8')).version as string,
  os: `${process.platform} ${release()}`,
  cpu: `${cpus()[0]?.model ?? '?'} x${cpus().length}`,
  memoryGiB: Math.round(totalmem() / 2 ** 30),
  vulkan: { systemVulkan: process.env.ALIGNSCOPE_SYSTEM_VULKAN === '1', icdFiles: process.env.VK_ICD_FILENAMES ?? null, summary: tryRun('vulkaninfo', ['--summary']) },
  nvidiaSmi: tryRun('nvidia-smi', ['--query-gpu=name,driver_version,memory.total', '--format=csv']),
  commit: tryRun('git', ['rev-parse', 'HEAD']),
};

const kernels = await phase('kernels', () => rt.run((ctx) => benchKernels(ctx, quick ? { sizes: [256], bandwidthBytes: 64 * 2 ** 20 } : {})));
log(`copy bandwidth ${kernels.bandwidth.gbps.toFixed(1)} GB/s`);
const model: Record<string, Awaited<ReturnType<typeof benchModel>>> = {};
for (const preset of presets) {
  const m = await phase(`model ${preset} (Node)`, () => benchModel(rt, { preset, ...(quick ? { repeats: 1, decodeTokens: 8 } : {}) }));
  log(`ours: prefill ${m.ours.prefillTokensPerSecond.toFixed(1)} tok/s, decode ${m.ours.decodeTokensPerSecond.toFixed(2)} tok/s (${(100 * (m.ours.bandwidthFraction ?? 0)).toFixed(1)}% of copy bandwidth)`);
  model[preset] = m;
}
const train = await phase('train', () => benchTraining(rt, { steps: quick ? 1 : 5 }));
rt.destroy();

/** The race in Chromium (bench.mjs on the built app) per preset, or why it did not run. */
async function browserRaces(): Promise<Record<string, unknown>> {
  const build = spawnSync('npx', ['vite', 'build'], { stdio: 'inherit' });
  if (build.status !== 0) return { error: `vite build exited ${build.status}` };
  const races: Record<string, unknown> = {};
  for (const preset of presets) {
    const out = `bench-results/model-${preset}.json`;
    rmSync(out, { force: true });
    const r = spawnSync('node', ['scripts/bench.mjs', 'model', '--preset', preset, ...(software ? [] : ['--gpu'])], { stdio: 'inherit' });
    races[preset] = r.status === 0 ? JSON.parse(readFileSync(out, 'utf8')) : { error: `scripts/bench.mjs exited ${r.status}` };
  }
  return races;
}
const chromium = args.includes('--no-browser') ? { skipped: '--no-browser' } : await phase('model races (Chromium)', browserRaces);

/** The GPU tier through vitest's JSON reporter: counts and the names of failures. */
async function testTier() {
  const file = 'bench-results/device-tests.json';
  mkdirSync('bench-results', { recursive: true });
  const only = quick ? ['src/kernels/bandwidth.gpu.test.ts'] : [];
  const r = spawnSync('npx', ['vitest', 'run', '--project', 'gpu', '--reporter=json', `--outputFile=${file}`, ...only], { stdio: ['ignore', 'ignore', 'inherit'] });
  try {
    const j = JSON.parse(readFileSync(file, 'utf8'));
    const failed = j.testResults.flatMap((f: { assertionResults: { status: string; fullName: string }[] }) => f.assertionResults.filter((a) => a.status === 'failed').map((a) => a.fullName));
    return { command: `vitest run --project gpu ${only.join(' ')}`.trim(), exitCode: r.status, files: j.testResults.length, total: j.numTotalTests, passed: j.numPassedTests, failed: j.numFailedTests, skipped: j.numPendingTests + j.numTodoTests, failures: failed };
  } catch (e) {
    return { command: 'vitest run --project gpu', exitCode: r.status, error: e instanceof Error ? e.message : String(e) };
  } finally {
    rmSync(file, { force: true });
  }
}
const tests = args.includes('--no-tests') ? { skipped: '--no-tests' } : await phase('GPU test tier', testTier);

// Dawn's `device` names the GPU (its description carries the driver).
const slug = (adapter.device || adapter.description || `${adapter.vendor}-${adapter.architecture}`).toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 60) || 'gpu';
const date = new Date().toISOString().slice(0, 10);
const dir = isSoftware ? 'bench-results' : 'bench/results';
const path = `${dir}/${isSoftware ? 'device-' : ''}${slug}-${date}${quick ? '-quick' : ''}.json`;
mkdirSync(dir, { recursive: true });
const result = { when: new Date().toISOString(), args, quick, machine, adapter, seconds: { total: (Date.now() - started) / 1000, ...phases }, kernels, model, chromium, train, tests };
writeFileSync(path, JSON.stringify(result, null, 2));
log(`written to ${path}${isSoftware ? ' (a software adapter: not for bench/results/)' : ''}`);
