// npm run build:corpus:debian — the "software messages and documentation" corpus in public/data/debian/,
// built from the human translations Debian ships (issue 12). Steps:
//   1. download the fixed package list below with `apt-get download` (exact versions of the committed
//      manifest when the archive still has them; any other version is reported as CHANGED), check
//      each .deb's sha256 against the manifest, extract with `dpkg-deb -x` into a scratch folder
//      (independent of what is installed and of dpkg path-exclude rules);
//   2. read gettext catalogs (mo.ts), GNOME help pages aligned paragraph by paragraph (mallard.ts),
//      and translated manual pages (man.ts, monolingual only); licences from each copyright file;
//   3. clean every segment (clean.ts), split by source (split.ts), assemble pairs and eight-way
//      tuples (assemble.ts), and write the files, manifest.json and the data card (write.ts).
// Cache: $ALIGNSCOPE_DEB_CACHE or ~/.cache/alignscope/debs. Deterministic for the same .deb files.

import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { Tokenizer } from '../src/model/tokenizer';
import { assemble, type Segment } from '../src/data/debian/assemble';
import { cleanSegment, englishWords, scriptMatches, TARGET_LANGUAGES, type RawSegment, type RuleCounts, type TargetLanguage } from '../src/data/debian/clean';
import { readLicence, UNKNOWN_LICENCE } from '../src/data/debian/licence';
import { manParagraphs } from '../src/data/debian/man';
import { alignPage, textElements } from '../src/data/debian/mallard';
import { parseMo, type MoCatalog } from '../src/data/debian/mo';
import { CorpusFormatError } from '../src/errors';
import { findCatalogs, findHelpPages, findManPages } from '../src/data/debian/sources';
import { sourceSplit } from '../src/data/debian/split';
import { fileChanges, packageChanges } from '../src/data/debian/changes';
import { writeCorpus, type Manifest, type PackageRecord } from '../src/data/debian/write';

const OUT = 'public/data/debian';
const MODEL = 'public/models/alignscope-tiny';

// Chosen by measuring ~70 candidates (segments of >= 4 English words with a translation per
// language): the programs with the largest catalogs in all seven languages, GNOME's help, and the
// manual pages. Left out: packages whose catalogs were tiny, in one language, or not gettext.
const PACKAGES = [
  'aisleriot', 'aptitude-common', 'binutils-common', 'brasero-common', 'cheese-common', 'digikam-data', 'eog', 'evince-common',
  'evolution-common', 'evolution-data-server-common', 'file-roller', 'freeciv-data', 'gcc-12-locales', 'gedit-common', 'gettext',
  'gimp-data', 'git', 'gnome-boxes', 'gnome-calculator', 'gnome-control-center-data', 'gnome-disk-utility', 'gnome-maps',
  'gnome-shell-common', 'gnome-system-monitor', 'gnome-terminal-data', 'gnome-user-docs', 'gnucash-common', 'gnumeric-common',
  'gnupg-l10n', 'gramps', 'grub-common', 'inkscape', 'kdenlive-data', 'kio', 'libc-l10n', 'libglib2.0-data', 'libgtk-3-common',
  'libreoffice-l10n-cs', 'libreoffice-l10n-de', 'libreoffice-l10n-es', 'libreoffice-l10n-fr', 'libreoffice-l10n-ja',
  'libreoffice-l10n-uk', 'libreoffice-l10n-zh-cn', 'lyx-common', 'mc-data', 'nautilus-data', 'orca', 'pitivi',
  'plasma-workspace-data', 'rhythmbox-data', 'seahorse', 'shotwell-common', 'simple-scan', 'totem-common', 'util-linux-locales',
  'vlc-l10n', 'zenity-common',
  'manpages', 'manpages-cs', 'manpages-de', 'manpages-es', 'manpages-fr', 'manpages-ja', 'manpages-uk', 'manpages-zh',
];
// gcc-12-locales has no copyright file of its own (its doc folder links to gcc-12-base): licence only.
const LICENCE_FROM: Record<string, string> = { 'gcc-12-locales': 'gcc-12-base' };
const MAN_LOCALES: Record<TargetLanguage, string> = { zh: 'zh_CN', ja: 'ja', de: 'de', fr: 'fr', es: 'es', cs: 'cs', uk: 'uk' };

