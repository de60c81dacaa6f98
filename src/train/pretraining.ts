// The pre-training text of the default model and its tokenizer (issue 14): the monolingual sides of
// both shipped corpora's TRAIN splits, never a pair in one sequence.
//
//   software: public/data/debian/mono.<lang>.txt.gz (train sources and manual pages only), one
//             paragraph or segment per line. Languages differ up to 3x in lines (de 104 k, cs 35 k),
//             so every language keeps the same number of lines, that of the smallest, chosen by a
//             seeded shuffle: the model and the tokenizer see the eight languages equally often.
//   everyday: the train split of public/data/corpus.tsv, repeated `everydayRepeats` times, because
//             its 367 tuples would otherwise be 1% of the text while the workshop runs on them.
//
// Packing. Lines are short (median 18 tokens, 8% over 64) and a batch is padded to its longest row,
// so one line per row wastes ~60% of the compute at 64 tokens. packLines joins consecutive lines of
// ONE language into a row "s1</s><s>s2</s><s>s3", which encodes (BOS and EOS added by the sampler)
// to <s> s1 </s> <s> s2 </s> <s> s3 </s>: every line still starts after BOS and ends with EOS, as
// each sentence is scored alone, and no row mixes languages (the model is never shown a translation).

import { Rng } from './rng';
import type { ParallelTuple } from './batching';

export interface PretrainingOptions {
  /** Monolingual lines per language (the software corpus's mono files). */
  mono: Record<string, readonly string[]>;
  /** The everyday corpus's train split. */
  everydayTrain: readonly ParallelTuple[];
  everydayRepeats: number;
  seed: number;
}

export interface PretrainingLines {
  /** Language -> its lines, shuffled (seeded). */
  lines: Record<string, string[]>;
  /** Monolingual lines kept per language (the same for all). */
  linesPerLanguage: number;
}

/** Every language's mono lines cut to the smallest language's count (seeded choice), plus the repeated everyday train split, shuffled. */
export function pretrainingLines({ mono, everydayTrain, everydayRepeats, seed }: PretrainingOptions): PretrainingLines {
  const langs = Object.keys(mono).sort();
  if (langs.length === 0) throw new RangeError('No monolingual text: run `npm run build:corpus:debian` to write public/data/debian/mono.<lang>.txt.gz.');
  const kept = Object.fromEntries(langs.map((l) => [l, mono[l].filter((s) => s.trim() !== '')]));
  const n = Math.min(...langs.map((l) => kept[l].length));
  const rng = new Rng(seed);
  const lines: Record<string, string[]> = {};
  for (const lang of langs) {
    const own = rng.shuffle(kept[lang]).slice(0, n);
    for (let r = 0; r < everydayRepeats; r++) for (const t of everydayTrain) if (t[lang]) own.push(t[lang]);
    lines[lang] = rng.shuffle(own);
  }
  return { lines, linesPerLanguage: n };
}

/**
 * One-language tuples ({ de: 'a</s><s>b' }) of consecutive lines joined while the encoded row
 * (BOS + tokens + EOS per line) stays within `maxLength`; a line longer than that stands alone (the
 * sampler truncates it). `tokens(line)` counts a line's tokens without BOS or EOS.
 */
export function packLines(lines: Record<string, readonly string[]>, tokens: (line: string) => number, maxLength: number, bos = '<s>', eos = '</s>'): ParallelTuple[] {
  const rows: ParallelTuple[] = [];
  for (const [lang, own] of Object.entries(lines)) {
    let row: string[] = [];
    let used = 0;
    for (const line of own) {
      const n = tokens(line) + 2;
      if (row.length > 0 && used + n > maxLength) {
        rows.push({ [lang]: row.join(eos + bos) });
        row = [];
        used = 0;
      }
      row.push(line);
      used += n;
    }
    if (row.length > 0) rows.push({ [lang]: row.join(eos + bos) });
  }
  return rows;
}
