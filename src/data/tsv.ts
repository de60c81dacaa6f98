// Tab-separated parallel corpora.
//
//   id<TAB>en<TAB>zh            <- header: language codes, optionally one `id` column, any position
//                                  (and one `split` column: train, dev or test, the file's own split)
//   # a comment                 <- lines starting with '#' and blank lines (spaces only) are skipped
//   s1<TAB>Hello.<TAB>你好。     <- one tuple per line, the same number of cells as the header
//
// UTF-8 text (a BOM is dropped), LF or CRLF. No quoting or escapes: TSV corpora in the wild do not
// agree on any, so a cell simply cannot hold a tab or a newline. A line of only tabs is NOT blank:
// it is a row whose cells are all empty, and is reported like any other malformed line.

import { CorpusFormatError } from '../errors';
import {
  assertLanguages,
  duplicateIdMessage,
  splitLines,
  textProblem,
  type LineProblem,
  type ParallelCorpus,
  type ParallelTuple,
  type ReadReport,
  type SplitName,
  SPLIT_NAMES,
} from './corpus';

const HEADER_FIX = 'The first line must list language codes separated by tabs, e.g. "id<TAB>en<TAB>zh".';

interface Header {
  columns: string[];
  languages: string[];
  /** Column of each language, in `languages` order. */
  languageColumns: number[];
  /** Column of `id`, or -1. */
  idColumn: number;
  /** Column of `split`, or -1. */
  splitColumn: number;
}

const isSkipped = (raw: string): boolean => /^ *$/.test(raw) || raw.startsWith('#');

function parseHeader(raw: string, file: string, line: number): Header {
  const columns = raw.split('\t');
  const where = `line ${line} (header)`;
  if (columns.length === 1 && / /.test(raw)) {
    throw new CorpusFormatError(`${file}: ${where} has no tab; columns must be separated by tabs, not spaces. ${HEADER_FIX}`, { file, line });
  }
  for (const reserved of ['id', 'split']) {
    if (columns.filter((c) => c === reserved).length > 1) {
      throw new CorpusFormatError(`${file}: ${where}: more than one '${reserved}' column. ${HEADER_FIX}`, { file, line });
    }
  }
  const idColumn = columns.indexOf('id');
  const splitColumn = columns.indexOf('split');
  const languageColumns = columns.map((_, k) => k).filter((k) => k !== idColumn && k !== splitColumn);
  const languages = languageColumns.map((k) => columns[k]);
  assertLanguages(languages, file, where, HEADER_FIX);
  return { columns, languages, languageColumns, idColumn, splitColumn };
}

/** Why a line's cell count is wrong, with the likeliest cause. */
function columnCountMessage(cells: string[], header: Header): string {
  const n = cells.length;
  const m = header.columns.length;
  let hint = '';
  if (n === 1) hint = ' (no tab on this line: columns separated by spaces?)';
  else if (n > m && cells.slice(m).every((c) => c === '')) hint = ' (trailing tab?)';
  else if (n > m) hint = ' (a tab inside a sentence?)';
  else hint = ' (a missing translation?)';
  return `${n} column${n === 1 ? '' : 's'}, the header has ${m}${hint}; line skipped`;
}

