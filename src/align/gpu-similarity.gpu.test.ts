import { afterAll, describe, expect, it } from 'vitest';
import { compare } from '../reference/compare';
import { testRuntime } from '../test/gpu';
import { analyzeAlignment } from './analyze';
import { similaritiesOnGpu, similarityOnGpu } from './gpu-similarity';
import { cpuSimilarity, metricsFromSimilarity, type AlignmentMetrics } from './metrics';
import { gaussian, parallelPair } from './test-data';

const rt = testRuntime();
afterAll(() => rt.destroy());

const TOL = 1e-4;
const KEYS: (keyof AlignmentMetrics)[] = ['lac', 'mexa', 'p1AtoB', 'p1BtoA', 'meanCosine', 'meanOffdiag', 'alignment'];

describe('similarity on the GPU vs the float64 reference', () => {
  // noise: retrieval partly right, so MEXA and P@1 are neither 0 nor 1 (more dimensions need more noise)
  for (const [n, C, noise] of [
    [200, 64, 1.2],
    [37, 130, 3],
  ]) {
    for (const centre of [true, false]) {
      it(`n = ${n}, C = ${C}, centre ${centre}: S and every metric within ${TOL}`, async () => {
        const { X, Y } = parallelPair(n, C, noise, n + C);
        const gpu = await similarityOnGpu(rt, X, Y, n, C, { centre });
        const S = cpuSimilarity(X, Y, n, C, { centre });
        const d = compare(gpu.S, S);
        const ref = metricsFromSimilarity(S, n);
        console.log(
          `n=${n} C=${C} centre=${centre}: S max abs ${d.maxAbs.toExponential(2)}; ` +
            KEYS.map((k) => `${k} ${gpu.metrics[k].toFixed(4)} (Δ ${Math.abs(gpu.metrics[k] - ref[k]).toExponential(1)})`).join(', '),
        );
        expect(d.maxAbs).toBeLessThan(TOL);
        for (const k of KEYS) expect(Math.abs(gpu.metrics[k] - ref[k]), k).toBeLessThan(TOL);
        expect(ref.p1AtoB).toBeGreaterThan(0.05);
        expect(ref.p1AtoB).toBeLessThan(1);
      });
    }
  }

  it('several pairs over shared uploads come back in order, and no buffer stays live', async () => {
    const n = 33;
    const C = 20;
    const mats = [1, 2, 3].map((s) => Float32Array.from(gaussian(n * C, s)));
    const pairs: [number, number][] = [
      [0, 1],
      [2, 0],
      [1, 1],
    ];
    const live = await rt.run(async (ctx) => ctx.pool.stats().liveBytes);
    const got = await similaritiesOnGpu(rt, mats, pairs, n, C);
    pairs.forEach(([a, b], p) => {
      const ref = new Float64Array(n * n);
      for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) for (let c = 0; c < C; c++) ref[i * n + j] += mats[a][i * C + c] * mats[b][j * C + c];
      expect(compare(got[p], ref).maxRel).toBeLessThan(1e-5);
    });
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
