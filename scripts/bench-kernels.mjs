// npm run bench:kernels — GFLOP/s of our f32, q8 and q4 matmul kernels in headless Chromium on the
// machine's WebGPU adapter (SwiftShader without a GPU). Serves the built app (dist/), opens
// ?bench=kernels, waits for the engine worker's result and writes it, with the adapter report, to
// bench-results/kernels.json. Benchmarks are not tests: nothing here asserts speed.
//
// Options: --sizes 256,512,1024   --out FILE   --verify (also check each result against float64)

import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { chromium } from '@playwright/test';
import { preview } from 'vite';
import { CHROME_PATH, WEBGPU_FLAGS } from '../e2e/chromium.mjs';

const args = process.argv.slice(2);
/** @param {string} name @param {string} dflt */
const opt = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : dflt;
};
const sizes = opt('sizes', '256,512,1024');
const out = opt('out', 'bench-results/kernels.json');

const server = await preview({ preview: { host: '127.0.0.1', port: 0 }, logLevel: 'warn' });
const url = server.resolvedUrls?.local[0];
if (!url) throw new Error('vite preview did not report a URL (is dist/ built?)');
const browser = await chromium.launch({ executablePath: CHROME_PATH, args: WEBGPU_FLAGS });
try {
  const page = await browser.newPage();
  page.on('console', (m) => m.type() === 'error' && console.error('[page]', m.text()));
  await page.goto(`${url}?bench=kernels&sizes=${sizes}${args.includes('--verify') ? '&verify' : ''}`);
  const handle = await page.waitForFunction(
    () => {
      const r = /** @type {any} */ (window).__benchResult;
      return r ?? null;
    },
    undefined,
    { timeout: 30 * 60_000, polling: 1000 },
  );
  const result = await handle.jsonValue();
  if (result.error) throw new Error(result.error);
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, JSON.stringify(result, null, 2));
  const a = result.adapter;
  console.log(`adapter: ${a.vendor} ${a.architecture} ${a.description} (fallback: ${a.isFallbackAdapter})`);
  console.log('kernel'.padEnd(22) + 'ms'.padStart(12) + 'GFLOP/s'.padStart(12));
  for (const r of result.rows) console.log(r.name.padEnd(22) + r.ms.toFixed(3).padStart(12) + r.gflops.toFixed(3).padStart(12));
  console.log(`written to ${out}`);
} finally {
  await browser.close();
  await server.close();
}
