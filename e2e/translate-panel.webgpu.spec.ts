import { expect, test } from '@playwright/test';

// The Translate panel on the shipped default model (f32): three en → zh test sentences translated
// by the base and the fine-tuned model. Nothing is trained here, so both must give the same outputs
// and scores. SwiftShader decodes in software (up to 48 steps per model, two models): be generous.
const RUN_TIMEOUT = 240_000;

test('translate: 3 held-out sentences, base and fine-tuned outputs in every row, chrF and BLEU for both', async ({ page }, info) => {
  test.setTimeout(RUN_TIMEOUT + 120_000);
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));

  // `?model=none` skips the automatic load (and the Inspect analysis it starts), so the engine
  // only translates; the same default model is then loaded by URL.
  await page.goto('/?model=none&backend=webgpu');
  await page.getByLabel('Quantization').selectOption('f32');
  await page.getByLabel('Model folder URL').fill(new URL('/models/alignscope-tiny/', page.url()).href);
  await page.getByRole('button', { name: 'Load URL' }).click();
  await expect(page.getByTestId('model-card')).toContainText('none (f32)');

  await page.getByRole('tab', { name: 'Translate' }).click();
  await expect(page.getByRole('heading', { name: 'Translate', exact: true })).toBeVisible();
  await expect(page.getByLabel('Source language')).toHaveValue('en');
  await expect(page.getByLabel('Target language')).toHaveValue('zh');
  await expect(page.getByLabel('Test sentences')).toHaveValue('8');
  await expect(page.getByLabel('Max new tokens')).toHaveValue('48');
  // A count the split cannot give is refused before the engine sees it.
  await page.getByLabel('Test sentences').fill('106');
  await expect(page.getByText('Sentences: a whole number from 1 to 105.')).toBeVisible();
  await expect(page.getByRole('button', { name: 'Translate', exact: true })).toBeDisabled();
  await page.getByLabel('Test sentences').fill('3');

  const t0 = Date.now();
  await page.getByRole('button', { name: 'Translate', exact: true }).click();
  await expect(page.getByRole('status', { name: 'Translate progress' })).toBeVisible();
  const rows = page.getByTestId('translate-row');
  await expect(rows).toHaveCount(3, { timeout: RUN_TIMEOUT });
  await expect(page.getByRole('button', { name: 'Translate', exact: true })).toBeEnabled();
  const seconds = (Date.now() - t0) / 1000;

  let empty = 0;
  for (let i = 0; i < 3; i++) {
    const base = (await rows.nth(i).getByTestId('translate-base').textContent()) ?? '';
    const tuned = (await rows.nth(i).getByTestId('translate-tuned').textContent()) ?? '';
    expect(base.trim(), `row ${i} base`).not.toBe('');
    expect(tuned.trim(), `row ${i} fine-tuned`).not.toBe('');
    expect(tuned, `row ${i}: untrained, so fine-tuned = base`).toBe(base);
    if (base === '—') empty++;
  }
  await expect(page.getByTestId('translate-differing')).toContainText('same outputs');

  const scores = page.getByTestId('translate-scores');
  await expect(scores).toContainText('English → Chinese: 3 test sentences');
  const chrf: number[] = [];
  for (const model of ['Base', 'Fine-tuned']) {
    const cells = scores.getByRole('row', { name: new RegExp(`^${model}`) }).getByRole('cell');
    for (const k of [0, 1]) {
      const text = ((await cells.nth(k).textContent()) ?? '').trim();
      expect(text, `${model} ${k === 0 ? 'chrF' : 'BLEU'}`).toMatch(/^\d+\.\d$/);
      expect(Number(text)).toBeLessThanOrEqual(100);
    }
    chrf.push(Number(await cells.nth(0).textContent()));
  }
  expect(chrf[1]).toBe(chrf[0]);

  await page.screenshot({ path: info.outputPath('translate-panel.png'), fullPage: true });
  console.log(`translate panel: 3 sentences × 2 models in ${seconds.toFixed(1)} s; chrF ${chrf[0]}; ${empty} of 3 outputs empty`);
  expect(errors).toEqual([]);
});
