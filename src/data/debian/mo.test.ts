// .mo parsing on catalogs assembled byte by byte here (the layout of mo.ts's header comment).

import { describe, expect, it } from 'vitest';
import { CorpusFormatError } from '../../errors';
import { parseMo } from './mo';

/** A .mo file holding `[original, translation]` strings, little- or big-endian. */
export function buildMo(strings: [string, string][], littleEndian = true): Uint8Array {
  const enc = new TextEncoder();
  const n = strings.length;
  const originals = 28;
  const translations = originals + 8 * n;
  let at = translations + 8 * n;
  const blobs: { offset: number; bytes: Uint8Array }[] = [];
  const table: number[] = [];
  for (const side of [0, 1]) {
    for (const pair of strings) {
      const bytes = enc.encode(pair[side]);
      table.push(bytes.length, at);
      blobs.push({ offset: at, bytes });
      at += bytes.length + 1;
    }
  }
  const out = new Uint8Array(at);
  const view = new DataView(out.buffer);
  [0x950412de, 0, n, originals, translations, 0, 0].forEach((v, i) => view.setUint32(4 * i, v, littleEndian));
  table.forEach((v, i) => view.setUint32(originals + 4 * i, v, littleEndian));
  for (const b of blobs) out.set(b.bytes, b.offset);
  return out;
}

const HEADER: [string, string] = ['', 'Project-Id-Version: demo\nContent-Type: text/plain; charset=UTF-8\nPlural-Forms: nplurals=3;\n'];

describe('parseMo', () => {
  it('reads the header, plain, context and plural entries in either byte order', () => {
    for (const little of [true, false]) {
      const mo = buildMo([HEADER, ['Open the file in a new window', 'Datei in neuem Fenster öffnen'], ['menu\u0004Save the document now', 'Dokument jetzt speichern'], ['One file was deleted\u0000Many files were deleted', 'Eine Datei\u0000Dateien\u0000Viele']], little);
      const { header, entries } = parseMo(mo);
      expect(header['Plural-Forms']).toBe('nplurals=3;');
      expect(entries).toEqual([
        { msgid: 'Open the file in a new window', msgstr: ['Datei in neuem Fenster öffnen'] },
        { context: 'menu', msgid: 'Save the document now', msgstr: ['Dokument jetzt speichern'] },
        { msgid: 'One file was deleted', msgidPlural: 'Many files were deleted', msgstr: ['Eine Datei', 'Dateien', 'Viele'] },
      ]);
    }
  });

  it('throws CorpusFormatError for a bad magic, a truncated file and a legacy charset', () => {
    const good = buildMo([HEADER, ['Hello there my friend', 'Hallo']]);
    const bad = good.slice();
    bad[0] = 0;
    expect(() => parseMo(bad, 'x.mo')).toThrow(/x\.mo: not a \.mo file/);
    expect(() => parseMo(good.subarray(0, 40), 'x.mo')).toThrow(CorpusFormatError);
    const latin1 = buildMo([['', 'Content-Type: text/plain; charset=ISO-8859-1\n'], ['Hello there my friend', 'Hallo']]);
    expect(() => parseMo(latin1, 'old.mo')).toThrow(/charset ISO-8859-1/);
  });
});
