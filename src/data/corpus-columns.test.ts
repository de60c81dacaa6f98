import { describe, expect, it } from 'vitest';
import { fromColumns, toColumns } from './corpus-columns';
import { readTsv } from './tsv';

describe('corpus columns', () => {
  it('round-trips tuples, ids, the declared split and the problems', async () => {
    const report = readTsv('id\tsplit\ten\tzh\na\ttrain\tGood morning.\t早上好。\nb\ttest\tSee you.\t再见。\nbroken\n', 'c.tsv');
    expect(report.problems).toHaveLength(1);
    const back = await fromColumns(structuredClone(toColumns(report)));
    expect(back).toEqual(report);
    expect(await fromColumns(toColumns(report), 1)).toEqual(report); // rebuilt one tuple at a time
    expect(back.corpus.splits).toEqual(['train', 'test']);
  });

  it('an empty corpus stays empty', async () => {
    const report = { corpus: { languages: ['en', 'cs'], tuples: [] }, problems: [] };
    expect(await fromColumns(toColumns(report))).toEqual(report);
  });
});
