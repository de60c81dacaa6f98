// Our byte-level BPE trainer: deterministic merges, a tokenizer.json that @huggingface/tokenizers
// (through our Tokenizer) loads, and encoding that agrees exactly with what training learned.

import { readFileSync } from 'node:fs';
import { Tokenizer as HfTokenizer } from '@huggingface/tokenizers';
import { describe, expect, it } from 'vitest';
import { readTsv } from '../data/tsv';
import { byteToUnicode } from './byte-tokenizer';
import { bpeTokenizer, createPreTokenizer, learnMerges, PRE_TOKENIZER_PATTERN, splitOnSpecials, trainByteLevelBpe } from './bpe-trainer';
import { Tokenizer } from './tokenizer';

type TokenizerJson = { model: { vocab: Record<string, number>; merges: string[] }; added_tokens: { id: number; content: string; special: boolean }[] };

const dataDir = new URL('../../public/data/', import.meta.url);
const { corpus } = readTsv(readFileSync(new URL('corpus.tsv', dataDir), 'utf8'), 'corpus.tsv');
const splits = JSON.parse(readFileSync(new URL('splits.json', dataDir), 'utf8')) as Record<'train' | 'dev' | 'test', string[]>;
const LANGS = corpus.languages;
const byId = new Map((corpus.ids ?? []).map((id, i) => [id, corpus.tuples[i]]));
const train = splits.train.map((id) => byId.get(id)!);
const test = splits.test.map((id) => byId.get(id)!);
const SPECIALS = ['<s>', '</s>', '<pad>', '<sep>', ...LANGS.map((l) => `<${l}>`)];
const CONFIG = { bos_token: '<s>', eos_token: '</s>', pad_token: '<pad>', add_bos_token: true, model_max_length: 128 };
const trainTexts = train.flatMap((t) => LANGS.map((l) => t[l]));

/** As scripts/train-tokenizer.ts trains it, through JSON text like the saved file. */
const json = JSON.parse(JSON.stringify(trainByteLevelBpe(trainTexts, { vocabSize: 4096, specials: SPECIALS }))) as TokenizerJson;
const tok = Tokenizer.fromJson(json, CONFIG);
const merges = json.model.merges.map((m) => m.split(' ') as [string, string]);
const tokens = (t: Tokenizer, text: string) => t.encode(text, { addBos: false }).map((id) => t.idToToken(id));

const byteOf = new Map(byteToUnicode().map((ch, b) => [ch, b]));
const fromByteLevel = (s: string) => new TextDecoder().decode(new Uint8Array(Array.from(s, (ch) => byteOf.get(ch)!)));

