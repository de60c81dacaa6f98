import { describe, expect, it } from 'vitest';
import { DEFAULT_EXPERIMENT } from './arms';
import type { ModelEval } from './evaluate';
import { presetExpectation } from './expectation';
import type { ExperimentResult } from './report';

/** LAC `lac` ± 0.05 at every layer for the four report pairs, chrF `chrf`. */
function model(lac: number, chrf: number): ModelEval {
  return {
    n: 105,
    lac: ['en-zh', 'en-cs', 'cs-uk', 'zh-ja'].map((pair) => ({ pair, perLayer: [0, 1, 2, 3, 4, 5, 6].map((layer) => ({ layer, lac, low: lac - 0.05, high: lac + 0.05, p1: 0 })) })),
    translation: [{ src: 'en', tgt: 'zh', chrf, bleu: 0, samples: [] }],
    perplexity: {},
  };
}

function result(mappingLac: number): ExperimentResult {
  const loss = (before: number, after: number) => ({ before: { ntp: 4, map: before }, after: { ntp: 4, map: after } });
  const everyday = { base: model(0.2, 1), control: model(0.21, 1.5), mapping: model(mappingLac, 12.3), contrastive: model(0.5, 2) };
  return {
    config: DEFAULT_EXPERIMENT,
    tokens: { control: 0, mapping: 0, contrastive: 0 },
    minutes: 0,
    trainMinutes: { control: 0, mapping: 0, contrastive: 0 },
    adapter: '',
    trainPairs: [],
    trainData: '',
    evals: { everyday, software: everyday },
    finalLoss: { control: { ntp: 0, map: 0, con: 0 }, mapping: { ntp: 0, map: 0, con: 0 }, contrastive: { ntp: 0, map: 0, con: 0 } },
    heldOut: { control: loss(5, 4.9), mapping: loss(5, 3.1), contrastive: loss(5, 5) },
    curves: { control: [], mapping: [], contrastive: [] },
  };
}

describe('presetExpectation', () => {
  it('gives the measured mapping loss, the middle-layer LAC of every arm and chrF', () => {
    const text = presetExpectation(result(0.23)).join(' ');
    expect(text).toContain('fell from 5.00 to 3.10 with the mapping task, against 4.90 for continued NTP alone');
    expect(text).toContain('LAC at layer 3, base → mapping: EN–ZH 0.20 → 0.23 [0.18, 0.28] (control 0.21, contrastive 0.50, above control but inside the intervals)');
    expect(text).toContain('en→zh 1.0 → 12.3');
  });

  it('says when mapping is not above control, or clears it beyond both intervals', () => {
    expect(presetExpectation(result(0.2)).join(' ')).toContain('not above control');
    expect(presetExpectation(result(0.4)).join(' ')).toContain('above control beyond both intervals');
  });
});
