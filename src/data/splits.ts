// Deterministic train/dev/test splits by tuple.
//
// Policy: every tuple gets a seeded 64-bit hash of its KEY, not of its position:
//   - its id, when the corpus has ids (TSV/JSONL `id`, Flores line numbers);
//   - else its English text (the first column whose baseLanguage is 'en'), NFC-normalised;
//   - else all of its sentences, language by language in code order.
// Default (`exact`): tuples are ranked by hash and the ranking is cut at round(n * train) and
// round(n * (train + dev)), so each split's size is within one tuple of its share, and the split
// depends only on the set of keys and the seed, never on input order. Adding one tuple moves at most
// one existing tuple across each cut (the cuts advance by at most one place), so a grown corpus keeps
// almost all of its old assignment.
// `exact: false`: each tuple's split is read off its hash alone (hash / 2^64 against the cumulative
// shares). Adding tuples then moves NO existing tuple, but split sizes are only binomially close to
// their shares. Prefer it when a corpus grows over time and an old test tuple must never reach train.
// Tuples with equal keys (the same English sentence twice, without ids) get equal hashes, so they are
// adjacent in the ranking and land in the same split unless a cut falls between them.
// A corpus that declares its own split (`corpus.splits`, a TSV `split` column) keeps it: fractions and
// seed are then not used, because a split made by source (whole documents) cannot be remade per tuple.

import { TrainConfigError } from '../errors';
import { baseLanguage, type ParallelCorpus } from './corpus';

export interface SplitFractions {
  train: number;
  dev: number;
  test: number;
}

export interface SplitOptions {
  /** true (default): sizes within one tuple of their shares; false: assignment by hash alone (see above). */
  exact?: boolean;
}

/** Indices into `corpus.tuples`, ascending; the three are disjoint and together cover every tuple. */
export interface CorpusSplit {
  train: number[];
  dev: number[];
  test: number[];
}

/** FNV-1a over UTF-16 code units from a seeded start, then the murmur3 finaliser (FNV's low bits are weak). */
export function hash32(key: string, start: number): number {
  let h = start >>> 0;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193) >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** The identity a tuple is hashed by (see the policy above). */
export function splitKeys(corpus: ParallelCorpus): string[] {
  const { tuples, ids, languages } = corpus;
  if (ids && ids.length === tuples.length) return ids.map((id) => `id\u0000${id}`);
  const en = languages.find((l) => baseLanguage(l) === 'en');
  if (en !== undefined) return tuples.map((t) => `en\u0000${t[en].normalize('NFC')}`);
  const sorted = [...languages].sort();
  return tuples.map((t) => sorted.map((l) => `${l}\u0000${t[l].normalize('NFC')}`).join('\u0001'));
}

function checkFractions(f: SplitFractions): void {
  const values = [f.train, f.dev, f.test];
  const sum = values.reduce((a, b) => a + b, 0);
  if (!values.every((v) => Number.isFinite(v) && v >= 0) || Math.abs(sum - 1) > 1e-6) {
    throw new TrainConfigError(`Split fractions must be non-negative and sum to 1; got train ${f.train}, dev ${f.dev}, test ${f.test} (sum ${sum}).`, { setting: 'split', value: { ...f } });
  }
}

/** Splits a corpus's tuples into train/dev/test index sets, reproducibly for a given `seed` (a safe integer). */
export function splitCorpus(corpus: ParallelCorpus, fractions: SplitFractions, seed = 0, options: SplitOptions = {}): CorpusSplit {
  checkFractions(fractions);
  if (!Number.isSafeInteger(seed)) throw new TrainConfigError(`Split seed must be a safe integer, got ${seed}.`, { setting: 'seed', value: seed });
  if (corpus.splits && corpus.splits.length === corpus.tuples.length) {
    const declared: CorpusSplit = { train: [], dev: [], test: [] };
    corpus.splits.forEach((name, i) => declared[name].push(i));
    return declared;
  }
  const sum = fractions.train + fractions.dev + fractions.test;
  const pTrain = fractions.train / sum;
  const pTrainDev = (fractions.train + fractions.dev) / sum;
  // Two seeded starts from the seed's low and high words: 64 bits of hash make ties (which fall back
  // to comparing keys) vanishingly rare for any corpus size we handle.
  const lo = seed >>> 0;
  const hi = Math.floor(seed / 2 ** 32) >>> 0;
  const start1 = hash32(`${lo}:${hi}:a`, 0x811c9dc5);
  const start2 = hash32(`${lo}:${hi}:b`, 0x811c9dc5);
  const keys = splitKeys(corpus);
  const ranked = keys.map((key, index) => ({ index, key, h1: hash32(key, start1), h2: hash32(key, start2) }));
  const out: CorpusSplit = { train: [], dev: [], test: [] };

  if (options.exact === false) {
    for (const r of ranked) {
      const u = (r.h1 * 2 ** 32 + r.h2) / 2 ** 64;
      (u < pTrain ? out.train : u < pTrainDev ? out.dev : out.test).push(r.index);
    }
    return out;
  }

  ranked.sort((a, b) => a.h1 - b.h1 || a.h2 - b.h2 || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const n = ranked.length;
  const cutTrain = Math.round(n * pTrain);
  const cutDev = Math.max(cutTrain, Math.min(n, Math.round(n * pTrainDev)));
  ranked.forEach((r, rank) => (rank < cutTrain ? out.train : rank < cutDev ? out.dev : out.test).push(r.index));
  for (const part of [out.train, out.dev, out.test]) part.sort((a, b) => a - b);
  return out;
}

// Kept here as well as in read.ts, so callers that think of "load then split" find both together.
export { readCorpusFile } from './read';