const t0 = performance.now();
const cache = process.env.ALIGNSCOPE_DEB_CACHE ?? join(homedir(), '.cache/alignscope/debs');
const scratch = join(cache, 'extracted');
mkdirSync(cache, { recursive: true });

// --- 1. download, verify, extract ---------------------------------------------------------------
const before: Pick<Manifest, 'packages' | 'files'> = existsSync(join(OUT, 'manifest.json'))
  ? (JSON.parse(readFileSync(join(OUT, 'manifest.json'), 'utf8')) as Manifest)
  : { packages: [], files: {} };
const committed = before.packages;
const pinned = new Map(committed.map((p) => [p.name, p]));
const apt = (args: string[]): string => execFileSync('apt-get', args, { cwd: cache, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
const candidate = (name: string): string => /Candidate: (\S+)/.exec(execFileSync('apt-cache', ['policy', name], { encoding: 'utf8' }))?.[1] ?? '(none)';
const records: PackageRecord[] = [];
for (const name of [...PACKAGES, ...Object.values(LICENCE_FROM)]) {
  const want = pinned.get(name)?.version;
  let version = want ?? candidate(name);
  // apt-get download writes the epoch's colon as %3a: aisleriot_1%3a3.22.23-1_amd64.deb.
  const cached = (): string | undefined => readdirSync(cache).find((f) => f.startsWith(`${name}_${version.replace(':', '%3a')}_`) && f.endsWith('.deb'));
  // A cached .deb is used as is: its sha256 is checked below like a fresh download's.
  if (!cached()) {
    try {
      apt(['download', `${name}=${version}`]);
    } catch {
      // The pinned version is gone from the archive: take what it offers; packageChanges reports it.
      if (!want) throw new Error(`apt-get download ${name}=${version} failed`);
      version = candidate(name);
      apt(['download', `${name}=${version}`]);
    }
  }
  const file = cached();
  if (!file) throw new Error(`downloaded ${name}=${version} but found no .deb for it in ${cache}`);
  const sha256 = createHash('sha256').update(readFileSync(join(cache, file))).digest('hex');
  const dir = join(scratch, name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  execFileSync('dpkg-deb', ['-x', join(cache, file), dir]);
  const copyright = join(scratch, LICENCE_FROM[name] ?? name, 'usr/share/doc', LICENCE_FROM[name] ?? name, 'copyright');
  records.push({ name, version, file, sha256, licence: existsSync(copyright) ? readLicence(readFileSync(copyright, 'utf8')) : UNKNOWN_LICENCE });
}
// Licences of packages whose copyright lives in another package, now that all are extracted.
for (const r of records) {
  const from = LICENCE_FROM[r.name];
  if (from) r.licence = records.find((x) => x.name === from)!.licence;
}
console.log(`downloaded and extracted ${records.length} packages (${((performance.now() - t0) / 1000).toFixed(0)} s)`);

// --- 2. read and clean ---------------------------------------------------------------------------
const config = JSON.parse(readFileSync(join(MODEL, 'config.json'), 'utf8')) as { max_position_embeddings: number };
const tokenizer = Tokenizer.fromJson(
  JSON.parse(readFileSync(join(MODEL, 'tokenizer.json'), 'utf8')),
  JSON.parse(readFileSync(join(MODEL, 'tokenizer_config.json'), 'utf8')),
  join(MODEL, 'tokenizer.json'),
);
const countTokens = (text: string): number => tokenizer.encode(text, { addBos: false }).length;
const options = { countTokens, maxTokens: config.max_position_embeddings };
const counts: RuleCounts = {};
const segments: Segment[] = [];
const seen: Record<string, number> = {};
const sourcePaths = new Map<string, Set<string>>();
const packageOf = new Map<string, string>();
const take = (raw: RawSegment, source: string, pkg: string, path: string): void => {
  seen[raw.lang] = (seen[raw.lang] ?? 0) + 1;
  const r = cleanSegment(raw, options, counts);
  if ('dropped' in r) return;
  segments.push({ lang: raw.lang, en: r.en, x: r.x, tokens: r.tokens, source });
  if (!sourcePaths.has(source)) sourcePaths.set(source, new Set());
  sourcePaths.get(source)!.add(`${pkg}/${path}`);
  packageOf.set(source, pkg);
};
for (const pkg of PACKAGES) {
  const root = join(scratch, pkg);
  for (const c of findCatalogs(root, pkg)) {
    let catalog: MoCatalog;
    try {
      catalog = parseMo(readFileSync(join(root, c.path)), `${pkg}/${c.path}`);
    } catch (e) {
      if (!(e instanceof CorpusFormatError)) throw e;
      console.log(`skipped ${e.message}`);
      counts['unreadable-catalog'] ??= {};
      counts['unreadable-catalog'][c.lang] = (counts['unreadable-catalog'][c.lang] ?? 0) + 1;
      continue;
    }
    for (const e of catalog.entries) {
      const raw: RawSegment = { lang: c.lang, en: e.msgid, x: e.msgstr[0] ?? '' };
      if (e.msgidPlural !== undefined) raw.plural = true;
      if (e.context !== undefined) raw.context = e.context;
      take(raw, c.source, pkg, c.path);
    }
  }
  for (const page of findHelpPages(root, pkg)) {
    const english = readFileSync(join(root, page.english), 'utf8');
    for (const lang of TARGET_LANGUAGES) {
      const path = page.translations[lang];
      if (!path) continue;
      const pairs = alignPage(english, readFileSync(join(root, path), 'utf8'));
      if (!pairs) {
        counts['misaligned-page'] ??= {};
        counts['misaligned-page'][lang] = (counts['misaligned-page'][lang] ?? 0) + textElements(english).length;
        continue;
      }
      for (const [en, x] of pairs) take({ lang, en, x }, page.source, pkg, path);
    }
  }
}
console.log(`read ${Object.values(seen).reduce((a, b) => a + b, 0)} segments, kept ${segments.length} after cleaning (${((performance.now() - t0) / 1000).toFixed(0)} s)`);

// --- 3. split, assemble, monolingual text ------------------------------------------------------
const corpus = assemble(segments, (s) => sourceSplit(s), counts);
// Monolingual text: the train side only (dev and test text must stay unseen), plus manual pages,
// which are in no split; each line one paragraph or segment, written in the target script only.
const train = (lang: TargetLanguage) => corpus.pairs[lang].filter((r) => r.split === 'train');
const mono: Record<string, string[]> = { en: [...new Set(TARGET_LANGUAGES.flatMap((l) => train(l).map((r) => r.en)))] };
for (const lang of TARGET_LANGUAGES) mono[lang] = train(lang).map((r) => r.x);
const manPackage = (lang: TargetLanguage | 'en'): string => (lang === 'en' ? 'manpages' : `manpages-${lang}`);
for (const lang of ['en', ...TARGET_LANGUAGES] as const) {
  const root = join(scratch, manPackage(lang));
  const utf8 = new TextDecoder('utf-8', { fatal: true });
  for (const path of findManPages(root, lang === 'en' ? null : MAN_LOCALES[lang])) {
    const bytes = readFileSync(join(root, path));
    let roff: string;
    try {
      roff = utf8.decode(path.endsWith('.gz') ? gunzipSync(bytes) : bytes);
    } catch {
      continue;
    }
    for (const p of manParagraphs(roff)) {
      const ok = lang === 'en' ? englishWords(p) >= 4 && !/[^\p{Script=Latin}\p{Script=Common}\p{Script=Inherited}]/u.test(p) : scriptMatches(lang, p);
      if (ok && !/[\u0000-\u001f\u007f-\u009f]/.test(p)) mono[lang].push(p);
    }
  }
}
const manifest = writeCorpus(OUT, {
  corpus,
  mono,
  counts,
  segmentsRead: seen,
  packages: records,
  sourcePackages: Object.fromEntries(corpus.sources.map((s) => [s, packageOf.get(s)!])),
  sourcePaths: Object.fromEntries(corpus.sources.map((s) => [s, [...sourcePaths.get(s)!].sort()])),
  maxTokens: config.max_position_embeddings,
  countTokens,
});
console.log(`wrote ${OUT} in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
const changed = packageChanges(committed, records);
if (changed.length) {
  console.log(`\nCHANGED package versions or files against the committed manifest; the corpus will differ:\n  ${changed.join('\n  ')}`);
  process.exitCode = 2;
} else if (committed.length) console.log('every package version and .deb sha256 matches the committed manifest');
// Same packages but other files: the build's code changed since the manifest (or is not deterministic).
const differ = fileChanges(before.files, manifest.files);
if (committed.length) console.log(differ.length ? `files that differ from the committed build: ${differ.join(', ')}` : 'every file is identical to the committed build (sha256 of the uncompressed text)');
