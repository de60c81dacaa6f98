import { expect, type Locator } from '@playwright/test';

// Whether an element's Chinese or Japanese text renders as glyphs, not as empty boxes: Debian's
// Chromium brings no CJK font (npm run setup installs Noto CJK), and without one every CJK
// character falls back to the same "missing glyph" box. In the page, each CJK character of the
// element's text is drawn on a canvas in the element's own computed font and compared with the box
// drawn for a code point no font has (U+10FFFD): with a font the characters differ from the box and
// from each other; without one they are all the box.

export interface GlyphCheck {
  /** The CJK characters checked (at most 12 distinct ones). */
  chars: string;
  /** How many of them drew something other than the missing-glyph box. */
  drawn: number;
  /** How many distinct pictures they drew. */
  distinct: number;
  font: string;
}

export async function cjkGlyphs(el: Locator): Promise<GlyphCheck> {
  return el.evaluate((node) => {
    const text = node.textContent ?? '';
    const chars = [...new Set([...text].filter((c) => /[\u3040-\u30ff\u3400-\u9fff]/u.test(c)))].slice(0, 12);
    const font = getComputedStyle(node).font;
    const canvas = document.createElement('canvas');
    canvas.width = canvas.height = 48;
    const g = canvas.getContext('2d')!;
    const picture = (c: string) => {
      g.clearRect(0, 0, 48, 48);
      g.font = font.replace(/\d+(\.\d+)?px/, '32px');
      g.fillStyle = '#000';
      g.textBaseline = 'top';
      g.fillText(c, 4, 4);
      return g.getImageData(0, 0, 48, 48).data.join(',');
    };
    const box = picture('\u{10FFFD}');
    const pics = chars.map(picture);
    return { chars: chars.join(''), drawn: pics.filter((p) => p !== box).length, distinct: new Set(pics).size, font };
  });
}

/** Asserts the element holds CJK text and every checked character draws a real, distinct glyph. */
export async function expectCjkGlyphs(el: Locator, what: string): Promise<void> {
  const r = await cjkGlyphs(el);
  expect(r.chars.length, `${what}: no Chinese or Japanese characters in the text`).toBeGreaterThan(1);
  expect(r.drawn, `${what}: ${r.chars} drew the missing-glyph box in "${r.font}" (is a CJK font installed? npm run setup)`).toBe(r.chars.length);
  expect(r.distinct, `${what}: ${r.chars} all drew the same picture`).toBe(r.chars.length);
}
