// A byte-level tokenizer.json with no merges: the 256 byte symbols of GPT-2's ByteLevel alphabet,
// then special tokens. It is the base alphabet every byte-level BPE starts from, and the tokenizer
// of our random test models (any text encodes, one token per UTF-8 byte).

/** GPT-2's reversible map from bytes to printable characters (printable bytes map to themselves). */
export function byteToUnicode(): string[] {
  const printable = (b: number) => (b >= 33 && b <= 126) || (b >= 161 && b <= 172) || (b >= 174 && b <= 255);
  const out: string[] = [];
  let extra = 0;
  for (let b = 0; b < 256; b++) out.push(String.fromCodePoint(printable(b) ? b : 256 + extra++));
  return out;
}

/** tokenizer.json object: ids 0..255 are bytes, then `specials` in order. */
export function byteLevelTokenizerJson(specials: string[]): Record<string, unknown> {
  const vocab: Record<string, number> = {};
  byteToUnicode().forEach((ch, i) => (vocab[ch] = i));
  specials.forEach((s, i) => (vocab[s] = 256 + i));
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: specials.map((content, i) => ({ id: 256 + i, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true })),
    normalizer: null,
    pre_tokenizer: { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true },
    post_processor: null,
    decoder: { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true },
    model: { type: 'BPE', dropout: null, unk_token: null, continuing_subword_prefix: null, end_of_word_suffix: null, fuse_unk: false, byte_fallback: false, ignore_merges: false, vocab, merges: [] },
  };
}
