import { describe, expect, test } from 'vitest';
import { ModelFormatError } from '../errors';
import { llama3Tokenizer, llama3TokenizerFiles } from '../test/tokenizer';
import { createStreamDecoder, Tokenizer } from './tokenizer';

// Llama 3's real byte-level BPE (see src/test/tokenizer.ts). Its tokenizer_config.json names
// <|begin_of_text|> / <|end_of_text|>, has no add_bos_token, and asks for space clean-up, which we
// never do; its post-processor is plain ByteLevel (no template adding BOS).
const BOS = 128000;
const EOT = 128009; // <|eot_id|>

const SENTENCES: Record<string, string> = {
  English: 'The quick brown fox jumps over the lazy dog. It was 3:45 pm, and nobody noticed!',
  Chinese: '我们在湖边散步，看见一只白鹭从芦苇丛中飞起。',
  Japanese: '猫が窓辺で丸くなって眠っている。鬱蒼とした森に霧が立ち込めた。',
  Czech: 'Příliš žluťoučký kůň úpěl ďábelské ódy a v ohradě se pásly čtyři ovce.',
  Ukrainian: 'Привіт! Чи підете ви завтра до бібліотеки? Ґанок був мокрий після дощу.',
  German: 'Die Größe der Fußgängerzone überraschte uns: Übermorgen öffnen die Läden später.',
};

