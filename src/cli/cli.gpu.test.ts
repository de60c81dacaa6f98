// The CLI as a user runs it: `npx alignscope ...` is bin/alignscope.mjs, a real Node process on Dawn.

import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const BIN = new URL('../../bin/alignscope.mjs', import.meta.url).pathname;
const cli = (...args: string[]) => run(process.execPath, [BIN, ...args], { timeout: 120_000, maxBuffer: 64 << 20 });

describe('npx alignscope', () => {
  it('generate --json: a deterministic greedy continuation', async () => {
    const a = JSON.parse((await cli('generate', '--model', 'random:1', '--max-new-tokens', '8', '--json', 'Hello')).stdout);
    const b = JSON.parse((await cli('generate', '--model', 'random:1', '--max-new-tokens', '8', '--json', 'Hello')).stdout);
    expect(a.prompt).toBe('Hello');
    expect(a.tokens).toHaveLength(8);
    expect(b.tokens).toEqual(a.tokens);
    // On WebGPU the result says where its speed stands: decode against the measured copy bandwidth.
    expect(a.timing.decodeSteps).toBe(7);
    expect(a.roofline.copyGbps).toBeGreaterThan(0);
    expect(a.roofline.bandwidthFraction).toBeCloseTo(a.roofline.decodeGbps / a.roofline.copyGbps, 9);
  });

  it('--backend cpu: generate gives the WebGPU tokens; a bad backend is a usage error', async () => {
    const args = ['generate', '--model', 'random:1', '--quant', 'q4', '--max-new-tokens', '8', '--json', 'Hello'];
    const gpu = JSON.parse((await cli(...args)).stdout);
    const cpu = JSON.parse((await cli(...args, '--backend', 'cpu')).stdout);
    expect(cpu.tokens).toHaveLength(8);
    expect(cpu.tokens).toEqual(gpu.tokens);
    expect(cpu.roofline).toBeNull(); // the roofline is measured on WebGPU only
    const bad = await cli(...args, '--backend', 'tpu').then(() => null, (e: { code: number; stderr: string }) => e);
    expect(bad?.code).toBe(2);
    expect(bad?.stderr).toMatch(/--backend must be webgpu, cpu or auto/);
  });

  it('embed --json: one vector per sentence per requested layer', async () => {
    const out = JSON.parse((await cli('embed', '--model', 'random:2', '--layers', '0,2', '--pooling', 'last', '--json', 'The cat sleeps.', 'Kočka spí.')).stdout);
    expect(out.dim).toBe(64);
    expect(Object.keys(out.layers)).toEqual(['0', '2']);
    expect(out.layers['2']).toHaveLength(2);
    expect(out.layers['2'][1]).toHaveLength(64);
  });

  it('analyze says the quantization (f32 unless given, as in the app) and pooling it used, and prints the baselines', async () => {
    const args = ['analyze', '--model', 'random:1', '--data', 'public/data/sample.tsv', '--langs', 'en,cs,uk', '--layers', '1', '--split', 'all', '--resamples', '50'];
    const text = (await cli(...args)).stdout;
    expect(text).toMatch(/\(f32\): \d+ all tuples, mean pooling, centred/);
    expect(text).toMatch(/chance P@1 = 1\/\d+/);
    expect(text).toMatch(/^cs-uk\s+-?\d\.\d{3}/m);
    const out = JSON.parse((await cli(...args, '--json', '--quant', 'q8')).stdout);
    expect(out.quant).toBe('q8');
    expect(out.pooling).toBe('mean');
    expect(out.chanceP1).toBeCloseTo(1 / out.n, 12);
    expect(out.surface.map((r: { a: string; b: string }) => `${r.a}-${r.b}`)).toEqual(['en-cs', 'en-uk', 'cs-uk']);
    for (const r of out.rows) expect(r.nullLow < 0 && r.nullHigh > 0).toBe(true);
    expect(out.sentences).toBeUndefined();
  });

  it('perplexity --json: per language perplexity, tokens, characters and bits per character, each sentence alone', async () => {
    const out = JSON.parse((await cli('perplexity', '--model', 'random:1', '--data', 'public/data/sample.tsv', '--langs', 'en,zh', '--split', 'all', '--backend', 'cpu', '--json')).stdout);
    expect(Object.keys(out.languages)).toEqual(['en', 'zh']);
    const sample = readFileSync('public/data/sample.tsv', 'utf8').split('\n').filter((l) => l && !l.startsWith('#')).slice(1).map((l) => l.split('\t'));
    const zhChars = sample.reduce((n, cells) => n + [...cells[2]].length, 0);
    const zh = out.languages.zh;
    expect(zh.characters).toBe(zhChars);
    expect(zh.tokens).toBeGreaterThan(zh.characters); // a byte-level model: more tokens than CJK characters
    expect(zh.bitsPerCharacter).toBeCloseTo((Math.log(zh.perplexity) * zh.tokens) / Math.LN2 / zh.characters, 9);
    expect(out.languages.en.perplexity).toBeGreaterThan(1);
  });

  it('train (the CPU route unless told) writes a JSONL log of evaluations and steps, the same losses as --backend webgpu; a bad option is a usage error (exit 2)', async () => {
    const logged = async (...extra: string[]) => {
      const log = join(mkdtempSync(join(tmpdir(), 'alignscope-cli-')), 'train.jsonl');
      await cli('train', '--model', 'random:1', '--data', 'public/data/sample.tsv', '--pairs', 'en-cs', '--mode', 'full', '--steps', '3', '--eval-every', '3', '--log', log, ...extra);
      return readFileSync(log, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    };
    const lines = await logged();
    expect(lines.map((l) => `${l.kind}${l.step}`)).toEqual(['eval0', 'step1', 'step2', 'step3', 'eval3']);
    for (const l of lines.filter((x) => x.kind === 'step')) expect(Number.isFinite(l.loss) && l.lossMap > 0 && l.tokensPerSecond > 0).toBe(true);
    const gpu = await logged('--backend', 'webgpu');
    lines.forEach((l, i) => expect(Math.abs(l.lossMap - gpu[i].lossMap) / gpu[i].lossMap, `${l.kind}${l.step}`).toBeLessThanOrEqual(1e-3));
    const bad = await cli('train', '--model', 'random:1', '--data', 'public/data/sample.tsv', '--mode', 'half').catch((e: { code: number; stderr: string }) => e);
    expect((bad as { code: number }).code).toBe(2);
    expect((bad as { stderr: string }).stderr).toMatch(/--mode must be full or lora/);
  });
});
