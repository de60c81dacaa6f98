import { describe, expect, it } from 'vitest';
import { getTokenizer, isZhChar, removeWhitespace, rstripPy, splitWords, stripPy, type TokenizerName } from './tokenize';

// Expected outputs were produced by sacreBLEU 2.6.0's own tokenizers on these inputs (our cases,
// chosen to hit each rule and quirk).
const CASES: ReadonlyArray<readonly [TokenizerName, string, string, string]> = [
  ['13a', 'final period split', 'The dog bit the man.', 'The dog bit the man .'],
  ['13a', 'period/comma kept between digits, split elsewhere', 'It costs $3.14, i.e. 1,000 cents.', 'It costs $ 3.14 , i . e . 1,000 cents .'],
  ['13a', 'dash split after a digit only', 'From 1990-2000 the well-known A-B test ran.', 'From 1990 - 2000 the well-known A-B test ran .'],
  ['13a', 'line is padded, so a final period after a digit splits', 'He was born in 1999.', 'He was born in 1999 .'],
  ['13a', 'the four SGML entities, &amp; first', 'Tom &amp; Jerry &quot;quoted&quot; &lt;b&gt; &amp;lt;', 'Tom & Jerry " quoted " < b > <'],
  ['13a', '<skipped> and line breaks', '<skipped> hyphen-\nated line\nbreak', 'hyphenated line break'],
  ['13a', 'ASCII symbols split, apostrophe kept', "don't (hi) [x] {y} a/b c\\d e|f 10% #1 @user ~^_`", "don't ( hi ) [ x ] { y } a / b c \\ d e | f 10 % # 1 @ user ~ ^ _ `"],
  ['13a', 'leading period before a digit', '.5 starts, ends with 1.', '. 5 starts , ends with 1 .'],
  ['13a', 'non-ASCII punctuation untouched', '«Ça va?» — “quotes” … ok', '«Ça va ? » — “quotes” … ok'],
  ['13a', "Python's whitespace (NEL yes, BOM no)", 'tab\there\u00a0nbsp\u3000ideographic\u0085nel\ufeffbom', 'tab here nbsp ideographic nel\ufeffbom'],
  ['zh', 'Han characters and CJK punctuation one by one', '我们在2020年去了北京。', '我 们 在 2020 年 去 了 北 京 。'],
  ['zh', 'full-width punctuation and curly quotes', '他说：“你好，世界！”', '他 说 ： “ 你 好 ， 世 界 ！ ”'],
  ['zh', 'Latin runs go through 13a, unpadded', 'Apple公司发布了iPhone 15.', 'Apple 公 司 发 布 了 iPhone 15.'],
  ['zh', 'general punctuation is in its (quirky) ranges', '价格是3.5元—很便宜…', '价 格 是 3.5 元 — 很 便 宜 …'],
  ['zh', 'astral ideographs are not split (as sacreBLEU)', '𠀀𠀁 CJK Ext-B 不拆', '𠀀𠀁 CJK Ext-B 不 拆'],
  ['zh', 'no padding: final period after a digit stays', 'He was born in 1999.', 'He was born in 1999.'],
  ['char', 'Japanese', '日本語の文です。', '日 本 語 の 文 で す 。'],
  ['char', 'code points, not UTF-16 units', 'a b  c😀', 'a   b     c 😀'],
  ['intl', 'unpadded: final period after a digit stays', 'He was born in 1999.', 'He was born in 1999.'],
  ['intl', 'Unicode punctuation and symbols', '«Ça va?» — 3.14, €5 and ±2 → done.', '« Ça va ? » — 3.14 , € 5 and ± 2 → done .'],
  ['none', 'identity', '  keep   it.  ', '  keep   it.  '],
];

describe('tokenizers (outputs of sacreBLEU 2.6.0)', () => {
  it.each(CASES)('%s: %s', (name, _why, input, expected) => {
    expect(getTokenizer(name)(input)).toBe(expected);
  });
});

describe('Python string helpers', () => {
  it("split and strip on Python's whitespace set", () => {
    expect(splitWords('')).toEqual([]);
    expect(splitWords('  a\u0085b\x1cc\ufeffd  ')).toEqual(['a', 'b', 'c\ufeffd']);
    expect(rstripPy('a \u3000\n')).toBe('a');
    expect(stripPy('\u2028 a b \xa0')).toBe('a b');
    expect(removeWhitespace(' a b\tc ')).toBe('abc');
  });

  it("reproduces sacreBLEU's effective 'zh' ranges", () => {
    expect(isZhChar('中'.codePointAt(0)!)).toBe(true);
    expect(isZhChar(0x2000)).toBe(false); // just below the mis-written "Extension B" range
    expect(isZhChar(0x2001)).toBe(true);
    expect(isZhChar(0x2a6d)).toBe(true);
    expect(isZhChar(0x20000)).toBe(false); // the real Extension B is not covered
    expect(isZhChar('a'.codePointAt(0)!)).toBe(false);
  });
});
