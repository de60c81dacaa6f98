import { expect, test } from '@playwright/test';
import { dirname } from 'node:path';
import { writeModelFolder } from '../src/test/model-folder';
import { serveFolder } from '../src/test/static-server';

test('load a model folder, read its card, stream a continuation; a corrupt folder shows an error and loses nothing', async ({ page }, info) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  const good = await writeModelFolder('tiny-good', 1);
  const corrupt = await writeModelFolder('tiny-corrupt', 1, (files) => {
    const w = files.get('model.safetensors')!;
    files.set('model.safetensors', w.subarray(0, w.byteLength - 4096)); // truncated download
  });

  await page.goto('/?model=none&backend=webgpu');
  await expect(page.getByRole('heading', { name: 'Model', exact: true })).toBeVisible();
  await expect(page.getByText('No model loaded yet')).toBeVisible();

  // A corrupt folder first: a typed error naming the file, and the app stays usable.
  await page.getByLabel('Model folder', { exact: true }).setInputFiles(corrupt);
  const error = page.getByTestId('model-error');
  await expect(error).toContainText('ModelFormatError');
  await expect(error).toContainText('model.safetensors');

  // Then a good one, as q4 (the selector starts on f32, as the app's default model loads).
  await expect(page.getByLabel('Quantization')).toHaveValue('f32');
  await page.getByLabel('Quantization').selectOption('q4');
  await page.getByLabel('Model folder', { exact: true }).setInputFiles(good);
  const card = page.getByTestId('model-card');
  await expect(card).toContainText('Llama decoder');
  await expect(card).toContainText('q4 blocks of 32');
  await expect(page.getByLabel('Quantization')).toHaveValue('q4');
  await expect(card).toContainText('GPU memory');
  await expect(error).toBeHidden();

  await page.getByLabel('Prompt').fill('Hello');
  await page.getByRole('button', { name: 'Generate' }).click();
  await expect(page.getByTestId('generation-speed')).toContainText(/Prefill \d+ tokens at [\d.]+ tokens\/s; decode [\d.]+ tokens\/s/);
  // On WebGPU: decode against the copy bandwidth measured on this adapter, prefill against the tuner's fastest matmul.
  const roofline = page.getByTestId('roofline');
  await expect(roofline).toContainText('GB/s this GPU copies');
  await expect(roofline).toContainText('of its fastest matmul at load');
  expect(Number(await roofline.getAttribute('data-fraction'))).toBeGreaterThan(0);
  await expect(page.getByTestId('continuation')).toContainText('Hello');

  // A corrupt folder now keeps the loaded model and says so.
  await page.getByLabel('Model folder', { exact: true }).setInputFiles(corrupt);
  await expect(error).toContainText('ModelFormatError');
  await expect(error).toContainText('is still loaded');
  await expect(card).toContainText('tiny-good');

  await page.screenshot({ path: info.outputPath('model-panel.png'), fullPage: true });
  expect(errors).toEqual([]);
});

test('load a model folder from a URL (a local HTTP server with CORS) and see its card', async ({ page }) => {
  const server = await serveFolder(dirname(await writeModelFolder('by-url', 2)));
  try {
    await page.goto('/?model=none&backend=webgpu');
    await page.getByLabel('Model folder URL').fill(`${server.url}by-url/`);
    await page.getByRole('button', { name: 'Load URL' }).click();
    await expect(page.getByTestId('model-card')).toContainText(`${server.url}by-url/`);
    await expect(page.getByTestId('model-card')).toContainText('safetensors, 420.4 KiB');
  } finally {
    await server.close();
  }
});
