import { expect, test, type Page } from '@playwright/test';

// The workshop flow on a fresh load: the app opens on the shipped default model and corpus with
// Inspect already showing the base model (8 languages: 8 × 105 test sentences on the map, 28 LAC
// lines). "Reproduce the paper in miniature" then trains for a few steps: the loss chart moves first,
// then the re-analysis moves the LAC lines (LAC during training gains a point per re-analysis); the
// before/after toggle shows step 0 again; the Translate panel shows base and fine-tuned outputs.

const N = 105;
const LANGS = 8;
const PAIRS = (LANGS * (LANGS - 1)) / 2;
const LAYERS = 5;
const RUN_TIMEOUT = 420_000;

/** LAC per (layer, pair) as the values table of the LAC chart holds it. */
async function lacRows(page: Page): Promise<Map<string, number>> {
  const rows = await page.getByTestId('lac-row').evaluateAll((els) => els.map((r) => [`${r.getAttribute('data-layer')}:${r.getAttribute('data-a')}-${r.getAttribute('data-b')}`, Number(r.getAttribute('data-lac'))] as const));
  return new Map(rows);
}

test('workshop: opens on the default model with the base map and LAC lines; the preset moves loss, then LAC; translate shows both models', async ({ page }, info) => {
  test.setTimeout(RUN_TIMEOUT * 2);
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  const t0 = Date.now();
  await page.goto('/');
  // Never blank: the model loads, then Inspect opens and analyses by itself.
  await expect(page.getByRole('tab', { name: 'Inspect' })).toHaveAttribute('aria-selected', 'true', { timeout: RUN_TIMEOUT });
  const canvas = page.getByTestId('map-canvas');
  await expect(page.getByTestId('map-count')).toHaveText(`${N * LANGS} points`, { timeout: RUN_TIMEOUT });
  await expect(canvas).toHaveAttribute('data-points', String(N * LANGS));
  const chart = page.getByTestId('lac-chart');
  await expect(chart).toHaveAttribute('data-pairs', String(PAIRS));
  await expect(chart.locator('.recharts-line')).toHaveCount(PAIRS);
  const base = await lacRows(page);
  expect(base.size).toBe(PAIRS * LAYERS);
  const opened = (Date.now() - t0) / 1000;
  await page.screenshot({ path: info.outputPath('workshop-base.png'), fullPage: true });

  // The preset, short: 4 steps, re-analysed every 2.
  const preset = page.getByTestId('preset');
  await preset.getByLabel('Preset steps').fill('4');
  await preset.getByLabel('Re-analyse every k steps').fill('2');
  await preset.getByRole('button', { name: 'Reproduce the paper in miniature' }).click();
  // Step 0 re-analysis first (the baseline), then the loss chart moves...
  const history = page.getByTestId('lac-history');
  await expect(history).toHaveAttribute('data-points', '1', { timeout: RUN_TIMEOUT });
  await expect(preset.getByTestId('loss-summary')).toContainText('step 1', { timeout: RUN_TIMEOUT });
  // ...then the LAC lines: the step-2 re-analysis replaces the shown numbers.
  await expect(history).toHaveAttribute('data-points', '2', { timeout: RUN_TIMEOUT });
  const after = await lacRows(page);
  const moved = [...after].filter(([k, v]) => Math.abs(v - base.get(k)!) > 1e-6).length;
  expect(moved).toBeGreaterThan(0);
  await expect(page.getByTestId('preset-status')).toContainText('finished: step 4 of 4', { timeout: RUN_TIMEOUT });
  await expect(history).toHaveAttribute('data-points', '3');
  await expect(page.getByTestId('history-row').filter({ has: page.locator('td', { hasText: 'en–zh' }) })).toHaveCount(3);

  // Before/after: the baseline's numbers are the step-0 ones.
  await page.getByLabel('Before training (step 0)').check();
  await expect(page.getByTestId('inspect-views')).toHaveAttribute('data-view', 'baseline');
  const before = await lacRows(page);
  for (const [k, v] of base) expect(before.get(k), k).toBeCloseTo(v, 6);
  await page.getByLabel(/Now \(step 4\)/).check();
  await expect(page.getByTestId('inspect-views')).toHaveAttribute('data-view', 'latest');
  await page.screenshot({ path: info.outputPath('workshop-trained.png'), fullPage: true });

  // Translate: base and fine-tuned outputs side by side for held-out sentences.
  await page.getByRole('tab', { name: 'Translate' }).click();
  await page.getByLabel('Test sentences').fill('3');
  await page.getByRole('button', { name: 'Translate', exact: true }).click();
  await expect(page.getByTestId('translate-row')).toHaveCount(3, { timeout: RUN_TIMEOUT });
  for (const cell of ['translate-base', 'translate-tuned']) {
    const texts = await page.getByTestId(cell).allInnerTexts();
    expect(texts).toHaveLength(3);
    for (const t of texts) expect(t.trim().length).toBeGreaterThan(0);
  }
  await expect(page.getByTestId('translate-scores')).toContainText('chrF');
  expect(errors).toEqual([]);
  console.log(`workshop: opened with the base analysis in ${opened.toFixed(1)} s; whole test ${((Date.now() - t0) / 1000).toFixed(1)} s; LAC values moved at step 2: ${moved} of ${PAIRS * LAYERS}`);
});
