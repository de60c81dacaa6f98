// The source-level splitter: every catalog in exactly one split, for every language, whatever the order.

import { describe, expect, it } from 'vitest';
import { assemble, type Segment } from './assemble';
import { TARGET_LANGUAGES, type RuleCounts } from './clean';
import { sourceSplit } from './split';

describe('sourceSplit and assemble', () => {
  it('puts all of a catalog in one split and splits sources about 80/10/10', () => {
    const sources = Array.from({ length: 2000 }, (_, i) => `pkg${i}:domain`);
    const share = { train: 0, dev: 0, test: 0 };
    for (const s of sources) share[sourceSplit(s)]++;
    expect(share.train / 2000).toBeGreaterThan(0.76);
    expect(share.dev / 2000).toBeGreaterThan(0.07);
    expect(share.test / 2000).toBeGreaterThan(0.07);
    expect(sourceSplit('gimp-data:gimp20', 1)).toBe(sourceSplit('gimp-data:gimp20', 1));
  });

  it('never puts one catalog in two splits, and an English string lives in one split only', () => {
    const langs = TARGET_LANGUAGES;
    const segments: Segment[] = [];
    for (let s = 0; s < 60; s++) {
      for (let k = 0; k < 20; k++) {
        // Strings shared between sources (k < 5) test the cross-split rule.
        const en = k < 5 ? `shared string number ${k}` : `string ${k} of source ${s}`;
        for (const lang of langs) segments.push({ lang, en, x: `${lang} ${en}`, tokens: 6, source: `pkg${s}:domain` });
      }
    }
    const counts: RuleCounts = {};
    const corpus = assemble(segments.reverse(), (s) => sourceSplit(s), counts);
    for (const lang of langs) {
      const splitsOfSource = new Map<string, Set<string>>();
      const splitsOfEnglish = new Map<string, Set<string>>();
      for (const r of corpus.pairs[lang]) {
        const source = corpus.sources[Number(r.id.split('.')[0])];
        expect(r.split).toBe(sourceSplit(source));
        (splitsOfSource.get(source) ?? splitsOfSource.set(source, new Set()).get(source)!).add(r.split);
        (splitsOfEnglish.get(r.en) ?? splitsOfEnglish.set(r.en, new Set()).get(r.en)!).add(r.split);
      }
      for (const s of splitsOfSource.values()) expect(s.size).toBe(1);
      for (const s of splitsOfEnglish.values()) expect(s.size).toBe(1);
      expect(new Set(corpus.pairs[lang].map((r) => r.en)).size).toBe(corpus.pairs[lang].length);
    }
    expect(corpus.tuples.length).toBe(60 * 15 + 5);
    for (const t of corpus.tuples) expect(sourceSplit(corpus.sources[Number(t.id.split('.')[0])])).toBe(t.split);
    expect((counts.duplicate?.de ?? 0) + (counts['cross-split']?.de ?? 0)).toBe(59 * 5);
  });

  it('makes a tuple only of translations from one source, whose index its id names', () => {
    const segment = (lang: (typeof TARGET_LANGUAGES)[number], source: string): Segment => ({ lang, en: 'Open the file in a new window', x: `${lang} ${source}`, tokens: 9, source });
    const one = TARGET_LANGUAGES.map((l) => segment(l, 'b:one'));
    const single = assemble(one, () => 'train', {});
    expect(single.tuples.map((t) => [t.id, t.text.uk])).toEqual([['0.t1', 'uk b:one']]);
    // Ukrainian only in another program's catalog: seven pairs, no tuple.
    const mixed = assemble([...one.filter((s) => s.lang !== 'uk'), segment('uk', 'a:other')], () => 'train', {});
    expect(mixed.tuples).toEqual([]);
    expect(TARGET_LANGUAGES.map((l) => mixed.pairs[l].length)).toEqual(TARGET_LANGUAGES.map(() => 1));
  });
});
