import { expect, test, type Download, type Page } from '@playwright/test';
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

// The Inspect panel on the random tiny model (2 blocks: hidden states 0, 1, 2), with en, zh, cs on
// the 105 test tuples. Its LAC CSV must hold the numbers the page shows and the numbers the CLI
// computes for the same request (same corpus split, f32 weights — the default of both —, bootstrap
// and permutation seed 0 and 1000 resamples), baselines included.

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const LANGS = ['en', 'zh', 'cs'];
const ALL = ['en', 'zh', 'ja', 'de', 'fr', 'es', 'cs', 'uk'];
const LAYERS = 3;
const PAIRS = (LANGS.length * (LANGS.length - 1)) / 2;
const N = 105;
const COLUMNS = ['layer', 'a', 'b', 'lac', 'lacLow', 'lacHigh', 'nullLow', 'nullHigh', 'mexa', 'p1AtoB', 'p1BtoA', 'meanCosine', 'alignment'];
const RUN_TIMEOUT = 240_000;

interface Row {
  layer: number;
  a: string;
  b: string;
  [metric: string]: number | string;
}

interface CliOut {
  n: number;
  quant: string;
  chanceP1: number;
  rows: Row[];
  surface: { a: string; b: string; lac: number; mexa: number; p1AtoB: number; p1BtoA: number }[];
}

/** What `npx alignscope analyze ... --json` prints: the same rows the engine gives the page, and the baselines. */
async function cliRun(): Promise<CliOut> {
  const args = ['alignscope', 'analyze', '--model', 'random:1', '--data', 'public/data/corpus.tsv', '--langs', LANGS.join(','), '--split', 'test', '--json'];
  const { stdout } = await promisify(execFile)('npx', args, { cwd: ROOT, maxBuffer: 16 << 20, timeout: RUN_TIMEOUT });
  const out = JSON.parse(stdout) as CliOut;
  expect(out.n).toBe(N);
  expect(out.quant).toBe('f32');
  return out;
}

async function csvRows(download: Download): Promise<Row[]> {
  const text = await readFile((await download.path())!, 'utf8');
  const [head, ...lines] = text.trimEnd().split('\n');
  expect(head.split(',')).toEqual(COLUMNS);
  return lines.map((line) => {
    const cells = line.split(',');
    return Object.fromEntries(COLUMNS.map((c, k) => [c, c === 'a' || c === 'b' ? cells[k] : Number(cells[k])])) as Row;
  });
}

const key = (r: { layer: number | string; a: string; b: string }) => `${r.layer}:${r.a}-${r.b}`;

async function savedDownload(page: Page, button: string): Promise<Download> {
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: button, exact: true }).click()]);
  return download;
}

