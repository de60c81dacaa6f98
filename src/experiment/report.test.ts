import { describe, expect, it } from 'vitest';
import type { ModelEval } from './evaluate';
import { EXPERIMENT_BEGIN, EXPERIMENT_END, experimentMarkdown, spliceSection, type ExperimentResult } from './report';
import { DEFAULT_EXPERIMENT } from './arms';

function fakeEval(shift: number): ModelEval {
  const pairs = ['en-zh', 'en-cs', 'cs-uk', 'zh-ja'];
  return {
    n: 10,
    lac: pairs.map((pair, p) => ({ pair, perLayer: [0, 1, 2].map((layer) => ({ layer, lac: shift + p / 10 + layer / 100, low: shift - 0.05, high: shift + 0.05, p1: 0.1 * layer })) })),
    translation: [{ src: 'en', tgt: 'zh', chrf: 10 + shift, bleu: 1, samples: [] }],
    perplexity: { en: { perplexity: 100 + shift, tokens: 10, characters: 40, bitsPerCharacter: 1.5 + shift }, zh: { perplexity: 200, tokens: 10, characters: 12, bitsPerCharacter: 6 } },
  };
}

const result: ExperimentResult = {
  config: DEFAULT_EXPERIMENT,
  tokens: { control: 1, mapping: 2, contrastive: 3 },
  minutes: 12.3,
  trainMinutes: { control: 3.1, mapping: 3.2, contrastive: 3.3 },
  adapter: 'SwiftShader',
  trainPairs: ['en-zh'],
  trainData: 'the train splits',
  evals: {
    everyday: { base: fakeEval(0), control: fakeEval(0.01), mapping: fakeEval(0.2), contrastive: fakeEval(0.3) },
    software: { base: fakeEval(1), control: fakeEval(1.01), mapping: fakeEval(1.2), contrastive: fakeEval(1.3) },
  },
  curves: {
    control: [0, 50].map((step) => ({ step, pairs: { 'en-zh': { lac: 0.1 + step / 1000, low: 0, high: 0.2 } } })),
    mapping: [0, 50].map((step) => ({ step, pairs: { 'en-zh': { lac: 0.1 + step / 100, low: 0, high: 0.7 } } })),
    contrastive: [0, 50].map((step) => ({ step, pairs: { 'en-zh': { lac: 0.1, low: 0, high: 0.2 } } })),
  },
  finalLoss: { control: { ntp: 1, map: 0, con: 0 }, mapping: { ntp: 1, map: 2, con: 0 }, contrastive: { ntp: 1, map: 0, con: 3 } },
  heldOut: { control: { before: { ntp: 6, map: 7 }, after: { ntp: 5.9, map: 7.1 } }, mapping: { before: { ntp: 6, map: 7 }, after: { ntp: 5.95, map: 6.5 } }, contrastive: { before: { ntp: 6, map: 7 }, after: { ntp: 6, map: 7 } } },
};

describe('experiment report', () => {
  it('writes, for each test split, one LAC row per pair and layer with the four models and their intervals, at the measured values', () => {
    const md = experimentMarkdown(result);
    const [everyday, software] = md.split('### Software corpus');
    expect(everyday).toContain('| en-zh | 1 | 0.010 [-0.050, 0.050] | 0.020 [-0.040, 0.060] | 0.210 [0.150, 0.250] | 0.310 [0.250, 0.350] |');
    expect(software).toContain('| en-zh | 1 | 1.010 [0.950, 1.050] | 1.020 [0.960, 1.060] | 1.210 [1.150, 1.250] | 1.310 [1.250, 1.350] |');
    expect(md.split('\n').filter((l) => /^\| (en-zh|en-cs|cs-uk|zh-ja) \| \d \|/.test(l))).toHaveLength(24);
    expect(everyday).toContain('| en→zh | 10.0 / 1.0 | 10.0 / 1.0 | 10.2 / 1.0 | 10.3 / 1.0 |');
    expect(md).toContain('| mapping | 6.000 → 5.950 | 7.000 → 6.500 |');
    expect(everyday).toContain('| base | 100.0 / 1.50 | 200.0 / 6.00 |');
    expect(md).toContain('12.3 min on SwiftShader; training control 3.1, mapping 3.2, contrastive 3.3 min');
  });

  it('writes the LAC learning curve: one row per pair and arm, one column per recorded step', () => {
    const md = experimentMarkdown(result);
    expect(md).toContain('| pair | arm | step 0 | step 50 |');
    expect(md).toContain('| en-zh | mapping | 0.100 | 0.600 |');
    expect(md).toContain('| en-zh | control | 0.100 | 0.150 |');
  });

  it('replaces the marked section in place, or appends it once', () => {
    const appended = spliceSection('# Title\n\ntext\n', '## Experiment', 'one');
    expect(appended).toBe(`# Title\n\ntext\n\n## Experiment\n\n${EXPERIMENT_BEGIN}\none\n${EXPERIMENT_END}\n`);
    const replaced = spliceSection(`${appended}after\n`, '## Experiment', 'two');
    expect(replaced).toBe(`# Title\n\ntext\n\n## Experiment\n\n${EXPERIMENT_BEGIN}\ntwo\n${EXPERIMENT_END}\nafter\n`);
  });
});
