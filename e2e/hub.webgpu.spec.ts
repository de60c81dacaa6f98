import { expect, test, type Page } from '@playwright/test';
import { formatBytes } from '../src/gpu/adapter-report';
import { GGML } from '../src/model/gguf-quant';
import { fixtureGgufRepo, fixtureModel } from '../src/test/hub-fixture';
import { startMockHub, type MockHub } from '../src/test/mock-hub';

// Hub models in the page against a mock Hub on 127.0.0.1 (the page's base URL comes from ?hub=):
// the plan before any weight is fetched, a download with progress that a corrupt chunk and then a
// dropped connection interrupt (the damaged file alone is removed; the cut one resumes past byte 0),
// generation, a reload that loads from the cache with no request at all, deletion that empties OPFS;
// then a gated GGUF repo that answers 401 until a token is given.

const tiny = fixtureModel(3);
const weights = tiny.files.get('model.safetensors')!;
const total = [...tiny.files.values()].reduce((s, b) => s + b.byteLength, 0);
let hub: MockHub;

test.beforeAll(async () => {
  hub = await startMockHub();
  hub.addRepo('test/tiny', tiny.files);
  hub.addRepo('test/gated-gguf', fixtureGgufRepo(tiny, [GGML.F32, GGML.Q8_0]), { gated: true });
});
test.afterAll(() => hub.close());

/** Requests since `from` for one file (its /resolve/ and /cdn/ URLs). */
const fileRequests = (from: number, name: string) => hub.requests.slice(from).filter((r) => r.method === 'GET' && r.path.endsWith(`/${name}`));

/** The files of a model's folder in OPFS, or null when the folder is gone. */
const opfsFiles = (page: Page, folder: string) =>
  page.evaluate(async (folder) => {
    const root = await navigator.storage.getDirectory();
    try {
      const dir = await (await root.getDirectoryHandle('alignscope-hub')).getDirectoryHandle(folder);
      const names: string[] = [];
      for await (const [name] of (dir as unknown as { entries(): AsyncIterable<[string, unknown]> }).entries()) names.push(name);
      return names.sort();
    } catch {
      return null;
    }
  }, folder);

