import { chromium, expect, test, type Page } from '@playwright/test';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureFullSizeFolder, FULL_SIZE_MODELS, type FullSizeFolder, type FullSizeModel } from '../src/test/full-size-fixtures';
import { startMockHub, type MockHub } from '../src/test/mock-hub';
import { CHROME_PATH, WEBGPU_FLAGS } from './chromium.mjs';

// Real shapes at full size (issue 15): Qwen2.5-0.5B-Instruct, Qwen3-0.6B and Llama-3.2-1B-Instruct,
// their published config.json and real tokenizers with random bf16 weights (src/test/full-size-fixtures.ts),
// served by the mock Hub from disk and loaded as q4 on the software adapter (SwiftShader, WebGPU
// backend). Each model gets its own Chromium with a persistent profile on disk (OPFS on disk, as a
// user's browser; an incognito context would keep the 1-2.5 GB download in memory) and runs:
// download + load, 4 greedy tokens, one LoRA step at max length 32, the Inspect analysis of
// 8 sentences (en and cs, 4 tuples). Measured:
//   load       click on "Download & load" to the model card (download into OPFS + read + quantize + upload)
//   host RSS   peak over 100 ms samples of the summed VmRSS of every process descending from this
//              Playwright worker, i.e. the whole Chromium tree (browser, GPU, renderer, network,
//              storage, utility, crashpad). The worker itself (which runs the mock Hub) is not
//              counted. RSS counts shared pages once per process, so PSS (smaps_rollup) is given beside it.
//   GPU pool   the engine's buffer pool peakBytes (GPU panel) at the end of the run
// Results: a table in the log and bench-results/full-size.json. `npm run test:full-size`.
// FULL_SIZE_SOURCE=url loads the same files through "Model folder URL" from the mock Hub's resolve
// URLs instead (no OPFS cache; for builds of the page without the Hub base URL setting).

const RUN_TIMEOUT = 20 * 60_000;
const RESULTS = join(process.cwd(), 'bench-results', 'full-size.json');
const GB = 1e9;
const VIA_URL = process.env.FULL_SIZE_SOURCE === 'url';
/** FULL_SIZE_STEPS=load: load and read the pool only (a quick memory check; the bounds are still asserted). */
const LOAD_ONLY = process.env.FULL_SIZE_STEPS === 'load';

// ---- Bounds (each with why) -------------------------------------------------------------------
// GPU pool: q4 keeps linears at 0.625 byte a weight (0.16 of f32), and since decision 44 the
// 128-152k-row vocabularies too, so a q4 model takes "close to a quarter of its f32 size" with
// activations, LoRA state and one step's logits on top: 0.3 x the model's f32 bytes. (Measured
// 0.18-0.22; with the tied embedding in f32, before decision 44, Qwen2.5 took 0.49.)
const GPU_POOL_FRACTION = 0.3;
// Host memory: on SwiftShader GPU buffers are host memory too, held about twice over (the GPU
// process's allocation and Dawn's), so the Chromium tree holds at least 2 x the pool. Above it
// 2.5 GB: Chromium itself (about 1 GB idle), the 128-152k-token tokenizers in page and worker, and
// the training and analysis working sets. Nothing scales with the weights file: loading streams
// one tensor at a time (decision 42). (Measured: Qwen2.5 2.67 GB under a 3.38 GB bound; reading the
// whole file, before decision 42, it took 4.85 GB.)
const hostBound = (gpuPeak: number) => 2 * gpuPeak + 2.5 * GB;

interface Row {
  model: string;
  /** 'hub': the Hub loader (download into OPFS, then load); 'url': Model folder URL on the same files. */
  source: 'hub' | 'url';
  steps: 'all' | 'load';
  parameters: number;
  fileBytes: number;
  f32Bytes: number;
  downloadSeconds: number | null;
  loadSeconds: number | null;
  generateSeconds: number | null;
  trainSeconds: number | null;
  analyzeSeconds: number | null;
  peakRssBytes: number;
  peakPssBytes: number;
  gpuPoolPeakBytes: number | null;
  gpuBytesAfterLoad: string | null;
  generated: string | null;
  error: string | null;
  measuredAt: string;
}

// ---- Host memory of the Chromium tree ---------------------------------------------------------

/** Every process descending from `root` (not root itself), from /proc/<pid>/stat. */
function descendants(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(name)]);
    } catch {
      /* exited meanwhile */
    }
  }
  const out: number[] = [];
  const stack = [...(children.get(root) ?? [])];
  while (stack.length) {
    const pid = stack.pop()!;
    out.push(pid);
    stack.push(...(children.get(pid) ?? []));
  }
  return out;
}

