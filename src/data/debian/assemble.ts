// From clean segments to the corpus rows: duplicates removed, every English string in one split,
// EN–X pairs per language and the eight-way tuples.
//
// Rules that need the whole corpus (counted with the per-segment ones of clean.ts):
//   cross-split  the English string's HOME is the first source (in source-id order) holding it in any
//                language; a segment from a source in another split than its home's is dropped, so an
//                English string seen in training is never a test item for any language;
//   duplicate    per language, the same English string again (after normalising) is dropped; the
//                first one in source-id order, then file order, stays.
// A tuple is an English string with a kept pair in all seven languages, all from ONE source (its
// home), so a tuple's id names the source of every side: `<source index>.t<n>`. An English string
// translated in all seven by different programs (58 of 26k in the Debian 12 build) stays pairs only.

import { TARGET_LANGUAGES, type RuleCounts, type TargetLanguage } from './clean';
import type { SplitName } from './split';

export const CORPUS_RULES = {
  'cross-split': { action: 'drop', description: "the same English string in a source of another split than the string's first source (no English text in two splits)" },
  'duplicate': { action: 'drop', description: 'the same English string again for the same language (first kept, by source id then file order)' },
  // Counted by the build script while reading catalogs: a catalog that is not valid UTF-8 (mo.ts), counted in catalogs.
  'unreadable-catalog': { action: 'drop', description: 'whole catalogs skipped because a string is not UTF-8 (counted in catalogs)' },
  // Counted by the build script while reading help pages (mallard.ts says why such pages are skipped).
  'misaligned-page': { action: 'drop', description: 'paragraphs of a translated help page whose element count differs from the English page (counted in English paragraphs)' },
} as const;

export interface Segment {
  lang: TargetLanguage;
  en: string;
  x: string;
  /** Tokens of en plus x by the default model's tokenizer. */
  tokens: number;
  source: string;
}

export interface PairRow {
  /** `<source index>.<n>`: the source's place in the sorted source list and the row's number in it. */
  id: string;
  split: SplitName;
  en: string;
  x: string;
  tokens: number;
}

export interface TupleRow {
  /** `<source index>.t<n>`: the source every side comes from, and the tuple's number in it. */
  id: string;
  split: SplitName;
  /** en and the seven translations. */
  text: Record<'en' | TargetLanguage, string>;
}

export interface Assembled {
  /** Source ids in the order their indices number them. */
  sources: string[];
  pairs: Record<TargetLanguage, PairRow[]>;
  tuples: TupleRow[];
  splitOf: (source: string) => SplitName;
}

/** Assembles rows from segments in any order; `splitOf` maps a source id to its split. */
export function assemble(segments: Segment[], splitOf: (source: string) => SplitName, counts: RuleCounts): Assembled {
  const sources = [...new Set(segments.map((s) => s.source))].sort();
  const index = new Map(sources.map((s, i) => [s, i]));
  // Stable sort: by source, file order kept inside a source.
  const ordered = segments.map((s, i) => ({ s, i })).sort((a, b) => index.get(a.s.source)! - index.get(b.s.source)! || a.i - b.i).map((o) => o.s);
  const home = new Map<string, string>();
  for (const s of ordered) if (!home.has(s.en)) home.set(s.en, s.source);
  const count = (rule: string, lang: string): void => {
    counts[rule] ??= {};
    counts[rule][lang] = (counts[rule][lang] ?? 0) + 1;
  };
  const pairs = Object.fromEntries(TARGET_LANGUAGES.map((l) => [l, [] as PairRow[]])) as Record<TargetLanguage, PairRow[]>;
  // English string -> language -> the kept translation and its source.
  const kept = new Map<string, Partial<Record<TargetLanguage, { x: string; source: string }>>>();
  const rowsInSource = new Map<string, number>();
  for (const s of ordered) {
    const split = splitOf(s.source);
    if (splitOf(home.get(s.en)!) !== split) {
      count('cross-split', s.lang);
      continue;
    }
    const translations = kept.get(s.en) ?? {};
    if (translations[s.lang] !== undefined) {
      count('duplicate', s.lang);
      continue;
    }
    translations[s.lang] = { x: s.x, source: s.source };
    kept.set(s.en, translations);
    const key = `${s.source}\u0000${s.lang}`;
    const n = (rowsInSource.get(key) ?? 0) + 1;
    rowsInSource.set(key, n);
    pairs[s.lang].push({ id: `${index.get(s.source)}.${n}`, split, en: s.en, x: s.x, tokens: s.tokens });
  }
  const tuples: TupleRow[] = [];
  const tuplesInSource = new Map<string, number>();
  for (const [en, translations] of kept) {
    const source = home.get(en)!;
    if (!TARGET_LANGUAGES.every((l) => translations[l]?.source === source)) continue;
    const text = { en, ...Object.fromEntries(TARGET_LANGUAGES.map((l) => [l, translations[l]!.x])) } as TupleRow['text'];
    const n = (tuplesInSource.get(source) ?? 0) + 1;
    tuplesInSource.set(source, n);
    tuples.push({ id: `${index.get(source)}.t${n}`, split: splitOf(source), text });
  }
  return { sources, pairs, tuples, splitOf };
}
