// Training examples as token ids with per-token loss weights.
//
// Mapping task (arXiv 2604.10590; its exact template is not public, so ours is a setting):
//   tags:    [BOS] <src-tag> x <sep> <tgt-tag> y [EOS]      e.g. "<en>Hello<sep><zh>你好" + EOS
//   prompt:  [BOS] "Translate from English to Chinese:\nHello\n" y [EOS]   (for instruct models)
// Monolingual NTP:  [BOS] text [EOS]
//
// Encoding: the prefix (everything before the target sentence y) is rendered to one string and
// encoded, then y is encoded on its own and appended, then the first EOS id. Encoding y separately
// makes the prefix/target boundary exact in token space (BPE never merges across it). BOS is added
// when the tokenizer adds one by default (`addBosByDefault`), as the model saw in pre-training.
//
// Example = { ids [L], weights [L] }: weights[t] is the loss weight for PREDICTING ids[t] from
// ids[0..t-1], so weights[0] = 0 always (nothing predicts the first token).
//   lossOn 'target': 1 on the tokens of y and on the final EOS, 0 on BOS, tags, sep, prompt, x.
//   lossOn 'both':   1 on every token but the first.
// The templates are plain data, so the UI can edit them and a checkpoint can store them.

import { TrainConfigError } from '../errors';
import type { Tokenizer } from '../model/tokenizer';

export type LossOn = 'target' | 'both';

/** `<src-tag> x <sep> <tgt-tag> y`: tags from `tagFormat` (`{lang}` is replaced by the language code). */
export interface TagsTemplate {
  kind: 'tags';
  /** Tag text per language; must contain `{lang}`. Default '<{lang}>'. */
  tagFormat: string;
  /** Text between the source sentence and the target tag; may be ''. Default '<sep>'. */
  sep: string;
  lossOn: LossOn;
}

/** A natural-language prompt; the target sentence follows the rendered text directly. */
export interface PromptTemplate {
  kind: 'prompt';
  /** Must contain `{src}`; may use `{srcLang}`, `{tgtLang}` (codes) and `{srcName}`, `{tgtName}` (names). */
  text: string;
  lossOn: LossOn;
  /** Language names by code, over the built-in English names (`LANGUAGE_NAMES`). */
  names?: Record<string, string>;
}

export type MappingTemplate = TagsTemplate | PromptTemplate;

export interface Example {
  /** Token ids [L]: optional BOS first, EOS last. */
  ids: number[];
  /** [L]: loss weight for predicting ids[t]; weights[0] = 0. */
  weights: number[];
}

export const DEFAULT_TAGS_TEMPLATE: TagsTemplate = { kind: 'tags', tagFormat: '<{lang}>', sep: '<sep>', lossOn: 'target' };
export const DEFAULT_PROMPT_TEMPLATE: PromptTemplate = { kind: 'prompt', text: 'Translate from {srcName} to {tgtName}:\n{src}\n', lossOn: 'target' };

/** English names by ISO 639-1 and 639-3 code (Flores uses e.g. "zho_Hans": the part before '_' or '-' is looked up too). */
export const LANGUAGE_NAMES: Record<string, string> = {};
for (const [a, b, name] of [
  ['en', 'eng', 'English'], ['zh', 'zho', 'Chinese'], ['cs', 'ces', 'Czech'], ['uk', 'ukr', 'Ukrainian'],
  ['ja', 'jpn', 'Japanese'], ['ko', 'kor', 'Korean'], ['de', 'deu', 'German'], ['fr', 'fra', 'French'],
  ['es', 'spa', 'Spanish'], ['it', 'ita', 'Italian'], ['pt', 'por', 'Portuguese'], ['ru', 'rus', 'Russian'],
  ['pl', 'pol', 'Polish'], ['nl', 'nld', 'Dutch'], ['ar', 'arb', 'Arabic'], ['hi', 'hin', 'Hindi'],
  ['tr', 'tur', 'Turkish'], ['vi', 'vie', 'Vietnamese'], ['sw', 'swh', 'Swahili'], ['fi', 'fin', 'Finnish'],
]) {
  LANGUAGE_NAMES[a] = name;
  LANGUAGE_NAMES[b] = name;
}

/** The display name of `code`: `names` first, then LANGUAGE_NAMES (whole code, then its base), else the code. */
export function languageName(code: string, names: Record<string, string> = {}): string {
  const base = code.split(/[-_]/)[0];
  return names[code] ?? LANGUAGE_NAMES[code] ?? LANGUAGE_NAMES[base] ?? code;
}

const PROMPT_KEYS = ['src', 'srcLang', 'srcName', 'tgtLang', 'tgtName'];

/** Replaces `{key}` in one pass (inserted text is never scanned again); unknown keys throw. */
function fill(format: string, values: Record<string, string>, setting: string): string {
  return format.replace(/\{(\w+)\}/g, (whole, key: string) => {
    if (!Object.hasOwn(values, key)) {
      throw new TrainConfigError(`Template ${setting}: unknown placeholder ${whole}; use one of ${Object.keys(values).map((k) => `{${k}}`).join(', ')}.`, { setting, value: format });
    }
    return values[key];
  });
}

