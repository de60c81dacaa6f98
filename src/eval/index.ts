// Translation metrics: BLEU, chrF and chrF++, computed as sacreBLEU 2.x computes them (see bleu.ts,
// chrf.ts, tokenize.ts), plus our convention for scoring Flores-style test sets in any language.
//
// Tokenizer convention (tokenizerFor): BLEU needs words, and Chinese and Japanese are written without
// spaces, so
//   - Chinese (zh, zho, chi, cmn, yue, e.g. 'zho_Hans', 'yue_Hant'): 'zh', sacreBLEU's own choice for
//     Chinese (each Han character a token, the rest 13a);
//   - Japanese (ja, jpn, e.g. 'jpn_Jpan'): 'char', every character a token. sacreBLEU's choice is
//     'ja-mecab', a morphological analyser (MeCab and its dictionary) too heavy to ship to a browser,
//     so our Japanese BLEU is character-level, NOT comparable with published ja-mecab BLEU;
//   - everything else: '13a', sacreBLEU's default and the WMT standard.
// For FLORES-200 comparisons note that the published benchmark numbers are usually spBLEU (the
// 'flores200' SentencePiece tokenizer), which we do not reproduce; chrF/chrF++ need no tokenizer and
// compare directly. chrF++'s word n-grams are whitespace-split, so for Chinese and Japanese they
// mostly see whole sentences; that is also what sacreBLEU does.

import { AlignScopeError } from '../errors';
import { corpusBleu, type BleuOptions, type BleuScore } from './bleu';
import { corpusChrf, type ChrfOptions, type ChrfScore } from './chrf';
import type { ReferenceStream } from './references';
import type { TokenizerName } from './tokenize';

export * from './bleu';
export * from './chrf';
export * from './references';
export * from './tokenize';

const CHINESE = new Set(['zh', 'zho', 'chi', 'cmn', 'yue']);
const JAPANESE = new Set(['ja', 'jpn']);

/**
 * The BLEU tokenizer for a target language code ('zh', 'zho_Hans', 'ja', 'jpn_Jpan', 'de-DE', ...;
 * only the part before the first '-' or '_' counts, case-insensitively). See the convention above.
 */
export function tokenizerFor(lang: string): TokenizerName {
  const primary = lang.trim().split(/[-_]/)[0].toLowerCase();
  if (CHINESE.has(primary)) return 'zh';
  if (JAPANESE.has(primary)) return 'char';
  return '13a';
}

export interface TranslationScores {
  /** Corpus BLEU with tokenizerFor(lang), sacreBLEU defaults otherwise ('exp' smoothing, mixed case). */
  bleu: BleuScore;
  /** Corpus chrF2 (character orders 1..6). */
  chrf: ChrfScore;
  /** Corpus chrF2++ (chrF plus word orders 1..2). */
  chrfpp: ChrfScore;
}

/** A flat list of strings is one reference stream; [] is an empty one (an empty corpus). */
function asStreams(references: readonly string[] | ReadonlyArray<ReferenceStream>): ReadonlyArray<ReferenceStream> {
  if (references.length === 0) return [[]];
  const strings = references.filter((r) => typeof r === 'string').length;
  if (strings === references.length) return [references as readonly string[]];
  if (strings > 0) {
    throw new AlignScopeError('scoreTranslations: references mix strings and arrays; pass one reference per hypothesis (string[]) or reference streams (string[][]).', { strings, items: references.length });
  }
  return references as ReadonlyArray<ReferenceStream>;
}

/**
 * Corpus BLEU, chrF and chrF++ of translations into `lang`. `references` is either one reference per
 * hypothesis (`refs[i]`, the Flores case) or reference streams (`refs[k][i]`, as corpusBleu).
 */
export function scoreTranslations(
  hypotheses: readonly string[],
  references: readonly string[] | ReadonlyArray<ReferenceStream>,
  lang: string,
  opts: { bleu?: Omit<BleuOptions, 'tokenize'>; chrf?: Omit<ChrfOptions, 'wordOrder'> } = {},
): TranslationScores {
  const streams = asStreams(references);
  return {
    bleu: corpusBleu(hypotheses, streams, { ...opts.bleu, tokenize: tokenizerFor(lang) }),
    chrf: corpusChrf(hypotheses, streams, { ...opts.chrf, wordOrder: 0 }),
    chrfpp: corpusChrf(hypotheses, streams, { ...opts.chrf, wordOrder: 2 }),
  };
}
