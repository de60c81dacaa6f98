// Backend parity on the shipped default model (public/models/alignscope-tiny, q4 as shipped): the CPU
// route and the WebGPU route, each behind its own Engine, give the same logits and hidden states
// (<= 1e-4 abs), the same embeddings and perplexity, the same generated tokens, and the same analysis
// (every LAC, MEXA and P@1 within 1e-3) on a slice of the test split; the CPU route gives identical
// bits on 1, 2 and 4 threads. LoRA training on the q4 base gives the same losses on both routes.

import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dirFiles } from '../cli/dir-source';
import { readTsv } from '../data/tsv';
import { splitCorpus } from '../data/splits';
import { nodeGpu } from '../gpu/node-gpu';
import { compare } from '../reference/compare';
import { defaultTrainSettings } from '../train/defaults';
import { Engine } from './engine';
import type { GenerateResult } from '../model/loaded-model';
import type { AnalyzeRequest } from './analysis';

const DIR = new URL('../../public/models/alignscope-tiny/', import.meta.url).pathname;
const shipped = { kind: 'dir', path: DIR } as const;
const resolveSource = () => dirFiles(DIR);
const gpu = new Engine(() => nodeGpu(), { resolveSource });
const cpus = { 1: new Engine(() => undefined, { resolveSource, cpuThreads: 1 }), 2: new Engine(() => undefined, { resolveSource, cpuThreads: 2 }), 4: new Engine(() => undefined, { resolveSource, cpuThreads: 4 }) };
const cpu = cpus[2];
const all = [gpu, ...Object.values(cpus)];
afterAll(() => all.forEach((e) => e.dispose()));

const { corpus } = readTsv(readFileSync(new URL('../../public/data/corpus.tsv', import.meta.url), 'utf8'), 'corpus.tsv');
const test = splitCorpus(corpus, { train: 0.7, dev: 0.1, test: 0.2 }, 0).test.slice(0, 24).map((i) => corpus.tuples[i]);
const sentences = ['The children are playing outside.', '孩子们在外面玩。', 'Děti si hrají venku.'];

function expectClose(got: ArrayLike<number>, ref: ArrayLike<number>, tol: number, what: string) {
  const d = compare(got, ref);
  console.log(`${what}: max abs ${d.maxAbs.toExponential(2)} (rel ${d.maxRel.toExponential(2)})`);
  expect(d.maxAbs).toBeLessThanOrEqual(tol);
}

beforeAll(async () => {
  const gpuInfo = await gpu.loadModel(shipped, { quant: 'q4', backend: 'webgpu' });
  expect(gpuInfo.backend).toBe('webgpu');
  for (const [n, e] of Object.entries(cpus)) {
    const info = await e.loadModel(shipped, { quant: 'q4', backend: 'cpu' });
    expect(info.backend).toBe('cpu');
    expect(info.backendNote).toContain(`${n} thread`);
    expect(info.gpuBytes).toBeLessThan(info.parameters * 4); // linears stay packed in the wasm memory
  }
});

