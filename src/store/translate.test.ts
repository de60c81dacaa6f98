// The Translate store's pure part: which test sentences a form picks (and what it refuses), and the
// rows and scores built from two models' outputs.

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readCorpusFile } from '../data/read';
import { inspectCorpus, type InspectCorpus } from './inspect-request';
import { buildResult, DEFAULT_FORM, planOf, type TranslateForm } from './translate';

// Five tuples; the test split holds tuples 1, 3, 4 (in corpus order); tuple 3 lacks zh.
const small: InspectCorpus = {
  name: 'everyday',
  languages: ['en', 'zh', 'cs'],
  tuples: [
    { en: 'zero', zh: '零', cs: 'nula' },
    { en: 'one', zh: '一', cs: 'jedna' },
    { en: 'two', zh: '二', cs: 'dva' },
    { en: 'three', zh: '', cs: 'tři' },
    { en: 'four', zh: '四', cs: 'čtyři' },
  ],
  split: { train: [0, 2], dev: [], test: [1, 3, 4] },
};

const form = (patch: Partial<TranslateForm>): TranslateForm => ({ ...DEFAULT_FORM, ...patch });

describe('planOf', () => {
  it('takes test sentences from the start of the split in corpus order, skipping tuples without both languages', () => {
    const { plan, problem } = planOf(small, form({ count: '2', maxNewTokens: '10' }), 128);
    expect(problem).toBeNull();
    expect(plan!.items).toEqual([
      { srcLang: 'en', tgtLang: 'zh', src: 'one' },
      { srcLang: 'en', tgtLang: 'zh', src: 'four' },
    ]);
    expect(plan!.references).toEqual(['一', '四']);
    expect(plan!.maxNewTokens).toBe(10);
    // en → cs has all three test tuples.
    expect(planOf(small, form({ tgtLang: 'cs', count: '3' }), 128).plan!.references).toEqual(['jedna', 'tři', 'čtyři']);
  });

  it('refuses what it cannot translate, saying why', () => {
    expect(planOf(null, DEFAULT_FORM, 128).problem).toMatch(/not read yet/);
    expect(planOf(small, form({ tgtLang: 'en' }), 128).problem).toMatch(/two different languages/);
    expect(planOf(small, form({ tgtLang: 'ja' }), 128).problem).toMatch(/languages of the corpus/);
    expect(planOf(small, form({ count: '3' }), 128).problem).toBe('Sentences: a whole number from 1 to 2.');
    for (const count of ['0', '1.5', '', 'abc']) expect(planOf(small, form({ count }), 128).plan, count).toBeNull();
    expect(planOf(small, form({ count: '1', maxNewTokens: '128' }), 128).problem).toBe('Max new tokens: a whole number from 1 to 127.');
    expect(planOf(small, form({ count: '1', maxNewTokens: '127' }), 128).problem).toBeNull();
  });

  it('the defaults pick 8 of the 105 en–zh test sentences of the shipped corpus', () => {
    const shipped = inspectCorpus('everyday', readCorpusFile('corpus.tsv', readFileSync(new URL('../../public/data/corpus.tsv', import.meta.url), 'utf8')));
    expect(planOf(shipped, DEFAULT_FORM, 128).plan!.items).toHaveLength(8);
    expect(planOf(shipped, form({ count: '105' }), 128).problem).toBeNull();
    expect(planOf(shipped, form({ count: '106' }), 128).problem).toBe('Sentences: a whole number from 1 to 105.');
  });
});

describe('buildResult', () => {
  const reference = 'the cat sat on the mat today';
  const plan = {
    items: [
      { srcLang: 'cs', tgtLang: 'en', src: 'kočka seděla' },
      { srcLang: 'cs', tgtLang: 'en', src: 'pes' },
    ],
    references: [reference, 'a dog'],
    maxNewTokens: 48,
  };

  it('keeps every row in order with per-sentence chrF, and scores each model on the whole set', () => {
    const r = buildResult(plan, [reference, ''], ['', 'a dog']);
    expect(r.srcLang).toBe('cs');
    expect(r.tgtLang).toBe('en');
    expect(r.rows.map((row) => [row.source, row.reference, row.base, row.tuned])).toEqual([
      ['kočka seděla', reference, reference, ''],
      ['pes', 'a dog', '', 'a dog'],
    ]);
    // A perfect hypothesis scores 100, an empty one 0.
    expect(r.rows.map((row) => [row.chrfBase, row.chrfTuned])).toEqual([
      [100, 0],
      [0, 100],
    ]);
    // Base got the long sentence right (all its 4-grams match), fine-tuned only the 2-word one (no 4-grams: BLEU 0).
    expect(r.base.bleu).toBeGreaterThan(10);
    expect(r.tuned.bleu).toBe(0);
    expect(r.base.chrf).toBeGreaterThan(r.tuned.chrf);
    expect(r.tuned.chrf).toBeGreaterThan(0);
    expect(r.differing).toBe(2);
  });

  it('identical outputs give identical scores and no differing rows', () => {
    const r = buildResult(plan, ['the cat sat', 'dog'], ['the cat sat', 'dog']);
    expect(r.tuned).toEqual(r.base);
    expect(r.differing).toBe(0);
    expect(r.base.chrf).toBeGreaterThan(0);
    expect(r.base.chrf).toBeLessThan(100);
  });

  it('refuses outputs that do not match the sentences one to one', () => {
    expect(() => buildResult(plan, ['one'], ['one', 'two'])).toThrow(/1 base and 2 fine-tuned outputs for 2 sentences/);
  });
});
