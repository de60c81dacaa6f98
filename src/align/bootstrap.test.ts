import { describe, expect, it } from 'vitest';
import { Rng } from '../train/rng';
import { bootstrapInterval, quantile } from './bootstrap';
import { cpuSimilarity, metricsFromSimilarity, type AlignmentMetricName } from './metrics';
import { parallelPair, permuteRows } from './test-data';

function similarity(n: number, C: number, noise: number, seed: number): Float64Array {
  const { X, Y } = parallelPair(n, C, noise, seed);
  return cpuSimilarity(X, Y, n, C, { centre: true });
}

describe('bootstrapInterval', () => {
  const n = 150;
  const S = similarity(n, 32, 1.5, 12);

  it('is reproducible by seed and changes with it', () => {
    const a = bootstrapInterval(S, n, 'lac', { seed: 3 });
    const b = bootstrapInterval(S, n, 'lac', { seed: 3 });
    const c = bootstrapInterval(S, n, 'lac', { seed: 4 });
    expect(b).toEqual(a);
    expect(c.low).not.toBe(a.low);
    expect(c.estimate).toBe(a.estimate);
  });

  const metrics: AlignmentMetricName[] = ['lac', 'mexa', 'p1AtoB', 'p1BtoA', 'meanCosine', 'meanOffdiag', 'alignment'];
  for (const metric of metrics) {
    it(`${metric}: the interval contains the full-sample estimate`, () => {
      const ci = bootstrapInterval(S, n, metric, { resamples: 400, seed: 1 });
      expect(ci.estimate).toBe(metricsFromSimilarity(S, n)[metric]);
      expect(ci.valid).toBe(400);
      expect(ci.low).toBeLessThanOrEqual(ci.estimate);
      expect(ci.high).toBeGreaterThanOrEqual(ci.estimate);
      expect(ci.high).toBeGreaterThan(ci.low);
    });
  }

  it('defaults to 1000 resamples at 95%; a lower level gives a nested, narrower interval', () => {
    const t0 = performance.now();
    const wide = bootstrapInterval(S, n, 'lac', { seed: 9 });
    const ms = performance.now() - t0;
    const narrow = bootstrapInterval(S, n, 'lac', { seed: 9, level: 0.5 });
    console.log(`LAC ${wide.estimate.toFixed(4)} 95% [${wide.low.toFixed(4)}, ${wide.high.toFixed(4)}] 50% [${narrow.low.toFixed(4)}, ${narrow.high.toFixed(4)}] (n=${n}, 1000 resamples, ${ms.toFixed(0)} ms)`);
    expect(wide.valid).toBe(1000);
    expect(narrow.low).toBeGreaterThan(wide.low);
    expect(narrow.high).toBeLessThan(wide.high);
  });

  it('is narrower for more sentences', () => {
    const small = bootstrapInterval(similarity(60, 32, 1.5, 12), 60, 'lac', { resamples: 300 });
    const large = bootstrapInterval(similarity(480, 32, 1.5, 12), 480, 'lac', { resamples: 300 });
    expect(large.high - large.low).toBeLessThan(0.7 * (small.high - small.low));
  });

  it('identical languages give the degenerate interval [1, 1]', () => {
    const { X } = parallelPair(40, 8, 0, 2);
    const S1 = cpuSimilarity(X, X, 40, 8, { centre: true });
    for (const metric of ['lac', 'mexa', 'p1AtoB'] as const) {
      const ci = bootstrapInterval(S1, 40, metric, { resamples: 100 });
      expect(ci.low).toBeCloseTo(1, 12);
      expect(ci.high).toBeCloseTo(1, 12);
    }
  });

  it('a permuted pair at n = 500 has an interval around 0', () => {
    const N = 500;
    const C = 64;
    const { X } = parallelPair(N, C, 0, 7);
    const perm = new Rng(11).shuffle(Array.from({ length: N }, (_, i) => i));
    const Sp = cpuSimilarity(X, permuteRows(X, C, perm), N, C, { centre: true });
    const t0 = performance.now();
    const ci = bootstrapInterval(Sp, N, 'lac', { seed: 0 });
    console.log(`permuted n=${N}: LAC ${ci.estimate.toExponential(3)} 95% [${ci.low.toExponential(3)}, ${ci.high.toExponential(3)}] (1000 resamples, ${(performance.now() - t0).toFixed(0)} ms)`);
    expect(ci.low).toBeLessThan(0.01);
    expect(ci.high).toBeGreaterThan(0);
    expect(ci.high - ci.low).toBeLessThan(0.05);
  });

  it('rejects bad options', () => {
    expect(() => bootstrapInterval(S, n, 'lac', { resamples: 0 })).toThrow(/resamples/);
    expect(() => bootstrapInterval(S, n, 'lac', { level: 1 })).toThrow(/level/);
  });
});

describe('quantile', () => {
  it('interpolates linearly between order statistics', () => {
    expect(quantile([1, 2, 3, 4, 5], 0.5)).toBe(3);
    expect(quantile([1, 2, 3, 4], 0.5)).toBe(2.5);
    expect(quantile([0, 10], 0.025)).toBeCloseTo(0.25, 14);
    expect(quantile([7], 0.975)).toBe(7);
    expect(quantile([], 0.5)).toBeNaN();
  });
});
