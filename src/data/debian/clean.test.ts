// Each cleaning rule on hand-written catalog entries, counted per rule and language.

import { describe, expect, it } from 'vitest';
import { parseMo } from './mo';
import { buildMo } from './mo.test';
import { cleanSegment, hasPlaceholder, scriptMatches, stripAccelerators, stripMarkup, type RawSegment, type RuleCounts } from './clean';

const options = { countTokens: (t: string) => t.split(' ').length, maxTokens: 40 };
const clean = (segment: RawSegment, counts: RuleCounts = {}) => cleanSegment(segment, options, counts);

describe('cleaning rules', () => {
  it('accelerators: GTK _X, KDE &X and CJK (_X) / (&X) suffixes are removed, & in text and entities stay', () => {
    expect(stripAccelerators('Save _As and close')).toBe('Save As and close');
    expect(stripAccelerators('&Open the selected file')).toBe('Open the selected file');
    expect(stripAccelerators('打开文件(_O)')).toBe('打开文件');
    expect(stripAccelerators('ファイルを開く(&O)...')).toBe('ファイルを開く...');
    expect(stripAccelerators('Drag & drop and snake_case &amp; more')).toBe('Drag & drop and snake_case &amp; more');
    const counts: RuleCounts = {};
    expect(clean({ lang: 'zh', en: '_Open the selected file', x: '打开所选文件(_O)' }, counts)).toEqual({ en: 'Open the selected file', x: '打开所选文件', tokens: 5 });
    expect(counts.accelerator).toEqual({ zh: 1 });
  });

  it('placeholders drop the segment: printf, positional, Python, braces, shell; a bare percent does not', () => {
    for (const s of ['Could not open %s for reading', 'File %1$s has %2$d lines', '%(name)s was removed', 'Delete {0} now', 'Path ${HOME} is wrong', 'Moved %1 items', 'cannot convert %qT to %qT', '100%% done']) {
      expect(hasPlaceholder(s), s).toBe(true);
    }
    expect(hasPlaceholder('It is 50% done now')).toBe(false);
    const counts: RuleCounts = {};
    expect(clean({ lang: 'de', en: 'Could not open %s for reading', x: '%s konnte nicht gelesen werden' }, counts)).toEqual({ dropped: 'placeholder' });
    expect(counts.placeholder).toEqual({ de: 1 });
  });

  it('markup is normalised: tags removed keeping their text, entities decoded', () => {
    expect(stripMarkup('Press <b>Save</b> or <span weight="bold">Cancel</span> &amp; quit &lt;now&gt; &#169;')).toBe('Press Save or Cancel & quit <now> ©');
    const r = clean({ lang: 'fr', en: 'Click <gui>Save</gui> to keep the changes', x: 'Cliquez sur <gui>Enregistrer</gui> pour garder les modifications' });
    expect(r).toEqual({ en: 'Click Save to keep the changes', x: 'Cliquez sur Enregistrer pour garder les modifications', tokens: 13 });
  });

  it('plural entries keep the singular msgid with msgstr[0]; context strings are stripped; both counted', () => {
    const mo = buildMo([['', 'Content-Type: text/plain; charset=UTF-8\n'], ['toolbar\u0004Remove the selected item from the list\u0000Remove the selected items from the list', 'Odebrat vybranou položku ze seznamu\u0000Odebrat vybrané položky\u0000Odebrat vybraných položek']]);
    const [e] = parseMo(mo).entries;
    const counts: RuleCounts = {};
    const r = clean({ lang: 'cs', en: e.msgid, x: e.msgstr[0], plural: e.msgidPlural !== undefined, context: e.context }, counts);
    expect(r).toEqual({ en: 'Remove the selected item from the list', x: 'Odebrat vybranou položku ze seznamu', tokens: 12 });
    expect(counts.plural).toEqual({ cs: 1 });
    expect(counts.context).toEqual({ cs: 1 });
  });

  it('untranslated copies, empty translations, short and too long segments are dropped', () => {
    expect(clean({ lang: 'es', en: 'Show the hidden files here', x: 'Show the hidden files here' })).toEqual({ dropped: 'untranslated' });
    expect(clean({ lang: 'es', en: 'Show the hidden files here', x: '' })).toEqual({ dropped: 'empty' });
    expect(clean({ lang: 'es', en: 'Show hidden files', x: 'Mostrar archivos ocultos' })).toEqual({ dropped: 'short' });
    const long = Array.from({ length: 30 }, () => 'word').join(' ');
    expect(clean({ lang: 'es', en: long, x: long.replace(/word/g, 'palabra') })).toEqual({ dropped: 'long' });
  });

  it('BOM and CRLF are normalised before anything else; terminal layout is dropped', () => {
    const counts: RuleCounts = {};
    const r = clean({ lang: 'uk', en: '\ufeffThe file could not be\r\nsaved to disk', x: 'Файл не вдалося\r\nзберегти на диск' }, counts);
    expect(r).toEqual({ en: 'The file could not be saved to disk', x: 'Файл не вдалося зберегти на диск', tokens: 14 });
    expect(counts['bom-crlf']).toEqual({ uk: 1 });
    expect(clean({ lang: 'uk', en: 'Options:\n  -v   print the version', x: 'Параметри:\n  -v   вивести версію' })).toEqual({ dropped: 'layout' });
  });

  it('wrong script: Latin-only zh, ja without kana or Han, uk without Cyrillic, de with Cyrillic', () => {
    expect(scriptMatches('zh', 'Open the file')).toBe(false);
    expect(scriptMatches('zh', '打开 GIMP 文件')).toBe(true);
    expect(scriptMatches('ja', 'ファイルを開く')).toBe(true);
    expect(scriptMatches('uk', 'Open file')).toBe(false);
    expect(scriptMatches('de', 'Файл öffnen')).toBe(false);
    expect(clean({ lang: 'zh', en: 'Open the file in GIMP', x: 'Open the file in GIMP now' })).toEqual({ dropped: 'wrong-script' });
  });
});
