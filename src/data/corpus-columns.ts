// A read corpus as a few long strings, so a worker can hand it to the page cheaply: one text per
// language with the sentences joined by newlines (sentences are single-line text, corpus.ts), plus
// the ids and the declared split. Moving 8 strings is a copy; cloning 26k objects, or parsing the
// file on the UI thread, holds it for a second.

import type { LineProblem, ParallelCorpus, ReadReport, SplitName } from './corpus';

export interface CorpusColumns {
  languages: string[];
  /** Per language: the sentences of every tuple, in order, joined by '\n'. */
  columns: string[];
  ids?: string[];
  splits?: SplitName[];
  problems: LineProblem[];
}

export function toColumns({ corpus, problems }: ReadReport): CorpusColumns {
  const { languages, tuples, ids, splits } = corpus;
  return { languages, columns: languages.map((l) => tuples.map((t) => t[l]).join('\n')), ids, splits, problems };
}

/**
 * The corpus back from its columns. With `slice`, tuples are rebuilt `slice` at a time with a yield
 * to the event loop in between, so the UI thread never holds a long task for a large corpus.
 */
export async function fromColumns(c: CorpusColumns, slice = Infinity): Promise<ReadReport> {
  const cells = c.columns.map((col) => (col === '' ? [] : col.split('\n')));
  const n = cells[0]?.length ?? 0;
  // Plain loops: Object.fromEntries per tuple took 0.2 s for 26k tuples.
  const tuples: ParallelCorpus['tuples'] = new Array(n);
  for (let i = 0; i < n; i++) {
    if (i > 0 && i % slice === 0) await new Promise((r) => setTimeout(r, 0));
    const t: Record<string, string> = {};
    for (let k = 0; k < c.languages.length; k++) t[c.languages[k]] = cells[k][i];
    tuples[i] = t;
  }
  const corpus: ParallelCorpus = { languages: c.languages, tuples, ...(c.ids ? { ids: c.ids } : {}), ...(c.splits ? { splits: c.splits } : {}) };
  return { corpus, problems: c.problems };
}
