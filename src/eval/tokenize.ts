// BLEU tokenizers, reimplemented to give the same tokens as sacreBLEU 2.x (so that our scores can be
// compared with published sacreBLEU numbers). A tokenizer maps a line to a string of space-separated
// tokens; BLEU then splits it on whitespace. The behaviours below, quirks included, are sacreBLEU's:
// changing any of them changes scores against the reference implementation.
//
// Two Python-vs-JavaScript differences matter everywhere here:
//   - Python's str.split()/strip() whitespace is not JavaScript's \s: Python also counts U+001C..U+001F
//     and U+0085 (NEL), JavaScript also counts U+FEFF (BOM). PY_WS_* reproduce Python's set.
//   - Python indexes strings by code point, JavaScript by UTF-16 unit, so everything that walks
//     characters iterates code points (for..of / the u flag), never string indices.

import { AlignScopeError } from '../errors';

/** The tokenizers we reproduce, by sacreBLEU's names. */
export type TokenizerName = '13a' | 'zh' | 'char' | 'none' | 'intl';

/** A tokenizer: a line in, space-separated tokens out. */
export type Tokenize = (line: string) => string;

export const TOKENIZER_NAMES: readonly TokenizerName[] = ['13a', 'zh', 'char', 'none', 'intl'];

// Python's str.isspace() characters (what str.split() and str.strip() with no argument use).
const PY_WS_CLASS = '\\t\\n\\v\\f\\r\\x1c-\\x1f \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';
const PY_WS_RUN = new RegExp(`[${PY_WS_CLASS}]+`, 'u');
const PY_WS_ALL = new RegExp(`[${PY_WS_CLASS}]+`, 'gu');
const PY_WS_TRAILING = new RegExp(`[${PY_WS_CLASS}]+$`, 'u');
const PY_WS_LEADING = new RegExp(`^[${PY_WS_CLASS}]+`, 'u');

/** Python's `s.split()`: split on runs of whitespace, dropping empty pieces (so '' gives []). */
export function splitWords(s: string): string[] {
  return s.split(PY_WS_RUN).filter((w) => w !== '');
}

/** Python's `s.rstrip()`. */
export function rstripPy(s: string): string {
  return s.replace(PY_WS_TRAILING, '');
}

/** Python's `s.strip()`. */
export function stripPy(s: string): string {
  return s.replace(PY_WS_LEADING, '').replace(PY_WS_TRAILING, '');
}

/** Python's `''.join(s.split())`: the line with every whitespace character removed. */
export function removeWhitespace(s: string): string {
  return s.replace(PY_WS_ALL, '');
}

/** Python's `' '.join(s.split())`: single spaces between tokens, none at the ends. */
function normalizeSpaces(s: string): string {
  return splitWords(s).join(' ');
}

// The language-dependent half of mteval-v13a (sacreBLEU's TokenizerRegexp), shared by '13a' and 'zh'.
// Applied in order, each a global left-to-right replacement, exactly as Python's re.sub does.
const V13A_RULES: ReadonlyArray<readonly [RegExp, string]> = [
  // Split off ASCII symbols: { | } ~  [ \ ] ^ _ `  space ! " # $ % &  ( ) * +  : ; < = > ? @  /
  // Not split here: ' (apostrophes stay inside words), - (hyphenated words stay whole), '.' and ','
  // (handled by the digit-aware rules below). Ranges as in mteval-v13a.pl.
  [/([\x7b-\x7e\x5b-\x60\x20-\x26\x28-\x2b\x3a-\x40\x2f])/gu, ' $1 '],
  // Period and comma are split unless they sit between digits (3.14 and 1,000 stay one token):
  // first when preceded by a non-digit...
  [/([^0-9])([.,])/gu, '$1 $2 '],
  // ...then when followed by a non-digit.
  [/([.,])([^0-9])/gu, ' $1 $2'],
  // A dash after a digit is split off ("1990-2000" -> "1990 - 2000"), a dash between letters is not.
  [/([0-9])(-)/gu, '$1 $2 '],
];

function v13aPost(line: string): string {
  for (const [re, repl] of V13A_RULES) line = line.replace(re, repl);
  return normalizeSpaces(line);
}

/**
 * mteval-v13a, the WMT standard and sacreBLEU's default. The line is padded with a space on each side
 * before the rules run, so a period or comma at the very start or end of the line is always split
 * (even "1999." at the end becomes "1999 .").
 */
export function tokenize13a(line: string): string {
  // Language-independent part: drop <skipped> markers, join hyphenated line breaks, unescape the four
  // SGML entities mteval knows (in this order: "&amp;lt;" therefore ends up as "<").
  line = line.replaceAll('<skipped>', '').replaceAll('-\n', '').replaceAll('\n', ' ');
  if (line.includes('&')) {
    line = line.replaceAll('&quot;', '"').replaceAll('&amp;', '&').replaceAll('&lt;', '<').replaceAll('&gt;', '>');
  }
  return v13aPost(` ${line} `);
}

