// GGUF metadata the fuzz tier (npm run test:fuzz) found damaging: sizes past SIZE_LIMITS
// (src/model/config.ts), refused before the tensor table is compared with them (llama.block_count =
// 3593684700 built a list of expected weights that never finished), and a general.alignment that
// is not a power of two. (The reader's main tests: gguf.test.ts.)

import { describe, expect, it } from 'vitest';
import { ModelFormatError } from '../errors';
import { decoderGguf, type GgufValue } from '../test/gguf-writer';
import { byteLevelTokenizerJson } from './byte-tokenizer';
import { SIZE_LIMITS } from './config';
import { GGML } from './gguf-quant';
import { readModelFolder } from './load';
import { randomWeights } from './random-model';
import { randomModelConfig, RANDOM_MODEL_SPECIALS } from './random-source';
import { memoryFiles } from './source';

const CONFIG = randomModelConfig();
const TOKENIZER = { json: byteLevelTokenizerJson(RANDOM_MODEL_SPECIALS), bos: 256, eos: 257, pre: 'gpt-2' };

function load(metadata: Record<string, GgufValue>) {
  const bytes = decoderGguf(CONFIG, randomWeights(CONFIG, 1), { type: GGML.Q8_0, tokenizer: TOKENIZER, metadata });
  return readModelFolder(memoryFiles(new Map([['model.gguf', bytes]]), 'gguf-limits'));
}

describe('GGUF sizes past SIZE_LIMITS', () => {
  it('the unmutated file loads', async () => {
    expect((await load({})).config.numLayers).toBe(2);
  });

  for (const [key, value] of [['llama.block_count', 3593684700], ['llama.embedding_length', 2 ** 20], ['llama.feed_forward_length', 2 ** 31], ['llama.context_length', 2 ** 30]] as const) {
    it(`${key} = ${value}: ModelFormatError naming the key, at once`, async () => {
      const t0 = performance.now();
      const e = await load({ [key]: { type: 'u32', value } }).then(() => null, (err: unknown) => err);
      expect(e).toBeInstanceOf(ModelFormatError);
      expect((e as ModelFormatError).message).toMatch(new RegExp(`metadata "${key.replace('.', '\\.')}" = ${value} is more than any released model has \\(at most \\d+\\)`));
      expect((e as ModelFormatError).data).toMatchObject({ key, value });
      expect(performance.now() - t0).toBeLessThan(2000);
    });
  }

  it('a size at its limit passes this check (and fails later, on the tensors)', async () => {
    const e = await load({ 'llama.block_count': { type: 'u32', value: SIZE_LIMITS.numLayers } }).then(() => null, (err: unknown) => err);
    expect((e as ModelFormatError).message).toMatch(/tensor "model\.layers\.2\..*" .* is missing/);
  });
});

describe('general.alignment', () => {
  // Found by the fuzz tier: @huggingface/gguf rounds the data offset with 32-bit bit masks, so an
  // alignment of 2147483647 put the data before the header and a Q8_0 read threw RangeError.
  it('one that is not a power of two is a ModelFormatError naming the key', async () => {
    const e = await load({ 'general.alignment': { type: 'u32', value: 2147483647 } }).then(() => null, (err: unknown) => err);
    expect(e).toBeInstanceOf(ModelFormatError);
    expect((e as ModelFormatError).message).toMatch(/general\.alignment 2147483647 is not a power of two/);
  });
});