test('plan, download with progress, a corrupt chunk and a cut resumed, generate, reload from the cache with no network, delete', async ({ page }, info) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`/?model=none&backend=webgpu&hub=${encodeURIComponent(hub.url)}`);
  await expect(page.getByLabel('Hub base URL')).toHaveValue(hub.url);
  const cache = page.getByTestId('hub-cache');
  await expect(cache).toContainText('No Hub model');

  // The plan: size and memory before any weight byte.
  await page.getByLabel('Hugging Face repo').fill('test/tiny');
  await page.getByRole('button', { name: 'Check' }).click();
  const plan = page.getByTestId('hub-plan');
  await expect(plan.getByTestId('hub-plan-size')).toHaveText(formatBytes(total));
  await expect(plan.getByTestId('hub-plan-memory')).toContainText(/of weights for \d+\.\d M parameters/);
  await expect(plan).toContainText('safetensors');
  expect(fileRequests(0, 'model.safetensors')).toEqual([]);
  await page.screenshot({ path: info.outputPath('hub-plan.png'), fullPage: true });

  // A corrupt byte: DownloadChecksumError, the damaged file removed, the tokenizer files kept.
  hub.corruptOnce('model.safetensors', Math.floor(weights.byteLength / 3));
  await page.getByRole('button', { name: /download & load/i }).click();
  const error = page.getByTestId('model-error');
  await expect(error).toContainText('DownloadChecksumError');
  await expect(error).toContainText('model.safetensors of test/tiny@main arrived damaged');
  expect(await opfsFiles(page, 'test--tiny@main')).toEqual(['alignscope-hub.json', 'config.json', 'tokenizer.json', 'tokenizer_config.json']);

  // A connection dropped mid-file: a clear error, then the next try resumes past byte 0.
  const cut = Math.floor((weights.byteLength * 2) / 3);
  hub.dropOnce('model.safetensors', cut);
  await page.getByRole('button', { name: /download & load/i }).click();
  await expect(error).toContainText('HubRequestError');
  await expect(error).toContainText(/model\.safetensors .*Load the model again to resume/);
  await expect(plan).toContainText('partial, resumes');
  const from = hub.requests.length;
  await page.getByRole('button', { name: 'Resume download & load' }).click();
  await expect(page.getByRole('status', { name: 'Loading progress' })).toContainText(/Downloading into the browser cache model\.safetensors — .* \(\d+%\)/);
  await expect(page.getByTestId('model-card')).toContainText('hub:test/tiny@main');
  await expect(plan).toBeHidden(); // done with: the cache view lists the model now
  const resumed = fileRequests(from, 'model.safetensors');
  const start = Number(/bytes=(\d+)-/.exec(resumed[0].range ?? '')?.[1]);
  expect(start).toBeGreaterThan(0);
  expect(start).toBeLessThanOrEqual(cut);
  for (const name of ['config.json', 'tokenizer.json', 'tokenizer_config.json']) expect(fileRequests(from, name)).toEqual([]);
  const row = cache.getByTestId('hub-cache-row');
  await expect(row).toContainText('test/tiny@main');
  await expect(row).toContainText('complete');
  await expect(row).toContainText(formatBytes(total));
  await page.screenshot({ path: info.outputPath('hub-loaded.png'), fullPage: true });

  await page.getByLabel('Prompt').fill('Hello');
  await page.getByRole('button', { name: 'Generate' }).click();
  await expect(page.getByTestId('continuation')).toContainText('Hello');

  // Reload: the cache view lists it, and loading it asks the mock Hub nothing.
  await page.reload();
  await expect(row).toContainText('complete');
  const before = hub.requests.length;
  await page.getByRole('button', { name: 'Load test/tiny@main' }).click();
  await expect(page.getByTestId('model-card')).toContainText('hub:test/tiny@main');
  expect(hub.requests.length).toBe(before);

  // The loaded model's files are read again after a device loss: it is deleted once another is loaded.
  await expect(page.getByRole('button', { name: 'Delete test/tiny@main' })).toBeDisabled();
  await page.getByRole('button', { name: 'Random tiny model' }).click();
  await expect(page.getByTestId('model-card')).not.toContainText('hub:test/tiny@main');
  await page.getByRole('button', { name: 'Delete test/tiny@main' }).click();
  await expect(cache).toContainText('No Hub model');
  expect(await opfsFiles(page, 'test--tiny@main')).toBeNull();
  expect(errors).toEqual([]);
});

test('a gated GGUF repo answers 401 until a token is given; the token is sent and not stored', async ({ page }) => {
  await page.goto(`/?model=none&backend=webgpu&hub=${encodeURIComponent(hub.url)}`);
  await page.getByLabel('Hugging Face repo').fill('test/gated-gguf');
  await page.getByRole('button', { name: 'Check' }).click();
  const hubError = page.getByTestId('hub-error');
  await expect(hubError).toContainText('HubAuthError');
  await expect(hubError).toContainText('answered 401');
  await expect(hubError).toContainText('access token');

  await page.getByLabel('Hugging Face token').fill(hub.token);
  await page.getByRole('button', { name: 'Check' }).click();
  await expect(hubError).toBeHidden();
  const plan = page.getByTestId('hub-plan');
  await expect(plan).toContainText('gguf');
  // Q8_0 is taken among the two files; the other is offered.
  await expect(page.getByLabel('Weights file')).toHaveValue('tiny-Q8_0.gguf');
  await expect(plan.getByTestId('hub-plan-memory')).toContainText('not known before the download');
  const from = hub.requests.length;
  await page.getByRole('button', { name: /download & load/i }).click();
  await expect(page.getByTestId('model-card')).toContainText('hub:test/gated-gguf@main');
  const sent = hub.requests.slice(from).filter((r) => r.method === 'GET' && !r.path.startsWith('/cdn/'));
  expect(sent.length).toBeGreaterThan(0);
  expect(sent.every((r) => r.authorization === `Bearer ${hub.token}`)).toBe(true);
  expect(await page.evaluate(() => JSON.stringify({ ...localStorage }))).not.toContain(hub.token);
  await expect(page.getByTestId('hub-cache-row')).toContainText('gguf');
});
