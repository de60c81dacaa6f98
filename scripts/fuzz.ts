// npm run test:fuzz — the hostile-input tier (issue 15): seeded mutations of valid safetensors,
// ONNX (ours and onnx-community's), GGUF, config.json, tokenizer.json, TSV and JSONL files, each
// loaded by the real reader (src/fuzz/formats.ts). Every case must end in a typed error
// (an AlignScopeError subclass) or a correct load (src/fuzz/check.ts says what that means).
// A failure is any other outcome:
//   - an uncaught error of another class (TypeError, RangeError, Error);
//   - a load that returned something inconsistent (a weight missing or of the wrong size, ...);
//   - time: a case over 2 s ('slow'), or one that never returns, killed by the watchdog 0.5 s
//     later ('hang'); cases run in child processes (src/fuzz/supervisor.ts), so a synchronous
//     infinite loop costs one case, not the run;
//   - memory, cap 256 MiB per case (the fixtures are under 1 MB, so this is >250x the input). Measured:
//     (a) the peak growth of the process's resident set during the case: on Linux the kernel's
//         high-water mark (VmHWM) is reset before each case (/proc/self/clear_refs) and read after
//         it, so anything touched counts, even if freed before the case returned; elsewhere the
//         growth of getrusage's lifetime peak (weaker: it misses a peak below an earlier one);
//     (b) the array-buffer bytes the thread still holds when the loader returns;
//     (c) the whole V8 heap of each child is limited to 512 MiB (--max-old-space-size): a case
//         past it kills the child ('crash', or 'hang' while the GC thrashes).
// Prints per-format counts (typed errors by class, correct loads, failures by kind) and, for each
// failure, its seed, case index and a one-line command that reproduces it. Exits 1 on any failure.
//
//   npm run test:fuzz -- [--seed N] [--cases N] [--format gguf,tsv] [--jobs N (default: cores, at most 4)] [--case I --format F]
//   --case I runs case I alone in this process and prints what it was and how it ended (with the stack).

import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { FORMATS, loadFormat, type FormatName } from '../src/fuzz/formats';
import { PeakMeter } from '../src/fuzz/memory';
import { outcomeKey } from '../src/fuzz/outcome';
import { Rng } from '../src/fuzz/prng';
import { runCase, type CaseLimits, type CaseResult } from '../src/fuzz/run-case';
import { supervise } from '../src/fuzz/supervisor';

const args = process.argv.slice(2);
const opt = (name: string, dflt?: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : dflt;
};
const SEED = Number(opt('seed', '15'));
const CASES = Number(opt('cases', '2000'));
const JOBS = Number(opt('jobs', String(Math.min(4, availableParallelism()))));
const formats = (opt('format')?.split(',') ?? [...FORMATS]) as FormatName[];
const LIMITS: CaseLimits = { timeMs: 2000, memoryBytes: 256 * 2 ** 20 };
const HEAP_MIB = 512;

for (const f of formats) if (!FORMATS.includes(f)) throw new Error(`unknown format ${f}: use ${FORMATS.join(', ')}`);
if (!(Number.isSafeInteger(SEED) && Number.isSafeInteger(CASES) && CASES > 0 && JOBS > 0)) throw new Error('--seed, --cases and --jobs take whole numbers');

const repro = (format: string, index: number) => `npm run test:fuzz -- --format ${format} --seed ${SEED} --case ${index}`;

/** --case: one case in this process, everything about it printed. */
async function single(format: FormatName, index: number): Promise<void> {
  const f = await loadFormat(format);
  const c = f.make(Rng.forCase(SEED, format, index), index);
  console.log(`${format} seed ${SEED} case ${index}: ${c.seed}; ${c.what}`);
  const r = await runCase(f, SEED, index, LIMITS, new PeakMeter());
  console.log(`  -> ${outcomeKey(r.outcome)} in ${r.ms.toFixed(1)} ms, peak +${(r.peakBytes / 2 ** 20).toFixed(1)} MiB`);
  if (r.outcome.kind !== 'loaded') console.log(`  ${r.outcome.kind === 'typed' ? r.outcome.message : r.outcome.detail}`);
  process.exitCode = r.outcome.kind === 'failure' ? 1 : 0;
}

