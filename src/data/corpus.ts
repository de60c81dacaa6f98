// Parallel corpora in memory, and the checks every reader shares.
//
// Readers never throw on a bad data line: they skip it and report a LineProblem (file, 1-based line,
// what is wrong), so one stray character on line 40 312 does not cost the whole file and nothing is
// dropped silently. What makes the whole file unreadable (header, language codes, file names) throws
// CorpusFormatError, saying what to do.
//
// Language codes: ISO 639-1 (`en`, `zh`) or Flores-200 style, ISO 639-3 + '_' + ISO 15924 script
// (`eng_Latn`, `zho_Hans`). The canonical form is the code AS GIVEN: we never rewrite it, because
// `zho_Hans` and `zho_Hant` are different columns with the same language. Code that needs "which
// language is this" (the English column, language pairs) asks baseLanguage(), which maps both forms
// to ISO 639-1 where one exists. `id` is reserved for the id column (TSV, JSONL), so Indonesian must
// be written `ind_Latn` there.
//
// Sentences are single-line text: empty / whitespace-only cells and control characters (tabs and
// newlines included, which only JSON could smuggle in) are line problems in every format, so the
// readers accept exactly the same tuples and any corpus can be written back as TSV.

import { CorpusFormatError } from '../errors';
import type { ParallelTuple } from '../train/batching';

export type { ParallelTuple };

export interface ParallelCorpus {
  /** Column order as read (file order for Flores); every tuple has exactly these keys. */
  languages: string[];
  tuples: ParallelTuple[];
  /** One per tuple, unique, when the source has ids (TSV/JSONL `id`; Flores: the 1-based line number). */
  ids?: string[];
  /**
   * One per tuple when the file declares its own split (a TSV `split` column): corpora split by
   * source (whole documents to one split) cannot be re-split from their tuples, so splitCorpus
   * returns this assignment as is.
   */
  splits?: SplitName[];
}

export type SplitName = 'train' | 'dev' | 'test';
export const SPLIT_NAMES: readonly SplitName[] = ['train', 'dev', 'test'];

export interface LineProblem {
  file: string;
  /** 1-based line in `file`, counting every physical line (blank and comment lines too). */
  line: number;
  message: string;
}

export interface ReadReport {
  corpus: ParallelCorpus;
  /** Every skipped line, and anything else the reader noticed (e.g. Flores line-count mismatch). */
  problems: LineProblem[];
}

/** ISO 639-1 (two lowercase letters) or Flores style `xxx_Xxxx`. */
export const LANGUAGE_CODE = /^(?:[a-z]{2}|[a-z]{3}_[A-Z][a-z]{3})$/;

// ISO 639-3 -> 639-1 for the Flores-200 languages that have a two-letter code. Flores uses some
// individual languages where 639-1 names the macrolanguage (arb -> ar, zsm -> ms, pes -> fa).
const TO_639_1 = new Map(
  ('eng:en zho:zh cmn:zh jpn:ja deu:de fra:fr spa:es ces:cs ukr:uk rus:ru pol:pl por:pt ita:it nld:nl ' +
    'kor:ko ara:ar arb:ar hin:hi ben:bn tur:tr vie:vi ind:id tha:th heb:he ell:el swe:sv dan:da fin:fi ' +
    'hun:hu ron:ro bul:bg slk:sk slv:sl hrv:hr srp:sr bos:bs mkd:mk bel:be lit:lt lvs:lv lav:lv ekk:et ' +
    'est:et pes:fa fas:fa urd:ur swh:sw swa:sw cat:ca eus:eu glg:gl kat:ka hye:hy tam:ta tel:te mar:mr ' +
    'guj:gu kan:kn mal:ml pan:pa zsm:ms msa:ms kaz:kk uzn:uz tgl:tl isl:is gle:ga cym:cy mlt:mt afr:af ' +
    'amh:am yor:yo zul:zu xho:xh hau:ha som:so npi:ne sin:si khm:km lao:lo mya:my ltz:lb azj:az tat:tt ' +
    'kir:ky tgk:tg khk:mn pbt:ps als:sq nob:nb nno:nn epo:eo')
    .split(' ')
    .map((pair) => pair.split(':') as [string, string]),
);

const FIX = "use ISO 639-1 ('en', 'zh') or a Flores code ('eng_Latn', 'zho_Hans')";

