import { expect, test, type Page } from '@playwright/test';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { expectCjkGlyphs } from './cjk';

// The workshop as a teacher runs it on a seat whose browser has only a software adapter (so auto runs
// the model on the CPU route), on a fresh load of the built app: the first chart comes from the base
// analysis shipped beside the default model (marked precomputed) within FIRST_VIEW_MS of the page
// load; its baselines are the CLI's; the paper preset's step 0 reuses it, so the first step comes
// within FIRST_STEP_MS of the click; the LAC lines move at the next re-analysis; the before/after
// toggle shows step 0 again; Translate shows both models; Chinese and Japanese render as glyphs.
// Then the contrastive preset moves LAC beyond its band (on the CPU route, chosen explicitly: the
// default model trains at a few tokens a second on SwiftShader; the Train panel's e2e covers training
// on the WebGPU route with the random tiny model). A tab picked early
// is kept; `?model=none` can load the default model; a model loaded as q4 is offered a reload as
// f32 by the presets.

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const N = 105;
const LANGS = 8;
const PAIRS = (LANGS * (LANGS - 1)) / 2;
const PAPER_PAIRS = ['en-zh', 'en-cs', 'cs-uk', 'zh-ja'];
const LAYERS = 7;
const MID = 3;
const RUN_TIMEOUT = 420_000;
/** Issue 11's targets on a software-adapter seat: first chart after the page load, first step after the click. */
const FIRST_VIEW_MS = 3_000;
const FIRST_STEP_MS = 10_000;
/** Contrastive steps that lift the middle layer's LAC clear of its step-0 interval on the everyday corpus (10 were not enough for the current model: EN-ZH 0.015 -> 0.035, its interval reaching 0.038). */
const CONTRASTIVE_STEPS = 40;

interface LacRow {
  lac: number;
  nullLow: number;
  nullHigh: number;
  surface: number;
}

/** LAC, interval top, null band and surface baseline per `layer:a-b`, as the LAC chart's values table holds them. */
async function lacRows(page: Page): Promise<Map<string, LacRow>> {
  const rows = await page.getByTestId('lac-row').evaluateAll((els) =>
    els.map((r) => {
      const n = (k: string) => Number(r.getAttribute(k));
      return [`${r.getAttribute('data-layer')}:${r.getAttribute('data-a')}-${r.getAttribute('data-b')}`, { lac: n('data-lac'), nullLow: n('data-null-low'), nullHigh: n('data-null-high'), surface: n('data-surface') }] as const;
    }),
  );
  return new Map(rows);
}

interface CliOut {
  n: number;
  quant: string;
  pooling: string;
  chanceP1: number;
  rows: { layer: number; a: string; b: string; lac: number; lacHigh: number; nullLow: number; nullHigh: number; p1AtoB: number; mexa: number }[];
  surface: { a: string; b: string; lac: number; mexa: number; p1AtoB: number; p1BtoA: number }[];
}

/** `npx alignscope analyze --json` on the default model, the paper's languages, the middle layer. */
async function cliAnalyze(): Promise<CliOut> {
  const args = ['alignscope', 'analyze', '--model', 'public/models/alignscope-tiny', '--data', 'public/data/corpus.tsv', '--langs', 'en,zh,ja,cs,uk', '--layers', String(MID), '--split', 'test', '--json'];
  const { stdout } = await promisify(execFile)('npx', args, { cwd: ROOT, maxBuffer: 16 << 20, timeout: RUN_TIMEOUT });
  return JSON.parse(stdout) as CliOut;
}

/** Opens the app (at `path`) on its default model and waits for the shipped analysis; returns ms from the page load to the first chart. */
async function openWorkshop(page: Page, path: string): Promise<number> {
  await page.goto(path);
  const loaded = Date.now();
  await expect(page.getByTestId('lac-chart')).toBeVisible({ timeout: RUN_TIMEOUT });
  const firstView = Date.now() - loaded;
  await expect(page.getByTestId('analysis-source')).toHaveAttribute('data-source', 'shipped');
  return firstView;
}

