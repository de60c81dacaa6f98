// Where translated text lies inside an extracted Debian package, and what one "source" is.
//
// A source is the unit the splitter assigns to train/dev/test: one gettext domain of one program
// (all its languages together) or one documentation page (all its translations together). Its id
// must not depend on the language, so the German and the Czech catalog of a program land in the
// same split:
//   usr/share/locale/de/LC_MESSAGES/gimp20.mo                   (gimp-data)        -> gimp-data:gimp20
//   usr/lib/libreoffice/program/resource/de/LC_MESSAGES/sw.mo   (libreoffice-l10n-de) -> libreoffice-l10n:sw
//   usr/share/help/de/gnome-help/net-wireless-connect.page      (gnome-user-docs)
//                                                      -> gnome-user-docs:help/gnome-help/net-wireless-connect.page
// Only the plain locales count: de_AT, fr_CA, zh_TW, sr@latin are other languages or variants.

import { existsSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { TargetLanguage } from './clean';

/** Locale folder names (gettext uses zh_CN, LibreOffice zh-CN) -> our language codes. */
const LOCALES: Record<string, TargetLanguage> = { zh_CN: 'zh', 'zh-CN': 'zh', ja: 'ja', de: 'de', fr: 'fr', es: 'es', cs: 'cs', uk: 'uk' };
/** Help folders use the gettext names; C is the English original. */
const HELP_LOCALES: Record<TargetLanguage, string> = { zh: 'zh_CN', ja: 'ja', de: 'de', fr: 'fr', es: 'es', cs: 'cs', uk: 'uk' };

export interface CatalogFile {
  lang: TargetLanguage;
  source: string;
  /** Path inside the package, e.g. usr/share/locale/de/LC_MESSAGES/gimp20.mo. */
  path: string;
}

export interface HelpPage {
  source: string;
  /** Path of the English page inside the package (usr/share/help/C/...). */
  english: string;
  /** Path of each translation present. */
  translations: Partial<Record<TargetLanguage, string>>;
}

/** Every file under `dir`, as paths relative to `root`, sorted (readdir order is the file system's). */
function walk(root: string, dir = root): string[] {
  let names: string[];
  try {
    names = readdirSync(dir, { withFileTypes: true }).filter((d) => d.isDirectory() || d.isFile()).map((d) => (d.isDirectory() ? `${d.name}/` : d.name));
  } catch {
    return [];
  }
  return names.sort().flatMap((n) => (n.endsWith('/') ? walk(root, join(dir, n.slice(0, -1))) : [relative(root, join(dir, n))]));
}

/** The package name without a language suffix: libreoffice-l10n-zh-cn -> libreoffice-l10n. */
export function packageFamily(pkg: string): string {
  return pkg.replace(/-(?:zh-cn|ja|de|fr|es|cs|uk)$/, '');
}

/** gettext catalogs for our languages in an extracted package, sorted by path. */
export function findCatalogs(root: string, pkg: string): CatalogFile[] {
  const out: CatalogFile[] = [];
  for (const path of walk(root)) {
    const m = /(?:^|\/)([^/]+)\/LC_MESSAGES\/([^/]+)\.mo$/.exec(path);
    const lang = m ? LOCALES[m[1]] : undefined;
    if (m && lang) out.push({ lang, source: `${packageFamily(pkg)}:${m[2]}`, path });
  }
  return out;
}

/** Mallard help pages with their English original, sorted by path. */
export function findHelpPages(root: string, pkg: string): HelpPage[] {
  const english = walk(root, join(root, 'usr/share/help/C')).filter((p) => p.endsWith('.page'));
  return english.map((path) => {
    const rest = path.slice('usr/share/help/C/'.length);
    const translations: Partial<Record<TargetLanguage, string>> = {};
    for (const [lang, locale] of Object.entries(HELP_LOCALES) as [TargetLanguage, string][]) {
      const candidate = `usr/share/help/${locale}/${rest}`;
      if (existsSync(join(root, candidate))) translations[lang] = candidate;
    }
    return { source: `${pkg}:help/${rest}`, english: path, translations };
  });
}

/** Manual pages for a language folder (usr/share/man/<locale>/man*), or English (usr/share/man/man*). */
export function findManPages(root: string, locale: string | null): string[] {
  const base = locale ? `usr/share/man/${locale}` : 'usr/share/man';
  return walk(root, join(root, base)).filter((p) => new RegExp(`^${base}/man[1-9][^/]*/[^/]+$`).test(p));
}