interface Tally {
  counts: Map<string, number>;
  failures: CaseResult[];
  slowest: CaseResult | undefined;
  peak: number;
  ms: number;
}

async function fuzzFormat(format: FormatName): Promise<Tally> {
  const t: Tally = { counts: new Map(), failures: [], slowest: undefined, peak: 0, ms: 0 };
  const t0 = performance.now();
  const script = fileURLToPath(new URL('../src/fuzz/child.ts', import.meta.url));
  await supervise({ format, seed: SEED, from: 0, to: CASES, ...LIMITS }, { script, execArgv: process.execArgv, heapMiB: HEAP_MIB }, (r) => {
    const key = outcomeKey(r.outcome);
    t.counts.set(key, (t.counts.get(key) ?? 0) + 1);
    if (r.outcome.kind === 'failure') t.failures.push(r);
    if (!t.slowest || r.ms > t.slowest.ms) t.slowest = r;
    t.peak = Math.max(t.peak, r.peakBytes);
  });
  t.ms = performance.now() - t0;
  return t;
}

/** What a case was, for failures the child could not describe (hangs, crashes): the case is made again here. */
async function describe(format: FormatName, failures: CaseResult[]): Promise<void> {
  if (!failures.some((f) => f.seed === '?')) return;
  const f = await loadFormat(format);
  for (const r of failures.filter((x) => x.seed === '?')) {
    const c = f.make(Rng.forCase(SEED, format, r.index), r.index);
    Object.assign(r, { seed: c.seed, what: c.what });
  }
}

function report(format: FormatName, t: Tally): void {
  const n = [...t.counts.values()].reduce((a, b) => a + b, 0);
  const typed = [...t.counts].filter(([k]) => k !== 'loaded' && !k.startsWith('FAIL')).map(([k, v]) => `${k} ${v}`);
  const fails = [...t.counts].filter(([k]) => k.startsWith('FAIL')).map(([k, v]) => `${k.slice(5)} ${v}`);
  console.log(
    `${format.padEnd(15)} ${n} cases: loaded ${t.counts.get('loaded') ?? 0}; typed: ${typed.join(', ') || 'none'}; failures: ${t.failures.length}${fails.length ? ` (${fails.join(', ')})` : ''}` +
      ` | ${(t.ms / 1000).toFixed(1)} s, slowest case ${t.slowest?.ms.toFixed(0)} ms (#${t.slowest?.index}), peak +${(t.peak / 2 ** 20).toFixed(0)} MiB`,
  );
  for (const f of t.failures.slice(0, 20)) {
    const o = f.outcome as Extract<CaseResult['outcome'], { kind: 'failure' }>;
    console.log(`  FAIL ${o.failure} seed ${SEED} case ${f.index} [${f.seed}] ${f.what}\n       ${o.detail}\n       reproduce: ${repro(format, f.index)}`);
  }
  if (t.failures.length > 20) console.log(`  ... and ${t.failures.length - 20} more failures`);
}

async function main(): Promise<void> {
  const one = opt('case');
  if (one !== undefined) {
    if (formats.length !== 1) throw new Error('--case needs exactly one --format');
    return single(formats[0], Number(one));
  }
  const t0 = performance.now();
  console.log(`fuzz: seed ${SEED}, ${CASES} cases per format, ${formats.length} formats, ${JOBS} at a time; limits ${LIMITS.timeMs} ms and +${LIMITS.memoryBytes / 2 ** 20} MiB per case, ${HEAP_MIB} MiB V8 heap per process`);
  const queue = [...formats];
  const results = new Map<FormatName, Tally>();
  await Promise.all(
    Array.from({ length: JOBS }, async () => {
      for (let f = queue.shift(); f; f = queue.shift()) results.set(f, await fuzzFormat(f));
    }),
  );
  let failures = 0;
  for (const f of formats) {
    await describe(f, results.get(f)!.failures);
    report(f, results.get(f)!);
    failures += results.get(f)!.failures.length;
  }
  console.log(`fuzz: ${failures} failures in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  process.exitCode = failures ? 1 : 0;
}

await main();