test('workshop: the shipped first view at once, baselines as the CLI computes them, the preset from it, CJK glyphs, translate', async ({ page }, info) => {
  test.setTimeout(RUN_TIMEOUT * 2);
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  const cli = cliAnalyze(); // runs meanwhile
  cli.catch(() => undefined);
  const t0 = Date.now();

  // As a seat with a software adapter opens it: auto runs the model on the CPU route there.
  const firstView = await openWorkshop(page, '/');
  await expect(page.getByRole('tab', { name: 'Inspect' })).toHaveAttribute('aria-selected', 'true');
  const line = page.getByTestId('backend-line');
  await expect(line).toHaveAttribute('data-backend', 'cpu', { timeout: RUN_TIMEOUT });
  await expect(line).toContainText('software fallback');
  await expect(page.getByTestId('map-count')).toHaveText(`${N * LANGS} points`);
  const chart = page.getByTestId('lac-chart');
  await expect(chart).toHaveAttribute('data-pairs', String(PAIRS));
  // The paper's four pairs are drawn; the other 24 wait behind a toggle.
  await expect(chart).toHaveAttribute('data-drawn', '4');
  await expect(chart.locator('.recharts-line')).toHaveCount(4);
  await page.getByLabel(/all 28 pairs/).check();
  await expect(chart.locator('.recharts-line')).toHaveCount(PAIRS);
  await page.getByLabel(/all 28 pairs/).uncheck();
  await expect(chart.locator('.recharts-label', { hasText: /^LAC$/ })).toHaveCount(1);
  await expect(chart.locator('.recharts-label', { hasText: 'hidden state' })).toHaveCount(1);
  const base = await lacRows(page);
  expect(base.size).toBe(PAIRS * LAYERS);
  expect(firstView, `first chart ${firstView} ms after the page load`).toBeLessThanOrEqual(FIRST_VIEW_MS);

  // Once the model has loaded the engine adopts the shipped analysis (weights checked).
  await expect(page.getByTestId('analysis-source')).toHaveAttribute('data-adopted', 'true', { timeout: RUN_TIMEOUT });

  // Baselines on every view, with the CLI's numbers.
  const out = await cli;
  expect([out.n, out.quant, out.pooling]).toEqual([N, 'f32', 'mean']);
  await expect(page.getByTestId('retrieval-chance')).toHaveAttribute('data-chance', String(out.chanceP1));
  await expect(page.getByTestId('retrieval-chance')).toContainText(`1/${N}`);
  for (const pair of PAPER_PAIRS) {
    const [a, b] = pair.split('-');
    const shown = base.get(`${MID}:${pair}`)!;
    const ref = out.rows.find((r) => r.layer === MID && r.a === a && r.b === b)!;
    const surf = out.surface.find((r) => r.a === a && r.b === b)!;
    expect(Math.abs(shown.lac - ref.lac), `${pair} LAC`).toBeLessThanOrEqual(1e-5);
    expect(Math.abs(shown.nullLow - ref.nullLow), `${pair} null low`).toBeLessThanOrEqual(1e-5);
    expect(Math.abs(shown.nullHigh - ref.nullHigh), `${pair} null high`).toBeLessThanOrEqual(1e-5);
    expect(shown.surface, `${pair} surface LAC`).toBe(surf.lac);
    const row = page.locator(`[data-testid="retrieval-row"][data-a="${a}"][data-b="${b}"]`);
    await expect(row).toHaveAttribute('data-surface-p1-a-to-b', String(surf.p1AtoB));
    await expect(row).toHaveAttribute('data-surface-mexa', String(surf.mexa));
    console.log(`baselines ${pair} @${MID}: LAC ${ref.lac.toFixed(3)}, null [${ref.nullLow.toFixed(3)}, ${ref.nullHigh.toFixed(3)}], P@1 ${ref.p1AtoB.toFixed(3)} (chance ${out.chanceP1.toFixed(4)}); surface LAC ${surf.lac.toFixed(3)}, P@1 ${surf.p1AtoB.toFixed(3)}, MEXA ${surf.mexa.toFixed(3)}`);
  }
  await expect(page.getByTestId('heat-chance')).toContainText('shuffled pairs');
  await expect(page.getByTestId('inspect-retrieval-baselines')).toContainText('Chance');

  // Chinese and Japanese render as glyphs: the tuple of a clicked point, in every language.
  const canvas = page.getByTestId('map-canvas');
  const [x, y] = ((await canvas.getAttribute('data-probe')) ?? '').split(',').map(Number);
  await canvas.click({ position: { x, y } });
  await expect(page.getByTestId('neighbour')).toHaveCount(5);
  await expectCjkGlyphs(page.getByTestId('neighbours').locator('li', { has: page.locator('.lang', { hasText: /^zh$/ }) }).first(), 'Inspect, zh sentence');
  await expectCjkGlyphs(page.getByTestId('neighbours').locator('li', { has: page.locator('.lang', { hasText: /^ja$/ }) }).first(), 'Inspect, ja sentence');
  await page.screenshot({ path: info.outputPath('workshop-inspect.png'), fullPage: true });

  // The paper preset, short: 2 steps, re-analysed at step 2. Step 0 reuses the analysis on screen.
  const preset = page.getByTestId('preset');
  // Beside it, what the experiment measured (the shipped experiment.json), not a promise.
  await expect(preset.getByTestId('preset-expectation')).toContainText(/held-out mapping loss fell from \d\.\d\d to \d\.\d\d with the mapping task/);
  await preset.getByLabel('Preset steps').fill('2');
  await preset.getByLabel('Re-analyse every k steps').fill('2');
  const clicked = Date.now();
  await preset.getByRole('button', { name: 'Reproduce the paper in miniature' }).click();
  const history = page.getByTestId('lac-history');
  await expect(history).toHaveAttribute('data-points', '1', { timeout: RUN_TIMEOUT });
  await expect(preset.getByTestId('loss-summary')).toContainText('at step 1', { timeout: RUN_TIMEOUT });
  const firstStep = Date.now() - clicked;
  const step0 = await lacRows(page);
  for (const [k, v] of base) expect(step0.get(k)!.lac, k).toBe(v.lac); // the same analysis, not a new one
  await expect(page.getByTestId('analysis-source')).toHaveAttribute('data-source', 'shipped');
  // ...then the LAC lines: the step-2 re-analysis replaces the shown numbers.
  await expect(page.getByTestId('preset-status')).toContainText('finished, step 2 of 2', { timeout: RUN_TIMEOUT });
  await expect(history).toHaveAttribute('data-points', '2', { timeout: RUN_TIMEOUT });
  await expect(page.getByTestId('analysis-source')).toHaveAttribute('data-source', 'live');
  const after = await lacRows(page);
  const moved = [...after].filter(([k, v]) => Math.abs(v.lac - base.get(k)!.lac) > 1e-6).length;
  expect(moved).toBeGreaterThan(0);
  // The loss chart: NTP and mapping each on their own axis.
  await expect(preset.getByTestId('chart-loss')).toHaveAttribute('data-series', /lossNtp lossMap/);

  // Before/after: the baseline's numbers are the step-0 ones; the labels never say step 0 twice.
  await page.getByLabel('Before training (step 0)').check();
  await expect(page.getByTestId('inspect-views')).toHaveAttribute('data-view', 'baseline');
  const before = await lacRows(page);
  for (const [k, v] of base) expect(before.get(k)!.lac, k).toBeCloseTo(v.lac, 6);
  await page.getByLabel(/Now \(step 2\)/).check();
  await expect(page.getByTestId('inspect-views')).toHaveAttribute('data-view', 'latest');

  // Train: the Train panel's template preview shows a Chinese sentence.
  await page.getByRole('tab', { name: 'Train' }).click();
  await page.getByRole('button', { name: 'Sample corpus' }).click();
  await expect(page.getByTestId('corpus-counts')).toContainText('tuples in 8 languages');
  await expectCjkGlyphs(page.getByTestId('template-preview'), 'Train, template preview');
  await page.screenshot({ path: info.outputPath('workshop-train.png'), fullPage: true });

  // Translate: base and fine-tuned outputs side by side for held-out sentences (en→zh by default; the references are Chinese).
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
  await expectCjkGlyphs(page.getByTestId('translate-table'), 'Translate, references');
  await page.screenshot({ path: info.outputPath('workshop-translate.png'), fullPage: true });
  expect(errors).toEqual([]);
  expect(firstStep, `first step ${firstStep} ms after the click`).toBeLessThanOrEqual(FIRST_STEP_MS);
  console.log(`workshop: first chart ${firstView} ms after the page load; preset's first step ${firstStep} ms after the click; LAC values moved at step 2: ${moved} of ${PAIRS * LAYERS}; whole test ${((Date.now() - t0) / 1000).toFixed(1)} s`);
});

