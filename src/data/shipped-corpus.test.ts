// The corpus shipped in public/data: complete, well-formed, split as splits.json says, and read
// identically from TSV, JSONL and a Flores-style folder.

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readFlores } from './flores';
import { readJsonl } from './jsonl';
import { splitCorpus } from './splits';
import { readTsv } from './tsv';

const dir = new URL('../../public/data/', import.meta.url);
const text = readFileSync(new URL('corpus.tsv', dir), 'utf8');
const splits = JSON.parse(readFileSync(new URL('splits.json', dir), 'utf8')) as Record<'train' | 'dev' | 'test', string[]>;
const { corpus, problems } = readTsv(text, 'corpus.tsv');
const LANGS = ['en', 'zh', 'ja', 'de', 'fr', 'es', 'cs', 'uk'];

describe('public/data/corpus.tsv', () => {
  it('has at least 500 tuples, every one in all 8 languages with no empty cell, 4-30 English words', () => {
    expect(problems).toEqual([]);
    expect(corpus.languages).toEqual(LANGS);
    expect(corpus.tuples.length).toBeGreaterThanOrEqual(500);
    for (const t of corpus.tuples) {
      for (const l of LANGS) expect(t[l]?.trim().length, `${l}: ${t.en}`).toBeGreaterThan(0);
      const words = t.en.split(/\s+/).length;
      expect(words >= 4 && words <= 30, t.en).toBe(true);
    }
    for (const l of LANGS) expect(new Set(corpus.tuples.map((t) => t[l])).size).toBe(corpus.tuples.length);
  });

  it('splits.json: disjoint, covering, about 70/10/20, and exactly the seeded split of the corpus', () => {
    const all = [...splits.train, ...splits.dev, ...splits.test];
    expect(new Set(all).size).toBe(all.length);
    expect(new Set(all)).toEqual(new Set(corpus.ids));
    const n = corpus.tuples.length;
    expect(Math.abs(splits.train.length - 0.7 * n)).toBeLessThanOrEqual(1);
    expect(Math.abs(splits.dev.length - 0.1 * n)).toBeLessThanOrEqual(1);
    const s = splitCorpus(corpus, { train: 0.7, dev: 0.1, test: 0.2 }, 0);
    expect(s.test.map((i) => corpus.ids![i])).toEqual(splits.test);
  });

  it('reads identically as JSONL and as a Flores-style folder', () => {
    const jsonl = corpus.tuples.map((t, i) => JSON.stringify({ id: corpus.ids![i], ...t })).join('\n');
    expect(readJsonl(jsonl, 'corpus.jsonl').corpus.tuples).toEqual(corpus.tuples);
    const flores = readFlores(LANGS.map((l) => ({ name: `${l}.txt`, text: corpus.tuples.map((t) => t[l]).join('\n') })));
    expect(flores.problems).toEqual([]);
    expect(flores.corpus.tuples).toEqual(corpus.tuples);
  });
});
