// Paragraph alignment of Mallard help pages (GNOME's usr/share/help/<locale>/<doc>/*.page).
//
// Translated pages are generated from the English page by itstool, which replaces the text of each
// translatable element and keeps the element structure, so the k-th text element of a translation
// is the translation of the k-th text element of the English page. We take the leaf text elements
// <p>, <title>, <desc> (their inner markup is left for the markup rule) and pair them by position,
// only when both pages have the same number: a different count means the structure moved (a page
// out of date), and positions would then pair wrong paragraphs.

const TEXT_ELEMENT = /<(p|title|desc)(?:\s[^>]*)?>([\s\S]*?)<\/\1>/g;

/** Inner XML of every <p>, <title>, <desc> in document order. */
export function textElements(xml: string): string[] {
  const noComments = xml.replace(/<!--[\s\S]*?-->/g, '');
  return [...noComments.matchAll(TEXT_ELEMENT)].map((m) => m[2]);
}

/** [english, translation] pairs of one page, or null when the element counts differ. */
export function alignPage(english: string, translation: string): [string, string][] | null {
  const a = textElements(english);
  const b = textElements(translation);
  if (a.length !== b.length) return null;
  return a.map((text, i) => [text, b[i]]);
}
