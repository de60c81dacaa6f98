import { expect, test, type Page } from '@playwright/test';
import { writeModelFolder } from '../src/test/model-folder';

// The matmul autotuner across page loads (issue 16, decision 45): the first load of a model times
// the kernel variants on this adapter and keeps the choices in IndexedDB; after a reload the same
// model's choices come from that cache (nothing timed) and are the same; ?tune=off keeps the defaults.

/** Loads the tiny model folder as q4 (its linears then have GEMV and tile variants to choose from). */
async function loadTiny(page: Page, folder: string, query = '') {
  await page.goto(`/?model=none&backend=webgpu${query}`);
  await page.getByLabel('Quantization').selectOption('q4');
  await page.getByLabel('Model folder', { exact: true }).setInputFiles(folder);
  await expect(page.getByTestId('model-card')).toContainText('q4 blocks of 32');
}

/** The GPU panel's kernel table: its summary's attributes and the chosen variant per shape. */
async function tuningTable(page: Page) {
  await page.getByRole('tab', { name: 'GPU' }).click();
  await page.getByRole('button', { name: 'Show kernel choices' }).click();
  const summary = page.getByTestId('tuning-summary');
  await expect(summary).toBeVisible();
  const rows = page.getByTestId('tuning-table').locator('tbody tr');
  const chosen = await page
    .getByTestId('tuning-table')
    .locator('tbody tr[data-chosen="true"]')
    .evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].slice(0, 3).map((td) => td.textContent?.trim()).join(' | ')));
  return {
    fromCache: await summary.getAttribute('data-from-cache'),
    mode: await summary.getAttribute('data-mode'),
    text: await summary.textContent(),
    rows: await rows.count(),
    chosen,
  };
}

test('kernel choices are timed at the first load, come from the cache after a reload, and ?tune=off keeps the defaults', async ({ page }) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  const folder = await writeModelFolder('tuner-tiny', 3);

  await loadTiny(page, folder);
  const first = await tuningTable(page);
  expect(first.mode).toBe('on');
  expect(first.fromCache).toBe('false');
  expect(first.text).toMatch(/Tuned at load in [\d.]+ s \(\d+ timing batches\)/);
  // Several variants per shape class were timed, and each class chose exactly one.
  expect(first.chosen.length).toBeGreaterThan(0);
  expect(first.rows).toBeGreaterThan(first.chosen.length);
  expect(new Set(first.chosen.map((c) => c.split(' | ').slice(0, 2).join())).size).toBe(first.chosen.length);

  // A reload of the page (the worker, its memory and the tuner's process-wide choices are gone).
  await page.reload();
  await loadTiny(page, folder);
  const second = await tuningTable(page);
  expect(second.mode).toBe('on');
  expect(second.fromCache).toBe('true');
  expect(second.text).toContain('Choices from the cache');
  expect(second.chosen).toEqual(first.chosen);

  await loadTiny(page, folder, '&tune=off');
  const off = await tuningTable(page);
  expect(off.mode).toBe('off');
  expect(off.text).toContain('Tuning is off');
  // One row per shape class, its default, and nothing timed.
  expect(off.rows).toBe(off.chosen.length);
  expect(off.chosen.length).toBe(first.chosen.length);
  expect(errors).toEqual([]);
});
