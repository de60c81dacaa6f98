// Held-out fluency per language, comparable across tokenizers: perplexity per token alone is not
// (a tokenizer with longer tokens has fewer, harder ones), so each report also gives the total
// negative log-likelihood in bits per Unicode character of the sentences.
//
// Each sentence is scored alone as BOS + sentence + EOS with every token after BOS predicted
// (Engine.perplexity; sentences longer than the context are cut to it, so keep them shorter).
//   perplexity       = exp(total NLL / tokens)          (nats per predicted token, exponentiated)
//   bitsPerCharacter = total NLL / ln 2 / characters    (characters: code points of the sentences)

import type { PerplexityResult } from '../worker/engine';

export interface PerplexityReport {
  perplexity: number;
  /** Predicted tokens (every token after BOS, EOS included). */
  tokens: number;
  /** Unicode code points of the sentences. */
  characters: number;
  bitsPerCharacter: number;
}

/** The report of `sentences` from what Engine.perplexity measured on them. */
export function perplexityReport(sentences: readonly string[], measured: PerplexityResult): PerplexityReport {
  const characters = sentences.reduce((n, s) => n + [...s].length, 0);
  return { perplexity: measured.perplexity, tokens: measured.tokens, characters, bitsPerCharacter: (measured.nll * measured.tokens) / Math.LN2 / characters };
}
