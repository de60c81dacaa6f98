// Flores-style folders: one plain-text file per language, line i of every file a translation of
// line i of the others (`eng_Latn.devtest`, `zho_Hans.devtest`, or `en.txt`, `zh.txt`). The language
// is the file name (without folders) before its first dot.
//
// Alignment is by line index only, so nothing is ever shifted to "repair" it: files of different
// lengths keep their common prefix (the mismatch is reported per longer file), and a line that is
// empty or unusable in any file drops that index from every file (reported per file, or once when
// it is empty everywhere). Ids are the 1-based line numbers, so a tuple keeps its id whatever was
// dropped before it, and line numbers in problems match the files.

import { CorpusFormatError } from '../errors';
import { languageCodeProblem, splitLines, textProblem, type LineProblem, type ParallelTuple, type ReadReport } from './corpus';

export interface NamedText {
  /** File name, possibly with folders (`flores200/devtest/eng_Latn.devtest`). */
  name: string;
  text: string;
}

const NAME_FIX = "Name each file after its language: 'eng_Latn.devtest', 'zho_Hans.devtest' or 'en.txt', 'zh.txt'.";

/** The language part of a file name: `dir/eng_Latn.devtest` -> `eng_Latn`. */
export function languageOfFileName(name: string): string {
  const base = name.split(/[\\/]/).pop() ?? name;
  return base.split('.')[0];
}

/** Reads line-aligned per-language files. Bad lines are skipped and reported; unusable file names throw CorpusFormatError. */
export function readFlores(files: NamedText[]): ReadReport {
  const folder = files.length ? files.map((f) => f.name).join(', ') : 'Flores folder';
  if (files.length < 2) {
    throw new CorpusFormatError(`${folder}: a Flores-style corpus needs one file per language, at least two; got ${files.length}. ${NAME_FIX}`, { files: files.map((f) => f.name) });
  }
  const languages = files.map((f) => languageOfFileName(f.name));
  languages.forEach((lang, k) => {
    const problem = languageCodeProblem(lang);
    if (problem) throw new CorpusFormatError(`${files[k].name}: the file name does not start with a language code: ${problem}. ${NAME_FIX}`, { file: files[k].name, code: lang });
  });
  const dup = languages.findIndex((l, k) => languages.indexOf(l) !== k);
  if (dup >= 0) {
    const other = files[languages.indexOf(languages[dup])].name;
    throw new CorpusFormatError(`${files[dup].name} and ${other} are both '${languages[dup]}'. Load one split (e.g. only *.devtest) at a time.`, { file: files[dup].name, other, code: languages[dup] });
  }

  const lines = files.map((f) => splitLines(f.text));
  const counts = lines.map((l) => l.length);
  const n = Math.min(...counts);
  const shortest = files[counts.indexOf(n)].name;
  const problems: LineProblem[] = [];
  files.forEach((f, k) => {
    if (counts[k] > n) {
      problems.push({
        file: f.name,
        line: n + 1,
        message: `${f.name} has ${counts[k]} lines but ${shortest} has ${n}; kept the first ${n} lines common to all files, lines ${n + 1}-${counts[k]} of ${f.name} were not read`,
      });
    }
  });

  const tuples: ParallelTuple[] = [];
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const bad = files.map((_, k) => textProblem(lines[k][i]));
    if (bad.every((p) => p === 'empty')) {
      problems.push({ file: files[0].name, line: i + 1, message: `line ${i + 1} is empty in every file; skipped` });
      continue;
    }
    if (bad.some((p) => p !== null)) {
      bad.forEach((p, k) => {
        if (p !== null) problems.push({ file: files[k].name, line: i + 1, message: `${p}; line ${i + 1} skipped in all files` });
      });
      continue;
    }
    const tuple: ParallelTuple = {};
    languages.forEach((lang, k) => (tuple[lang] = lines[k][i]));
    tuples.push(tuple);
    ids.push(String(i + 1));
  }
  return { corpus: { languages, tuples, ids }, problems };
}
