// Reference streams, as sacreBLEU takes them: `references[k][i]` is the k-th reference of line i.
// Shared by BLEU and chrF so both validate and regroup references the same way.

import { AlignScopeError } from '../errors';

/**
 * One reference stream: entry i is a reference for hypothesis i. A null/undefined entry means this
 * stream has no reference for that line, for corpora with a varying number of references per line
 * (sacreBLEU's None). An empty string is a real (empty) reference.
 */
export type ReferenceStream = ReadonlyArray<string | null | undefined>;

/**
 * The references of each line, gathered across streams with missing (null/undefined) entries
 * dropped. Throws unless every stream is as long as the hypotheses and every line has a reference.
 */
export function referencesByLine(metric: string, hypCount: number, references: ReadonlyArray<ReferenceStream>): string[][] {
  if (references.length === 0) throw new AlignScopeError(`${metric}: no reference stream given; pass references as [stream1, stream2, ...], each with one line per hypothesis.`, { streams: 0 });
  references.forEach((stream, k) => {
    if (stream.length !== hypCount) {
      throw new AlignScopeError(`${metric}: reference stream ${k} has ${stream.length} lines but there are ${hypCount} hypotheses; every stream needs one line per hypothesis.`, { stream: k, lines: stream.length, hypotheses: hypCount });
    }
  });
  const out: string[][] = [];
  for (let i = 0; i < hypCount; i++) {
    const refs: string[] = [];
    for (const stream of references) {
      const r = stream[i];
      if (r !== null && r !== undefined) refs.push(r);
    }
    if (refs.length === 0) throw new AlignScopeError(`${metric}: line ${i} has no reference in any stream.`, { line: i });
    out.push(refs);
  }
  return out;
}
