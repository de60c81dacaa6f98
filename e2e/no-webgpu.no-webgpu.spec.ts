import { expect, test } from '@playwright/test';
import { readFileSync } from 'node:fs';

// Chromium without --enable-unsafe-webgpu has no WebGPU adapter. The app does not stop there: a banner
// says why and how to get WebGPU, and the default model runs on the CPU route (WebAssembly SIMD
// threads; the preview server sends COOP/COEP, so the page is cross-origin isolated). Inspect shows
// the shipped analysis adopted on these weights, and a live analysis on the CPU route gives the LAC
// the WebGPU route measured when the model was built; the paper preset trains on the CPU route.

const SHIPPED = JSON.parse(readFileSync(new URL('../public/models/alignscope-tiny/base-analysis.json', import.meta.url), 'utf8')) as { result: { rows: { layer: number; a: string; b: string; lac: number }[] } };
const RUN_TIMEOUT = 300_000;

test('without WebGPU the app runs on the CPU route: banner, default model, the shipped analysis, live LAC equal to the WebGPU route, the preset trains', async ({ page }, info) => {
  test.setTimeout(RUN_TIMEOUT);
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto('/');
  const banner = page.getByTestId('no-webgpu');
  await expect(banner).toBeVisible();
  await expect(banner).toContainText('CPU route');
  await banner.getByText('How to get WebGPU').click();
  await expect(banner).toContainText('--enable-unsafe-webgpu');
  await expect(banner).toContainText('WebGpuEnabled');
  expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);

  // The default model on the CPU route, with the line that says where it runs and how fast.
  const line = page.getByTestId('backend-line');
  await expect(line).toHaveAttribute('data-backend', 'cpu', { timeout: RUN_TIMEOUT });
  await expect(line).toContainText('CPU route');
  await expect(line).toContainText('tokens/s', { timeout: RUN_TIMEOUT });
  await expect(page.getByTestId('analysis-source')).toHaveAttribute('data-adopted', 'true', { timeout: RUN_TIMEOUT });

  // A live analysis of three languages on the CPU route: the LAC the WebGPU route measured.
  for (const l of ['en', 'zh', 'ja', 'de', 'fr', 'es', 'cs', 'uk']) await page.getByLabel(`Language ${l}`, { exact: true }).setChecked(['en', 'zh', 'cs'].includes(l));
  await page.getByRole('button', { name: 'Analyze' }).click();
  await expect(page.getByTestId('analysis-source')).toHaveAttribute('data-source', 'live', { timeout: RUN_TIMEOUT });
  const rows = await page.getByTestId('lac-row').evaluateAll((els) => els.map((r) => ({ layer: Number(r.getAttribute('data-layer')), a: r.getAttribute('data-a')!, b: r.getAttribute('data-b')!, lac: Number(r.getAttribute('data-lac')) })));
  expect(rows).toHaveLength(3 * 7); // 3 pairs x hidden states 0-6
  let maxDiff = 0;
  for (const r of rows) {
    const ref = SHIPPED.result.rows.find((x) => x.layer === r.layer && x.a === r.a && x.b === r.b)!;
    maxDiff = Math.max(maxDiff, Math.abs(r.lac - ref.lac));
  }
  expect(maxDiff).toBeLessThanOrEqual(1e-3);

  // The paper preset trains on the CPU route: the loss chart moves, then the LAC lines.
  const preset = page.getByTestId('preset');
  await preset.getByLabel('Preset steps').fill('4');
  await preset.getByLabel('Re-analyse every k steps').fill('2');
  await preset.getByRole('button', { name: 'Reproduce the paper in miniature' }).click();
  await expect(preset.getByTestId('loss-summary')).toContainText(/loss [\d.]+ → [\d.]+ \(step 1 → [234]\)/, { timeout: RUN_TIMEOUT });
  await expect(page.getByTestId('preset-status')).toContainText('finished, step 4 of 4', { timeout: RUN_TIMEOUT });
  await expect(page.getByTestId('lac-history')).toHaveAttribute('data-points', '3');
  await page.screenshot({ path: info.outputPath('no-webgpu.png'), fullPage: true });
  console.log(`no WebGPU: CPU-route LAC vs the shipped WebGPU analysis, max |diff| ${maxDiff.toExponential(2)}; ${await line.textContent()}`);
  expect(errors).toEqual([]);
});
