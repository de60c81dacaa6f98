// Trains a byte-level BPE tokenizer and returns it as a Hugging Face tokenizer.json object, the
// format src/model/tokenizer.ts (over @huggingface/tokenizers) loads.
//
// Pre-tokenisation. The saved tokenizer splits text in two steps (tokenizer.json `pre_tokenizer`):
//   1. Split on PRE_TOKENIZER_PATTERN (GPT-2-like: contractions, words with one optional leading
//      space, numbers of up to 3 digits, runs of punctuation/symbols, whitespace), except that
//      Han characters, hiragana and katakana each make runs of their own script, never glued to
//      Latin or Cyrillic letters or to each other: "お茶を一杯ください" -> お|茶|を|一杯|ください.
//      (A Chinese run ends at punctuation. Capping Han runs at 1-4 characters was tried: 2-7% more
//      Chinese tokens on the test split. No learned token is longer than 3 Han characters.)
//   2. ByteLevel without its own regex: each piece becomes its UTF-8 bytes in GPT-2's printable
//      byte alphabet (space = "Ġ").
// Training pre-tokenises with the library's own pre-tokenizer, built from the very config object
// written into tokenizer.json, so training and encoding cannot disagree on the chunks. Special
// token strings inside training text are cut out first, as the library does at encode time.
//
// Merges. Standard BPE over chunk frequencies: a pair's count is the sum of the counts of the
// chunks it occurs in; each step merges the pair with the highest count, ties going to the
// lexicographically smallest pair (first symbol, then second, by UTF-16 code units). Counts are
// updated incrementally (only chunks holding the merged pair are revisited) and a lazy max-heap
// picks the next pair. Each merged token has exactly one merge producing it (a merged pair never
// becomes adjacent again, so no token can be spelled two ways); a merge whose result is already in
// the vocabulary (only possible for a special token written in byte symbols, e.g. "Ġx") is never
// made. With one merge per token, the library's encoder (a priority queue over merge ranks) gives
// exactly the segmentation training ended with: bpeTokenizer below checks that.
//
// Ids: 0..255 are the bytes (id = byte value), then the special tokens in the order given (so
// `<s>` is 256 when it comes first, whatever the vocabulary size), then merged tokens in the order
// they were learned. The vocabulary is exactly `vocabSize` unless the text runs out of pairs seen
// `minFrequency` times; then it stops early (check `model.vocab`).

import { SequencePreTokenizer } from '@huggingface/tokenizers';
import { byteToUnicode } from './byte-tokenizer';

export interface BpeTrainOptions {
  /** Total vocabulary: 256 bytes + specials + merged tokens. */
  vocabSize: number;
  /** Special tokens (BOS, EOS, pad, language tags...); ids 256, 257, ... in this order. */
  specials: string[];
  /** A pair seen fewer times than this is never merged. Default 2. */
  minFrequency?: number;
}

/**
 * Oniguruma regex of the Split pre-tokenizer (the syntax Hugging Face tokenizers reads; the JS
 * library rewrites it to a JS RegExp). Alternatives, first match wins:
 * contractions | Chinese characters | hiragana | katakana | other letters and marks | 1-3 digits |
 * punctuation and symbols | whitespace not before a non-space | remaining whitespace.
 * All but the contractions and whitespace take one optional leading space.
 */
export const PRE_TOKENIZER_PATTERN = [
  "'s|'t|'re|'ve|'m|'ll|'d",
  ' ?\\p{Han}+',
  ' ?\\p{Hiragana}+',
  ' ?[\\p{Katakana}ー]+',
  ' ?[^\\s\\p{N}\\p{P}\\p{S}\\p{C}\\p{Han}\\p{Hiragana}\\p{Katakana}ー]+',
  ' ?\\p{N}{1,3}',
  ' ?[^\\s\\p{L}\\p{M}\\p{N}]+',
  '\\s+(?!\\S)',
  '\\s+',
].join('|');

/** tokenizer.json `pre_tokenizer`: Split on PRE_TOKENIZER_PATTERN, then bytes to GPT-2's alphabet. */
export function preTokenizerConfig() {
  return {
    type: 'Sequence' as const,
    pretokenizers: [
      { type: 'Split' as const, pattern: { Regex: PRE_TOKENIZER_PATTERN }, behavior: 'Isolated' as const, invert: false },
      { type: 'ByteLevel' as const, add_prefix_space: false, trim_offsets: true, use_regex: false },
    ],
  };
}

/**
 * The byte-level chunks the saved tokenizer's pre-tokenizer makes of `text` (special tokens are
 * not cut out here: see splitOnSpecials). Uses @huggingface/tokenizers itself.
 */
export function createPreTokenizer(): (text: string) => string[] {
  const pre = new SequencePreTokenizer(preTokenizerConfig());
  return (text) => (text.length === 0 ? [] : pre.pre_tokenize(text));
}

/**
 * `text` cut into the special tokens it contains and the text between them, as the library does
 * before pre-tokenising: at each position the longest special token starting there wins.
 */
