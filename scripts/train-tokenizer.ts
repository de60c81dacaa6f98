// npm run build:tokenizer [-- --vocab N] [--out DIR] [--sizes 8192,12288,16384]
//
// Trains AlignScope's own byte-level BPE tokenizer (src/model/bpe-trainer.ts) on the pre-training text
// of the default model (src/train/pretraining.ts: both corpora's TRAIN splits, languages balanced) and
// writes tokenizer.json and tokenizer_config.json into DIR (default public/models/alignscope-tiny/).
// Specials: ids 256.. <s> </s> <pad> <sep> and one tag per corpus language, <en> ... <uk>.
//
// The size is chosen by measurement (issue 14): BPE learns merges in order, so the tokenizer of any
// smaller size is the first merges of the largest one. For each candidate size the script prints, on
// the DEV splits of both corpora, each language's tokens per sentence relative to English for the same
// tuple (sum over tuples of tokens(x) / sum of tokens(en)); the rule is that no language needs more than
// about 1.5x English. Deterministic: running it again writes byte-identical files.

import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { trainByteLevelBpe } from '../src/model/bpe-trainer';
import { Tokenizer } from '../src/model/tokenizer';
import { loadPretrainingLines, shippedSplit } from './shipped-corpora';

const { values } = parseArgs({
  options: {
    vocab: { type: 'string', default: '8192' },
    sizes: { type: 'string', default: '' },
    out: { type: 'string', default: 'public/models/alignscope-tiny/' },
    seed: { type: 'string', default: '1' },
  },
});
const vocabSize = Number(values.vocab);
const sizes = values.sizes ? values.sizes.split(',').map(Number) : [vocabSize];
const largest = Math.max(vocabSize, ...sizes);

const t0 = performance.now();
// The everyday train split once: repeating it would only shift merge counts towards its sentences.
const text = await loadPretrainingLines(Number(values.seed), 1);
const langs = text.languages;
const specials = ['<s>', '</s>', '<pad>', '<sep>', ...langs.map((l) => `<${l}>`)];
const texts = langs.flatMap((l) => text.lines[l]);
const full = trainByteLevelBpe(texts, { vocabSize: largest, specials });
console.log(`${texts.length} texts (${text.linesPerLanguage} mono lines per language + the everyday train split), BPE to ${largest} in ${((performance.now() - t0) / 1000).toFixed(0)} s`);

/** tokenizer.json of the first `size` ids of `full`. */
function truncated(size: number): Record<string, unknown> {
  const model = full.model as { vocab: Record<string, number>; merges: string[] };
  const vocab = Object.fromEntries(Object.entries(model.vocab).filter(([, id]) => id < size));
  if (Object.keys(vocab).length !== size) throw new Error(`the text gave only ${Object.keys(model.vocab).length} tokens, not ${size}`);
  return { ...full, model: { ...model, vocab, merges: model.merges.slice(0, size - 256 - specials.length) } };
}

const config = { bos_token: '<s>', eos_token: '</s>', pad_token: '<pad>', add_bos_token: true, model_max_length: 128 };
const devs = { everyday: (await shippedSplit('everyday')).dev, software: (await shippedSplit('software')).dev };
for (const size of sizes) {
  const tok = Tokenizer.fromJson(truncated(size), config, `tokenizer-${size}.json`);
  for (const [name, dev] of Object.entries(devs)) {
    const total = (l: string) => dev.reduce((n, t) => n + (t[l] ? tok.encode(t[l], { addBos: false }).length : 0), 0);
    const en = total('en');
    const cells = langs.map((l) => `${l} ${(total(l) / en).toFixed(2)}`);
    console.log(`vocab ${size} ${name} dev (${dev.length} tuples): en ${(en / dev.length).toFixed(1)} tokens/sentence; x/en: ${cells.join('  ')}`);
  }
}

const json = truncated(vocabSize);
mkdirSync(values.out, { recursive: true });
writeFileSync(join(values.out, 'tokenizer.json'), `${JSON.stringify(json, null, 2)}\n`);
writeFileSync(join(values.out, 'tokenizer_config.json'), `${JSON.stringify(config, null, 2)}\n`);
console.log(`wrote ${join(values.out, 'tokenizer.json')} (vocab ${vocabSize}) and tokenizer_config.json in ${((performance.now() - t0) / 60000).toFixed(1)} min`);
