// Node side of src/train/pretraining.ts: reads both shipped corpora from disk and returns their
// split tuples and the pre-training text, for scripts/train-tokenizer.ts and scripts/build-model.ts.

import { existsSync, readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { CORPORA, standardSplit } from '../src/data/corpora';
import { readCorpusBytes } from '../src/data/read';
import type { ParallelTuple } from '../src/train/batching';
import { pretrainingLines, type PretrainingLines } from '../src/train/pretraining';

/** How often the everyday train split is repeated in the pre-training text (see pretraining.ts). */
export const EVERYDAY_REPEATS = 8;

export interface ShippedSplit {
  train: ParallelTuple[];
  dev: ParallelTuple[];
  test: ParallelTuple[];
  languages: string[];
}

/** train/dev/test tuples of a shipped corpus, as every tool splits it. */
export async function shippedSplit(name: keyof typeof CORPORA): Promise<ShippedSplit> {
  const path = CORPORA[name].path;
  const { corpus, problems } = await readCorpusBytes(path, readFileSync(path));
  if (problems.length) throw new Error(`${path}: ${problems.length} malformed lines, first: line ${problems[0].line}: ${problems[0].message}`);
  const s = standardSplit(corpus);
  const pick = (ix: number[]) => ix.map((i) => corpus.tuples[i]);
  return { train: pick(s.train), dev: pick(s.dev), test: pick(s.test), languages: corpus.languages };
}

/** Both corpora's train-split monolingual text, balanced by language (seeded); `everydayRepeats` defaults to EVERYDAY_REPEATS. */
export async function loadPretrainingLines(seed: number, everydayRepeats = EVERYDAY_REPEATS): Promise<PretrainingLines & { languages: string[] }> {
  const everyday = await shippedSplit('everyday');
  const mono: Record<string, string[]> = {};
  for (const lang of everyday.languages) {
    const file = `public/data/debian/mono.${lang}.txt.gz`;
    if (!existsSync(file)) throw new Error(`${file} is missing: run \`npm run build:corpus:debian\` first (it writes the monolingual text, which is not in git).`);
    mono[lang] = gunzipSync(readFileSync(file)).toString('utf8').split('\n');
  }
  return { ...pretrainingLines({ mono, everydayTrain: everyday.train, everydayRepeats, seed }), languages: everyday.languages };
}

/**
 * The software corpus's EN-X pairs of one split that are not in its tuples (pairs.en-<x>.tsv.gz), as
 * two-language tuples ({ en, cs }): with the tuples' own columns, every EN-X pair the corpus has.
 */
export async function softwarePairs(split: 'train' | 'dev' | 'test', languages: readonly string[]): Promise<ParallelTuple[]> {
  const out: ParallelTuple[] = [];
  for (const x of languages.filter((l) => l !== 'en')) {
    const path = `public/data/debian/pairs.en-${x}.tsv.gz`;
    const { corpus, problems } = await readCorpusBytes(path, readFileSync(path));
    if (problems.length) throw new Error(`${path}: ${problems.length} malformed lines, first: line ${problems[0].line}: ${problems[0].message}`);
    for (const i of standardSplit(corpus)[split]) out.push(corpus.tuples[i]);
  }
  return out;
}