/** kB field of a /proc status-like file, as bytes. */
const kb = (text: string, field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? 0) * 1024;

/** Summed `field` (VmRSS from status, Pss from smaps_rollup) of the processes. */
function sumOf(pids: number[], file: 'status' | 'smaps_rollup', field: string): number {
  let sum = 0;
  for (const pid of pids) {
    try {
      sum += kb(readFileSync(`/proc/${pid}/${file}`, 'utf8'), field);
    } catch {
      /* exited meanwhile */
    }
  }
  return sum;
}

/**
 * RSS every 100 ms; the process tree is walked again every second and PSS read every second
 * (smaps_rollup of a renderer with a terabyte of reserved address space is slow to produce: reading
 * it every 100 ms took a third of a core from the page under test).
 */
function startSampler(everyMs = 100) {
  const peak = { rss: 0, pss: 0 };
  let pids = descendants(process.pid);
  let tick = 0;
  const timer = setInterval(() => {
    if (++tick % 10 === 0) {
      pids = descendants(process.pid);
      peak.pss = Math.max(peak.pss, sumOf(pids, 'smaps_rollup', 'Pss'));
    }
    peak.rss = Math.max(peak.rss, sumOf(pids, 'status', 'VmRSS'));
  }, everyMs);
  return { peak, stop: () => clearInterval(timer) };
}

// ---- Results ----------------------------------------------------------------------------------

function saveRow(row: Row): Row[] {
  mkdirSync(join(RESULTS, '..'), { recursive: true });
  let rows: Row[] = [];
  try {
    rows = JSON.parse(readFileSync(RESULTS, 'utf8')).rows as Row[];
  } catch {
    /* first row */
  }
  rows = [...rows.filter((r) => r.model !== row.model || r.source !== row.source || r.steps !== row.steps), row];
  writeFileSync(RESULTS, JSON.stringify({ adapter: 'SwiftShader (headless Chromium, WebGPU backend)', quant: 'q4', rows }, null, 2) + '\n');
  return rows;
}

const sec = (v: number | null) => (v === null ? '-' : v.toFixed(1));
const gb = (v: number | null) => (v === null ? '-' : (v / GB).toFixed(2));

function printTable(rows: Row[]): void {
  const lines = ['model                              source    load s  (download s)  peak RSS GB  peak PSS GB  GPU pool peak GB  error'];
  for (const r of rows) {
    lines.push(
      `${r.model.padEnd(34)} ${`${r.source}/${r.steps}`.padEnd(8)} ${sec(r.loadSeconds).padStart(6)}  ${sec(r.downloadSeconds).padStart(12)}  ${gb(r.peakRssBytes).padStart(11)}  ${gb(r.peakPssBytes).padStart(11)}  ${gb(r.gpuPoolPeakBytes).padStart(16)}  ${r.error ?? ''}`,
    );
  }
  console.log(lines.join('\n'));
}

// ---- Driving the page -------------------------------------------------------------------------

/** Loads `repo` from the Hub the page was pointed at (?hub=); returns [download s, load s] (load includes the download). */
async function loadFromHub(page: Page, repo: string, hubUrl: string): Promise<{ download: number | null; load: number }> {
  await page.getByLabel('Quantization').selectOption('q4');
  let go;
  if (VIA_URL) {
    await page.getByLabel('Model folder URL').fill(`${hubUrl}/${repo}/resolve/main/`);
    go = page.getByRole('button', { name: 'Load URL' });
  } else {
    await page.getByLabel('Hugging Face repo').fill(repo);
    await page.getByRole('button', { name: 'Check', exact: true }).click();
    await expect(page.getByTestId('hub-plan')).toBeVisible();
    go = page.getByRole('button', { name: /Download & load|Load from the cache/ });
  }
  const t0 = Date.now();
  await go.click();
  // The stage line says when the download ends and reading begins.
  let downloadEnd: number | null = null;
  const progress = page.getByRole('status', { name: 'Loading progress' });
  const card = page.getByTestId('model-card');
  const error = page.getByTestId('model-error');
  for (;;) {
    if (await card.filter({ hasText: VIA_URL ? `${hubUrl}/${repo}` : repo }).isVisible()) break;
    if (await error.isVisible()) throw new Error(((await error.textContent()) ?? 'model-error').trim());
    const text = (await progress.textContent().catch(() => null)) ?? '';
    if (downloadEnd === null && text && !text.startsWith('Downloading') && !text.startsWith('Starting') && Date.now() - t0 > 200) downloadEnd = Date.now();
    if (Date.now() - t0 > RUN_TIMEOUT) throw new Error(`no model card after ${RUN_TIMEOUT / 1000} s (last progress: ${text})`);
    await page.waitForTimeout(250);
  }
  const t1 = Date.now();
  return { download: downloadEnd === null ? null : (downloadEnd - t0) / 1000, load: (t1 - t0) / 1000 };
}

