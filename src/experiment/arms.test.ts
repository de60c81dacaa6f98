import { describe, expect, it } from 'vitest';
import { ARMS, armSettings, DEFAULT_EXPERIMENT, englishCentricPairs } from './arms';

const LANGS = ['en', 'zh', 'ja', 'cs', 'uk'];

describe('experiment arms', () => {
  it('share steps, seed, learning rate, batch and pairs, and differ only in the objective', () => {
    const [control, mapping, contrastive] = ARMS.map((a) => armSettings(a, DEFAULT_EXPERIMENT, LANGS, 4));
    for (const s of [control, mapping, contrastive]) {
      expect(s.mode).toEqual({ kind: 'full' });
      expect([s.steps, s.lr, s.seed, s.batchSize]).toEqual([DEFAULT_EXPERIMENT.steps, DEFAULT_EXPERIMENT.lr, DEFAULT_EXPERIMENT.seed, DEFAULT_EXPERIMENT.batchSize]);
      expect(s.pairs).toEqual(englishCentricPairs(LANGS));
    }
    expect([control.ntpFraction, control.lambdaMap, control.contrastive]).toEqual([1, 0, undefined]);
    expect([mapping.ntpFraction, mapping.lambdaMap, mapping.contrastive]).toEqual([0.5, DEFAULT_EXPERIMENT.lambdaMap, undefined]);
    expect([contrastive.ntpFraction, contrastive.lambdaMap]).toEqual([1, 0]);
    expect(contrastive.contrastive).toEqual({ layer: 2, temperature: 0.1, weight: DEFAULT_EXPERIMENT.lambdaCon, pairsPerStep: DEFAULT_EXPERIMENT.batchSize });
  });

  it('pairs English with every other language, so CS-UK and ZH-JA are never trained as pairs', () => {
    expect(englishCentricPairs(LANGS)).toEqual([
      ['en', 'zh'],
      ['en', 'ja'],
      ['en', 'cs'],
      ['en', 'uk'],
    ]);
  });
});
