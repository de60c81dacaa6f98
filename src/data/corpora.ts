// The corpora AlignScope ships, by name, so the CLI, `npm run experiment` and the app can offer
// "everyday" or "software" instead of a path (issue 12). The everyday corpus declares no split, so
// readers split it 70/10/20 by seed 0 (exactly public/data/splits.json); the software corpus carries
// its own split by source (a `split` column), which splitCorpus returns as is.

import { CorpusFormatError } from '../errors';
import { splitCorpus, type CorpusSplit } from './splits';
import type { ParallelCorpus } from './corpus';

export const CORPORA = {
  everyday: { label: 'everyday sentences', path: 'public/data/corpus.tsv', url: '/data/corpus.tsv' },
  software: { label: 'software messages and documentation', path: 'public/data/debian/tuples.tsv.gz', url: '/data/debian/tuples.tsv.gz' },
} as const;

export type CorpusName = keyof typeof CORPORA;
export const CORPUS_NAMES = Object.keys(CORPORA) as CorpusName[];
export const DEFAULT_CORPUS: CorpusName = 'everyday';

/**
 * The file to read for `--corpus NAME` or `--data FILE` (at most one of them; neither is the default
 * corpus). Throws CorpusFormatError for both at once or an unknown name, saying what to write.
 */
export function corpusFile(choice: { corpus?: string; data?: string }): string {
  if (choice.corpus !== undefined && choice.data !== undefined) {
    throw new CorpusFormatError(`give --corpus ${choice.corpus} or --data ${choice.data}, not both`, { corpus: choice.corpus, data: choice.data });
  }
  if (choice.data !== undefined) return choice.data;
  const name = choice.corpus ?? DEFAULT_CORPUS;
  if (!(name in CORPORA)) throw new CorpusFormatError(`unknown corpus ${JSON.stringify(name)}: use ${CORPUS_NAMES.join(' or ')}, or --data FILE`, { corpus: name });
  return CORPORA[name as CorpusName].path;
}

/**
 * train/dev/test of any corpus as every tool splits it (the file's own split if it has one, else
 * 70/10/20 by seed 0), each cut to its first `limit` tuples when a limit is given (a quick look at
 * a large corpus: the software corpus has 1,220 test tuples).
 */
export function standardSplit(corpus: ParallelCorpus, limit?: number): CorpusSplit {
  if (limit !== undefined && !(Number.isInteger(limit) && limit > 0)) {
    throw new CorpusFormatError(`the tuple limit must be a whole number above 0, not ${limit}`, { limit });
  }
  const s = splitCorpus(corpus, { train: 0.7, dev: 0.1, test: 0.2 }, 0);
  return { train: s.train.slice(0, limit), dev: s.dev.slice(0, limit), test: s.test.slice(0, limit) };
}
