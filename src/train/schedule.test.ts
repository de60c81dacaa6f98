import { describe, expect, it } from 'vitest';
import { TrainConfigError } from '../errors';
import { learningRate, type LrSchedule } from './schedule';

const S: LrSchedule = { lr: 1e-3, warmupSteps: 10, totalSteps: 110, minLr: 1e-4 };

describe('learningRate: linear warmup, cosine decay', () => {
  it('hits the endpoints: lr/W at step 1, lr at step W, the midpoint halfway, minLr at the last step and after', () => {
    expect(learningRate(1, S)).toBeCloseTo(1e-4, 15);
    expect(learningRate(5, S)).toBeCloseTo(5e-4, 15);
    expect(learningRate(10, S)).toBe(1e-3);
    expect(learningRate(60, S)).toBeCloseTo((1e-3 + 1e-4) / 2, 15);
    expect(learningRate(110, S)).toBe(1e-4);
    expect(learningRate(500, S)).toBe(1e-4);
  });

  it('rises strictly during warmup and falls strictly during decay', () => {
    const lrs = Array.from({ length: 110 }, (_, i) => learningRate(i + 1, S));
    for (let i = 1; i < 10; i++) expect(lrs[i]).toBeGreaterThan(lrs[i - 1]);
    for (let i = 10; i < 110; i++) expect(lrs[i]).toBeLessThan(lrs[i - 1]);
    for (const x of lrs) expect(x >= 1e-4 - 1e-18 && x <= 1e-3).toBe(true);
  });

  it('without warmup starts just below lr; with warmup = totalSteps it is linear all the way', () => {
    const noWarm = { ...S, warmupSteps: 0 };
    expect(learningRate(1, noWarm)).toBeLessThan(1e-3);
    expect(learningRate(1, noWarm)).toBeGreaterThan(0.999e-3);
    expect(learningRate(110, { ...S, warmupSteps: 110 })).toBe(1e-3);
    expect(learningRate(1, { lr: 2, warmupSteps: 0, totalSteps: 1, minLr: 0 })).toBe(0);
  });

  it('refuses settings that cannot make a schedule, and steps that are not 1-based', () => {
    expect(() => learningRate(1, { ...S, minLr: 2e-3 })).toThrow(TrainConfigError);
    expect(() => learningRate(1, { ...S, warmupSteps: 200 })).toThrow(/warmupSteps/);
    expect(() => learningRate(1, { ...S, totalSteps: 0 })).toThrow(/totalSteps/);
    expect(() => learningRate(1, { ...S, lr: NaN })).toThrow(/lr/);
    expect(() => learningRate(0, S)).toThrow(RangeError);
  });
});
