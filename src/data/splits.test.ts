import { describe, expect, it } from 'vitest';
import { TrainConfigError } from '../errors';
import { Rng } from '../train/rng';
import type { ParallelCorpus } from './corpus';
import { readFlores } from './flores';
import { SAMPLE_CORPUS } from './sample';
import { splitCorpus, splitKeys, type CorpusSplit } from './splits';

const F = { train: 0.7, dev: 0.1, test: 0.2 };

function synthetic(n: number, withIds = true): ParallelCorpus {
  const tuples = Array.from({ length: n }, (_, i) => ({ en: `Sentence number ${i}.`, de: `Satz Nummer ${i}.` }));
  return withIds ? { languages: ['en', 'de'], tuples, ids: tuples.map((_, i) => `t${i}`) } : { languages: ['en', 'de'], tuples };
}

/** The split as sets of keys, which must not depend on where tuples sit. */
function byKey(corpus: ParallelCorpus, split: CorpusSplit): Record<string, string[]> {
  const keys = splitKeys(corpus);
  return Object.fromEntries(Object.entries(split).map(([k, idx]) => [k, idx.map((i: number) => keys[i]).sort()]));
}

function shuffled(corpus: ParallelCorpus, seed: number): ParallelCorpus {
  const order = new Rng(seed).shuffle(corpus.tuples.map((_, i) => i));
  const out: ParallelCorpus = { languages: corpus.languages, tuples: order.map((i) => corpus.tuples[i]) };
  if (corpus.ids) out.ids = order.map((i) => corpus.ids![i]);
  return out;
}

describe('splitCorpus', () => {
  it('gives disjoint, covering, ascending index sets with sizes within one tuple of their shares', () => {
    for (let n = 0; n <= 120; n++) {
      const s = splitCorpus(synthetic(n), F, 1);
      const all = [...s.train, ...s.dev, ...s.test].sort((a, b) => a - b);
      expect(all).toEqual(Array.from({ length: n }, (_, i) => i));
      for (const part of ['train', 'dev', 'test'] as const) {
        expect(Math.abs(s[part].length - n * F[part])).toBeLessThan(1);
        expect(s[part]).toEqual([...s[part]].sort((a, b) => a - b));
      }
    }
  });

  it('is stable under any reordering of the input (by id, and by English text without ids)', () => {
    for (const withIds of [true, false]) {
      const c = synthetic(200, withIds);
      const ref = byKey(c, splitCorpus(c, F, 5));
      for (const s of [11, 12, 13]) {
        const r = shuffled(c, s);
        expect(byKey(r, splitCorpus(r, F, 5))).toEqual(ref);
      }
    }
  });

  it('is reproducible by seed, and another seed gives another split', () => {
    const c = synthetic(300);
    expect(splitCorpus(c, F, 42)).toEqual(splitCorpus(c, F, 42));
    expect(splitCorpus(c, F, 42).test).not.toEqual(splitCorpus(c, F, 43).test);
    expect(splitCorpus(c, F, 7).test).not.toEqual(splitCorpus(c, F, 7 + 2 ** 32).test);
  });

  it('adding a tuple moves at most one existing tuple per cut; with exact: false none', () => {
    const rng = new Rng(9);
    for (let trial = 0; trial < 40; trial++) {
      const n = 20 + rng.int(200);
      const before = synthetic(n + 1);
      const drop = rng.int(n + 1); // the tuple that is "added" to the smaller corpus
      const small: ParallelCorpus = { languages: before.languages, tuples: before.tuples.filter((_, i) => i !== drop), ids: before.ids!.filter((_, i) => i !== drop) };
      for (const exact of [true, false]) {
        const a = byKey(small, splitCorpus(small, F, trial, { exact }));
        const b = byKey(before, splitCorpus(before, F, trial, { exact }));
        const where = (m: Record<string, string[]>) => new Map(Object.entries(m).flatMap(([part, keys]) => keys.map((k) => [k, part] as const)));
        const wa = where(a);
        const wb = where(b);
        const moved = [...wa.keys()].filter((k) => wa.get(k) !== wb.get(k)).length;
        expect(moved).toBeLessThanOrEqual(exact ? 2 : 0);
      }
    }
  });

  it('exact: false keeps sizes near their shares', () => {
    const s = splitCorpus(synthetic(5000), F, 3, { exact: false });
    expect(Math.abs(s.train.length / 5000 - 0.7)).toBeLessThan(0.03);
    expect(Math.abs(s.test.length / 5000 - 0.2)).toBeLessThan(0.03);
  });

  it('handles empty splits, the sample corpus and Flores line-number ids', () => {
    expect(splitCorpus(synthetic(10), { train: 1, dev: 0, test: 0 })).toEqual({ train: [...Array(10).keys()], dev: [], test: [] });
    const s = splitCorpus(SAMPLE_CORPUS, { train: 0.6, dev: 0.2, test: 0.2 }, 0);
    expect([s.train.length, s.dev.length, s.test.length]).toEqual([3, 1, 1]);
    const flores = readFlores([{ name: 'en.txt', text: 'a\nb\nc\n' }, { name: 'zh.txt', text: '甲\n乙\n丙\n' }]).corpus;
    expect(splitKeys(flores)).toEqual(['id\u00001', 'id\u00002', 'id\u00003']);
    // Without ids or English, the key is every sentence.
    expect(splitKeys({ languages: ['zh', 'cs'], tuples: [{ zh: '甲', cs: 'a' }] })).toEqual(['cs\u0000a\u0001zh\u0000甲']);
    expect(splitKeys({ languages: ['eng_Latn', 'zho_Hans'], tuples: [{ eng_Latn: 'Cafe\u0301', zho_Hans: '咖啡' }] })).toEqual(['en\u0000Café']);
  });

  it('rejects fractions that do not sum to 1 and bad seeds with TrainConfigError', () => {
    const c = synthetic(5);
    expect(() => splitCorpus(c, { train: 0.7, dev: 0.2, test: 0.2 })).toThrow(TrainConfigError);
    expect(() => splitCorpus(c, { train: 1.1, dev: -0.1, test: 0 })).toThrow(/non-negative and sum to 1/);
    expect(() => splitCorpus(c, { train: NaN, dev: 0.5, test: 0.5 })).toThrow(TrainConfigError);
    expect(() => splitCorpus(c, F, 0.5)).toThrow(/safe integer/);
  });
});

describe('a declared split', () => {
  it('is returned as is, whatever the fractions and seed', () => {
    const corpus = { languages: ['en', 'cs'], tuples: [{ en: 'a', cs: 'b' }, { en: 'c', cs: 'd' }, { en: 'e', cs: 'f' }], splits: ['test', 'train', 'test'] as ('train' | 'dev' | 'test')[] };
    expect(splitCorpus(corpus, { train: 0.7, dev: 0.1, test: 0.2 }, 5)).toEqual({ train: [1], dev: [], test: [0, 2] });
  });
});
