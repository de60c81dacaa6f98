// Train/dev/test by source: a whole catalog or page goes to one split, read off a seeded hash of its
// source id (sources.ts), so strings of one program never straddle train and test and adding a
// package never moves an existing source. Shares are 80/10/10 of SOURCES, not of segments.

import { hash32 } from '../splits';

export type SplitName = 'train' | 'dev' | 'test';

export const SOURCE_SPLIT = { seed: 12, train: 0.8, dev: 0.1, test: 0.1 } as const;

/** The split of a source; depends only on its id and the seed. */
export function sourceSplit(source: string, seed: number = SOURCE_SPLIT.seed): SplitName {
  const u = hash32(`${seed}:${source}`, 0x811c9dc5) / 2 ** 32;
  return u < SOURCE_SPLIT.train ? 'train' : u < SOURCE_SPLIT.train + SOURCE_SPLIT.dev ? 'dev' : 'test';
}