/** Throws TrainConfigError naming the first field of `t` that cannot work. */
export function validateTemplate(t: MappingTemplate): void {
  if (t.lossOn !== 'target' && t.lossOn !== 'both') throw new TrainConfigError(`Template lossOn must be 'target' or 'both', got ${String(t.lossOn)}.`, { setting: 'lossOn', value: t.lossOn });
  if (t.kind === 'tags') {
    if (typeof t.tagFormat !== 'string' || !t.tagFormat.includes('{lang}')) {
      throw new TrainConfigError(`Template tagFormat must contain {lang} (e.g. '<{lang}>'), got ${JSON.stringify(t.tagFormat)}.`, { setting: 'tagFormat', value: t.tagFormat });
    }
    fill(t.tagFormat, { lang: '' }, 'tagFormat');
    if (typeof t.sep !== 'string') throw new TrainConfigError('Template sep must be a string (may be empty).', { setting: 'sep', value: t.sep });
  } else if (t.kind === 'prompt') {
    if (typeof t.text !== 'string' || !t.text.includes('{src}')) {
      throw new TrainConfigError(`Prompt template text must contain {src}, got ${JSON.stringify(t.text)}.`, { setting: 'text', value: t.text });
    }
    fill(t.text, Object.fromEntries(PROMPT_KEYS.map((k) => [k, ''])), 'text');
  } else {
    const kind = (t as { kind: unknown }).kind;
    throw new TrainConfigError(`Template kind must be 'tags' or 'prompt', got ${String(kind)}.`, { setting: 'kind', value: kind });
  }
}

/** The tag text of `lang` under a tags template, e.g. '<en>'. */
export function tagText(t: TagsTemplate, lang: string): string {
  return fill(t.tagFormat, { lang }, 'tagFormat');
}

/** Everything before the target sentence, as text. */
export function renderPrefix(t: MappingTemplate, srcLang: string, srcText: string, tgtLang: string): string {
  validateTemplate(t);
  if (t.kind === 'tags') return tagText(t, srcLang) + srcText + t.sep + tagText(t, tgtLang);
  const names = t.names ?? {};
  return fill(t.text, { src: srcText, srcLang, srcName: languageName(srcLang, names), tgtLang, tgtName: languageName(tgtLang, names) }, 'text');
}

function bosIds(tokenizer: Tokenizer): number[] {
  return tokenizer.addBosByDefault && tokenizer.bosId !== undefined ? [tokenizer.bosId] : [];
}

function eosId(tokenizer: Tokenizer): number {
  const id = tokenizer.eosIds[0];
  if (id === undefined) {
    throw new TrainConfigError('The tokenizer has no end-of-sequence token, so examples cannot end; set eos_token in tokenizer_config.json.', { setting: 'eos_token' });
  }
  return id;
}

/** One translation example, srcLang -> tgtLang (see the header for layout and weights). */
export function encodeMapping(tokenizer: Tokenizer, template: MappingTemplate, srcLang: string, srcText: string, tgtLang: string, tgtText: string): Example {
  const prompt = encodeMappingPrompt(tokenizer, template, srcLang, srcText, tgtLang);
  const target = [...tokenizer.encode(tgtText, { addBos: false }), eosId(tokenizer)];
  const ids = [...prompt, ...target];
  const startTarget = template.lossOn === 'target' ? prompt.length : 1;
  return { ids, weights: ids.map((_, t) => (t >= startTarget && t > 0 ? 1 : 0)) };
}

/** What a translation request feeds the model: [BOS] + the prefix, exactly as in training; the model continues with y. */
export function encodeMappingPrompt(tokenizer: Tokenizer, template: MappingTemplate, srcLang: string, srcText: string, tgtLang: string): number[] {
  return [...bosIds(tokenizer), ...tokenizer.encode(renderPrefix(template, srcLang, srcText, tgtLang), { addBos: false })];
}

/** One next-token-prediction example: [BOS] text [EOS], weight 1 on every token but the first. */
export function encodeMonolingual(tokenizer: Tokenizer, text: string): Example {
  const ids = [...bosIds(tokenizer), ...tokenizer.encode(text, { addBos: false }), eosId(tokenizer)];
  return { ids, weights: ids.map((_, t) => (t > 0 ? 1 : 0)) };
}

export interface TemplateTokenIssue {
  /** The tag or separator text. */
  text: string;
  /** What it encodes to (several ids: the model sees it as ordinary text). */
  ids: number[];
}

/**
 * Tags and separator of a tags template that are not one token in `tokenizer` (they still work,
 * as several tokens; the UI warns, since a new special token would need a trained embedding).
 * Prompt templates are ordinary text: always [].
 */
export function checkTemplateTokens(tokenizer: Tokenizer, template: MappingTemplate, langs: readonly string[]): TemplateTokenIssue[] {
  validateTemplate(template);
  if (template.kind !== 'tags') return [];
  const texts = [...new Set([...langs.map((l) => tagText(template, l)), ...(template.sep === '' ? [] : [template.sep])])];
  return texts.map((text) => ({ text, ids: tokenizer.encode(text, { addBos: false }) })).filter((e) => e.ids.length !== 1);
}