test('workshop, contrastive preset: middle-layer LAC leaves its step-0 interval', async ({ page }, info) => {
  test.setTimeout(RUN_TIMEOUT * 2);
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await openWorkshop(page, '/?backend=cpu');
  await expect(page.getByTestId('backend-line')).toHaveAttribute('data-backend', 'cpu', { timeout: RUN_TIMEOUT });
  await expect(page.getByTestId('analysis-source')).toHaveAttribute('data-adopted', 'true', { timeout: RUN_TIMEOUT });
  const preset = page.getByTestId('preset');
  await preset.getByLabel('Preset steps').fill(String(CONTRASTIVE_STEPS));
  await preset.getByLabel('Re-analyse every k steps').fill(String(CONTRASTIVE_STEPS));
  await preset.getByRole('button', { name: '…with contrastive alignment' }).click();
  await expect(page.getByTestId('preset-status')).toHaveAttribute('data-arm', 'contrastive');
  await expect(page.getByTestId('preset-status')).toContainText(`finished, step ${CONTRASTIVE_STEPS} of ${CONTRASTIVE_STEPS}`, { timeout: RUN_TIMEOUT * 2 });
  await expect(page.getByTestId('lac-history')).toHaveAttribute('data-points', '2', { timeout: RUN_TIMEOUT });
  // The InfoNCE loss is drawn on the right axis; there is no mapping loss in this arm.
  await expect(preset.getByTestId('chart-loss')).toHaveAttribute('data-series', /lossCon/);
  await expect(preset.getByTestId('chart-loss')).not.toHaveAttribute('data-series', /lossMap/);
  const rows = await page.getByTestId('history-row').evaluateAll((els) => els.map((r) => ({ step: Number(r.getAttribute('data-step')), a: r.getAttribute('data-a'), b: r.getAttribute('data-b'), lac: Number(r.getAttribute('data-lac')), high: Number(r.getAttribute('data-lac-high')) })));
  const beyond = PAPER_PAIRS.filter((pair) => {
    const [a, b] = pair.split('-');
    const s0 = rows.find((r) => r.step === 0 && r.a === a && r.b === b);
    const s1 = rows.find((r) => r.step === CONTRASTIVE_STEPS && r.a === a && r.b === b);
    console.log(`contrastive ${pair} @${MID}: ${s0?.lac.toFixed(3)} (high ${s0?.high.toFixed(3)}) -> ${s1?.lac.toFixed(3)}`);
    return s0 && s1 && s1.lac > s0.high;
  });
  expect(beyond.length, 'pairs whose middle-layer LAC left the step-0 interval').toBeGreaterThan(0);
  await page.screenshot({ path: info.outputPath('workshop-contrastive.png'), fullPage: true });
  expect(errors).toEqual([]);
});

