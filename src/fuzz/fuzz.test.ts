// The fuzz machinery itself, quickly (the full tier is `npm run test:fuzz`): a few seeded cases of
// every format through the real loaders, the outcome classification, the correct-load checks on
// results that do not hold together, and the supervisor's watchdog on a real child process that
// hangs in a synchronous loop and one that dies.

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CorpusFormatError, ModelFormatError } from '../errors';
import { readModelFolder } from '../model/load';
import { memoryFiles } from '../model/source';
import { checkHostModel, checkReadReport } from './check';
import { FORMATS, loadFormat } from './formats';
import { PeakMeter } from './memory';
import { classifyError, outcomeKey } from './outcome';
import { Rng } from './prng';
import { runCase, type CaseResult } from './run-case';
import { safetensorsSeeds } from './seeds';
import { supervise } from './supervisor';

const LIMITS = { timeMs: 2000, memoryBytes: 256 * 2 ** 20 };
const SEED = 7;

describe('every format, seeded cases through the real loaders', () => {
  for (const name of FORMATS) {
    it(`${name}: the seeds load, mutations end in typed errors or loads, the same case twice is the same case`, async () => {
      const format = await loadFormat(name);
      const meter = new PeakMeter();
      const counts = new Map<string, number>();
      for (let i = 0; i < 40; i++) {
        const r = await runCase(format, SEED, i, LIMITS, meter);
        if (i < format.seedCount) expect(r.outcome, `seed ${i}: ${r.seed}`).toEqual({ kind: 'loaded' });
        expect(r.outcome.kind, `case ${i} [${r.seed}] ${r.what}: ${JSON.stringify(r.outcome).slice(0, 300)}`).not.toBe('failure');
        counts.set(outcomeKey(r.outcome), (counts.get(outcomeKey(r.outcome)) ?? 0) + 1);
      }
      // the mutations bite: some cases end in a typed error
      expect([...counts.keys()].some((k) => k !== 'loaded'), JSON.stringify([...counts])).toBe(true);
      const a = format.make(Rng.forCase(SEED, name, 33), 33);
      const b = format.make(Rng.forCase(SEED, name, 33), 33);
      expect([a.what, a.inputBytes]).toEqual([b.what, b.inputBytes]);
    });
  }
});

describe('outcomes', () => {
  it('our typed errors are allowed, by class name; anything else thrown is a failure', () => {
    expect(classifyError(new ModelFormatError('x: bad'))).toMatchObject({ kind: 'typed', name: 'ModelFormatError' });
    expect(classifyError(new CorpusFormatError('x'))).toMatchObject({ kind: 'typed', name: 'CorpusFormatError' });
    const t = classifyError(new TypeError("Cannot read properties of undefined (reading 'length')"));
    expect(t).toMatchObject({ kind: 'failure', failure: 'untyped-error' });
    expect(outcomeKey(t)).toBe('FAIL untyped-error');
    expect(classifyError(new RangeError('Invalid typed array length'))).toMatchObject({ kind: 'failure', failure: 'untyped-error' });
    expect(classifyError('a string')).toMatchObject({ kind: 'failure', failure: 'untyped-error' });
  });

  it('a safetensors header length of 2^63 is a ModelFormatError through readModelFolder', async () => {
    const [seed] = await safetensorsSeeds();
    const st = seed.files.get('model.safetensors')!.slice();
    new DataView(st.buffer).setBigUint64(0, 1n << 63n, true);
    const e = await readModelFolder(memoryFiles(new Map(seed.files).set('model.safetensors', st), 't')).then(() => null, (err: unknown) => err);
    expect(classifyError(e)).toMatchObject({ kind: 'typed', name: 'ModelFormatError' });
  });

  it('the correct-load checks catch results that do not hold together', async () => {
    const [seed] = await safetensorsSeeds();
    const model = await readModelFolder(memoryFiles(seed.files, 't'));
    expect(await checkHostModel(model)).toBeNull();
    const short = { ...model, weights: { ...model.weights, read: async () => new Float32Array(1) } };
    expect(await checkHostModel(short)).toMatch(/^weight model\.embed_tokens\.weight holds 1 values for \[258,64\]/);
    const corpus = { languages: ['en', 'de'], tuples: [{ en: 'Hello.', de: 'Hallo.' }], ids: ['a'] };
    expect(checkReadReport({ corpus, problems: [] })).toBeNull();
    expect(checkReadReport({ corpus: { ...corpus, tuples: [{ en: 'Hello.' }] }, problems: [] })).toMatch(/tuple 0 has keys en/);
    expect(checkReadReport({ corpus: { ...corpus, tuples: [{ en: 'Hello.', de: 'a\tb' }] }, problems: [] })).toMatch(/tuple 0, de/);
    expect(checkReadReport({ corpus: { ...corpus, ids: [] }, problems: [] })).toMatch(/ids: 0 for 1 tuples/);
  });
});

describe('memory', () => {
  it('the per-case peak sees an allocation that was touched and dropped before the case ended', () => {
    const meter = new PeakMeter();
    // The test machines run Linux, which resets the high-water mark per case (the fallback elsewhere cannot isolate one case).
    expect(meter.method).toBe('hwm-reset');
    meter.begin();
    let a: Uint8Array | null = new Uint8Array(96 * 2 ** 20).fill(1);
    const sum = a[12345];
    a = null;
    expect(sum).toBe(1);
    expect(meter.peakGrowth()).toBeGreaterThan(90 * 2 ** 20);
    meter.begin();
    expect(meter.peakGrowth()).toBeLessThan(16 * 2 ** 20);
  });
});

describe('supervisor', () => {
  it('kills a case stuck in a synchronous loop, records one that kills its process, and resumes after each', async () => {
    // A child speaking src/fuzz/child.ts's protocol: case 2 never returns, case 4 exits mid-case.
    const script = join(mkdtempSync(join(tmpdir(), 'fuzz-supervisor-')), 'child.mjs');
    writeFileSync(
      script,
      `const job = JSON.parse(process.argv[2]);
       const send = (m) => new Promise((r) => process.send(m, undefined, {}, r));
       await send({ type: 'ready', meter: 'hwm-reset', heapUsed: 0 });
       for (let i = job.from; i < job.to; i++) {
         if (i === 2) for (;;) {}
         if (i === 4) { console.error('simulated abort'); process.exit(134); }
         await send({ type: 'result', result: { index: i, seed: 's', what: 'w', outcome: { kind: 'loaded' }, ms: 1, peakBytes: 0, heldBytes: 0 } });
       }
       await send({ type: 'end' });
       process.disconnect();`,
    );
    const results: CaseResult[] = [];
    const t0 = performance.now();
    await supervise({ format: 'tsv', seed: 1, from: 0, to: 6, timeMs: 300, memoryBytes: 1 }, { script, execArgv: [], heapMiB: 64, graceMs: 200 }, (r) => results.push(r));
    expect(results.map((r) => [r.index, outcomeKey(r.outcome)])).toEqual([
      [0, 'loaded'],
      [1, 'loaded'],
      [2, 'FAIL hang'],
      [3, 'loaded'],
      [4, 'FAIL crash'],
      [5, 'loaded'],
    ]);
    expect(JSON.stringify(results[4].outcome)).toMatch(/exit 134.*simulated abort/);
    expect(performance.now() - t0).toBeLessThan(15_000);
  }, 30_000);
});