describe('learnMerges (tiny corpora)', () => {
  it('counts pairs over chunk frequencies and breaks ties by the smallest pair', () => {
    // aaab: (a,a) x2, (a,b); aab: (a,a), (a,b). (a,a) = 3 wins; then every pair is seen once and the
    // smallest pair goes first: (a,b) before (aa,a) and (aa,b); then (aa,ab) before (aa,b).
    expect(learnMerges(['aaab', 'aab'], { vocabSize: 300, specials: [], minFrequency: 1 }).merges).toEqual([
      ['a', 'a'],
      ['a', 'b'],
      ['aa', 'ab'],
      ['aa', 'b'],
    ]);
    // minFrequency 2 (the default) stops after the one pair seen 3 times.
    expect(learnMerges(['aaab', 'aab'], { vocabSize: 300, specials: [] }).merges).toEqual([['a', 'a']]);
  });

  it('weights pairs by how often each chunk occurs', () => {
    // " low" x3 beats "er" x2 although "lower" holds more distinct pairs.
    const { merges } = learnMerges(['low low low', 'lower newer'], { vocabSize: 258, specials: [] });
    expect(merges).toEqual([
      ['l', 'o'],
      ['lo', 'w'],
    ]);
  });

  it('is deterministic and ignores the order of the texts', () => {
    const texts = ['the cat sat on the mat', 'the dog sat on the log', '猫が座った', 'Kočka seděla na rohožce.', 'the cat', 'a mat'];
    const a = JSON.stringify(trainByteLevelBpe(texts, { vocabSize: 300, specials: ['<s>'] }));
    const b = JSON.stringify(trainByteLevelBpe([...texts].reverse(), { vocabSize: 300, specials: ['<s>'] }));
    expect(b).toBe(a);
    expect(JSON.stringify(trainByteLevelBpe(texts, { vocabSize: 300, specials: ['<s>'] }))).toBe(a);
  });

  it('stops at vocabSize exactly, and early when no pair is frequent enough', () => {
    const texts = Array.from({ length: 50 }, (_, i) => `word${i % 7} thing${i % 5} other${i % 3}`);
    const vocab = (size: number) => Object.keys((trainByteLevelBpe(texts, { vocabSize: size, specials: ['<s>'] }).model as TokenizerJson['model']).vocab);
    expect(vocab(265)).toHaveLength(265);
    expect(vocab(500)).toHaveLength(269); // 12 merges are all this text has twice
    const small = learnMerges(['ab'], { vocabSize: 1000, specials: [] });
    expect(small.merges).toEqual([]);
    expect(small.vocab).toHaveLength(256);
  });

  it('never learns a special token, nor merges across one in the training text', () => {
    // "Ġa" (a special written in byte symbols) is what " a" pre-tokenises to: the merge is refused.
    const { vocab, merges } = learnMerges([' a a a a'], { vocabSize: 300, specials: ['Ġa'], minFrequency: 1 });
    expect(merges).toEqual([]);
    expect(vocab.filter((t) => t === 'Ġa')).toHaveLength(1);
    // "<sep>" is cut out of the text before pre-tokenising, as the library does at encode time.
    const m = learnMerges(['xy<sep>xy<sep>xy'], { vocabSize: 300, specials: ['<sep>'], minFrequency: 1 }).merges;
    expect(m).toEqual([['x', 'y']]);
  });

  it('rejects impossible options', () => {
    expect(() => learnMerges(['a'], { vocabSize: 257, specials: ['<s>', '</s>'] })).toThrow(RangeError);
    expect(() => learnMerges(['a'], { vocabSize: 300, specials: ['<s>', '<s>'] })).toThrow(/twice/);
    expect(() => learnMerges(['a'], { vocabSize: 300, specials: [''] })).toThrow(RangeError);
    expect(() => learnMerges(['a'], { vocabSize: 300, specials: [], minFrequency: 0 })).toThrow(RangeError);
  });

  it('splitOnSpecials takes the longest special at each position', () => {
    expect(splitOnSpecials('a<s>b</s><sep>', ['<s>', '</s>', '<sep>'])).toEqual([
      { text: 'a', special: false },
      { text: '<s>', special: true },
      { text: 'b', special: false },
      { text: '</s>', special: true },
      { text: '<sep>', special: true },
    ]);
    expect(splitOnSpecials('<ab', ['<a', '<ab'])).toEqual([{ text: '<ab', special: true }]);
    expect(splitOnSpecials('', ['<s>'])).toEqual([]);
  });
});

