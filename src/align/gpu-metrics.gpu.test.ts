import { afterAll, describe, expect, it } from 'vitest';
import { testRuntime } from '../test/gpu';
import { analyzeAlignment } from './analyze';
import { bootstrapInterval } from './bootstrap';
import { alignmentOnGpu, bootstrapCounts } from './gpu-metrics';
import { cpuSimilarity, metricsFromSimilarity, preprocess, similarityMatrix, type AlignmentMetrics } from './metrics';
import { gaussian, parallelPair } from './test-data';

const rt = testRuntime();
afterAll(() => rt.destroy());

const TOL = 1e-4;
const KEYS: (keyof AlignmentMetrics)[] = ['lac', 'mexa', 'p1AtoB', 'p1BtoA', 'meanCosine', 'meanOffdiag', 'alignment'];

describe('alignment metrics on the GPU vs the float64 reference', () => {
  // noise: retrieval partly right, so MEXA and P@1 are neither 0 nor 1 (more dimensions need more noise)
  for (const [n, C, noise] of [
    [200, 64, 1.2],
    [37, 130, 3],
  ]) {
    for (const centre of [true, false]) {
      it(`n = ${n}, C = ${C}, centre ${centre}: every metric and the LAC interval within ${TOL}`, async () => {
        const { X, Y } = parallelPair(n, C, noise, n + C);
        const mats = [X, Y].map((V) => Float32Array.from(preprocess(V, n, C, { centre })));
        const [gpu] = await alignmentOnGpu(rt, mats, [[0, 1]], n, C, { resamples: 300, seed: 4 });
        const S = cpuSimilarity(X, Y, n, C, { centre });
        const ref = metricsFromSimilarity(S, n);
        const ci = bootstrapInterval(S, n, 'lac', { resamples: 300, seed: 4 });
        console.log(
          `n=${n} C=${C} centre=${centre}: ` +
            KEYS.map((k) => `${k} ${gpu.metrics[k].toFixed(4)} (Δ ${Math.abs(gpu.metrics[k] - ref[k]).toExponential(1)})`).join(', ') +
            `; interval [${gpu.lac.low.toFixed(4)}, ${gpu.lac.high.toFixed(4)}] vs [${ci.low.toFixed(4)}, ${ci.high.toFixed(4)}]`,
        );
        for (const k of KEYS) expect(Math.abs(gpu.metrics[k] - ref[k]), k).toBeLessThan(TOL);
        expect(Math.abs(gpu.lac.low - ci.low)).toBeLessThan(TOL);
        expect(Math.abs(gpu.lac.high - ci.high)).toBeLessThan(TOL);
        expect(gpu.lac.valid).toBe(ci.valid);
        expect(ref.p1AtoB).toBeGreaterThan(0.05);
        expect(ref.p1AtoB).toBeLessThan(1);
      });
    }
  }

  it('the same draws as the CPU bootstrap, several pairs in order, and no buffer stays live', async () => {
    const n = 33;
    const C = 20;
    const mats = [1, 2, 3].map((s) => Float32Array.from(preprocess(gaussian(n * C, s), n, C, { centre: true })));
    const pairs: [number, number][] = [
      [0, 1],
      [2, 0],
      [1, 1],
    ];
    const live = await rt.run(async (ctx) => ctx.pool.stats().liveBytes);
    const got = await alignmentOnGpu(rt, mats, pairs, n, C, { resamples: 50, seed: 1 });
    pairs.forEach(([a, b], p) => {
      const S = similarityMatrix(mats[a], mats[b], n, C);
      expect(Math.abs(got[p].metrics.lac - metricsFromSimilarity(S, n).lac)).toBeLessThan(TOL);
    });
    expect(got[2].metrics.p1AtoB).toBe(1); // a language against itself retrieves every sentence
    expect(bootstrapCounts(n, 2, 1)[0].reduce((a, b) => a + b, 0)).toBe(n);
    expect(await rt.run(async (ctx) => ctx.pool.stats().liveBytes)).toBe(live);
  });

  it('analyzeAlignment with a runtime matches the CPU path', async () => {
    const n = 80;
    const C = 24;
    const a = parallelPair(n, C, 1, 1);
    const b = parallelPair(n, C, 0.5, 2);
    const input = {
      languages: ['en', 'de', 'cs'],
      layers: [3, 7],
      vectors: new Map([
        ['en', [a.X, b.X]],
        ['de', [a.Y, b.Y]],
        ['cs', [Float32Array.from(gaussian(n * C, 9)), b.X.map((v, i) => v + 0.3 * Math.sin(i))]],
      ]),
      dim: C,
    };
    const cpu = await analyzeAlignment(input, { resamples: 200 });
    const gpu = await analyzeAlignment(input, { resamples: 200, runtime: rt });
    expect(gpu.length).toBe(6);
    gpu.forEach((g, i) => {
      const c = cpu[i];
      expect([g.layer, g.a, g.b]).toEqual([c.layer, c.a, c.b]);
      for (const k of ['lac', 'lacLow', 'lacHigh', ...KEYS] as const) expect(Math.abs(g[k] - c[k]), `${g.layer} ${g.a}-${g.b} ${k}`).toBeLessThan(TOL);
    });
  });
});
