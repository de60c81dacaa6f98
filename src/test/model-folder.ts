// Model folders on disk for tests (GPU tier and browser): the random tiny model written out as real files, and
// broken copies of it.

import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomModelFiles } from '../model/random-source';

const NAMES = ['config.json', 'tokenizer.json', 'tokenizer_config.json', 'model.safetensors'];

/** Writes the random model (seed) into a new folder named `name`; `edit` may change files first. */
export async function writeModelFolder(name: string, seed = 1, edit?: (files: Map<string, Uint8Array>) => void): Promise<string> {
  const src = randomModelFiles(seed);
  const files = new Map<string, Uint8Array>();
  for (const n of NAMES) files.set(n, await src.read(n));
  edit?.(files);
  const dir = join(mkdtempSync(join(tmpdir(), 'alignscope-e2e-')), name);
  mkdirSync(dir);
  for (const [n, bytes] of files) writeFileSync(join(dir, n), bytes);
  return dir;
}
