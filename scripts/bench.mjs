// npm run bench — benchmarks in headless Chromium on the machine's WebGPU adapter (SwiftShader
// without a GPU). Serves the built app (dist/), opens ?bench=kernels, ?bench=model and ?bench=train,
// waits for the engine worker's results and writes them with the adapter report to
// bench-results/kernels.json, model-<preset>.json and train.json, printing the tables.
// Benchmarks are not tests: nothing here asserts speed.
//
//   node scripts/bench.mjs [kernels] [model] [train]   (default: all three)
//   --sizes 256,512,1024   kernel sizes        --preset small|medium|qwen05b|qwen05b-quick|qwen05b-short
//   --verify               also check each kernel result against float64
//   --gpu                  Chromium on the real GPU (flags below; npm run bench:device uses it)

import { mkdirSync, writeFileSync } from 'node:fs';
import { chromium } from '@playwright/test';
import { preview } from 'vite';
import { CHROME_PATH, WEBGPU_FLAGS } from '../e2e/chromium.mjs';

const args = process.argv.slice(2);
/** @param {string} name @param {string} dflt */
const opt = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : dflt;
};
// --gpu: headless Chromium on the machine's GPU through Vulkan (Linux) rather than SwiftShader, with
// timestamps unquantized by the developer features. Not exercised on our GPU-less CI: the adapter
// report in the JSON says which adapter a run got.
const GPU_FLAGS = ['--enable-features=Vulkan', '--use-angle=vulkan', '--disable-vulkan-surface', '--ignore-gpu-blocklist', '--enable-webgpu-developer-features'];
const KINDS = ['kernels', 'model', 'train'];
const which = KINDS.filter((k) => args.includes(k));
const runs = which.length ? which : KINDS;

/** @param {number | null | undefined} x @param {number} [d] */
const num = (x, d = 1) => (x === null || x === undefined ? '—' : x.toFixed(d));

/** @param {any} b */
const bandwidthLine = (b) => `copy bandwidth: ${num(b.gbps, 2)} GB/s (${(b.bytes / 2 ** 20).toFixed(0)} MiB read + written in ${num(b.ms, 3)} ms, ${b.copiesPerBatch} copies per batch, ${b.source})`;

/** @param {any} r */
function printKernels(r) {
  console.log(bandwidthLine(r.bandwidth));
  const choice = new Map(r.tuning.rows.filter((/** @type {any} */ t) => t.chosen).map((/** @type {any} */ t) => [t.label, `${t.variant}: ${num(t.ms, 3)} ms, ${num(t.gflops, 2)} GFLOP/s (${t.source})`]));
  console.log('kernel'.padEnd(20) + 'variant'.padEnd(16) + 'ms'.padStart(11) + 'GFLOP/s'.padStart(10) + 'GB/s'.padStart(9) + 'max rel err'.padStart(13));
  for (const row of r.rows) {
    const err = row.maxRelError === null ? '' : row.maxRelError.toExponential(1);
    console.log(row.name.padEnd(20) + `${row.variant}${row.isDefault ? '*' : ''}`.padEnd(16) + num(row.ms, 3).padStart(11) + num(row.gflops, 2).padStart(10) + num(row.gbps, 2).padStart(9) + err.padStart(13));
  }
  console.log('(* the default; ms is the wall clock of a batch of runs ÷ runs)');
  console.log(`autotuner (as at model load: ${r.tuning.spentMs.toFixed(0)} ms, ${r.tuning.timingBatches} timed batches):`);
  for (const [label, v] of choice) console.log(`  ${label.padEnd(20)} ${v}`);
}

/** @param {any} r */
function printModel(r) {
  const f = (/** @type {number | null | undefined} */ x, d = 1) => num(x, d).padStart(12);
  const pct = (/** @type {number | null | undefined} */ x) => (x === null || x === undefined ? '—' : `${(100 * x).toFixed(2)}%`).padStart(12);
  console.log(`model: ${r.preset}, ${(r.parameters / 1e6).toFixed(1)}M parameters, q4; prefill ${r.prefillLength} tokens, decode ${r.decodeTokens}, median of ${r.repeats}`);
  console.log(bandwidthLine(r.bandwidth));
  const b = r.bestMatmul;
  console.log(`best matmul on this model's shapes (tuner): ${b ? `${num(b.gflops, 2)} GFLOP/s (${b.op} ${b.shape} ${b.variant})` : 'none timed'}`);
  console.log(`decode reads ${(r.ours.bytesPerToken / 2 ** 20).toFixed(1)} MiB a token; counted: ${r.counted}`);
  console.log(''.padEnd(26) + 'prefill tok/s'.padStart(14) + 'GFLOP/s'.padStart(12) + 'of best mm'.padStart(12) + 'decode tok/s'.padStart(14) + 'GB/s'.padStart(10) + 'of copy'.padStart(12));
  /** @param {string} name @param {any} s */
  const line = (name, s) =>
    console.log(
      name.padEnd(26) + f(s.prefillTokensPerSecond).padStart(14) + f(s.prefillGflops, 2) + pct(b && s.prefillGflops !== undefined ? s.prefillGflops / b.gflops : null) +
        f(s.decodeTokensPerSecond, 2).padStart(14) + f(s.decodeGbps, 3).padStart(10) + pct(s.bandwidthFraction),
    );
  line('AlignScope', r.ours);
  line(`${r.peer.runtime} ${r.peer.provider}`, r.peer);
  if (r.ratio) console.log('ratio (ours / peer)'.padEnd(26) + f(r.ratio.prefill, 2).padStart(14) + ''.padStart(24) + f(r.ratio.decode, 2).padStart(14));
  if (r.peer.error) console.log(`peer failed: ${r.peer.error}`);
  else if (r.peer.mode === 'load') console.log(`peer: session created in ${num(r.peer.loadMs, 0)} ms, not timed (preset ${r.preset} only loads it)`);
  console.log(`peer decode: ${r.peer.decodeNote}; our peak GPU memory ${(r.ours.peakGpuBytes / 2 ** 20).toFixed(1)} MiB`);
}

