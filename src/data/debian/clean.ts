// Cleaning rules for one English–X segment taken from a catalog entry or a documentation paragraph.
//
// Each rule either NORMALISES the text (the segment stays, changed) or DROPS the segment; rules run
// in the order of RULES and the first drop ends a segment's way. Counts are kept per rule and
// language so the data card can say what each rule did. Rules that need the whole corpus (duplicates,
// the same English in two splits) live in assemble.ts; this file sees one segment at a time.

import { textProblem } from '../corpus';

export const TARGET_LANGUAGES = ['zh', 'ja', 'de', 'fr', 'es', 'cs', 'uk'] as const;
export type TargetLanguage = (typeof TARGET_LANGUAGES)[number];

export interface RuleInfo {
  action: 'normalise' | 'drop';
  /** One line for the data card: what the rule looks for and what it does. */
  description: string;
}

/** Every per-segment rule in the order it runs. */
export const RULES = {
  'bom-crlf': { action: 'normalise', description: 'byte-order marks removed, CRLF and CR turned into LF (before any other rule)' },
  'plural': { action: 'normalise', description: 'plural entries (msgid_plural) kept as their singular: msgid with msgstr[0]; the other forms are dropped' },
  'context': { action: 'normalise', description: 'msgctxt disambiguation strings stripped (never part of the text)' },
  'empty': { action: 'drop', description: 'empty translation (msgstr "")' },
  'layout': { action: 'drop', description: 'text laid out for a terminal: a tab, a run of 3+ spaces, or a line starting with space, "-" or "*" (usage tables, option lists)' },
  'markup': { action: 'normalise', description: 'XML/Pango/HTML tags removed keeping their text (<b>x</b> -> x), entities decoded (&amp; -> &)' },
  'accelerator': { action: 'normalise', description: 'keyboard accelerators removed: "_File" -> "File", "&Open" -> "Open", CJK suffixes "(_O)" / "(&O)" removed' },
  'whitespace': { action: 'normalise', description: 'Unicode NFC, line breaks and runs of spaces collapsed to one space, ends trimmed' },
  'placeholder': { action: 'drop', description: 'format placeholders: printf %s %d %1$s %.2f %qD %<, Python %(name)s {0} {name}, shell ${var} and $VAR, Qt/KDE %1, %%' },
  'control': { action: 'drop', description: 'a control character or unpaired surrogate left after normalising' },
  'untranslated': { action: 'drop', description: 'translation identical to the English after normalising' },
  'wrong-script': { action: 'drop', description: 'zh without Han, ja without kana or Han, uk without Cyrillic, de/fr/es/cs with Han, kana or Cyrillic or without Latin letters' },
  'short': { action: 'drop', description: 'fewer than 4 English words (a word: whitespace-separated, with at least one letter)' },
  'long': { action: 'drop', description: "the pair does not fit the default model's context: tokens(en) + tokens(x) + 4 (language tags, separator, end) > max_position_embeddings" },
} as const satisfies Record<string, RuleInfo>;
export type Rule = keyof typeof RULES;

/** counts[rule][lang]: segments a rule dropped or changed. */
export type RuleCounts = Record<string, Record<string, number>>;

export interface RawSegment {
  lang: TargetLanguage;
  en: string;
  x: string;
  /** The entry had msgid_plural (en is the singular msgid, x msgstr[0]). */
  plural?: boolean;
  /** The entry's msgctxt, already separated from the msgid by the catalog reader. */
  context?: string;
}

export interface CleanOptions {
  /** Tokens of a text by the default model's tokenizer, without BOS. */
  countTokens: (text: string) => number;
  /** The model's max_position_embeddings. */
  maxTokens: number;
}

export type CleanResult = { en: string; x: string; tokens: number } | { dropped: Rule };

// printf (with positional %1$s, flags, width, precision, length, and gcc's %q / %< %>), Python
// %(name)s, brace fields {0} {name} {}, shell ${var}, and %% itself. A space flag is left out on
// purpose: "50% done" would otherwise read as "% d".
const PLACEHOLDER = new RegExp(
  [
    String.raw`%(?:\d+\$)?[-+#0']*(?:\d+|\*)?(?:\.(?:\d+|\*))?(?:hh|h|ll|l|L|q|j|z|t|I64|I32|w|\+)*[diouxXeEfFgGaAcspnmDETFVKOCQHIs<>'%]`,
    String.raw`%\([A-Za-z_][\w.]*\)[-+#0]*\d*(?:\.\d+)?[sdifrxXeEgGc]`,
    String.raw`%[1-9]\d*`,
    String.raw`\{[A-Za-z_]?[\w.]*(?::[^{}]*)?\}`,
    String.raw`\$\{?[A-Za-z_]\w*\}?`,
  ].join('|'),
);