test('inspect: map, LAC per layer, heatmap and retrieval for en/zh/cs; the LAC CSV equals the page and the CLI', async ({ page }, info) => {
  test.setTimeout(2 * RUN_TIMEOUT);
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  const cli = cliRun(); // runs meanwhile
  cli.catch(() => undefined);
  const t0 = Date.now();

  await page.goto('/?model=none&backend=webgpu');
  await expect(page.getByRole('tab', { name: 'Inspect' })).toHaveCount(0);
  await page.getByRole('button', { name: 'Random tiny model' }).click();
  await expect(page.getByTestId('model-card')).toContainText('random-tiny-seed1');
  await page.getByRole('tab', { name: 'Inspect' }).click();
  await expect(page.getByRole('heading', { name: 'Inspect', exact: true })).toBeVisible();
  await expect(page.getByTestId('inspect-empty')).toBeVisible();

  for (const l of ALL) await page.getByLabel(`Language ${l}`, { exact: true }).setChecked(LANGS.includes(l));
  await page.getByLabel('Split').selectOption('test');
  await expect(page.getByLabel('Split').locator('option:checked')).toHaveText(`test (${N})`);
  await expect(page.getByTestId('inspect-layer')).toHaveText('1 of 2'); // the middle layer
  await page.getByRole('button', { name: 'Analyze' }).click();
  // Never a blank panel: progress while the engine works.
  await expect(page.getByTestId('inspect-progress')).toBeVisible();

  // The map: one point per sentence and language.
  const canvas = page.getByTestId('map-canvas');
  await expect(page.getByTestId('map-count')).toHaveText(`${N * LANGS.length} points`, { timeout: RUN_TIMEOUT });
  await expect(canvas).toHaveAttribute('data-points', String(N * LANGS.length));
  await expect(canvas).toHaveAttribute('data-layer', '1');
  const analyzed = (Date.now() - t0) / 1000;

  // LAC per layer: one line per pair, one value per layer, the formula beside it.
  const chart = page.getByTestId('lac-chart');
  await expect(chart).toHaveAttribute('data-pairs', String(PAIRS));
  await expect(chart).toHaveAttribute('data-layers', String(LAYERS));
  await expect(chart.locator('.recharts-line')).toHaveCount(PAIRS);
  await expect(chart.locator('.recharts-line-dot')).toHaveCount(PAIRS * LAYERS);
  await expect(chart.locator('.recharts-area')).toHaveCount(PAIRS + 1); // a bootstrap band per pair, and the shuffled-pairs band
  await expect(page.getByTestId('legend-null')).toBeVisible();
  await expect(page.getByTestId('legend-surface')).toBeVisible();
  await expect(page.getByTestId('inspect-lac-baselines')).toContainText('Shuffled pairs');
  await expect(page.getByTestId('inspect-lac-formula')).toHaveText('LAC = (mean diag S − mean offdiag S) / (1 − mean offdiag S)');
  await expect(page.getByTestId('lac-row')).toHaveCount(PAIRS * LAYERS);

  // Heatmap and retrieval table at the chosen layer.
  await expect(page.getByTestId('heat-cell')).toHaveCount(LANGS.length * (LANGS.length - 1));
  await expect(page.getByTestId('retrieval-row')).toHaveCount(PAIRS);
  await page.getByRole('radio', { name: 'MEXA' }).check();
  await expect(page.getByTestId('inspect-heatmap')).toContainText('MEXA, layer 1');

  // Moving the layer slider re-projects the map (no new analysis) and moves the other views.
  const probe1 = await canvas.getAttribute('data-probe');
  await page.getByLabel('Layer', { exact: true }).focus();
  await page.keyboard.press('ArrowRight');
  await expect(page.getByTestId('inspect-layer')).toHaveText('2 of 2');
  await expect(canvas).toHaveAttribute('data-layer', '2');
  await expect.poll(() => canvas.getAttribute('data-probe')).not.toBe(probe1);
  await expect(page.getByTestId('inspect-heatmap')).toContainText('MEXA, layer 2');
  await expect(page.getByTestId('retrieval-table')).toBeVisible();

  // Hover shows the sentence; a click selects its tuple and lists its 5 nearest sentences.
  const [x, y] = ((await canvas.getAttribute('data-probe')) ?? '').split(',').map(Number);
  await canvas.hover({ position: { x, y } });
  await expect(page.getByTestId('map-tooltip')).toBeVisible();
  await expect(page.getByTestId('map-tooltip')).toContainText('en · tuple 1');
  await canvas.click({ position: { x, y } });
  await expect(page.getByTestId('neighbours')).toContainText('Tuple 1');
  await expect(page.getByTestId('neighbour')).toHaveCount(5);

  // UMAP instead of PCA: the same points, laid out again.
  await page.getByLabel('Projection').selectOption('umap');
  await expect(canvas).toHaveAttribute('data-method', 'umap', { timeout: RUN_TIMEOUT });
  await expect(page.getByTestId('map-count')).toHaveText(`${N * LANGS.length} points`);

  // Pictures download (PNG and SVG of the chart, the map and the heatmap).
  for (const view of ['LAC per layer', 'Embedding map', 'Language × language']) {
    for (const kind of ['PNG', 'SVG']) {
      const d = await savedDownload(page, `Export ${view} as ${kind}`);
      const bytes = await readFile((await d.path())!);
      expect(d.suggestedFilename()).toMatch(new RegExp(`\\.${kind.toLowerCase()}$`));
      if (kind === 'PNG') expect(bytes.subarray(1, 4).toString()).toBe('PNG');
      else expect(bytes.toString()).toContain('<svg');
    }
  }

  // The LAC CSV: one row per (layer, pair), the numbers the page holds...
  const csv = await csvRows(await savedDownload(page, 'Export LAC per layer as CSV'));
  expect(csv).toHaveLength(PAIRS * LAYERS);
  const shown = await page.getByTestId('lac-row').evaluateAll((rows) => rows.map((r) => ({ layer: r.getAttribute('data-layer')!, a: r.getAttribute('data-a')!, b: r.getAttribute('data-b')!, lac: Number(r.getAttribute('data-lac')) })));
  expect(csv.map(key)).toEqual(shown.map(key));
  csv.forEach((r, i) => expect(r.lac).toBe(shown[i].lac));
  const table = await page.getByTestId('retrieval-row').evaluateAll((rows) => rows.map((r) => ({ a: r.getAttribute('data-a')!, b: r.getAttribute('data-b')!, p1AtoB: Number(r.getAttribute('data-p1-a-to-b')), mexa: Number(r.getAttribute('data-mexa')) })));
  for (const t of table) {
    const r = csv.find((c) => c.layer === 2 && c.a === t.a && c.b === t.b)!;
    expect(r.p1AtoB).toBe(t.p1AtoB);
    expect(r.mexa).toBe(t.mexa);
  }

  // ... and the numbers the CLI computes, baselines included.
  const out = await cli;
  const ref = out.rows;
  await expect(page.getByTestId('retrieval-chance')).toHaveAttribute('data-chance', String(out.chanceP1));
  const surfaceShown = await page.getByTestId('retrieval-row').evaluateAll((rows) => rows.map((r) => ({ a: r.getAttribute('data-a')!, b: r.getAttribute('data-b')!, p1AtoB: Number(r.getAttribute('data-surface-p1-a-to-b')), mexa: Number(r.getAttribute('data-surface-mexa')) })));
  for (const t of surfaceShown) {
    const s = out.surface.find((x) => x.a === t.a && x.b === t.b)!;
    expect([t.p1AtoB, t.mexa]).toEqual([s.p1AtoB, s.mexa]);
  }
  const lacSurface = await page.getByTestId('lac-row').evaluateAll((rows) => rows.map((r) => ({ a: r.getAttribute('data-a')!, b: r.getAttribute('data-b')!, surface: Number(r.getAttribute('data-surface')) })));
  for (const t of lacSurface) expect(t.surface).toBe(out.surface.find((x) => x.a === t.a && x.b === t.b)!.lac);
  expect(ref.map(key)).toEqual(csv.map(key));
  let maxDiff = 0;
  csv.forEach((r, i) => {
    for (const m of ['lac', 'mexa', 'p1AtoB', 'p1BtoA']) {
      const d = Math.abs((r[m] as number) - (ref[i][m] as number));
      maxDiff = Math.max(maxDiff, d);
      expect(d, `${key(r)} ${m}: page ${r[m]}, CLI ${ref[i][m]}`).toBeLessThanOrEqual(1e-6);
    }
    for (const m of ['lacLow', 'lacHigh', 'nullLow', 'nullHigh', 'meanCosine', 'alignment']) expect(Math.abs((r[m] as number) - (ref[i][m] as number)), `${key(r)} ${m}`).toBeLessThanOrEqual(1e-5);
  });

  await page.screenshot({ path: info.outputPath('inspect-panel.png'), fullPage: true });
  console.log(`inspect panel: model + analysis + map ${analyzed.toFixed(1)} s; whole test ${((Date.now() - t0) / 1000).toFixed(1)} s; CSV vs CLI max |diff| (LAC, MEXA, P@1) ${maxDiff.toExponential(2)}`);
  expect(errors).toEqual([]);
});
