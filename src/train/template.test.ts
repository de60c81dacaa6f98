import { describe, expect, it } from 'vitest';
import { TrainConfigError } from '../errors';
import { byteLevelTokenizerJson } from '../model/byte-tokenizer';
import { Tokenizer } from '../model/tokenizer';
import {
  checkTemplateTokens,
  DEFAULT_PROMPT_TEMPLATE,
  DEFAULT_TAGS_TEMPLATE,
  encodeMapping,
  encodeMonolingual,
  languageName,
  renderPrefix,
  type MappingTemplate,
} from './template';

// Byte-level: id = UTF-8 byte; then <s> 256, </s> 257, <en> 258, <zh> 259, <sep> 260.
const tok = Tokenizer.fromJson(byteLevelTokenizerJson(['<s>', '</s>', '<en>', '<zh>', '<sep>']), { bos_token: '<s>', eos_token: '</s>', add_bos_token: true });
const bytes = (s: string) => [...new TextEncoder().encode(s)];
const BOS = 256, EOS = 257, EN = 258, ZH = 259, SEP = 260;
const NI = bytes('你'); // [228, 189, 160]
const both: MappingTemplate = { ...DEFAULT_TAGS_TEMPLATE, lossOn: 'both' };

describe('encodeMapping with the tags template', () => {
  it('en -> zh, loss on target: weights 1 on the target and EOS only', () => {
    const ex = encodeMapping(tok, DEFAULT_TAGS_TEMPLATE, 'en', 'Hi', 'zh', '你');
    expect(ex.ids).toEqual([BOS, EN, 72, 105, SEP, ZH, ...NI, EOS]);
    expect(ex.weights).toEqual([0, 0, 0, 0, 0, 0, 1, 1, 1, 1]);
  });

  it('zh -> en, loss on target', () => {
    const ex = encodeMapping(tok, DEFAULT_TAGS_TEMPLATE, 'zh', '你', 'en', 'Hi');
    expect(ex.ids).toEqual([BOS, ZH, ...NI, SEP, EN, 72, 105, EOS]);
    expect(ex.weights).toEqual([0, 0, 0, 0, 0, 0, 0, 1, 1, 1]);
  });

  it('loss on both: 1 everywhere except BOS, in both directions', () => {
    const a = encodeMapping(tok, both, 'en', 'Hi', 'zh', '你');
    expect(a.ids).toEqual([BOS, EN, 72, 105, SEP, ZH, ...NI, EOS]);
    expect(a.weights).toEqual([0, 1, 1, 1, 1, 1, 1, 1, 1, 1]);
    const b = encodeMapping(tok, both, 'zh', '你', 'en', 'Hi');
    expect(b.weights).toEqual([0, 1, 1, 1, 1, 1, 1, 1, 1, 1]);
  });

  it('an empty separator and an empty target leave only the EOS to learn', () => {
    const ex = encodeMapping(tok, { ...DEFAULT_TAGS_TEMPLATE, sep: '' }, 'en', 'Hi', 'zh', '');
    expect(ex.ids).toEqual([BOS, EN, 72, 105, ZH, EOS]);
    expect(ex.weights).toEqual([0, 0, 0, 0, 0, 1]);
  });

  it('tags that are not single tokens still encode (as several tokens) and are reported', () => {
    const ex = encodeMapping(tok, DEFAULT_TAGS_TEMPLATE, 'en', 'Hi', 'cs', 'Ahoj');
    expect(ex.ids).toEqual([BOS, EN, 72, 105, SEP, ...bytes('<cs>'), ...bytes('Ahoj'), EOS]);
    expect(ex.weights).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1]);
    expect(checkTemplateTokens(tok, DEFAULT_TAGS_TEMPLATE, ['en', 'zh', 'cs'])).toEqual([{ text: '<cs>', ids: bytes('<cs>') }]);
    expect(checkTemplateTokens(tok, { ...DEFAULT_TAGS_TEMPLATE, sep: ' => ' }, ['en'])).toEqual([{ text: ' => ', ids: bytes(' => ') }]);
    expect(checkTemplateTokens(tok, DEFAULT_PROMPT_TEMPLATE, ['en', 'xx'])).toEqual([]);
  });

  it('works without a BOS token: weights[0] is still 0', () => {
    const noBos = Tokenizer.fromJson(byteLevelTokenizerJson(['</s>', '<en>', '<zh>', '<sep>']), { eos_token: '</s>' });
    expect(noBos.bosId).toBeUndefined();
    const ex = encodeMapping(noBos, both, 'en', 'Hi', 'zh', '你');
    expect(ex.ids).toEqual([257, 72, 105, 259, 258, ...NI, 256]);
    expect(ex.weights).toEqual([0, 1, 1, 1, 1, 1, 1, 1, 1]);
  });
});

describe('encodeMapping with a prompt template', () => {
  it('renders names and the source, and puts the loss on the target and EOS', () => {
    const prefix = 'Translate from English to Czech:\nHi\n';
    expect(renderPrefix(DEFAULT_PROMPT_TEMPLATE, 'en', 'Hi', 'cs')).toBe(prefix);
    const ex = encodeMapping(tok, DEFAULT_PROMPT_TEMPLATE, 'en', 'Hi', 'cs', 'Ahoj');
    expect(ex.ids).toEqual([BOS, ...bytes(prefix), ...bytes('Ahoj'), EOS]);
    expect(ex.weights).toEqual([0, ...bytes(prefix).map(() => 0), 1, 1, 1, 1, 1]);
  });

  it('uses name overrides and codes, and never substitutes inside the inserted source', () => {
    const t: MappingTemplate = { kind: 'prompt', text: '{srcLang}>{tgtLang} ({srcName}>{tgtName}): {src} = ', lossOn: 'target', names: { xx: 'Klingon' } };
    expect(renderPrefix(t, 'xx', 'a {tgtName} b', 'zho_Hans')).toBe('xx>zho_Hans (Klingon>Chinese): a {tgtName} b = ');
    expect(languageName('qq')).toBe('qq');
  });
});

describe('encodeMonolingual and template checks', () => {
  it('NTP example: [BOS] text [EOS], weight on all but the first token', () => {
    expect(encodeMonolingual(tok, 'Hi')).toEqual({ ids: [BOS, 72, 105, EOS], weights: [0, 1, 1, 1] });
    expect(encodeMonolingual(tok, '')).toEqual({ ids: [BOS, EOS], weights: [0, 1] });
  });

  it('refuses templates that cannot work, with TrainConfigError', () => {
    expect(() => encodeMapping(tok, { ...DEFAULT_PROMPT_TEMPLATE, text: 'Translate:' }, 'en', 'a', 'zh', 'b')).toThrow(TrainConfigError);
    expect(() => encodeMapping(tok, { ...DEFAULT_PROMPT_TEMPLATE, text: '{src} to {target}' }, 'en', 'a', 'zh', 'b')).toThrow(/unknown placeholder \{target\}/);
    expect(() => encodeMapping(tok, { ...DEFAULT_TAGS_TEMPLATE, tagFormat: '<lang>' }, 'en', 'a', 'zh', 'b')).toThrow(/\{lang\}/);
    expect(() => encodeMapping(tok, { ...DEFAULT_TAGS_TEMPLATE, lossOn: 'all' as never }, 'en', 'a', 'zh', 'b')).toThrow(/lossOn/);
    const noEos = Tokenizer.fromJson(byteLevelTokenizerJson(['<x>']), {});
    expect(() => encodeMonolingual(noEos, 'a')).toThrow(/end-of-sequence/);
  });
});