/** Reads a TSV corpus. Bad data lines are skipped and reported; a bad header throws CorpusFormatError. */
export function readTsv(text: string, file = 'corpus.tsv'): ReadReport {
  const lines = splitLines(text);
  let h = 0;
  while (h < lines.length && isSkipped(lines[h])) h++;
  if (h === lines.length) {
    throw new CorpusFormatError(`${file}: no header line (the file is empty or only comments). ${HEADER_FIX}`, { file });
  }
  const header = parseHeader(lines[h], file, h + 1);
  const problems: LineProblem[] = [];
  const tuples: ParallelTuple[] = [];
  const ids: string[] = [];
  const splits: SplitName[] = [];
  const firstLineOfId = new Map<string, number>();

  for (let i = h + 1; i < lines.length; i++) {
    const raw = lines[i];
    const line = i + 1;
    if (isSkipped(raw)) continue;
    const cells = raw.split('\t');
    if (cells.length !== header.columns.length) {
      problems.push({ file, line, message: columnCountMessage(cells, header) });
      continue;
    }
    const issues: string[] = [];
    cells.forEach((cell, k) => {
      const problem = textProblem(cell);
      if (problem) issues.push(`${problem} in column '${header.columns[k]}'`);
    });
    if (issues.length) {
      problems.push({ file, line, message: `${issues.join('; ')}; line skipped` });
      continue;
    }
    const split = cells[header.splitColumn] as SplitName;
    if (header.splitColumn >= 0 && !SPLIT_NAMES.includes(split)) {
      problems.push({ file, line, message: `split ${JSON.stringify(split)} is not train, dev or test; line skipped` });
      continue;
    }
    if (header.idColumn >= 0) {
      const id = cells[header.idColumn];
      const first = firstLineOfId.get(id);
      if (first !== undefined) {
        problems.push({ file, line, message: duplicateIdMessage(id, first) });
        continue;
      }
      firstLineOfId.set(id, line);
      ids.push(id);
    }
    if (header.splitColumn >= 0) splits.push(split);
    const tuple: ParallelTuple = {};
    header.languages.forEach((lang, k) => (tuple[lang] = cells[header.languageColumns[k]]));
    tuples.push(tuple);
  }
  const corpus: ParallelCorpus = { languages: header.languages, tuples };
  if (header.idColumn >= 0) corpus.ids = ids;
  if (header.splitColumn >= 0) corpus.splits = splits;
  return { corpus, problems };
}

/**
 * The corpus as TSV (`id` first when there are ids, then `split` when declared, LF endings, final newline) that readTsv reads
 * back unchanged. Throws CorpusFormatError for what TSV cannot hold, rather than writing a file
 * that would lose lines on the way back.
 */
export function writeTsv(corpus: ParallelCorpus): string {
  const { languages, tuples, ids, splits } = corpus;
  const file = 'writeTsv';
  assertLanguages(languages, file, 'corpus languages', 'Fix the corpus language list.');
  if (languages.includes('id')) throw new CorpusFormatError(`${file}: 'id' is reserved for the id column.`, { file });
  if (splits && (splits.length !== tuples.length || !splits.every((s) => SPLIT_NAMES.includes(s)))) {
    throw new CorpusFormatError(`${file}: splits must name train, dev or test for each of the ${tuples.length} tuples.`, { file });
  }
  if (ids && ids.length !== tuples.length) {
    throw new CorpusFormatError(`${file}: ${ids.length} ids for ${tuples.length} tuples.`, { file, ids: ids.length, tuples: tuples.length });
  }
  const seen = new Set<string>();
  const rows = tuples.map((tuple, i) => {
    const cells = languages.map((lang) => tuple[lang]);
    const names = [...languages];
    if (splits) {
      cells.unshift(splits[i]);
      names.unshift('split');
    }
    if (ids) {
      cells.unshift(ids[i]);
      names.unshift('id');
      if (seen.has(ids[i])) throw new CorpusFormatError(`${file}: tuple ${i}: duplicate id ${JSON.stringify(ids[i])}.`, { file, tuple: i });
      seen.add(ids[i]);
    }
    cells.forEach((cell, k) => {
      const problem = typeof cell === 'string' ? textProblem(cell) : 'missing';
      if (problem) {
        throw new CorpusFormatError(`${file}: tuple ${i}, column '${names[k]}': ${problem}; TSV cannot hold it. Fix or drop the tuple.`, { file, tuple: i, column: names[k] });
      }
    });
    // A first cell starting with '#' would read back as a comment line.
    if (cells[0].startsWith('#')) {
      throw new CorpusFormatError(`${file}: tuple ${i}: column '${names[0]}' starts with '#' and would read back as a comment.`, { file, tuple: i });
    }
    return cells.join('\t');
  });
  const head = [...(ids ? ['id'] : []), ...(splits ? ['split'] : []), ...languages].join('\t');
  return [head, ...rows].join('\n') + '\n';
}