async function timed(fn: () => Promise<void>): Promise<number> {
  const t0 = Date.now();
  await fn();
  return (Date.now() - t0) / 1000;
}

async function generate4(page: Page): Promise<string> {
  await page.getByRole('tab', { name: 'Model' }).click();
  await page.getByLabel('Prompt', { exact: true }).fill('The capital of France is');
  await page.getByLabel('New tokens', { exact: true }).fill('4');
  await page.getByRole('button', { name: 'Generate', exact: true }).click();
  // The speed line comes when the generation is done; on WebGPU with where decode stands against the measured bandwidth.
  await expect(page.getByTestId('generation-speed')).toContainText(/decode [\d.]+ tokens\/s/, { timeout: RUN_TIMEOUT });
  await expect(page.getByTestId('roofline')).toContainText('GB/s this GPU copies');
  return ((await page.getByTestId('continuation').textContent()) ?? '').trim();
}

async function trainOneLoraStep(page: Page): Promise<void> {
  await page.getByRole('tab', { name: 'Train' }).click();
  await expect(page.getByRole('heading', { name: 'Train', exact: true })).toBeVisible();
  await page.getByRole('button', { name: 'Sample corpus' }).click();
  await expect(page.getByTestId('corpus-counts')).toContainText('16 tuples');
  await page.getByRole('radio', { name: /LoRA adapters/ }).check();
  const fields: [string, string][] = [
    ['Steps', '1'],
    ['Warmup steps', '0'],
    ['Batch size', '1'],
    ['Grad accumulation', '1'],
    ['Max length', '32'],
    ['Evaluate every', '0'],
  ];
  for (const [label, value] of fields) await page.getByLabel(label, { exact: true }).fill(value);
  await page.getByRole('button', { name: 'Start', exact: true }).click();
  const state = page.getByTestId('train-state');
  await expect(state).toHaveText(/finished|failed/, { timeout: RUN_TIMEOUT });
  if ((await state.textContent())?.trim() === 'failed') throw new Error(`training failed: ${(await page.getByTestId('train-failure').textContent())?.trim()}`);
  await expect(page.getByTestId('train-step')).toHaveText('1 of 1');
}

async function analyze8(page: Page): Promise<void> {
  await page.getByRole('tab', { name: 'Inspect' }).click();
  await expect(page.getByRole('heading', { name: 'Inspect', exact: true })).toBeVisible();
  const boxes = page.getByLabel(/^Language /);
  await expect(boxes.first()).toBeVisible();
  for (const box of await boxes.all()) {
    const l = ((await box.getAttribute('aria-label')) ?? '').replace('Language ', '');
    await box.setChecked(l === 'en' || l === 'cs');
  }
  await page.getByLabel('Tuples', { exact: true }).fill('4'); // 4 tuples x 2 languages = 8 sentences
  await page.getByRole('button', { name: 'Analyze', exact: true }).click();
  await expect(page.getByTestId('map-count')).toHaveText('8 points', { timeout: RUN_TIMEOUT });
}

async function gpuPoolPeak(page: Page): Promise<number> {
  await page.getByRole('tab', { name: 'GPU' }).click();
  await page.getByRole('button', { name: /Show GPU memory|Refresh/ }).click();
  const stats = page.getByTestId('pool-stats');
  await expect(stats).toBeVisible();
  return Number(await stats.getAttribute('data-peak-bytes'));
}

// ---- The tier ---------------------------------------------------------------------------------

interface Session {
  hub: MockHub;
  page: Page;
  close(): Promise<void>;
}