describe('CPU route vs WebGPU route on the shipped model (q4)', () => {
  it('logits and every hidden state of a padded batch agree within 1e-4; the CPU route is bit-identical on 1, 2, 4 threads', async () => {
    const ids = await Promise.all(sentences.map(async (s) => (await gpu.tokenize(s)).ids));
    const layers = [0, 1, 2, 3, 4];
    const g = await gpu.forward(ids, { hiddenLayers: layers });
    const [c, ...others] = await Promise.all([cpus[2], cpus[1], cpus[4]].map((e) => e.forward(ids, { hiddenLayers: layers })));
    ids.forEach((_, b) => {
      expectClose(c.logits[b], g.logits[b], 1e-4, `sentence ${b} logits`);
      for (const l of layers) expectClose(c.hidden.get(l)![b], g.hidden.get(l)![b], 1e-4, `sentence ${b} hidden_states.${l}`);
    });
    for (const o of others) {
      o.logits.forEach((l, b) => expect(new Uint32Array(l.buffer)).toEqual(new Uint32Array(c.logits[b].buffer)));
      for (const l of layers) o.hidden.get(l)!.forEach((h, b) => expect(new Uint32Array(h.buffer)).toEqual(new Uint32Array(c.hidden.get(l)![b].buffer)));
    }
  });

  it('generation: the same tokens, greedy and sampled (top-k 20, temperature 0.8)', async () => {
    for (const opts of [{ maxNewTokens: 24 }, { maxNewTokens: 24, temperature: 0.8, topK: 20, seed: 2 }]) {
      // Several prompts: the model ends sentences (EOS), so one prompt may give only a few tokens.
      let generated = 0;
      for (const prompt of ['The children are', 'Open the file and', 'Der Computer']) {
        // Everything but the wall-clock times (and WebGPU's roofline) must agree, the step counts included.
        const output = ({ text, tokens, stopped, timing }: GenerateResult) => ({ text, tokens, stopped, steps: [timing.promptTokens, timing.decodeSteps, timing.finalPast] });
        const g = output(await gpu.generate(prompt, opts));
        const c = output(await cpu.generate(prompt, opts));
        console.log(`generate ${JSON.stringify(opts)}: ${JSON.stringify(prompt + c.text)} (${c.stopped})`);
        expect(c).toEqual(g);
        expect(output(await cpus[4].generate(prompt, opts))).toEqual(c);
        generated += c.tokens.length;
      }
      expect(generated).toBeGreaterThanOrEqual(15); // long enough for a divergence to show
    }
  });

  it('embeddings (mean and last pooling) within 1e-4 and perplexity within 1e-5 relative', async () => {
    for (const pooling of ['mean', 'last'] as const) {
      const g = await gpu.embed(sentences, { layers: [0, 2, 4], pooling });
      const c = await cpu.embed(sentences, { layers: [0, 2, 4], pooling });
      g.vectors.forEach((v, i) => expectClose(c.vectors[i], v, 1e-4, `embed ${pooling} layer ${g.layers[i]}`));
    }
    const pg = await gpu.perplexity(sentences, 'current');
    const pc = await cpu.perplexity(sentences, 'current');
    console.log(`perplexity: webgpu ${pg.perplexity}, cpu ${pc.perplexity}`);
    expect(pc.tokens).toBe(pg.tokens);
    expect(Math.abs(pc.perplexity / pg.perplexity - 1)).toBeLessThanOrEqual(1e-5);
  });

  it(`analyze on ${test.length} test tuples: every LAC, MEXA and P@1 within 1e-3, identical on 1, 2, 4 threads`, async () => {
    const req: AnalyzeRequest = { tuples: test, languages: ['en', 'zh', 'cs'], layers: 'all', pooling: 'mean', centre: true, resamples: 100, seed: 0 };
    const g = await gpu.analyze(req);
    const c = await cpu.analyze(req);
    expect(c.rows.map((r) => `${r.layer}:${r.a}-${r.b}`)).toEqual(g.rows.map((r) => `${r.layer}:${r.a}-${r.b}`));
    let worst = 0;
    c.rows.forEach((r, i) => {
      for (const k of ['lac', 'mexa', 'p1AtoB', 'p1BtoA'] as const) {
        worst = Math.max(worst, Math.abs(r[k] - g.rows[i][k]));
        expect(Math.abs(r[k] - g.rows[i][k]), `${r.layer}:${r.a}-${r.b} ${k}`).toBeLessThanOrEqual(1e-3);
      }
    });
    console.log(`analyze: ${c.rows.length} rows, max |cpu - webgpu| over LAC, MEXA, P@1 ${worst.toExponential(2)}`);
    for (const e of [cpus[1], cpus[4]]) expect((await e.analyze(req)).rows).toEqual(c.rows);
  });

  it("'auto' takes the CPU route on a software adapter and WebGPU on a real one", async () => {
    const report = await gpu.init();
    const e = new Engine(() => nodeGpu(), { resolveSource, cpuThreads: 1 });
    all.push(e);
    const info = await e.loadModel(shipped, { quant: 'q4', backend: 'auto' });
    console.log(`auto on ${report.description}: ${info.backendNote}`);
    expect(info.backend).toBe(report.isFallbackAdapter ? 'cpu' : 'webgpu');
    if (report.isFallbackAdapter) expect(info.backendNote).toMatch(/auto: the WebGPU adapter .* is a software fallback/);
  });

  it('LoRA on the q4 base: 3 steps give the same losses on both routes (1e-3 relative)', async () => {
    const settings = { ...defaultTrainSettings({ kind: 'lora', rank: 4, alpha: 8, targets: ['q', 'v'] }, [['en', 'zh']], 3), batchSize: 2, maxLength: 48, evalEvery: 0 };
    const losses = async (e: Engine) => {
      const out: number[] = [];
      const off = e.onEvent((ev) => ev.kind === 'train-steps' && out.push(...ev.steps.map((s) => s.loss)));
      await e.startTraining(settings, { train: test, heldOut: [] });
      expect((await e.trainingSession!.settled()).state).toBe('finished');
      off();
      return out;
    };
    const g = await losses(gpu);
    const c = await losses(cpu);
    console.log(`LoRA q4 losses: cpu ${c.map((l) => l.toFixed(5)).join(' ')}, webgpu ${g.map((l) => l.toFixed(5)).join(' ')}`);
    expect(c.length).toBe(3);
    c.forEach((l, i) => expect(Math.abs(l - g[i]) / g[i]).toBeLessThanOrEqual(1e-3));
  });
});
