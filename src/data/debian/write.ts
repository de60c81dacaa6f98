// Writes the Debian corpus folder: the rows, the monolingual text, the source table, manifest.json
// (every number the data card shows, and the package versions the build must reproduce) and the card.
//
//   tuples.tsv.gz            id split en zh ja de fr es cs uk   (eight-way; id = source.t<n>)
//   pairs.en-<x>.tsv.gz      id split en <x>                      (EN-X rows NOT in a tuple; id = source.row)
//   mono.<lang>.txt.gz       one paragraph or segment per line    (train sources and manual pages)
//   sources.tsv.gz           index source split package licence paths
// The EN-X pairs of a language are the tuples' (en, x) plus its pairs file: a tuple's sides are
// stored once, not eight times, which keeps the committed folder small. The monolingual files are
// written but not committed (NOT_IN_GIT, .gitignore): they are most of the bytes, and only
// pre-training reads them. gzip output is deterministic (no name, mtime 0); manifest.files holds the
// sha256 of each file's UNCOMPRESSED text, so a rebuild is checked independently of the zlib version.

import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { writeTsv } from '../tsv';
import { CORPUS_RULES, type Assembled } from './assemble';
import { renderCard } from './card';
import { RULES, TARGET_LANGUAGES, type RuleCounts } from './clean';
import { SOURCE_SPLIT, type SplitName } from './split';

export interface PackageRecord {
  name: string;
  version: string;
  /** The .deb file name apt-get download wrote. */
  file: string;
  sha256: string;
  licence: string;
}

export interface CorpusInput {
  corpus: Assembled;
  mono: Record<string, string[]>;
  counts: RuleCounts;
  /** Segments read per language before cleaning. */
  segmentsRead: Record<string, number>;
  packages: PackageRecord[];
  sourcePackages: Record<string, string>;
  /** Catalog or page paths per source, `<package>/<path in package>`. */
  sourcePaths: Record<string, string[]>;
  maxTokens: number;
  countTokens: (text: string) => number;
}

type PerSplit = Record<SplitName, number>;
const zero = (): PerSplit => ({ train: 0, dev: 0, test: 0 });

/** Files the build writes that git does not hold (the root .gitignore lists them). */
export const NOT_IN_GIT = /^mono\./;

export interface Manifest {
  packages: PackageRecord[];
  split: typeof SOURCE_SPLIT;
  maxTokens: number;
  segmentsRead: Record<string, number>;
  rules: { rule: string; action: string; description: string; counts: Record<string, number> }[];
  /** Per language: pairs and tokens (en + x) per split, tuples' sides included. */
  pairs: Record<string, { segments: PerSplit; tokens: PerSplit }>;
  tuples: { segments: PerSplit; tokens: PerSplit };
  /** Sources per split, and how many of each kind. */
  sources: { total: number; perSplit: PerSplit; catalogs: number; helpPages: number };
  mono: Record<string, { lines: number; bytes: number; tokens: number }>;
  /** Per licence: packages, and pairs (all languages) from sources of those packages. */
  licences: Record<string, { packages: string[]; pairs: number }>;
  /** sha256 of each written file's uncompressed text. */
  files: Record<string, string>;
}

const sha = (text: string): string => createHash('sha256').update(text).digest('hex');