describe('pre-tokenizer', { timeout: 60_000 }, () => {
  // PRE_TOKENIZER_PATTERN written directly as a JS RegExp (\s is Unicode White_Space, as in
  // Oniguruma), independent of the library's Oniguruma-to-JS rewriting.
  const reference = new RegExp(
    [
      "'s|'t|'re|'ve|'m|'ll|'d",
      ' ?\\p{sc=Han}+',
      ' ?\\p{sc=Hiragana}+',
      ' ?[\\p{sc=Katakana}ー]+',
      ' ?[^\\p{White_Space}\\p{N}\\p{P}\\p{S}\\p{C}\\p{sc=Han}\\p{sc=Hiragana}\\p{sc=Katakana}ー]+',
      ' ?\\p{N}{1,3}',
      ' ?[^\\p{White_Space}\\p{L}\\p{M}\\p{N}]+',
      '\\p{White_Space}+(?!\\P{White_Space})',
      '\\p{White_Space}+',
    ].join('|'),
    'gu',
  );
  const referenceChunks = (text: string) => {
    const out: string[] = [];
    let at = 0;
    for (const m of text.matchAll(reference)) {
      if (m.index > at) out.push(text.slice(at, m.index));
      if (m[0].length) out.push(m[0]);
      at = m.index + m[0].length;
    }
    if (at < text.length) out.push(text.slice(at));
    return out;
  };
  const pre = createPreTokenizer();
  const chunks = (text: string) => pre(text).map(fromByteLevel);

  it('splits scripts, words, numbers and punctuation as documented', () => {
    expect(PRE_TOKENIZER_PATTERN).toContain('\\p{Han}+');
    expect(chunks('お茶を一杯ください。')).toEqual(['お', '茶', 'を', '一杯', 'ください', '。']);
    expect(chunks('コーヒーを飲みたい')).toEqual(['コーヒー', 'を', '飲', 'みたい']);
    expect(chunks('火车站在哪里？')).toEqual(['火车站在哪里', '？']);
    expect(chunks("I'm here, it's 12345!  ok")).toEqual(['I', "'m", ' here', ',', ' it', "'s", ' 123', '45', '!', ' ', ' ok']);
    expect(chunks('¿Dónde está?')).toEqual(['¿', 'Dónde', ' está', '?']);
    expect(chunks('ABC漢字abcカタカナ')).toEqual(['ABC', '漢字', 'abc', 'カタカナ']);
    expect(pre(' a')).toEqual(['Ġa']);
  });

  it("the library's splitting is the pattern's meaning, on every corpus sentence and odd text", () => {
    const odd = [
      'line one\nline two\r\n\r\n  indented\ttab',
      'e\u0301te\u0301 (decomposed) and été',
      '👨‍👩‍👧 family, x\u200dy, ½ ², ٣٤٥ Arabic-Indic, 한국어 문장, مرحبا بالعالم',
      'nbsp\u00a0here, ideographic\u3000space, nel\u0085x',
      '   leading and trailing   ',
      '々〆ヶ ゝゞ ・ ー ｶﾀｶﾅ ＡＢＣ１２３',
    ];
    const all = [...corpus.tuples.flatMap((t) => LANGS.map((l) => t[l])), ...odd];
    for (const text of all) expect(chunks(text), text).toEqual(referenceChunks(text));
  });
});

