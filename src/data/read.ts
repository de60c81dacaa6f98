// One entry point for a single corpus file: the format is chosen by the file extension, because
// sniffing content is ambiguous (a one-column TSV line can be valid JSON, e.g. a number).

import { CorpusFormatError } from '../errors';
import type { ReadReport } from './corpus';
import { readJsonl, type JsonlOptions } from './jsonl';
import { readTsv } from './tsv';

/** Reads `.tsv` with readTsv and `.jsonl` / `.ndjson` with readJsonl; anything else throws CorpusFormatError. */
export function readCorpusFile(name: string, text: string, options: JsonlOptions = {}): ReadReport {
  const base = name.split(/[\\/]/).pop() ?? name;
  const dot = base.lastIndexOf('.');
  const ext = dot > 0 ? base.slice(dot + 1).toLowerCase() : '';
  if (ext === 'tsv') return readTsv(text, name);
  if (ext === 'jsonl' || ext === 'ndjson') return readJsonl(text, name, options);
  const got = ext ? `'.${ext}'` : 'no extension';
  throw new CorpusFormatError(
    `${name}: unknown corpus format (${got}). Use .tsv (a header line of language codes, then one tab-separated tuple per line) ` +
      'or .jsonl (one JSON object per line, language codes as keys). A Flores-style folder (one file per language, ' +
      "e.g. 'eng_Latn.devtest') is read as a whole with readFlores(files).",
    { file: name, extension: ext },
  );
}
