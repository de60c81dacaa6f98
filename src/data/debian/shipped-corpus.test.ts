// The shipped Debian corpus (public/data/debian) matches its manifest, from which the data card is
// rendered: row counts per language and split, tuples per split, file hashes, and the card's text.

import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { readTsv } from '../tsv';
import { renderCard } from './card';
import type { Manifest } from './write';

const dir = new URL('../../../public/data/debian/', import.meta.url);
const read = (name: string): string => {
  const bytes = readFileSync(new URL(name, dir));
  return (name.endsWith('.gz') ? gunzipSync(bytes) : bytes).toString('utf8');
};
const manifest = JSON.parse(read('manifest.json')) as Manifest;
const perSplit = (splits: string[] | undefined) => ({
  train: splits!.filter((s) => s === 'train').length,
  dev: splits!.filter((s) => s === 'dev').length,
  test: splits!.filter((s) => s === 'test').length,
});

describe('public/data/debian', () => {
  it('every file has the sha256 the manifest records, and README.md is the card of the manifest', () => {
    for (const [name, sha] of Object.entries(manifest.files)) expect(createHash('sha256').update(read(name)).digest('hex'), name).toBe(sha);
    expect(read('README.md')).toBe(renderCard(manifest));
  });

  it('pairs per language and split, and tuples per split, are what the card says', () => {
    for (const [lang, stats] of Object.entries(manifest.pairs)) {
      const { corpus, problems } = readTsv(read(`pairs.en-${lang}.tsv.gz`), `pairs.en-${lang}.tsv.gz`);
      expect(problems).toEqual([]);
      expect(perSplit(corpus.splits), lang).toEqual(stats.segments);
    }
    const { corpus, problems } = readTsv(read('tuples.tsv'), 'tuples.tsv');
    expect(problems).toEqual([]);
    expect(corpus.languages).toEqual(['en', 'zh', 'ja', 'de', 'fr', 'es', 'cs', 'uk']);
    expect(perSplit(corpus.splits)).toEqual(manifest.tuples.segments);
  });

  it('reaches the targets of issue 12: 10,000 training pairs per language, 1,000 tuples with 200 in test', () => {
    for (const [lang, stats] of Object.entries(manifest.pairs)) expect(stats.segments.train, lang).toBeGreaterThanOrEqual(10_000);
    const t = manifest.tuples.segments;
    expect(t.train + t.dev + t.test).toBeGreaterThanOrEqual(1_000);
    expect(t.test).toBeGreaterThanOrEqual(200);
  });
});