/** Null for a valid code, otherwise what is wrong with it and how to write it. */
export function languageCodeProblem(code: string): string | null {
  if (LANGUAGE_CODE.test(code)) return null;
  const shown = JSON.stringify(code);
  if (code === '') return `empty language code; ${FIX}`;
  if (/\s/.test(code)) return `${shown} contains whitespace (columns must be separated by single tabs); ${FIX}`;
  if (/^[A-Za-z]{2}$/.test(code)) return `${shown}: ISO 639-1 codes are lowercase, write '${code.toLowerCase()}'`;
  if (/^[A-Za-z]{3}$/.test(code)) {
    const two = TO_639_1.get(code.toLowerCase());
    return `${shown} is a bare 3-letter code; write ${two ? `'${two}' or ` : ''}'${code.toLowerCase()}_Xxxx' with its ISO 15924 script (e.g. 'eng_Latn')`;
  }
  const flores = /^([A-Za-z]{3})[_-]([A-Za-z]{4})$/.exec(code);
  if (flores) {
    const [, lang, script] = flores;
    return `${shown}: Flores codes are a lowercase ISO 639-3 code, '_' and a title-case script; write '${lang.toLowerCase()}_${script[0].toUpperCase()}${script.slice(1).toLowerCase()}'`;
  }
  const locale = /^([A-Za-z]{2})[-_][A-Za-z0-9]+$/.exec(code);
  if (locale) return `${shown} looks like a locale tag; regions are not supported: write '${locale[1].toLowerCase()}', or a Flores code with the script ('zho_Hans')`;
  return `${shown} is not a language code; ${FIX}`;
}

/** The language of a code, as ISO 639-1 where one exists: `zho_Hans` -> `zh`, `en` -> `en`; else the ISO 639-3 part (`yue_Hant` -> `yue`). */
export function baseLanguage(code: string): string {
  const problem = languageCodeProblem(code);
  if (problem) throw new CorpusFormatError(`Not a language code: ${problem}.`, { code });
  if (code.length === 2) return code;
  const lang = code.slice(0, 3);
  return TO_639_1.get(lang) ?? lang;
}

/**
 * The most languages one corpus may hold. Every line is checked against each of them, so a hostile
 * header of 40,000 codes (a 360 kB line) would make each of its lines cost 40,000 checks and messages.
 */
export const MAX_LANGUAGES = 1000;

/**
 * Throws CorpusFormatError unless `codes` is a usable language set: valid codes, no duplicates, at
 * least two (a parallel corpus), at most MAX_LANGUAGES. `where` says where the codes came from, `fix` what the user should do.
 */
export function assertLanguages(codes: readonly string[], file: string, where: string, fix: string): void {
  if (codes.length > MAX_LANGUAGES) {
    throw new CorpusFormatError(`${file}: ${where}: ${codes.length} language columns; a parallel corpus may have at most ${MAX_LANGUAGES} (Flores-200 has 204). ${fix}`, { file, languages: codes.length });
  }
  for (const code of codes) {
    const problem = languageCodeProblem(code);
    if (problem) throw new CorpusFormatError(`${file}: ${where}: ${problem}. ${fix}`, { file, code });
  }
  // one pass with a Set: indexOf per code was quadratic, and a 1 MB header of distinct codes took minutes
  const seen = new Set<string>();
  const dup = codes.find((c) => seen.size === seen.add(c).size);
  if (dup !== undefined) throw new CorpusFormatError(`${file}: ${where}: language '${dup}' appears twice. ${fix}`, { file, code: dup });
  if (codes.length < 2) {
    throw new CorpusFormatError(`${file}: ${where}: a parallel corpus needs at least two languages, found ${codes.length} (${codes.join(', ') || 'none'}). ${fix}`, { file, languages: [...codes] });
  }
}

// C0 and C1 controls, DEL, and a byte-order mark inside the text (usually two files concatenated).
const CONTROL = /[\u0000-\u001f\u007f-\u009f\ufeff]/;
const UNPAIRED_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const CONTROL_NAMES: Record<number, string> = { 0x09: 'tab', 0x0a: 'line feed', 0x0d: 'carriage return', 0xfeff: 'byte-order mark' };

/** Null for a usable sentence (or id), otherwise what is wrong: empty, or a stray character and where. */
export function textProblem(text: string): string | null {
  if (text.trim() === '' && !CONTROL.test(text)) return 'empty';
  const control = CONTROL.exec(text);
  if (control) {
    const cp = control[0].charCodeAt(0);
    const name = CONTROL_NAMES[cp] ? ` (${CONTROL_NAMES[cp]})` : '';
    return `stray control character U+${cp.toString(16).toUpperCase().padStart(4, '0')}${name} at character ${control.index + 1}`;
  }
  const lone = UNPAIRED_SURROGATE.exec(text);
  if (lone) return `unpaired UTF-16 surrogate at character ${lone.index + 1}`;
  return null;
}

/** Lines of a text file: a leading BOM dropped, LF or CRLF endings, no phantom last line after a final newline. */
export function splitLines(text: string): string[] {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  if (body === '') return [];
  const lines = body.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines.map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
}

/** A problem message that names the duplicate's first line, for readers that check ids. */
export function duplicateIdMessage(id: string, firstLine: number): string {
  return `duplicate id ${JSON.stringify(id)} (first on line ${firstLine}); line skipped`;
}