export function writeCorpus(dir: string, input: CorpusInput): Manifest {
  const { corpus, mono, counts, packages } = input;
  mkdirSync(dir, { recursive: true });
  const files: Record<string, string> = {};
  const put = (name: string, text: string): void => {
    files[name] = sha(text);
    writeFileSync(join(dir, name), name.endsWith('.gz') ? gzipSync(text, { level: 9 }) : text);
  };
  const head = (what: string): string =>
    `# AlignScope Debian corpus: ${what}. Human translations shipped in Debian 12 packages; see README.md (data card), sources.tsv.gz, manifest.json.\n`;

  const languages = ['en', ...TARGET_LANGUAGES];
  put('tuples.tsv.gz', head('English strings translated into all seven languages') + writeTsv({
    languages,
    tuples: corpus.tuples.map((t) => ({ ...t.text })),
    ids: corpus.tuples.map((t) => t.id),
    splits: corpus.tuples.map((t) => t.split),
  }));
  const pairs: Manifest['pairs'] = {};
  // A language's pair with a tuple's English IS that tuple's side (one kept translation per English string).
  const inTuple = new Set(corpus.tuples.map((t) => t.text.en));
  for (const lang of TARGET_LANGUAGES) {
    const rest = corpus.pairs[lang].filter((r) => !inTuple.has(r.en));
    put(`pairs.en-${lang}.tsv.gz`, head(`English-${lang} pairs not in tuples.tsv.gz (all ${lang} pairs = these + the tuples' en and ${lang})`) + writeTsv({
      languages: ['en', lang],
      tuples: rest.map((r) => ({ en: r.en, [lang]: r.x })),
      ids: rest.map((r) => r.id),
      splits: rest.map((r) => r.split),
    }));
    pairs[lang] = { segments: zero(), tokens: zero() };
    for (const r of corpus.pairs[lang]) {
      pairs[lang].segments[r.split]++;
      pairs[lang].tokens[r.split] += r.tokens;
    }
  }
  const tuples = { segments: zero(), tokens: zero() };
  for (const t of corpus.tuples) {
    tuples.segments[t.split]++;
    tuples.tokens[t.split] += languages.reduce((sum, l) => sum + input.countTokens(t.text[l as 'en']), 0);
  }
  const monoStats: Manifest['mono'] = {};
  for (const lang of languages) {
    const text = mono[lang].map((l) => `${l}\n`).join('');
    put(`mono.${lang}.txt.gz`, text);
    monoStats[lang] = { lines: mono[lang].length, bytes: Buffer.byteLength(text), tokens: mono[lang].reduce((s, l) => s + input.countTokens(l), 0) };
  }

  const licenceOf = new Map(packages.map((p) => [p.name, p.licence]));
  const pairsPerSource = new Map<string, number>();
  for (const lang of TARGET_LANGUAGES) {
    for (const r of corpus.pairs[lang]) {
      const source = corpus.sources[Number(r.id.split('.')[0])];
      pairsPerSource.set(source, (pairsPerSource.get(source) ?? 0) + 1);
    }
  }
  const split = corpus.splitOf;
  const sourceLines = corpus.sources.map((s, i) => {
    const pkg = input.sourcePackages[s];
    return [i, s, split(s), pkg, licenceOf.get(pkg), input.sourcePaths[s].join(' ')].join('\t');
  });
  put('sources.tsv.gz', `index\tsource\tsplit\tpackage\tlicence\tpaths\n${sourceLines.map((l) => `${l}\n`).join('')}`);

  const licences: Manifest['licences'] = {};
  for (const p of packages) {
    licences[p.licence] ??= { packages: [], pairs: 0 };
    licences[p.licence].packages.push(p.name);
  }
  for (const [source, n] of pairsPerSource) licences[licenceOf.get(input.sourcePackages[source])!].pairs += n;

  const perSplit = zero();
  for (const s of corpus.sources) perSplit[split(s)]++;
  const helpPages = corpus.sources.filter((s) => s.includes(':help/')).length;
  const allRules = { ...RULES, ...CORPUS_RULES };
  const manifest: Manifest = {
    packages,
    split: SOURCE_SPLIT,
    maxTokens: input.maxTokens,
    segmentsRead: input.segmentsRead,
    rules: Object.entries(allRules).map(([rule, info]) => ({ rule, action: info.action, description: info.description, counts: counts[rule] ?? {} })),
    pairs,
    tuples,
    sources: { total: corpus.sources.length, perSplit, catalogs: corpus.sources.length - helpPages, helpPages },
    mono: monoStats,
    licences,
    files,
  };
  writeFileSync(join(dir, 'manifest.json'), `${JSON.stringify(manifest, null, 1)}\n`);
  writeFileSync(join(dir, 'README.md'), renderCard(manifest));
  return manifest;
}
