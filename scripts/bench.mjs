// npm run bench — benchmarks in headless Chromium on the machine's WebGPU adapter (SwiftShader
// without a GPU). Serves the built app (dist/), opens ?bench=kernels and ?bench=model, waits for
// the engine worker's results and writes them with the adapter report to bench-results/*.json.
// Benchmarks are not tests: nothing here asserts speed.
//
//   node scripts/bench.mjs [kernels] [model] [train]   (default: all three)
//   --sizes 256,512,1024   kernel sizes        --preset small|medium   model size
//   --verify               also check each kernel result against float64

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
const KINDS = ['kernels', 'model', 'train'];
const which = KINDS.filter((k) => args.includes(k));
const runs = which.length ? which : KINDS;

/** @param {any} r */
function printKernels(r) {
  console.log('kernel'.padEnd(22) + 'ms'.padStart(12) + 'GFLOP/s'.padStart(12));
  for (const row of r.rows) console.log(row.name.padEnd(22) + row.ms.toFixed(3).padStart(12) + row.gflops.toFixed(3).padStart(12));
}

/** @param {any} r */
function printModel(r) {
  const f = (/** @type {number} */ x) => x.toFixed(1).padStart(12);
  console.log(`model: ${r.preset}, ${(r.parameters / 1e6).toFixed(1)}M parameters, q4; prefill ${r.prefillLength} tokens, decode ${r.decodeTokens}`);
  console.log(''.padEnd(26) + 'prefill tok/s'.padStart(14) + 'decode tok/s'.padStart(14));
  console.log('AlignScope'.padEnd(26) + f(r.ours.prefillTokensPerSecond) + '  ' + f(r.ours.decodeTokensPerSecond));
  console.log(`${r.peer.runtime} ${r.peer.provider}`.padEnd(26) + f(r.peer.prefillTokensPerSecond) + '  ' + f(r.peer.decodeTokensPerSecond));
  console.log('ratio (ours / peer)'.padEnd(26) + r.ratio.prefill.toFixed(2).padStart(12) + '  ' + r.ratio.decode.toFixed(2).padStart(12));
  console.log(`peer decode: ${r.peer.decodeNote}; our peak GPU memory ${(r.ours.peakGpuBytes / 2 ** 20).toFixed(1)} MiB`);
}

/** @param {any} r */
function printTrain(r) {
  console.log('config'.padEnd(8) + 'mode'.padEnd(12) + 'params'.padStart(10) + 'trainable'.padStart(11) + 'tok/step'.padStart(10) + 'ms/step'.padStart(10) + 'tok/s'.padStart(9) + 'peak MiB'.padStart(10));
  for (const x of r.rows) {
    console.log(
      x.config.padEnd(8) + `${x.mode} ${x.base}`.padEnd(12) + String(x.parameters).padStart(10) + String(x.trainableParameters).padStart(11) + x.tokensPerStep.toFixed(0).padStart(10) +
        x.msPerStep.toFixed(0).padStart(10) + x.tokensPerSecond.toFixed(1).padStart(9) + (x.peakGpuBytes / 2 ** 20).toFixed(1).padStart(10),
    );
  }
}

const server = await preview({ preview: { host: '127.0.0.1', port: 0 }, logLevel: 'warn' });
const url = server.resolvedUrls?.local[0];
if (!url) throw new Error('vite preview did not report a URL (is dist/ built?)');
const browser = await chromium.launch({ executablePath: CHROME_PATH, args: WEBGPU_FLAGS });
try {
  mkdirSync('bench-results', { recursive: true });
  for (const kind of runs) {
    const page = await browser.newPage();
    page.on('console', (m) => m.type() === 'error' && console.error('[page]', m.text()));
    const query = kind === 'kernels' ? `sizes=${opt('sizes', '256,512,1024')}${args.includes('--verify') ? '&verify' : ''}` : kind === 'model' ? `preset=${opt('preset', 'small')}` : '';
    await page.goto(`${url}?bench=${kind}&${query}`);
    const handle = await page.waitForFunction(() => /** @type {any} */ (window).__benchResult ?? null, undefined, { timeout: 60 * 60_000, polling: 1000 });
    const result = await handle.jsonValue();
    if (result.error) throw new Error(result.error);
    const out = `bench-results/${kind}.json`;
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
