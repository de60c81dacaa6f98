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
    perplexity: { en: 100 + shift, zh: 200 },
  };
}

const result: ExperimentResult = {
  config: DEFAULT_EXPERIMENT,
  tokens: { control: 1, mapping: 2, contrastive: 3 },
  minutes: 12.3,
  adapter: 'SwiftShader',
  trainPairs: ['en-zh'],
  evals: { base: fakeEval(0), control: fakeEval(0.01), mapping: fakeEval(0.2), contrastive: fakeEval(0.3) },
  finalLoss: { control: { ntp: 1, map: 0, con: 0 }, mapping: { ntp: 1, map: 2, con: 0 }, contrastive: { ntp: 1, map: 0, con: 3 } },
  heldOut: { control: { before: { ntp: 6, map: 7 }, after: { ntp: 5.9, map: 7.1 } }, mapping: { before: { ntp: 6, map: 7 }, after: { ntp: 5.95, map: 6.5 } }, contrastive: { before: { ntp: 6, map: 7 }, after: { ntp: 6, map: 7 } } },
};

describe('experiment report', () => {
  it('writes one LAC row per pair and layer with the four models and their intervals, at the measured values', () => {
    const md = experimentMarkdown(result);
    expect(md).toContain('| en-zh | 1 | 0.010 [-0.050, 0.050] | 0.020 [-0.040, 0.060] | 0.210 [0.150, 0.250] | 0.310 [0.250, 0.350] |');
    expect(md.split('\n').filter((l) => /^\| (en-zh|en-cs|cs-uk|zh-ja) \| \d \|/.test(l))).toHaveLength(12);
    expect(md).toContain('| en→zh | 10.0 / 1.0 | 10.0 / 1.0 | 10.2 / 1.0 | 10.3 / 1.0 |');
    expect(md).toContain('| mapping | 6.000 → 5.950 | 7.000 → 6.500 |');
    expect(md).toContain('| base | 100.0 | 200.0 |');
    expect(md).toContain('12.3 min on SwiftShader');
  });

  it('replaces the marked section in place, or appends it once', () => {
    const appended = spliceSection('# Title\n\ntext\n', '## Experiment', 'one');
    expect(appended).toBe(`# Title\n\ntext\n\n## Experiment\n\n${EXPERIMENT_BEGIN}\none\n${EXPERIMENT_END}\n`);
    const replaced = spliceSection(`${appended}after\n`, '## Experiment', 'two');
    expect(replaced).toBe(`# Title\n\ntext\n\n## Experiment\n\n${EXPERIMENT_BEGIN}\ntwo\n${EXPERIMENT_END}\nafter\n`);
  });
});