// Code-point ranges that sacreBLEU's 'zh' tokenizer treats as Chinese characters (each becomes a
// token of its own). Two of sacreBLEU's ranges are written as '\u20000'..'\u2a6d6' and
// '\u2f800'..'\u2fa1d', meant as the astral CJK Extension B and Compatibility Supplement blocks. In
// Python '\u20000' is the two characters U+2000 '0', and sacreBLEU compares single characters
// against these strings, so the ranges it actually applies are U+2001..U+2A6D and U+2F81..U+2FA1 and no
// astral character ever counts as Chinese. We reproduce what it does, not what it meant: the first
// range sweeps in general punctuation (— “ ” … ‰), arrows and math symbols, which therefore become
// single-character tokens under 'zh'.
const ZH_RANGES: ReadonlyArray<readonly [number, number]> = [
  [0x3400, 0x4db5], // CJK Unified Ideographs Extension A
  [0x4e00, 0x9fa5], // CJK Unified Ideographs
  [0x9fa6, 0x9fbb], // CJK Unified Ideographs, Unicode 4.1 additions
  [0xf900, 0xfa2d], // CJK Compatibility Ideographs
  [0xfa30, 0xfa6a],
  [0xfa70, 0xfad9],
  [0x2001, 0x2a6d], // sacreBLEU's mis-written "Extension B" range, as it behaves (see above)
  [0x2f81, 0x2fa1], // sacreBLEU's mis-written "Compatibility Supplement" range, as it behaves
  [0xff00, 0xffef], // full-width ASCII and punctuation, half-width kana, Hangul
  [0x2e80, 0x2eff], // CJK Radicals Supplement
  [0x3000, 0x303f], // CJK symbols and punctuation
  [0x31c0, 0x31ef], // CJK strokes
  [0x2f00, 0x2fdf], // Kangxi radicals
  [0x2ff0, 0x2fff], // ideographic description characters
  [0x3100, 0x312f], // Bopomofo
  [0x31a0, 0x31bf], // Bopomofo extended
  [0xfe10, 0xfe1f], // vertical forms
  [0xfe30, 0xfe4f], // CJK compatibility forms
  [0x2600, 0x26ff], // miscellaneous symbols
  [0x2700, 0x27bf], // dingbats
  [0x3200, 0x32ff], // enclosed CJK letters and months
  [0x3300, 0x33ff], // CJK compatibility
];

/** Whether sacreBLEU's 'zh' tokenizer splits this code point off as a Chinese character. */
export function isZhChar(codePoint: number): boolean {
  for (const [lo, hi] of ZH_RANGES) if (codePoint >= lo && codePoint <= hi) return true;
  return false;
}

/**
 * sacreBLEU's 'zh': every Chinese character (see ZH_RANGES) is a token; the rest goes through the
 * 13a rules. Unlike '13a' it does not unescape entities or drop <skipped>, and it strips the line
 * instead of padding it, so a period at the very end after a digit stays attached ("1999.").
 */
export function tokenizeZh(line: string): string {
  let spaced = '';
  for (const ch of stripPy(line)) spaced += isZhChar(ch.codePointAt(0)!) ? ` ${ch} ` : ch;
  return v13aPost(spaced);
}

/** sacreBLEU's 'char': every character (code point) is a token; whitespace disappears on splitting. */
export function tokenizeChar(line: string): string {
  return Array.from(line).join(' ');
}

/** sacreBLEU's 'none': the line as it is (BLEU still splits it on whitespace). */
export function tokenizeNone(line: string): string {
  return line;
}

// mteval-v14 "international": split Unicode punctuation unless it sits between digits on the side
// that matters, and split every Unicode symbol. \p{..} with the u flag gives the same categories as
// the Python `regex` module sacreBLEU uses (up to the Unicode versions of the two engines).
const INTL_RULES: ReadonlyArray<readonly [RegExp, string]> = [
  [/(\P{N})(\p{P})/gu, '$1 $2 '], // punctuation preceded by a non-digit
  [/(\p{P})(\P{N})/gu, ' $1 $2'], // punctuation followed by a non-digit
  [/(\p{S})/gu, ' $1 '], // symbols
];

/**
 * sacreBLEU's 'intl' (mteval-v14 international). The line is not padded, so a number followed by a
 * final period keeps it ("in 1999." -> "in 1999."), a quirk of mteval-v14 that sacreBLEU keeps.
 */
export function tokenizeIntl(line: string): string {
  for (const [re, repl] of INTL_RULES) line = line.replace(re, repl);
  return normalizeSpaces(line);
}

const BY_NAME: Record<TokenizerName, Tokenize> = {
  '13a': tokenize13a,
  zh: tokenizeZh,
  char: tokenizeChar,
  none: tokenizeNone,
  intl: tokenizeIntl,
};

/** The tokenizer called `name` in sacreBLEU. */
export function getTokenizer(name: TokenizerName): Tokenize {
  const t = BY_NAME[name];
  if (!t) throw new AlignScopeError(`Unknown BLEU tokenizer '${String(name)}'; use one of ${TOKENIZER_NAMES.join(', ')}.`, { tokenizer: String(name) });
  return t;
}
