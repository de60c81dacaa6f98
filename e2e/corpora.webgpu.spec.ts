import { expect, test } from '@playwright/test';

// Both shipped corpora by name (issue 12): Inspect analyses the software corpus (Debian's human
// translations, split by source) on its test split, Translate and the presets follow Inspect's
// choice, and the Train panel reads it too. The CPU route (`?backend=cpu`) keeps the analysis quick.

const RUN_TIMEOUT = 300_000;

test('the software corpus: Inspect analyses its test split, the Train panel reads it', async ({ page }) => {
  test.setTimeout(RUN_TIMEOUT);
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto('/?backend=cpu');
  await expect(page.getByTestId('backend-line')).toHaveAttribute('data-backend', 'cpu', { timeout: RUN_TIMEOUT });
  await page.getByLabel('Corpus').selectOption({ label: 'software messages and documentation' });
  // A first look: the software corpus starts on the first 200 of its test tuples.
  await expect(page.getByLabel('Tuples')).toHaveValue('200');
  await expect(page.getByLabel('Split').locator('option:checked')).toHaveText(/^test \(\d{4,}\)$/, { timeout: RUN_TIMEOUT });
  for (const l of ['en', 'zh', 'ja', 'de', 'fr', 'es', 'cs', 'uk']) await page.getByLabel(`Language ${l}`, { exact: true }).setChecked(['en', 'zh', 'cs', 'uk'].includes(l));
  await page.getByLabel('Tuples').fill('40');
  await page.getByRole('button', { name: 'Analyze' }).click();
  await expect(page.getByTestId('analysis-source')).toHaveAttribute('data-source', 'live', { timeout: RUN_TIMEOUT });
  await expect(page.getByTestId('map-count')).toHaveText('160 points');
  await expect(page.getByTestId('retrieval-chance')).toContainText('1/40');
  await expect(page.getByTestId('lac-row')).toHaveCount(6 * 7);

  await page.getByRole('tab', { name: 'Train' }).click();
  await page.getByRole('button', { name: 'Software messages and documentation' }).click();
  await expect(page.getByTestId('corpus-counts')).toContainText(/software messages and documentation: [\d,]+ tuples in 8 languages/, { timeout: RUN_TIMEOUT });
  expect(errors).toEqual([]);
});
