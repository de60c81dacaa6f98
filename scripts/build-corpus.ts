// npm run build:corpus — assembles public/data/corpus.tsv from the hand-written parts
// (public/data/parts/*.tsv and public/data/sample.tsv), checks it, and writes the fixed split
// public/data/splits.json (70/10/20 by a seeded hash of each tuple's id: see src/data/splits.ts).
// Deterministic: running it again changes nothing.

import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { readTsv, writeTsv } from '../src/data/tsv';
import { splitCorpus } from '../src/data/splits';
import type { ParallelCorpus } from '../src/data/corpus';

const LANGS = ['en', 'zh', 'ja', 'de', 'fr', 'es', 'cs', 'uk'];
const files = ['public/data/sample.tsv', ...readdirSync('public/data/parts').sort().map((f) => `public/data/parts/${f}`)];
const corpus: ParallelCorpus = { languages: LANGS, tuples: [], ids: [] };
for (const f of files) {
  const { corpus: part, problems } = readTsv(readFileSync(f, 'utf8'), f);
  if (problems.length) throw new Error(problems.map((p) => `${p.file}:${p.line}: ${p.message}`).join('\n'));
  if (part.languages.join() !== LANGS.join()) throw new Error(`${f}: languages ${part.languages} differ from ${LANGS}`);
  part.tuples.forEach((t, i) => {
    // The data card promises 4 to 30 English words per tuple; the sample's greetings are shorter.
    const words = t.en.split(/\s+/).length;
    if (words < 4 || words > 30) return console.log(`skipped ${part.ids![i]} (${words} English words): ${t.en}`);
    corpus.tuples.push(t);
    corpus.ids!.push(part.ids![i]);
  });
}
for (const lang of LANGS) {
  const seen = new Map<string, string>();
  corpus.tuples.forEach((t, i) => {
    const prev = seen.get(t[lang]);
    if (prev) throw new Error(`duplicate ${lang} sentence in ${prev} and ${corpus.ids![i]}: ${t[lang]}`);
    seen.set(t[lang], corpus.ids![i]);
  });
}
const header = [
  '# AlignScope parallel corpus: everyday sentences in 8 languages, written for this project (CC0).',
  '# Columns are ISO 639-1 codes; see public/data/README.md (the data card) and splits.json.',
].join('\n');
writeFileSync('public/data/corpus.tsv', `${header}\n${writeTsv(corpus)}`);
const split = splitCorpus(corpus, { train: 0.7, dev: 0.1, test: 0.2 }, 0);
const ids = (ix: number[]) => ix.map((i) => corpus.ids![i]);
writeFileSync('public/data/splits.json', `${JSON.stringify({ seed: 0, fractions: { train: 0.7, dev: 0.1, test: 0.2 }, train: ids(split.train), dev: ids(split.dev), test: ids(split.test) }, null, 1)}\n`);
console.log(`corpus: ${corpus.tuples.length} tuples x ${LANGS.length} languages; train ${split.train.length}, dev ${split.dev.length}, test ${split.test.length}`);
