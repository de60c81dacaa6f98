import { expect, test, type Page } from '@playwright/test';

// SwiftShader runs the forward, backward and AdamW of every step in software: be generous.
const RUN_TIMEOUT = 240_000;

async function loadRandomF32(page: Page) {
  await page.goto('/?model=none&backend=webgpu');
  await expect(page.getByRole('heading', { name: 'Model', exact: true })).toBeVisible();
  // No model, no Train tab.
  await expect(page.getByRole('tab', { name: 'Model' })).toBeVisible();
  await expect(page.getByRole('tab', { name: 'Train' })).toHaveCount(0);
  // The selector starts on f32, what the app loads its default model in (and what full fine-tuning needs).
  await expect(page.getByLabel('Quantization')).toHaveValue('f32');
  await page.getByRole('button', { name: 'Random tiny model' }).click();
  await expect(page.getByTestId('model-card')).toContainText('none (f32)');
  await page.getByRole('tab', { name: 'Train' }).click();
  await expect(page.getByRole('heading', { name: 'Train', exact: true })).toBeVisible();
}

async function stepOf(page: Page): Promise<number> {
  const text = (await page.getByTestId('train-step').textContent()) ?? '';
  const m = /^(\d+) of (\d+)$/.exec(text.trim());
  if (!m) throw new Error(`unexpected step text ${JSON.stringify(text)}`);
  return Number(m[1]);
}

test('train the random tiny model on the sample corpus: the loss falls, held-out losses show, a checkpoint is listed; pause and resume', async ({ page }, info) => {
  test.setTimeout(2 * RUN_TIMEOUT + 120_000);
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await loadRandomF32(page);
  const t0 = Date.now();

  // An uploaded TSV with a short line: the line is reported by number, the rest is used.
  const tsv = 'en\tcs\nGood morning.\tDobré ráno.\nThank you.\nHow are you?\tJak se máš?\nSee you.\tNa shledanou.\n';
  await page.getByLabel('Upload TSV/JSONL').setInputFiles({ name: 'mine.tsv', mimeType: 'text/tab-separated-values', buffer: Buffer.from(tsv) });
  await expect(page.getByTestId('corpus-counts')).toContainText('mine.tsv: 3 tuples in 2 languages');
  await expect(page.getByTestId('corpus-problems')).toContainText('mine.tsv:3:');
  await expect(page.getByLabel('Pair en-cs')).toBeChecked();
  // A file that cannot be read at all says why and keeps the corpus read before.
  await page.getByLabel('Upload TSV/JSONL').setInputFiles({ name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('hello') });
  await expect(page.getByTestId('corpus-error')).toContainText('CorpusFormatError');
  await expect(page.getByTestId('corpus-counts')).toContainText('mine.tsv');

  // The sample corpus: 16 tuples, split 12 / 4, with en-zh and en-cs chosen.
  await page.getByRole('button', { name: 'Sample corpus' }).click();
  await expect(page.getByTestId('corpus-counts')).toContainText('16 tuples in 8 languages');
  await expect(page.getByTestId('corpus-counts')).toContainText('12 for training, 4 held out');
  await expect(page.getByLabel('Pair en-zh')).toBeChecked();
  await expect(page.getByLabel('Pair en-cs')).toBeChecked();
  await expect(page.getByLabel('Pair en-ja')).not.toBeChecked();

  // Settings: full fine-tuning (allowed: the model is f32), 20 steps, evaluation every 10.
  await page.getByRole('radio', { name: /Full fine-tuning/ }).check();
  await page.getByLabel('Steps', { exact: true }).fill('20');
  await expect(page.getByLabel('Warmup steps')).toHaveValue('2'); // follows the steps: 10%
  await page.getByLabel('Evaluate every').fill('abc');
  await expect(page.getByText('Enter a number.')).toBeVisible();
  await expect(page.getByRole('button', { name: 'Start' })).toBeDisabled();
  await page.getByLabel('Evaluate every').fill('10');

  // A setting the form cannot judge (every example is longer than max length) fails the run with
  // the engine's own TrainConfigError.
  await page.getByLabel('Max length').fill('8');
  await page.getByRole('button', { name: 'Start' }).click();
  await expect(page.getByTestId('train-state')).toHaveText('failed');
  await expect(page.getByTestId('train-failure')).toContainText('TrainConfigError');
  await expect(page.getByTestId('train-failure')).toContainText('maxLength = 8');
  await page.getByLabel('Max length').fill('128');

  await page.getByRole('button', { name: 'Start' }).click();
  await expect(page.getByTestId('train-state')).toHaveText('finished', { timeout: RUN_TIMEOUT });
  await expect(page.getByTestId('train-step')).toHaveText('20 of 20');
  const firstRun = (Date.now() - t0) / 1000;

  const summary = (await page.getByTestId('loss-summary').textContent()) ?? '';
  const m = /^loss ([\d.]+) → ([\d.]+) \(step 1 → 20\)$/.exec(summary.trim());
  expect(m, summary).not.toBeNull();
  const [first, last] = [Number(m![1]), Number(m![2])];
  expect(last).toBeLessThan(first);
  await expect(page.getByTestId('heldout-summary')).toContainText(/held-out NTP [\d.]+ → [\d.]+ \(step 0 → 20\); mapping [\d.]+ → [\d.]+ \(step 0 → 20\)/);
  // NTP on the left axis, mapping on its own right axis; the total on demand.
  const lossChart = page.getByTestId('chart-loss');
  await expect(lossChart).toHaveAttribute('data-series', 'lossNtp lossMap evalNtp evalMap');
  await expect(lossChart.locator('.recharts-yAxis')).toHaveCount(2);
  await expect(lossChart.locator('.recharts-line')).toHaveCount(4);
  await lossChart.getByLabel('show total').check();
  await expect(lossChart.locator('.recharts-line')).toHaveCount(5);
  await expect(page.getByTestId('chart-lr')).toContainText('learning rate');

  await page.getByRole('button', { name: 'Save checkpoint' }).click();
  const row = page.getByTestId('checkpoints').locator('tbody tr');
  await expect(row).toHaveCount(1);
  await expect(row.first().locator('td').first()).toHaveText('20');
  await expect(row.first()).toContainText(/[KM]iB/);
  await page.screenshot({ path: info.outputPath('train-panel.png'), fullPage: true });

  // A second run of 40 steps: pause stops the counter, resume finishes it.
  const t1 = Date.now();
  await page.getByLabel('Steps', { exact: true }).fill('40');
  await page.getByRole('button', { name: 'Start' }).click();
  await expect(page.getByTestId('train-state')).toHaveText('running');
  await expect.poll(() => stepOf(page), { timeout: RUN_TIMEOUT }).toBeGreaterThanOrEqual(2);
  await page.getByRole('button', { name: 'Pause' }).click();
  await expect(page.getByTestId('train-state')).toHaveText('paused');
  const pausedAt = await stepOf(page);
  expect(pausedAt).toBeLessThan(40);
  await page.waitForTimeout(1500);
  expect(await stepOf(page)).toBe(pausedAt);
  await page.getByRole('button', { name: 'Resume' }).click();
  await expect(page.getByTestId('train-state')).toHaveText('finished', { timeout: RUN_TIMEOUT });
  await expect(page.getByTestId('train-step')).toHaveText('40 of 40');
  await expect(page.getByTestId('loss-summary')).toContainText('(step 1 → 40)');
  console.log(`train panel: first run (20 steps) ${firstRun.toFixed(1)} s; second run (40 steps, paused at ${pausedAt}) ${((Date.now() - t1) / 1000).toFixed(1)} s`);
  expect(errors).toEqual([]);
});
