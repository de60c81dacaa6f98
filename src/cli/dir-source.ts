// A model folder on disk as ModelFiles (Node only); a path to a .gguf file is that one file.

import { existsSync, readdirSync, statSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { ModelFormatError } from '../errors';
import type { ModelFiles } from '../model/source';

export function dirFiles(dir: string): ModelFiles {
  const given = resolve(dir);
  const ggufFile = /\.gguf$/i.test(given) && existsSync(given) && statSync(given).isFile();
  const root = ggufFile ? dirname(given) : given;
  if (!existsSync(root) || !statSync(root).isDirectory()) {
    throw new ModelFormatError(`${root} is not a directory. Give --model the folder that holds config.json, tokenizer.json and the weights, or a .gguf file.`, { file: root });
  }
  const only = ggufFile ? basename(given) : null;
  return {
    label: given,
    has: async (name) => (only ? name === only : existsSync(join(root, name))),
    names: async () => (only ? [only] : readdirSync(root)),
    async read(name, onProgress) {
      const path = join(root, name);
      if (!existsSync(path)) throw new ModelFormatError(`${path} does not exist.`, { file: path });
      const fh = await open(path, 'r');
      try {
        const total = (await fh.stat()).size;
        const out = new Uint8Array(total);
        const chunk = 16 << 20;
        for (let at = 0; at < total; at += chunk) {
          await fh.read(out, at, Math.min(chunk, total - at), at);
          onProgress?.(Math.min(at + chunk, total), total);
        }
        return out;
      } finally {
        await fh.close();
      }
    },
  };
}
