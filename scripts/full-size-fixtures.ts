// Writes the full-size fixture folders (Qwen2.5-0.5B-Instruct, Qwen3-0.6B, Llama-3.2-1B-Instruct:
// real config.json and tokenizer, random bf16 weights, 4.6 GB in all) into .cache/full-size/, for
// `npm run test:full-size`. Folders already complete are kept. `--only <dir>` writes one.
//   npx tsx scripts/full-size-fixtures.ts [--only qwen3-0.6b]

import { ensureFullSizeFolder, FULL_SIZE_CACHE, FULL_SIZE_MODELS } from '../src/test/full-size-fixtures';

const only = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1] : null;
for (const model of FULL_SIZE_MODELS) {
  if (only && model.dir !== only) continue;
  const t0 = performance.now();
  const f = ensureFullSizeFolder(model);
  const s = ((performance.now() - t0) / 1000).toFixed(1);
  console.log(`${model.repo}: ${(f.parameters / 1e6).toFixed(1)} M parameters, model.safetensors ${(f.weightBytes / 1e9).toFixed(3)} GB ${f.wrote ? `written in ${s} s` : 'already there'} (${f.dir})`);
}
console.log(`fixtures in ${FULL_SIZE_CACHE}`);
