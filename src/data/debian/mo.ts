// GNU gettext binary catalogs (.mo), read from bytes.
//
// Layout (all integers u32, little- or big-endian as the magic says):
//   0  magic 0x950412de     4  revision (major 0 or 1)
//   8  N entries           12  offset of the original-string table   16  offset of the translation table
//   each table: N x [length u32, offset u32], strings NUL-terminated after `length` bytes
// An original is `msgctxt \x04 msgid [\0 msgid_plural]`, a translation `msgstr[0] [\0 msgstr[1] ...]`.
// Entry 0 with an empty msgid is the header ("Content-Type: ...; charset=UTF-8"). msgfmt never
// writes fuzzy entries into a .mo (unless run with --use-fuzzy), so a .mo has no fuzzy flag to read.

import { CorpusFormatError } from '../../errors';

export interface MoEntry {
  /** msgctxt, when the entry had one. */
  context?: string;
  msgid: string;
  /** msgid_plural, when the entry is a plural one. */
  msgidPlural?: string;
  /** msgstr, or msgstr[0..n-1] for plural entries. */
  msgstr: string[];
}

export interface MoCatalog {
  /** The header entry (msgid ""), parsed into its "Name: value" lines. */
  header: Record<string, string>;
  /** Every entry but the header, in file order (msgfmt sorts them by original). */
  entries: MoEntry[];
}

const MAGIC = 0x950412de;

/** Parses a .mo file. Throws CorpusFormatError for a truncated file, a bad magic or a non-UTF-8 charset. */
export function parseMo(bytes: Uint8Array, file = 'catalog.mo'): MoCatalog {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.byteLength < 20) throw new CorpusFormatError(`${file}: ${bytes.byteLength} bytes, too short for a .mo header`, { file });
  const little = view.getUint32(0, true) === MAGIC;
  if (!little && view.getUint32(0, false) !== MAGIC) throw new CorpusFormatError(`${file}: not a .mo file (bad magic number)`, { file });
  const u32 = (at: number): number => {
    if (at + 4 > bytes.byteLength) throw new CorpusFormatError(`${file}: truncated at byte ${at}`, { file });
    return view.getUint32(at, little);
  };
  const n = u32(8);
  const originals = u32(12);
  const translations = u32(16);
  const decoder = new TextDecoder('utf-8', { fatal: true });
  const string = (table: number, i: number): string => {
    const length = u32(table + 8 * i);
    const offset = u32(table + 8 * i + 4);
    if (offset + length > bytes.byteLength) throw new CorpusFormatError(`${file}: string ${i} runs past the end of the file`, { file });
    try {
      return decoder.decode(bytes.subarray(offset, offset + length));
    } catch {
      throw new CorpusFormatError(`${file}: string ${i} is not UTF-8 (catalogs in legacy charsets are not supported)`, { file });
    }
  };
  const header: Record<string, string> = {};
  const entries: MoEntry[] = [];
  for (let i = 0; i < n; i++) {
    const original = string(originals, i);
    const translation = string(translations, i);
    if (original === '') {
      for (const line of translation.split('\n')) {
        const colon = line.indexOf(':');
        if (colon > 0) header[line.slice(0, colon).trim()] = line.slice(colon + 1).trim();
      }
      continue;
    }
    const eot = original.indexOf('\u0004');
    const context = eot >= 0 ? original.slice(0, eot) : undefined;
    const [msgid, msgidPlural] = original.slice(eot + 1).split('\u0000');
    const entry: MoEntry = { msgid, msgstr: translation.split('\u0000') };
    if (context !== undefined) entry.context = context;
    if (msgidPlural !== undefined) entry.msgidPlural = msgidPlural;
    entries.push(entry);
  }
  const charset = /charset=([^;\s]+)/i.exec(header['Content-Type'] ?? '')?.[1];
  if (charset && !/^utf-?8$/i.test(charset) && charset.toUpperCase() !== 'CHARSET') {
    throw new CorpusFormatError(`${file}: charset ${charset}; only UTF-8 catalogs are read`, { file });
  }
  return { header, entries };
}