/** A mock Hub serving the model's folder and a fresh Chromium (persistent profile in a temp dir) pointed at it; `query` is added to the page URL. */
async function openSession(model: FullSizeModel, folder: FullSizeFolder, baseURL: string, query = ''): Promise<Session> {
  const hub = await startMockHub();
  await hub.addRepoFromDir(model.repo, folder.dir);
  const profile = mkdtempSync(join(tmpdir(), 'alignscope-full-size-'));
  const context = await chromium.launchPersistentContext(profile, { executablePath: CHROME_PATH, args: WEBGPU_FLAGS, baseURL });
  const page = context.pages()[0] ?? (await context.newPage());
  await page.goto(`/?model=none&backend=webgpu&hub=${encodeURIComponent(hub.url)}${query}`);
  await expect(page.getByRole('heading', { name: 'Model', exact: true })).toBeVisible();
  return {
    hub,
    page,
    async close() {
      await context.close();
      await hub.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

for (const model of FULL_SIZE_MODELS) {
  test(`${model.repo} at full size, q4: load through the Hub, 4 tokens, one LoRA step at 32 tokens, analyze 8 sentences; host and GPU memory within bounds`, async ({ baseURL }) => {
    test.setTimeout(RUN_TIMEOUT);
    const folder = ensureFullSizeFolder(model);
    const sampler = startSampler();
    const row: Row = {
      model: model.repo,
      source: VIA_URL ? 'url' : 'hub',
      steps: LOAD_ONLY ? 'load' : 'all',
      parameters: folder.parameters,
      fileBytes: folder.weightBytes,
      f32Bytes: folder.f32Bytes,
      downloadSeconds: null,
      loadSeconds: null,
      generateSeconds: null,
      trainSeconds: null,
      analyzeSeconds: null,
      peakRssBytes: 0,
      peakPssBytes: 0,
      gpuPoolPeakBytes: null,
      gpuBytesAfterLoad: null,
      generated: null,
      error: null,
      measuredAt: new Date().toISOString(),
    };
    const session = await openSession(model, folder, baseURL!);
    const { page } = session;
    const pageErrors: string[] = [];
    page.on('pageerror', (e) => pageErrors.push(e.message));
    try {
      const t = await loadFromHub(page, model.repo, session.hub.url);
      row.downloadSeconds = t.download;
      row.loadSeconds = t.load;
      const card = page.getByTestId('model-card');
      await expect(card).toContainText('q4 blocks of 32');
      row.gpuBytesAfterLoad = ((await card.locator('.fact', { hasText: 'GPU memory' }).locator('dd').textContent()) ?? '').trim();
      if (!LOAD_ONLY) {
        row.generateSeconds = await timed(async () => void (row.generated = await generate4(page)));
        row.trainSeconds = await timed(() => trainOneLoraStep(page));
        row.analyzeSeconds = await timed(() => analyze8(page));
      }
      row.gpuPoolPeakBytes = await gpuPoolPeak(page);
    } catch (e) {
      row.error = (e as Error).message.split('\n')[0].slice(0, 400);
      throw e;
    } finally {
      sampler.stop();
      row.peakRssBytes = sampler.peak.rss;
      row.peakPssBytes = sampler.peak.pss;
      printTable(saveRow(row));
      await session.close();
    }
    expect(pageErrors).toEqual([]);
    expect(row.gpuPoolPeakBytes!, `GPU pool peak vs ${GPU_POOL_FRACTION} x f32 bytes (${gb(folder.f32Bytes)} GB)`).toBeLessThan(GPU_POOL_FRACTION * folder.f32Bytes);
    expect(row.peakRssBytes, 'peak RSS of the Chromium tree vs 2 x GPU pool peak + 2.5 GB').toBeLessThan(hostBound(row.gpuPoolPeakBytes!));
  });
}

// A lowered binding limit (`?bindingLimit=<bytes>`, which caps maxStorageBufferBindingSize as the
// engine sees it) forces the vocabulary-row sharding of the embedding and LM head: the same 4 greedy
// tokens must come out. Qwen2.5-0.5B (the smallest of the three): its tied embedding [151936, 896]
// in q4 (68 MB) is kept in shards of min(limit / 448 B, limit / 8 KiB) rows (decision 44): 2 under
// SwiftShader's 1 GiB, 10 under 128 MiB.
test('a lowered binding limit forces sharding and gives the same greedy tokens (Qwen2.5-0.5B)', async ({ baseURL }) => {
  test.setTimeout(RUN_TIMEOUT);
  const model = FULL_SIZE_MODELS[0];
  const folder = ensureFullSizeFolder(model);
  const limit = 128 << 20;
  const runs: string[] = [];
  // Capped first, so that a page without the parameter is found out before the long uncapped run.
  for (const query of [`&bindingLimit=${limit}`, '']) {
    const session = await openSession(model, folder, baseURL!, query);
    try {
      if (query) {
        // The adapter table shows the limit the engine uses.
        await session.page.getByRole('tab', { name: 'GPU' }).click();
        await expect(session.page.getByRole('row', { name: /maxStorageBufferBindingSize/ })).toContainText('128.0 MiB');
        await session.page.getByRole('tab', { name: 'Model' }).click();
      }
      await loadFromHub(session.page, model.repo, session.hub.url);
      runs.push(await generate4(session.page));
    } finally {
      await session.close();
    }
  }
  expect(runs[0], 'greedy tokens with the binding limit lowered vs without').toBe(runs[1]);
});
