// npx tsx scripts/train-tokenizer.ts [OUT_DIR]   (default public/models/alignscope-tiny/)
//
// Trains AlignScope's own byte-level BPE tokenizer (src/model/bpe-trainer.ts) on the TRAIN split of
// public/data/corpus.tsv (every language's sentence a separate text) and writes tokenizer.json and
// tokenizer_config.json into OUT_DIR. Vocabulary 4096: 256 bytes, 12 special tokens (ids 256-267:
// <s> </s> <pad> <sep> and one tag per corpus language, <en> ... <uk>), 3828 merged tokens.
// Deterministic: running it again writes byte-identical files.

import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readTsv } from '../src/data/tsv';
import { trainByteLevelBpe } from '../src/model/bpe-trainer';
import { Tokenizer } from '../src/model/tokenizer';

const VOCAB_SIZE = 4096;
const outDir = process.argv[2] ?? 'public/models/alignscope-tiny/';

const { corpus, problems } = readTsv(readFileSync('public/data/corpus.tsv', 'utf8'), 'public/data/corpus.tsv');
if (problems.length) throw new Error(problems.map((p) => `${p.file}:${p.line}: ${p.message}`).join('\n'));
const splits = JSON.parse(readFileSync('public/data/splits.json', 'utf8')) as Record<string, unknown>;
const ids = corpus.ids ?? [];
const split = (name: string) => {
  const wanted = splits[name];
  if (!Array.isArray(wanted)) throw new Error(`public/data/splits.json has no "${name}" list`);
  const index = new Map(ids.map((id, i) => [id, i]));
  return wanted.map((id) => {
    const i = index.get(id as string);
    if (i === undefined) throw new Error(`splits.json: ${name} id ${String(id)} is not in corpus.tsv`);
    return corpus.tuples[i];
  });
};
const train = split('train');
const test = split('test');
const langs = corpus.languages;

const specials = ['<s>', '</s>', '<pad>', '<sep>', ...langs.map((l) => `<${l}>`)];
const texts = train.flatMap((t) => langs.map((l) => t[l]));

const t0 = performance.now();
const json = trainByteLevelBpe(texts, { vocabSize: VOCAB_SIZE, specials });
const ms = performance.now() - t0;
const model = json.model as { vocab: Record<string, number>; merges: string[] };
const vocabSize = Object.keys(model.vocab).length;
if (vocabSize !== VOCAB_SIZE) throw new Error(`the corpus gave only ${vocabSize} tokens, not ${VOCAB_SIZE}: lower the vocabulary size or minFrequency`);

const config = { bos_token: '<s>', eos_token: '</s>', pad_token: '<pad>', add_bos_token: true, model_max_length: 128 };
mkdirSync(outDir, { recursive: true });
writeFileSync(join(outDir, 'tokenizer.json'), `${JSON.stringify(json, null, 2)}\n`);
writeFileSync(join(outDir, 'tokenizer_config.json'), `${JSON.stringify(config, null, 2)}\n`);

console.log(`${texts.length} train texts (${train.length} tuples x ${langs.length} languages), trained in ${(ms / 1000).toFixed(2)} s`);
console.log(`vocab ${vocabSize} (256 bytes + ${specials.length} specials + ${vocabSize - 256 - specials.length} merged), merges ${model.merges.length}`);
console.log(`wrote ${join(outDir, 'tokenizer.json')} and tokenizer_config.json`);

// Tokens per sentence (no BOS), next to UTF-8 bytes per sentence.
const tok = Tokenizer.fromJson(json, config, join(outDir, 'tokenizer.json'));
const enc = new TextEncoder();
const rows: string[] = [];
for (const lang of langs) {
  const cell = (tuples: typeof train) => {
    let tokens = 0;
    let bytes = 0;
    for (const t of tuples) {
      tokens += tok.encode(t[lang], { addBos: false }).length;
      bytes += enc.encode(t[lang]).length;
    }
    return `${(tokens / tuples.length).toFixed(1).padStart(6)} (${((tokens / bytes) * 100).toFixed(0).padStart(2)}% of bytes)`;
  };
  rows.push(`${lang}  ${cell(train)}  ${cell(test)}`);
}
console.log(`tokens/sentence  train (${train.length})          test (${test.length})`);
console.log(rows.join('\n'));
