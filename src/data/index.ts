// The data layer: parallel-corpus readers and writers, and train/dev/test splits.
export * from './corpora';
export * from './corpus';
export * from './flores';
export * from './jsonl';
export * from './read';
export { splitCorpus, splitKeys, type CorpusSplit, type SplitFractions, type SplitOptions } from './splits';
export * from './tsv';