const TAG = /<\/?[A-Za-z][\w:.-]*(?:\s[^<>]*)?\/?>/g;
const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0' };
const ENTITY = /&(?:#(\d+)|#x([0-9A-Fa-f]+)|([A-Za-z]+));/g;

/** Tags dropped (their text kept) and entities decoded. Pango/GTK markup escapes & as &amp;, so decode last. */
export function stripMarkup(text: string): string {
  return text.replace(TAG, '').replace(ENTITY, (whole, dec: string | undefined, hex: string | undefined, name: string | undefined) => {
    if (dec) return String.fromCodePoint(Number(dec));
    if (hex) return String.fromCodePoint(parseInt(hex, 16));
    return ENTITIES[name ?? ''] ?? whole;
  });
}

/** Accelerator marks removed: CJK "(_F)" / "(&F)" suffixes first, then "_F" and "&F" (not "&amp;", not "a & b", not snake_case). */
export function stripAccelerators(text: string): string {
  return text
    .replace(/\s*[(（][_&][A-Za-z0-9][)）]/g, '')
    .replace(/(^|[^\p{L}\p{N}_])_(?=[\p{L}\p{N}])/gu, '$1')
    .replace(/(^|[^&\p{L}\p{N}])&(?![A-Za-z]+;|#\d+;|#x[0-9A-Fa-f]+;)(?=[\p{L}\p{N}])/gu, '$1');
}

export function hasPlaceholder(text: string): boolean {
  return PLACEHOLDER.test(text);
}

const HAN = /\p{Script=Han}/u;
const KANA = /[\p{Script=Hiragana}\p{Script=Katakana}]/u;
const CYRILLIC = /\p{Script=Cyrillic}/u;
const LATIN = /\p{Script=Latin}/u;

/** Whether the translation is written in the script its language uses. */
export function scriptMatches(lang: TargetLanguage, text: string): boolean {
  switch (lang) {
    case 'zh':
      return HAN.test(text);
    case 'ja':
      return KANA.test(text) || HAN.test(text);
    case 'uk':
      return CYRILLIC.test(text);
    default:
      return LATIN.test(text) && !HAN.test(text) && !KANA.test(text) && !CYRILLIC.test(text);
  }
}

export const englishWords = (text: string): number => text.split(/\s+/).filter((w) => /\p{L}/u.test(w)).length;

const LAYOUT = /\t| {3,}|\n[ \-*]/;
const collapse = (text: string): string => text.normalize('NFC').replace(/\s+/g, ' ').trim();

/** Runs every rule on one segment, counting into `counts`; returns the clean pair or the rule that dropped it. */
export function cleanSegment(segment: RawSegment, options: CleanOptions, counts: RuleCounts): CleanResult {
  const { lang } = segment;
  const count = (rule: Rule): void => {
    counts[rule] ??= {};
    counts[rule][lang] = (counts[rule][lang] ?? 0) + 1;
  };
  const drop = (rule: Rule): CleanResult => {
    count(rule);
    return { dropped: rule };
  };
  let en = segment.en;
  let x = segment.x;
  const normalised = (rule: Rule, f: (s: string) => string): void => {
    const [a, b] = [f(en), f(x)];
    if (a !== en || b !== x) count(rule);
    [en, x] = [a, b];
  };
  normalised('bom-crlf', (s) => s.replace(/\ufeff/g, '').replace(/\r\n?/g, '\n'));
  if (segment.plural) count('plural');
  if (segment.context !== undefined) count('context');
  if (x.trim() === '') return drop('empty');
  if (LAYOUT.test(en) || LAYOUT.test(x)) return drop('layout');
  normalised('markup', stripMarkup);
  normalised('accelerator', stripAccelerators);
  normalised('whitespace', collapse);
  if (hasPlaceholder(en) || hasPlaceholder(x)) return drop('placeholder');
  if (textProblem(en) !== null || textProblem(x) !== null) return drop('control');
  if (en === x) return drop('untranslated');
  if (!scriptMatches(lang, x)) return drop('wrong-script');
  if (englishWords(en) < 4) return drop('short');
  const tokens = options.countTokens(en) + options.countTokens(x);
  if (tokens + 4 > options.maxTokens) return drop('long');
  return { en, x, tokens };
}