test('a tab picked while the default model loads is kept', async ({ page }) => {
  await page.goto('/');
  await page.getByRole('tab', { name: 'GPU' }).click();
  // The model finishes loading (its tabs appear) and the GPU tab stays chosen.
  await expect(page.getByRole('tab', { name: 'Train' })).toBeVisible({ timeout: RUN_TIMEOUT });
  await expect(page.getByRole('tab', { name: 'GPU' })).toHaveAttribute('aria-selected', 'true');
  await expect(page.getByRole('tab', { name: 'Inspect' })).toHaveAttribute('aria-selected', 'false');
});

test('?model=none: the default model loads from a button; a q4 model is offered a reload as f32 for the presets', async ({ page }) => {
  test.setTimeout(RUN_TIMEOUT);
  await page.goto('/?model=none');
  await expect(page.getByText('No model loaded yet')).toBeVisible();
  await expect(page.getByRole('tab', { name: 'Inspect' })).toHaveCount(0);

  // The random tiny model as q4: the presets say why they cannot run and offer the reload.
  await page.getByLabel('Quantization').selectOption('q4');
  await page.getByRole('button', { name: 'Random tiny model' }).click();
  await expect(page.getByTestId('model-card')).toContainText('random-tiny-seed1');
  await expect(page.getByLabel('Quantization')).toHaveValue('q4');
  await page.getByRole('tab', { name: 'Inspect' }).click();
  const preset = page.getByTestId('preset');
  await expect(preset.getByRole('button', { name: 'Reproduce the paper in miniature' })).toBeDisabled();
  await preset.getByRole('button', { name: 'Reload it as f32' }).click();
  await expect(page.getByLabel('Quantization')).toHaveValue('f32');
  await expect(preset.getByRole('button', { name: 'Reproduce the paper in miniature' })).toBeEnabled({ timeout: RUN_TIMEOUT });

  // Back to the default model, with its shipped analysis.
  await page.getByRole('tab', { name: 'Model' }).click();
  await page.getByRole('button', { name: 'Load the default model' }).click();
  await expect(page.getByTestId('model-card')).toContainText('alignscope-tiny', { timeout: RUN_TIMEOUT });
  await expect(page.getByTestId('model-card')).toContainText('f32');
  await page.getByRole('tab', { name: 'Inspect' }).click();
  await expect(page.getByTestId('analysis-source')).toHaveAttribute('data-source', 'shipped');
  await expect(page.getByTestId('analysis-source')).toHaveAttribute('data-adopted', 'true', { timeout: RUN_TIMEOUT });
  await expect(page.getByTestId('map-count')).toHaveText(`${N * LANGS} points`);
});
