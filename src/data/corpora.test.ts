// The shipped corpora by name: which file --corpus and --data choose, and that each named corpus
// loads through readCorpusBytes (the CLI's and the experiment's path) with the split tools expect.

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CorpusFormatError } from '../errors';
import { CORPORA, corpusFile, standardSplit } from './corpora';
import { readCorpusBytes } from './read';

const root = new URL('../../', import.meta.url);
const load = async (path: string) => {
  const { corpus, problems } = await readCorpusBytes(path, readFileSync(new URL(path, root)));
  expect(problems).toEqual([]);
  return corpus;
};

describe('named corpora', () => {
  it('--corpus picks a shipped file, --data any file, neither the everyday corpus; both or an unknown name throw', () => {
    expect(corpusFile({})).toBe('public/data/corpus.tsv');
    expect(corpusFile({ corpus: 'software' })).toBe('public/data/debian/tuples.tsv.gz');
    expect(corpusFile({ corpus: 'everyday' })).toBe('public/data/corpus.tsv');
    expect(corpusFile({ data: 'mine.jsonl' })).toBe('mine.jsonl');
    expect(() => corpusFile({ corpus: 'software', data: 'mine.tsv' })).toThrow(CorpusFormatError);
    expect(() => corpusFile({ corpus: 'debian' })).toThrow(/unknown corpus "debian": use everyday or software/);
    // The app fetches what Vite serves from public/ at the site's root.
    for (const c of Object.values(CORPORA)) expect(c.path).toBe(`public${c.url}`);
  });

  it('the everyday corpus splits exactly as public/data/splits.json says, in its order', async () => {
    const corpus = await load(CORPORA.everyday.path);
    const want = JSON.parse(readFileSync(new URL('public/data/splits.json', root), 'utf8')) as Record<'train' | 'dev' | 'test', string[]>;
    const s = standardSplit(corpus);
    for (const k of ['train', 'dev', 'test'] as const) expect(s[k].map((i) => corpus.ids![i]), k).toEqual(want[k]);
  });

  it('the software corpus loads gzipped with its own split by source; --limit keeps the first N of each split', async () => {
    const corpus = await load(CORPORA.software.path);
    const manifest = JSON.parse(readFileSync(new URL('public/data/debian/manifest.json', root), 'utf8')) as { tuples: { segments: Record<string, number> } };
    expect(corpus.languages).toEqual(['en', 'zh', 'ja', 'de', 'fr', 'es', 'cs', 'uk']);
    const s = standardSplit(corpus);
    expect({ train: s.train.length, dev: s.dev.length, test: s.test.length }).toEqual(manifest.tuples.segments);
    for (const i of s.test) expect(corpus.splits![i]).toBe('test');
    const cut = standardSplit(corpus, 300);
    expect(cut.test).toEqual(s.test.slice(0, 300));
    expect(cut.train).toEqual(s.train.slice(0, 300));
    expect(() => standardSplit(corpus, 0)).toThrow(CorpusFormatError);
    expect(() => standardSplit(corpus, 1.5)).toThrow(CorpusFormatError);
  }, 60_000); // 26k tuples gunzipped and parsed
});