export function splitOnSpecials(text: string, specials: readonly string[]): { text: string; special: boolean }[] {
  const out: { text: string; special: boolean }[] = [];
  if (specials.length === 0) return text.length ? [{ text, special: false }] : [];
  let start = 0;
  let i = 0;
  while (i < text.length) {
    let match = '';
    for (const s of specials) if (s.length > match.length && text.startsWith(s, i)) match = s;
    if (match) {
      if (i > start) out.push({ text: text.slice(start, i), special: false });
      out.push({ text: match, special: true });
      i += match.length;
      start = i;
    } else i++;
  }
  if (start < text.length) out.push({ text: text.slice(start), special: false });
  return out;
}

/** Byte-level chunk -> count over all texts (special token strings removed first). */
function countChunks(texts: readonly string[], specials: readonly string[]): Map<string, number> {
  const pre = createPreTokenizer();
  const counts = new Map<string, number>();
  for (const text of texts) {
    for (const part of splitOnSpecials(text, specials)) {
      if (part.special) continue;
      for (const chunk of pre(part.text)) counts.set(chunk, (counts.get(chunk) ?? 0) + 1);
    }
  }
  return counts;
}

const PAIR_BASE = 2 ** 21; // symbol ids stay below this (vocabularies up to ~2M)
const pairKey = (a: number, b: number) => a * PAIR_BASE + b;

interface HeapEntry {
  key: number;
  count: number;
}

/** Max-heap by count, then smallest (first, second) symbol text. */
class PairHeap {
  private readonly items: HeapEntry[] = [];
  constructor(private readonly symbols: string[]) {}

  get size(): number {
    return this.items.length;
  }

  /** Whether x comes out before y. */
  private before(x: HeapEntry, y: HeapEntry): boolean {
    if (x.count !== y.count) return x.count > y.count;
    const xa = this.symbols[Math.floor(x.key / PAIR_BASE)];
    const ya = this.symbols[Math.floor(y.key / PAIR_BASE)];
    if (xa !== ya) return xa < ya;
    return this.symbols[x.key % PAIR_BASE] < this.symbols[y.key % PAIR_BASE];
  }

  push(e: HeapEntry): void {
    const h = this.items;
    h.push(e);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.before(h[i], h[p])) break;
      [h[i], h[p]] = [h[p], h[i]];
      i = p;
    }
  }

  pop(): HeapEntry | undefined {
    const h = this.items;
    if (h.length === 0) return undefined;
    const top = h[0];
    const last = h.pop() as HeapEntry;
    if (h.length > 0) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && this.before(h[l], h[m])) m = l;
        if (r < h.length && this.before(h[r], h[m])) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m], h[i]];
        i = m;
      }
    }
    return top;
  }
}

export interface BpeMerges {
  /** Token texts by id: 256 byte symbols, the specials, then merged tokens. */
  vocab: string[];
  /** Merges in rank order, as [left, right] token texts. */
  merges: [string, string][];
}

