import { describe, expect, it } from 'vitest';
import { analyzeAlignment, type AnalyzeInput } from './analyze';
import { alignmentMetrics, cpuSimilarity } from './metrics';
import { bootstrapInterval } from './bootstrap';
import { permutationNull } from './baselines';
import { gaussian, parallelPair } from './test-data';

/** Three languages and two layers: layer 0 noisy, layer 1 well aligned; "xx" is unrelated noise. */
function input(n: number, C: number): AnalyzeInput {
  const noisy = parallelPair(n, C, 2, 1);
  const clean = parallelPair(n, C, 0.3, 2);
  const unrelated = [Float32Array.from(gaussian(n * C, 3)), Float32Array.from(gaussian(n * C, 4))];
  return {
    languages: ['en', 'de', 'xx'],
    layers: [0, 4],
    vectors: new Map([
      ['en', [noisy.X, clean.X]],
      ['de', [noisy.Y, clean.Y]],
      ['xx', unrelated],
    ]),
    dim: C,
  };
}

describe('analyzeAlignment (CPU)', () => {
  const n = 60;
  const C = 16;
  const data = input(n, C);

  it('one row per layer and language pair, each equal to the pairwise metrics', async () => {
    const progress: number[] = [];
    const rows = await analyzeAlignment(data, { resamples: 200, seed: 5, onProgress: (d) => progress.push(d) });
    expect(progress).toEqual([1, 2]);
    expect(rows.map((r) => `${r.layer}:${r.a}-${r.b}`)).toEqual(['0:en-de', '0:en-xx', '0:de-xx', '4:en-de', '4:en-xx', '4:de-xx']);
    for (const r of rows) {
      const t = data.layers.indexOf(r.layer);
      const X = data.vectors.get(r.a)![t];
      const Y = data.vectors.get(r.b)![t];
      const m = alignmentMetrics(X, Y, n, C, { centre: true });
      expect(r.lac).toBe(m.lac);
      expect(r.mexa).toBe(m.mexa);
      expect(r.p1AtoB).toBe(m.p1AtoB);
      expect(r.p1BtoA).toBe(m.p1BtoA);
      expect(r.meanCosine).toBe(m.meanCosine);
      expect(r.meanOffdiag).toBe(m.meanOffdiag);
      expect(r.alignment).toBe(m.alignment);
      const ci = bootstrapInterval(cpuSimilarity(X, Y, n, C, { centre: true }), n, 'lac', { resamples: 200, seed: 5 });
      expect([r.lacLow, r.lacHigh]).toEqual([ci.low, ci.high]);
      expect(r.lacLow).toBeLessThanOrEqual(r.lac);
      expect(r.lacHigh).toBeGreaterThanOrEqual(r.lac);
      const band = permutationNull(cpuSimilarity(X, Y, n, C, { centre: true }), n, { resamples: 200, seed: 5 });
      expect([r.nullLow, r.nullHigh]).toEqual([band.low, band.high]);
      expect(r.nullLow).toBeLessThan(0);
      expect(r.nullHigh).toBeGreaterThan(0);
    }
    const en = (layer: number, b: string) => rows.find((r) => r.layer === layer && r.a === 'en' && r.b === b)!;
    expect(en(4, 'de').lac).toBeGreaterThan(en(0, 'de').lac);
    expect(en(4, 'de').lacLow).toBeGreaterThan(en(0, 'de').lacHigh); // clearly separated
    expect(Math.abs(en(4, 'xx').lac)).toBeLessThan(0.1);
    // Aligned languages lie far above the null band; unrelated noise inside it.
    expect(en(4, 'de').lac).toBeGreaterThan(en(4, 'de').nullHigh);
    expect(en(4, 'xx').lac).toBeGreaterThan(en(4, 'xx').nullLow - 0.05);
    expect(en(4, 'xx').lac).toBeLessThan(en(4, 'xx').nullHigh + 0.05);
  });

  it('honours centre: false and resamples: 0', async () => {
    const rows = await analyzeAlignment(data, { centre: false, resamples: 0 });
    const m = alignmentMetrics(data.vectors.get('en')![0], data.vectors.get('de')![0], n, C, { centre: false });
    expect(rows[0].lac).toBe(m.lac);
    expect(rows[0].lacLow).toBeNaN();
    expect(rows[0].lacHigh).toBeNaN();
    expect(rows[0].nullLow).toBeNaN();
  });

  it('fewer than two languages give no rows', async () => {
    expect(await analyzeAlignment({ ...data, languages: ['en'] })).toEqual([]);
  });

  it('names what is wrong with the input', async () => {
    await expect(analyzeAlignment({ ...data, languages: ['en', 'fr'] })).rejects.toThrow(/No embeddings for language "fr"/);
    await expect(analyzeAlignment({ ...data, layers: [0] })).rejects.toThrow(/vectors for 2 layers; 1 layers/);
    await expect(analyzeAlignment({ ...data, dim: 7 })).rejects.toThrow(/whole number of 7-vectors/);
    const short = new Map(data.vectors);
    short.set('de', [data.vectors.get('de')![0].subarray(0, (n - 1) * C), data.vectors.get('de')![1]]);
    await expect(analyzeAlignment({ ...data, vectors: short })).rejects.toThrow(/59 sentences, but 60 elsewhere/);
    await expect(analyzeAlignment({ ...data, languages: ['en', 'en'] })).rejects.toThrow(/distinct/);
  });
});
