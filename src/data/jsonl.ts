// JSON Lines parallel corpora: one object per line, language codes as keys, an optional `id`.
//
//   {"id": "s1", "en": "Hello.", "zh": "你好。"}
//
// The language set is `options.languages` when given (other keys are then ignored: that is how a
// subset is selected), else the keys of the first line holding a JSON object; with an inferred set,
// a later line with another key is reported, since dropping the key would lose data silently.
// Whether lines carry ids is also decided by that first object line, and then holds for every line.
// Ids may be strings or integers (many exports number their lines); they are kept as strings.

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
} from './corpus';

export interface JsonlOptions {
  /** Languages to read, in this order; default: the keys of the first object line. */
  languages?: string[];
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'object') return 'an object';
  if (typeof v === 'string') return `the string ${JSON.stringify(v)}`;
  return `${typeof v === 'number' ? 'the number' : 'the boolean'} ${String(v)}`;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function idOf(v: unknown): string | null {
  if (typeof v === 'string' && textProblem(v) === null) return v;
  if (typeof v === 'number' && Number.isSafeInteger(v)) return String(v);
  return null;
}

/** Reads a JSONL corpus. Bad lines are skipped and reported; unusable language keys throw CorpusFormatError. */
export function readJsonl(text: string, file = 'corpus.jsonl', options: JsonlOptions = {}): ReadReport {
  const explicit = options.languages !== undefined;
  let languages = options.languages ? [...options.languages] : undefined;
  if (languages) assertLanguages(languages, file, 'options.languages', 'Pass language codes such as ["en", "zh"].');
  const problems: LineProblem[] = [];
  const tuples: ParallelTuple[] = [];
  const ids: string[] = [];
  const firstLineOfId = new Map<string, number>();
  let firstObjectLine = 0;
  let withIds = false;
  // the languages as a Set, for the per-line key check (includes() per key was quadratic in the language count)
  let langSet: Set<string> | undefined;

  const lines = splitLines(text);
  lines.forEach((raw, i) => {
    const line = i + 1;
    if (/^[ \t]*$/.test(raw)) return;
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch (e) {
      problems.push({ file, line, message: `malformed JSON (${(e as Error).message}); line skipped` });
      return;
    }
    if (!isObject(value)) {
      problems.push({ file, line, message: `expected a JSON object such as {"en": "...", "zh": "..."}, got ${describe(value)}; line skipped` });
      return;
    }
    if (firstObjectLine === 0) {
      firstObjectLine = line;
      withIds = Object.hasOwn(value, 'id');
      if (!languages) {
        languages = Object.keys(value).filter((k) => k !== 'id');
        assertLanguages(languages, file, `line ${line} (the first object; its keys set the languages)`, 'Rename the keys to language codes, or pass options.languages.');
      }
    }
    const langs = languages as string[];
    langSet ??= new Set(langs);
    const issues: string[] = [];
    let id: string | null = null;
    if (withIds) {
      if (!Object.hasOwn(value, 'id')) issues.push(`missing 'id' (line ${firstObjectLine} has one, so every line needs one)`);
      else if ((id = idOf(value.id)) === null) issues.push(`'id' must be a non-empty string or an integer, got ${describe(value.id)}`);
    } else if (Object.hasOwn(value, 'id')) {
      issues.push(`unexpected 'id' (line ${firstObjectLine} has none, so no line may have one)`);
    }
    for (const lang of langs) {
      const v = value[lang];
      if (!Object.hasOwn(value, lang)) issues.push(`missing '${lang}'`);
      else if (typeof v !== 'string') issues.push(`'${lang}' is ${describe(v)}, expected a string`);
      else {
        const problem = textProblem(v);
        if (problem) issues.push(`'${lang}': ${problem}`);
      }
    }
    if (!explicit) {
      const extra = Object.keys(value).filter((k) => k !== 'id' && !langSet!.has(k));
      // at most 5 named: a line of 60,000 keys would otherwise make a 600 kB message
      const named = extra.slice(0, 5).map((k) => `'${k}'`).join(', ') + (extra.length > 5 ? ` and ${extra.length - 5} more` : '');
      if (extra.length) issues.push(`unexpected key${extra.length > 1 ? 's' : ''} ${named} (languages are ${langs.join(', ')}, from line ${firstObjectLine}; pass options.languages to select some)`);
    }
    if (issues.length) {
      problems.push({ file, line, message: `${issues.join('; ')}; line skipped` });
      return;
    }
    if (id !== null) {
      const first = firstLineOfId.get(id);
      if (first !== undefined) {
        problems.push({ file, line, message: duplicateIdMessage(id, first) });
        return;
      }
      firstLineOfId.set(id, line);
      ids.push(id);
    }
    const tuple: ParallelTuple = {};
    for (const lang of langs) tuple[lang] = value[lang] as string;
    tuples.push(tuple);
  });

  if (!languages) {
    const first = problems[0];
    const detail = first ? ` (first problem, line ${first.line}: ${first.message})` : '';
    throw new CorpusFormatError(`${file}: no line holds a JSON object, so the languages are unknown${detail}. Expected one object per line, e.g. {"en": "...", "zh": "..."}.`, { file, problems });
  }
  const corpus: ParallelCorpus = { languages, tuples };
  if (withIds) corpus.ids = ids;
  return { corpus, problems };
}