/** The BPE core: the vocabulary and merges learned from `texts` (see the file comment). */
export function learnMerges(texts: readonly string[], opts: BpeTrainOptions): BpeMerges {
  const { vocabSize, specials } = opts;
  const minFrequency = opts.minFrequency ?? 2;
  const alphabet = byteToUnicode();
  if (!Number.isSafeInteger(vocabSize) || vocabSize < 256 + specials.length) {
    throw new RangeError(`vocabSize must be an integer of at least 256 + ${specials.length} specials = ${256 + specials.length}, got ${vocabSize}.`);
  }
  if (vocabSize >= PAIR_BASE) throw new RangeError(`vocabSize must be below ${PAIR_BASE}, got ${vocabSize}.`);
  if (!Number.isFinite(minFrequency) || minFrequency < 1) throw new RangeError(`minFrequency must be at least 1, got ${minFrequency}.`);
  const vocabIndex = new Map<string, number>();
  alphabet.forEach((ch, i) => vocabIndex.set(ch, i));
  for (const s of specials) {
    if (typeof s !== 'string' || s.length === 0) throw new RangeError(`Special tokens must be non-empty strings, got ${JSON.stringify(s)}.`);
    if (vocabIndex.has(s)) throw new RangeError(`Special token ${JSON.stringify(s)} is listed twice or is a byte symbol.`);
    vocabIndex.set(s, vocabIndex.size);
  }
  const vocab = [...alphabet, ...specials];

  // Distinct chunks in a fixed order (sorted), so the input order of texts cannot matter.
  const chunkCounts = countChunks(texts, specials);
  const chunks = [...chunkCounts.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const words: number[][] = chunks.map((c) => Array.from(c, (ch) => vocabIndex.get(ch) as number));
  const freq = chunks.map((c) => chunkCounts.get(c) as number);

  // symbols[id] is the token text for pair ordering; specials never occur inside words.
  const symbols = vocab;
  const pairCounts = new Map<number, number>();
  const where = new Map<number, Set<number>>();
  const addPairs = (w: number, sign: number, delta: Map<number, number> | null) => {
    const word = words[w];
    const c = freq[w] * sign;
    for (let i = 0; i + 1 < word.length; i++) {
      const k = pairKey(word[i], word[i + 1]);
      pairCounts.set(k, (pairCounts.get(k) ?? 0) + c);
      if (delta) delta.set(k, (delta.get(k) ?? 0) + c);
      if (sign > 0) {
        let set = where.get(k);
        if (!set) where.set(k, (set = new Set()));
        set.add(w);
      }
    }
  };
  words.forEach((_, w) => addPairs(w, 1, null));

  const heap = new PairHeap(symbols);
  for (const [key, count] of pairCounts) heap.push({ key, count });
  const banned = new Set<number>();
  const merges: [string, string][] = [];

  while (vocab.length < vocabSize) {
    const top = heap.pop();
    if (!top) break;
    const current = pairCounts.get(top.key) ?? 0;
    if (banned.has(top.key) || current <= 0) continue;
    if (current !== top.count) {
      heap.push({ key: top.key, count: current }); // stale entry: counts only fall, so re-queue
      continue;
    }
    if (current < minFrequency) break; // the best pair left is too rare
    const a = Math.floor(top.key / PAIR_BASE);
    const b = top.key % PAIR_BASE;
    const text = symbols[a] + symbols[b];
    if (vocabIndex.has(text)) {
      banned.add(top.key); // would give a special token's text: never merged
      continue;
    }
    const id = vocab.length;
    vocab.push(text);
    vocabIndex.set(text, id);
    merges.push([symbols[a], symbols[b]]);

    // Re-count the chunks holding the pair: remove their old pairs, merge, add the new pairs.
    const delta = new Map<number, number>();
    const holders = where.get(top.key) as Set<number>;
    where.delete(top.key);
    for (const w of holders) {
      const word = words[w];
      let has = false;
      for (let i = 0; i + 1 < word.length; i++) if (word[i] === a && word[i + 1] === b) has = true;
      if (!has) continue;
      addPairs(w, -1, delta);
      const merged: number[] = [];
      for (let i = 0; i < word.length; i++) {
        if (i + 1 < word.length && word[i] === a && word[i + 1] === b) {
          merged.push(id);
          i++;
        } else merged.push(word[i]);
      }
      words[w] = merged;
      addPairs(w, 1, delta);
    }
    for (const [k, d] of delta) {
      const count = pairCounts.get(k) as number;
      if (count <= 0) {
        pairCounts.delete(k);
        where.delete(k);
      } else if (d > 0) heap.push({ key: k, count });
    }
  }
  return { vocab, merges };
}

/**
 * Trains a byte-level BPE on `texts` and returns tokenizer.json as an object (JSON.stringify it).
 * Deterministic: the same texts (in any order) and options give the same object.
 */
export function trainByteLevelBpe(texts: string[], opts: BpeTrainOptions): Record<string, unknown> {
  const { vocab, merges } = learnMerges(texts, opts);
  const added = opts.specials.map((content, i) => ({
    id: 256 + i,
    content,
    single_word: false,
    lstrip: false,
    rstrip: false,
    normalized: false,
    special: true,
  }));
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: added,
    normalizer: null,
    pre_tokenizer: preTokenizerConfig(),
    post_processor: null,
    decoder: { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true },
    model: {
      type: 'BPE',
      dropout: null,
      unk_token: null,
      continuing_subword_prefix: null,
      end_of_word_suffix: null,
      fuse_unk: false,
      byte_fallback: false,
      ignore_merges: false,
      // fromEntries makes own properties even for a token spelled "__proto__".
      vocab: Object.fromEntries(vocab.map((t, id) => [t, id])),
      // Byte-level tokens never hold a plain space (it is "Ġ"), so "left right" is unambiguous.
      merges: merges.map(([l, r]) => `${l} ${r}`),
    },
  };
}

/**
 * Our own encoder, for checking the library's: pre-tokenise (library pre-tokenizer, specials cut
 * out), then apply `merges` to each chunk in rank order, each merge left to right. The returned
 * function gives token texts (specials as themselves).
 */
export function bpeTokenizer(merges: readonly [string, string][], specials: readonly string[] = []): (text: string) => string[] {
  const pre = createPreTokenizer();
  const rank = new Map<string, number>();
  merges.forEach(([l, r], i) => rank.set(`${l} ${r}`, i));
  const bpe = (chunk: string): string[] => {
    let word = Array.from(chunk);
    for (;;) {
      let best = -1;
      for (let i = 0; i + 1 < word.length; i++) {
        const r = rank.get(`${word[i]} ${word[i + 1]}`);
        if (r !== undefined && (best < 0 || r < best)) best = r;
      }
      if (best < 0) return word;
      const [l, r] = merges[best];
      const next: string[] = [];
      for (let i = 0; i < word.length; i++) {
        if (i + 1 < word.length && word[i] === l && word[i + 1] === r) {
          next.push(l + r);
          i++;
        } else next.push(word[i]);
      }
      word = next;
    }
  };
  return (text) => splitOnSpecials(text, specials).flatMap((part) => (part.special ? [part.text] : pre(part.text).flatMap(bpe)));
}