/** @param {any} r */
function printTrain(r) {
  console.log('config'.padEnd(8) + 'mode'.padEnd(12) + 'params'.padStart(10) + 'trainable'.padStart(11) + 'tok/step'.padStart(10) + 'ms/step'.padStart(10) + 'tok/s'.padStart(9) + 'GFLOP/s'.padStart(9) + 'of best'.padStart(9) + 'peak MiB'.padStart(10));
  for (const x of r.rows) {
    const ofBest = x.bestMatmulGflops ? `${((100 * x.gflops) / x.bestMatmulGflops).toFixed(0)}%` : '—';
    console.log(
      x.config.padEnd(8) + `${x.mode} ${x.base}`.padEnd(12) + String(x.parameters).padStart(10) + String(x.trainableParameters).padStart(11) + x.tokensPerStep.toFixed(0).padStart(10) +
        x.msPerStep.toFixed(0).padStart(10) + x.tokensPerSecond.toFixed(1).padStart(9) + x.gflops.toFixed(2).padStart(9) + ofBest.padStart(9) + (x.peakGpuBytes / 2 ** 20).toFixed(1).padStart(10),
    );
  }
}

/**
 * The page's result, printing its progress line as it changes (a 0.5 B model on a software adapter
 * runs for many minutes); at most two hours.
 * @param {import('@playwright/test').Page} page @param {string} kind
 */
async function waitForResult(page, kind) {
  const t0 = Date.now();
  let last = '';
  while (Date.now() - t0 < 2 * 3600_000) {
    const result = await page.evaluate(() => /** @type {any} */ (window).__benchResult ?? null);
    if (result) return result;
    const status = await page.locator('[role=status]').textContent({ timeout: 1000 }).catch(() => null);
    if (status && status !== last) console.log(`  [${kind} ${((Date.now() - t0) / 1000).toFixed(0)} s] ${(last = status)}`);
    await new Promise((r) => setTimeout(r, 2000));
  }
  throw new Error(`bench ${kind}: no result after two hours`);
}

const server = await preview({ preview: { host: '127.0.0.1', port: 0 }, logLevel: 'warn' });
const url = server.resolvedUrls?.local[0];
if (!url) throw new Error('vite preview did not report a URL (is dist/ built?)');
const browser = await chromium.launch({ executablePath: CHROME_PATH, args: args.includes('--gpu') ? [...WEBGPU_FLAGS, ...GPU_FLAGS] : WEBGPU_FLAGS });
try {
  mkdirSync('bench-results', { recursive: true });
  for (const kind of runs) {
    const page = await browser.newPage();
    page.on('console', (m) => m.type() === 'error' && console.error('[page]', m.text()));
    const query = kind === 'kernels' ? `sizes=${opt('sizes', '256,512,1024')}${args.includes('--verify') ? '&verify' : ''}` : kind === 'model' ? `preset=${opt('preset', 'small')}` : '';
    await page.goto(`${url}?bench=${kind}&${query}`);
    const result = await waitForResult(page, kind);
    if (result.error) throw new Error(result.error);
    const out = kind === 'model' ? `bench-results/model-${opt('preset', 'small')}.json` : `bench-results/${kind}.json`;
    writeFileSync(out, JSON.stringify(result, null, 2));
    const a = result.adapter;
    console.log(`\n== ${kind} — adapter: ${a.vendor} ${a.architecture} ${a.description} (fallback: ${a.isFallbackAdapter})`);
    if (kind === 'kernels') printKernels(result);
    else if (kind === 'model') printModel(result);
    else printTrain(result);
    console.log(`written to ${out}`);
    await page.close();
  }
} finally {
  await browser.close();
  await server.close();
}
