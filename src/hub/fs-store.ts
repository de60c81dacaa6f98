// A CacheStore in a directory on disk (Node: the CLI, tests). Node only: the page uses opfs-store.ts.

import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { open, readFile, statfs } from 'node:fs/promises';
import { join } from 'node:path';
import type { CacheStore } from './storage';

export function fsStore(root: string): CacheStore {
  const dir = (folder: string) => join(root, folder);
  return {
    label: root,
    persist: async () => true,
    async available() {
      mkdirSync(root, { recursive: true });
      const s = await statfs(root);
      return s.bavail * s.bsize;
    },
    folders: async () => (existsSync(root) ? readdirSync(root).filter((f) => statSync(join(root, f)).isDirectory()) : []),
    files: async (folder) => (existsSync(dir(folder)) ? readdirSync(dir(folder)) : []),
    size: async (folder, name) => (existsSync(join(dir(folder), name)) ? statSync(join(dir(folder), name)).size : 0),
    async write(folder, name, offset, bytes) {
      mkdirSync(dir(folder), { recursive: true });
      const path = join(dir(folder), name);
      const fh = await open(path, existsSync(path) ? 'r+' : 'w+');
      try {
        await fh.truncate(offset);
        await fh.write(bytes, 0, bytes.byteLength, offset);
      } finally {
        await fh.close();
      }
    },
    read: async (folder, name) => new Uint8Array(await readFile(join(dir(folder), name))),
    async readRange(folder, name, begin, end) {
      const fh = await open(join(dir(folder), name), 'r');
      try {
        const out = new Uint8Array(Math.max(0, end - begin));
        const { bytesRead } = await fh.read(out, 0, out.byteLength, begin);
        return out.subarray(0, bytesRead);
      } finally {
        await fh.close();
      }
    },
    async remove(folder, name) {
      rmSync(name === undefined ? dir(folder) : join(dir(folder), name), { recursive: true, force: true });
    },
  };
}