describe('Tokenizer (Llama 3)', () => {
  const tok = llama3Tokenizer();

  test('reads the vocabulary and the special ids', () => {
    expect(tok.vocabSize).toBe(128256);
    expect(tok.bosId).toBe(BOS);
    expect(tok.eosIds).toEqual([128001, EOT]); // config eos_token first, then <|eot_id|>
    expect(tok.specialTokens).toHaveLength(256);
    expect(tok.specialTokens).toContain('<|start_header_id|>');
    expect(tok.tokenToId('<|begin_of_text|>')).toBe(BOS);
    expect(tok.idToToken(BOS)).toBe('<|begin_of_text|>');
    expect(tok.tokenToId('Hello')).toBe(9906);
    expect(tok.idToToken(1917)).toBe('Ġworld');
    expect(tok.tokenToId('no such token, surely')).toBeUndefined();
    expect(tok.idToToken(-1)).toBeUndefined();
    expect(tok.idToToken(128256)).toBeUndefined();
    expect(tok.idToToken(1.5)).toBeUndefined();
  });

  test('encodes known text to the published ids', () => {
    expect(tok.encode('Hello World')).toEqual([9906, 4435]);
    expect(tok.encode('Hello world')).toEqual([9906, 1917]);
  });

  test.each(Object.entries(SENTENCES))('round trip: %s', (_lang, text) => {
    const ids = tok.encode(text);
    expect(ids.length).toBeGreaterThan(5);
    expect(ids.length).toBeLessThan(text.length * 3);
    expect(tok.decode(ids)).toBe(text);
  });

  test('round trip keeps whitespace and spaces before punctuation exactly (no clean-up)', () => {
    const text = `${Object.values(SENTENCES).join('\n')}\n\n  Wait , what ? It 's   fine .\t`;
    expect(tok.decode(tok.encode(text))).toBe(text);
  });

  test('adds BOS only when asked (no add_bos_token in this config)', () => {
    const ids = tok.encode('Dobrý den');
    expect(ids[0]).not.toBe(BOS);
    expect(tok.encode('Dobrý den', { addBos: true })).toEqual([BOS, ...ids]);
    expect(tok.encode('Dobrý den', { addBos: false })).toEqual(ids);
    expect(tok.decode([BOS, ...ids])).toBe('<|begin_of_text|>Dobrý den');
    expect(tok.decode([BOS, ...ids], { skipSpecial: true })).toBe('Dobrý den');
  });

  test('a special token string in the text encodes to its single id', () => {
    const text = '<|start_header_id|>user<|end_header_id|>\n\nGuten Tag!<|eot_id|>';
    const ids = tok.encode(text);
    expect(ids[0]).toBe(128006);
    expect(ids.filter((id) => id === 128007)).toHaveLength(1);
    expect(ids.at(-1)).toBe(EOT);
    expect(ids.filter((id) => id >= 128000)).toHaveLength(3);
    expect(tok.decode(ids)).toBe(text);
    expect(tok.decode(ids, { skipSpecial: true })).toBe('user\n\nGuten Tag!');
  });

  test('decode of nothing is empty; an id outside the vocabulary is a RangeError', () => {
    expect(tok.decode([])).toBe('');
    expect(() => tok.decode([9906, 128256])).toThrow(RangeError);
    expect(() => tok.decode([-1])).toThrow(/not in the tokenizer's vocabulary/);
  });
});

describe('createStreamDecoder', () => {
  const tok = llama3Tokenizer();

  test.each([SENTENCES.Chinese, '饕餮盛宴让人垂涎三尺。', SENTENCES.Japanese])('reassembles %s token by token, never emitting half a character', (text) => {
    const ids = tok.encode(text);
    // The test only means something if some tokens carry part of a character.
    expect(ids.filter((id) => tok.decode([id]).includes('\uFFFD')).length).toBeGreaterThan(0);
    const stream = createStreamDecoder(tok);
    let out = '';
    let held = 0;
    for (const id of ids) {
      const piece = stream.push(id);
      expect(piece).not.toContain('\uFFFD');
      if (piece === '') held++;
      out += piece;
      expect(text.startsWith(out)).toBe(true);
    }
    expect(held).toBeGreaterThan(0);
    expect(out).toBe(text);
    expect(stream.flush()).toBe('');
  });

  test('streams mixed scripts, spaces and special tokens exactly as decode does', () => {
    const text = `${SENTENCES.English} ${SENTENCES.Czech}\n${SENTENCES.Ukrainian}`;
    const ids = [BOS, ...tok.encode(text), EOT];
    const plain = createStreamDecoder(tok);
    expect(ids.map((id) => plain.push(id)).join('')).toBe(tok.decode(ids));
    const skip = createStreamDecoder(tok, { skipSpecial: true });
    expect(ids.map((id) => skip.push(id)).join('')).toBe(text);
  });

  test('flush returns what is held back and starts over', () => {
    const ids = tok.encode('鹭');
    expect(ids.length).toBeGreaterThan(1); // one character, several byte tokens
    const stream = createStreamDecoder(tok);
    expect(stream.push(ids[0])).toBe('');
    expect(stream.flush()).toBe('\uFFFD'.repeat(tok.decode([ids[0]]).length));
    expect(ids.map((id) => stream.push(id)).join('')).toBe('鹭');
  });
});

describe('Tokenizer.fromJson with other configs', () => {
  const files = llama3TokenizerFiles();

  test('add_bos_token in tokenizer_config.json adds BOS by default', () => {
    const tok = Tokenizer.fromJson(files.json, { ...files.config, add_bos_token: true });
    const ids = tok.encode('Grüß Gott');
    expect(ids[0]).toBe(BOS);
    expect(tok.encode('Grüß Gott', { addBos: false })).toEqual(ids.slice(1));
  });

  test('without tokenizer_config.json, BOS comes from the post-processor template; language tags from the config become single tokens', () => {
    const template = {
      type: 'TemplateProcessing',
      single: [{ SpecialToken: { id: '<|begin_of_text|>', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }],
      pair: [],
      special_tokens: { '<|begin_of_text|>': { id: '<|begin_of_text|>', ids: [BOS], tokens: ['<|begin_of_text|>'] } },
    };
    const json = { ...files.json, post_processor: { type: 'Sequence', processors: [files.json.post_processor, template] } };
    const bare = Tokenizer.fromJson(json);
    expect(bare.bosId).toBe(BOS);
    expect(bare.encode('Ahoj')[0]).toBe(BOS);
    expect(bare.eosIds).toEqual([128001, EOT]); // the end tokens it has

    const config = {
      ...files.config,
      added_tokens_decoder: { ...(files.config.added_tokens_decoder as object), '128256': { content: '<2cs>', special: true, normalized: false } },
      additional_special_tokens: ['<2cs>', '<2xx>'], // <2xx> is in no vocabulary: ignored
    };
    const tagged = Tokenizer.fromJson(json, config);
    expect(tagged.vocabSize).toBe(128257);
    expect(tagged.specialTokens).toContain('<2cs>');
    expect(tagged.specialTokens).not.toContain('<2xx>');
    expect(tagged.tokenToId('<2cs>')).toBe(128256);
    const ids = tagged.encode('<2cs>Dobrý den');
    expect(ids).toEqual([BOS, 128256, ...tagged.encode('Dobrý den', { addBos: false })]);
    expect(tagged.decode(ids, { skipSpecial: true })).toBe('Dobrý den');
  });
});

describe('malformed files are ModelFormatError naming the file', () => {
  const files = llama3TokenizerFiles();
  const cases: [string, unknown, unknown, RegExp][] = [
    ['not an object', null, undefined, /tokenizer\.json: the file must be a JSON object, found null/],
    ['a list', [1, 2], undefined, /must be a JSON object/],
    ['a string', 'BPE', undefined, /must be a JSON object/],
    ['no model', { version: '1.0', added_tokens: [] }, undefined, /"model" must be an object .*found nothing/],
    ['unknown model type', { model: { type: 'CharLevel', vocab: { a: 0 } } }, undefined, /"model.type" must be one of BPE, WordPiece, Unigram, Legacy, found "CharLevel"/],
    ['BPE without a vocabulary', { model: { type: 'BPE', merges: [] } }, undefined, /"model.vocab" must be an object from token to id, found nothing/],
    // Found by the fuzz tier: the library stores token t at vocab[id] and reports vocab.length as the
    // size, so these built tokenizers that encode to ids 0.5, "181" or [object Object] (or size 2^53).
    ['a vocabulary id that is not an integer', { model: { type: 'BPE', vocab: { a: 0, b: 0.5 }, merges: [] } }, undefined, /"model.vocab.b" must be an integer id from 0 to 16777215, found 0.5/],
    ['a vocabulary id given as a string', { model: { type: 'BPE', vocab: { a: '181' }, merges: [] } }, undefined, /"model.vocab.a" must be an integer id/],
    ['a vocabulary id past the size limit', { model: { type: 'BPE', vocab: { a: 2 ** 53 - 1 }, merges: [] } }, undefined, /"model.vocab.a" must be an integer id/],
    ['a merge that is not "left right"', { model: { type: 'BPE', vocab: { a: 0, b: 1, ab: 2 }, merges: ['a b', 'ab'] } }, undefined, /"model.merges\[1\]" must be a merge "left right" or \["left", "right"\], found "ab"/],
    ['merges not a list', { model: { type: 'BPE', vocab: { a: 0 }, merges: 'a b' } }, undefined, /"model.merges" must be a list of merges/],
    ['a Unigram piece that is not [piece, score]', { model: { type: 'Unigram', vocab: [['a', -1], 'b'] } }, undefined, /"model.vocab\[1\]" must be a \[piece, score\] pair/],
    ['an added token id past the size limit', { ...files.json, added_tokens: [{ id: 2 ** 40, content: '<x>' }] }, undefined, /"added_tokens\[0\]" must be an object with "content" and "id" \(an integer id/],
    ['unknown pre-tokenizer', { ...files.json, pre_tokenizer: { type: 'Telepathy' } }, undefined, /could not be built \(Unknown PreTokenizer type: Telepathy\)/],
    ['added_tokens not a list', { ...files.json, added_tokens: { a: 1 } }, undefined, /"added_tokens" must be a list/],
    ['config not an object', files.json, 'yes', /tokenizer_config\.json: the file must be a JSON object/],
  ];

  test.each(cases)('%s', (_name, json, config, message) => {
    let err: unknown;
    try {
      Tokenizer.fromJson(json, config);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ModelFormatError);
    const e = err as ModelFormatError;
    expect(e.name).toBe('ModelFormatError');
    expect(e.message).toMatch(message);
    expect(e.message).toMatch(/Download tokenizer\.json and tokenizer_config\.json again/);
    expect(e.data.file).toMatch(/tokenizer(_config)?\.json$/);
  });

  test('the source path is named, with tokenizer_config.json beside it', () => {
    expect(() => Tokenizer.fromJson({}, undefined, 'models/qwen/tokenizer.json')).toThrow(/^models\/qwen\/tokenizer\.json: "model"/);
    expect(() => Tokenizer.fromJson(files.json, [], 'models/qwen/tokenizer.json')).toThrow(/^models\/qwen\/tokenizer_config\.json: the file/);
  });
});