// Each test here goes over the whole corpus (4,000+ sentences): generous timeouts for slow machines.
describe('trained on the shipped corpus (train split, vocab 4096)', { timeout: 60_000 }, () => {
  it('has exactly 4096 ids: bytes 0-255, specials 256-267, then merges', () => {
    expect(tok.vocabSize).toBe(4096);
    const ids = Object.values(json.model.vocab).sort((a, b) => a - b);
    expect(ids).toEqual(Array.from({ length: 4096 }, (_, i) => i));
    expect(json.model.merges).toHaveLength(4096 - 256 - SPECIALS.length);
    expect(new Set(json.model.merges).size).toBe(json.model.merges.length);
    byteToUnicode().forEach((ch, b) => expect(json.model.vocab[ch]).toBe(b));
    expect(json.added_tokens.map((t) => [t.content, t.id, t.special])).toEqual(SPECIALS.map((s, i) => [s, 256 + i, true]));
  });

  it('encodes each special token to its single id, alone or inside text', () => {
    SPECIALS.forEach((s, i) => expect(tok.encode(s, { addBos: false })).toEqual([256 + i]));
    const ids = tok.encode('<en>Hello<sep><de>Hallo</s>', { addBos: false });
    expect(ids.filter((id) => id >= 256 && id < 268)).toEqual([256 + SPECIALS.indexOf('<en>'), 259, 256 + SPECIALS.indexOf('<de>'), 257]);
    expect(tok.bosId).toBe(256);
    expect(tok.eosIds[0]).toBe(257);
    expect(tok.encode('Hi')[0]).toBe(256); // add_bos_token
    expect(tok.specialTokens).toEqual(SPECIALS);
  });

  it('round-trips every sentence of the test split in all 8 languages, and text it never saw', () => {
    for (const t of test) {
      for (const l of LANGS) expect(tok.decode(tok.encode(t[l])), `${l}: ${t[l]}`).toBe(`<s>${t[l]}`);
      for (const l of LANGS) expect(tok.decode(tok.encode(t[l]), { skipSpecial: true })).toBe(t[l]);
    }
    for (const s of ['  two  spaces\nand\ttabs\r\n', '👨‍👩‍👧 😀 ½ ٣٤٥ 한국어 مرحبا', 'e\u0301 \u0000\u0085\uFEFF']) {
      expect(tok.decode(tok.encode(s, { addBos: false }))).toBe(s);
    }
  });

  it('uses its merges: well under half a token per UTF-8 byte in every language', () => {
    const enc = new TextEncoder();
    for (const l of LANGS) {
      let ids = 0;
      let bytes = 0;
      for (const t of test) {
        ids += tok.encode(t[l], { addBos: false }).length;
        bytes += enc.encode(t[l]).length;
      }
      expect(ids / bytes, l).toBeLessThan(0.5);
    }
    const en = tokens(tok, 'The dog is sleeping in the garden.');
    expect(en.slice(0, 1)).toEqual(['The']);
    expect(en).toContain('Ġthe');
    expect(en.length).toBeLessThan(34 / 2);
  });

  it("the saved pre_tokenizer chunks text exactly as the trainer's did", () => {
    const hf = new HfTokenizer(json as unknown as Record<string, unknown>, {});
    const trainer = createPreTokenizer();
    const texts = [...corpus.tuples.flatMap((t) => LANGS.map((l) => t[l])), 'ABC漢字abcカタカナ 12345678 e\u0301 👨‍👩‍👧\n\n x'];
    for (const text of texts) expect(hf.pre_tokenizer?.pre_tokenize(text), text).toEqual(trainer(text));
  });

  it('the library encodes exactly as training segmented: same chunks, same merges (all splits, all languages)', () => {
    const ours = bpeTokenizer(merges, SPECIALS);
    for (const t of corpus.tuples) {
      for (const l of LANGS) expect(tokens(tok, t[l]), `${l}: ${t[l]}`).toEqual(ours(t[l]));
    }
    const mixed = '<en>Hello<sep>世界 — 12345678, naïve café!\n\n<uk>Привіт<ja>東京タワーへ行きたい';
    expect(tokens(tok, mixed)).toEqual(ours(mixed));
  });

  it('training twice gives the same file', () => {
    const again = JSON.stringify(trainByteLevelBpe(trainTexts, { vocabSize: 4096, specials: SPECIALS }), null, 2);
    expect(again).toBe(JSON.stringify(json, null, 2));
  });
});

describe('public/models/alignscope-tiny (written by scripts/train-tokenizer.ts)', () => {
  const dir = new URL('../../public/models/alignscope-tiny/', import.meta.url);
  const file = JSON.parse(readFileSync(new URL('tokenizer.json', dir), 'utf8')) as unknown;
  const config = JSON.parse(readFileSync(new URL('tokenizer_config.json', dir), 'utf8')) as unknown;
  const t = Tokenizer.fromJson(file, config, 'public/models/alignscope-tiny/tokenizer.json');

  it('loads, has 8192 ids and the 12 specials, and round-trips the test split', () => {
    expect(config).toEqual(CONFIG);
    expect(t.vocabSize).toBe(8192);
    expect(t.specialTokens).toEqual(SPECIALS);
    expect(t.bosId).toBe(256);
    for (const tuple of test) for (const l of LANGS) expect(t.decode(t.encode(tuple[l]), { skipSpecial: true })).toBe(tuple[l]);
  });

  it("needs at most 1.5x English's tokens for the same sentences in every language (issue 14's rule)", () => {
    const total = (l: string) => test.reduce((n, tuple) => n + t.encode(tuple[l], { addBos: false }).length, 0);
    const en = total('en');
    for (const l of LANGS) expect(total(l) / en, l).toBeLessThanOrEqual(1.5);
  });
});
