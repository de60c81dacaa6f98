// Mutations of line-oriented corpus files (TSV, JSONL): a line's cells or JSON damaged, columns
// added or lost, ids duplicated, the header broken, control characters, BOMs and lone surrogates
// inside text, invalid UTF-8 bytes, a megabyte line, 10,000 lines, 20,000 columns, 40,000 distinct
// language codes, CRLF and mixed endings, deep JSON nesting. Text edits work on lines; byte edits
// on the UTF-8. Files stay under about 8 MB: the 2 s limit is for hangs (work growing faster than
// the input), not a benchmark of reading a large corpus.

import { absurdJsonValue } from './absurd';
import { mutateBytes, type Mutated } from './bytes';
import type { Rng } from './prng';

const utf8 = (s: string) => new TextEncoder().encode(s);
const STRAY = ['\u0000', '\u0007', '\r', '\u0085', '\ufeff', '\u2028', '\ud800', '\udc00x', '\t', ''];
/** Byte sequences that are not UTF-8: a lone continuation byte, a cut 3-byte char, an overlong '/', a surrogate, past U+10FFFF. */
const BAD_UTF8 = [[0x80], [0xe4, 0xbd], [0xc0, 0xaf], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0xff]];

/** The k-th of 4 x 26^3 distinct Flores-style codes: aaa_Latn, baa_Latn, ... */
function floresCode(k: number): string {
  const letter = (j: number) => String.fromCharCode(97 + (Math.floor(k / 26 ** j) % 26));
  return `${letter(0)}${letter(1)}${letter(2)}_${['Latn', 'Cyrl', 'Hans', 'Arab'][Math.floor(k / 26 ** 3) % 4]}`;
}

function lineEdit(lines: string[], rng: Rng, jsonl: boolean): string {
  const i = rng.int(lines.length);
  const line = lines[i];
  const cells = line.split('\t');
  const choice = rng.int(jsonl ? 12 : 10);
  switch (choice) {
    case 0:
      lines.splice(i, 1);
      return `line ${i + 1} removed`;
    case 1:
      lines.splice(rng.int(lines.length + 1), 0, line);
      return `line ${i + 1} repeated`;
    case 2: {
      const at = rng.int(line.length + 1);
      const s = rng.pick(STRAY);
      lines[i] = line.slice(0, at) + s + line.slice(at);
      return `line ${i + 1}: ${JSON.stringify(s)} inserted at ${at}`;
    }
    case 3:
      lines[i] = line.slice(0, rng.int(line.length + 1));
      return `line ${i + 1} cut`;
    case 4:
      lines[i] = rng.chance(0.5) ? [...cells, ...cells.slice(0, rng.range(1, 3))].join('\t') : cells.slice(0, rng.int(cells.length)).join('\t');
      return `line ${i + 1}: columns added or lost`;
    case 5:
      lines[i] = cells.map((c) => (rng.chance(0.3) ? rng.pick(['', ' ', '#', 'id', 'split', 'test', 'xx', 'EN', 'eng_Latn']) : c)).join('\t');
      return `line ${i + 1}: cells replaced`;
    case 6: {
      const n = rng.pick([1 << 16, 1 << 20]);
      lines[i] = line + 'x'.repeat(n);
      return `line ${i + 1} made ${n} characters longer`;
    }
    case 7: {
      const n = rng.pick([2_000, 10_000]);
      // copies of at most 1,000 characters: the file stays near 10 MB even after a huge-line edit
      lines.splice(i, 0, ...Array<string>(n).fill(rng.pick([line.slice(0, 1000), '', '#', '\t', '{}'])));
      return `${n} lines inserted at ${i + 1}`;
    }
    case 8:
      lines[i] = rng.chance(0.5) ? line.replace(/\t/g, ' ') : Array(rng.pick([100, 20_000])).fill('en').join('\t');
      return `line ${i + 1}: tabs replaced or thousands of columns`;
    case 9: {
      // the header (TSV) or an object (JSONL) with thousands of distinct, valid language codes
      const n = rng.pick([1_000, 40_000]);
      const codes = Array.from({ length: n }, (_, k) => floresCode(k));
      lines[i] = jsonl ? JSON.stringify(Object.fromEntries(codes.map((c) => [c, 'x']))) : ['id', ...codes].join('\t');
      return `line ${i + 1}: ${n} distinct language codes`;
    }
    case 10: {
      // JSONL: one value of the object replaced
      try {
        const obj = JSON.parse(line) as Record<string, unknown>;
        const key = rng.chance(0.8) ? rng.pick(Object.keys(obj).concat('id', '__proto__', 'xx')) : 'id';
        obj[key] = absurdJsonValue(rng, obj[key]);
        lines[i] = JSON.stringify(obj);
        return `line ${i + 1}: "${key}" = ${JSON.stringify(obj[key])?.slice(0, 40)}`;
      } catch {
        return `line ${i + 1} left (not JSON)`;
      }
    }
    default: {
      const depth = rng.pick([100, 5_000, 50_000]);
      lines[i] = rng.chance(0.5) ? '['.repeat(depth) + ']'.repeat(depth) : '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
      return `line ${i + 1}: JSON nested ${depth} deep`;
    }
  }
}

/** One or two mutations of a valid TSV or JSONL corpus `text`, as the bytes a reader gets. */
export function mutateCorpus(text: string, rng: Rng, jsonl: boolean): Mutated {
  const kind = rng.weighted<string>([[6, 'lines'], [1, 'endings'], [2, 'utf8'], [1, 'blind']]);
  if (kind === 'blind') {
    const m = mutateBytes(utf8(text), rng);
    return { bytes: m.bytes, what: `blind: ${m.what}` };
  }
  if (kind === 'utf8') {
    const b = utf8(text);
    const at = rng.int(b.length + 1);
    const bad = rng.pick(BAD_UTF8);
    return { bytes: new Uint8Array([...b.subarray(0, at), ...bad, ...b.subarray(at)]), what: `bytes ${bad.map((x) => x.toString(16)).join(' ')} inserted at ${at}` };
  }
  if (kind === 'endings') {
    const ending = rng.pick(['\r\n', '\r', '\n\n', '\u2028', '\r\r\n']);
    return { bytes: utf8(text.replace(/\n/g, () => (rng.chance(0.5) ? ending : '\n'))), what: `line endings ${JSON.stringify(ending)}` };
  }
  const lines = text.split('\n');
  const what: string[] = [];
  for (let n = rng.range(1, 2), i = 0; i < n; i++) what.push(lineEdit(lines, rng, jsonl));
  return { bytes: utf8(lines.join('\n')), what: what.join('; ') };
}
