// One entry point for a single corpus file: the format is chosen by the file extension, because
// sniffing content is ambiguous (a one-column TSV line can be valid JSON, e.g. a number). A `.gz`
// after the extension (corpus.tsv.gz) is gunzipped first, by readCorpusBytes.

import { CorpusFormatError } from '../errors';
import type { ReadReport } from './corpus';
import { readJsonl, type JsonlOptions } from './jsonl';
import { readTsv } from './tsv';

/** Reads `.tsv` with readTsv and `.jsonl` / `.ndjson` with readJsonl; anything else throws CorpusFormatError. */
export function readCorpusFile(name: string, text: string, options: JsonlOptions = {}): ReadReport {
  const base = (name.split(/[\\/]/).pop() ?? name).replace(/\.gz$/i, '');
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

/**
 * Reads a corpus file from its bytes, gunzipping `.gz` files with DecompressionStream (in browsers and
 * in Node 18+ alike, so one code path serves the app and the CLI). Rejects with CorpusFormatError when
 * a .gz file is not valid gzip or a file is not UTF-8.
 */
export async function readCorpusBytes(name: string, bytes: Uint8Array, options: JsonlOptions = {}): Promise<ReadReport> {
  let data = bytes;
  // A web server may send a .gz file with `Content-Encoding: gzip` (Vite's preview server does), and
  // fetch then hands over the bytes already gunzipped: gunzip only what starts with gzip's magic.
  const gzipped = bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
  if (/\.gz$/i.test(name) && (gzipped || !looksLikeText(bytes))) {
    try {
      const stream = new Blob([bytes as BlobPart]).stream().pipeThrough(new DecompressionStream('gzip'));
      data = new Uint8Array(await new Response(stream).arrayBuffer());
    } catch (e) {
      throw new CorpusFormatError(`${name}: not a valid gzip file (${(e as Error).message}). Compress with gzip, or drop the .gz suffix.`, { file: name });
    }
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(data);
  } catch {
    throw new CorpusFormatError(`${name}: not UTF-8 text. Save the corpus as UTF-8.`, { file: name });
  }
  return readCorpusFile(name, text, options);
}

/** Whether the first bytes decode as UTF-8 without control characters other than tab and line ends (a character cut at the end is fine). */
function looksLikeText(bytes: Uint8Array): boolean {
  const text = new TextDecoder('utf-8').decode(bytes.subarray(0, 512)).replace(/\uFFFD{1,3}$/u, '');
  return !/[\uFFFD\u0000-\u0008\u000e-\u001f]/u.test(text);
}
