// A CacheStore in memory (tests; a page without OPFS). An optional quota makes `available()` report
// what is left of it, as a browser's storage estimate would.

import { ModelFormatError } from '../errors';
import type { CacheStore } from './storage';

export function memoryStore(opts: { quotaBytes?: number; label?: string } = {}): CacheStore {
  const folders = new Map<string, Map<string, Uint8Array>>();
  const used = () => [...folders.values()].reduce((s, f) => s + [...f.values()].reduce((t, b) => t + b.byteLength, 0), 0);
  return {
    label: opts.label ?? 'memory',
    persist: async () => true,
    available: async () => (opts.quotaBytes === undefined ? undefined : Math.max(0, opts.quotaBytes - used())),
    folders: async () => [...folders.keys()],
    files: async (folder) => [...(folders.get(folder)?.keys() ?? [])],
    size: async (folder, name) => folders.get(folder)?.get(name)?.byteLength ?? 0,
    async write(folder, name, offset, bytes) {
      if (!folders.has(folder)) folders.set(folder, new Map());
      const f = folders.get(folder)!;
      const old = f.get(name) ?? new Uint8Array(0);
      const out = new Uint8Array(offset + bytes.byteLength);
      out.set(old.subarray(0, Math.min(offset, old.byteLength)));
      out.set(bytes, offset);
      f.set(name, out);
    },
    async read(folder, name) {
      const b = folders.get(folder)?.get(name);
      if (!b) throw new ModelFormatError(`The cache has no ${folder}/${name}.`, { file: name });
      return b;
    },
    async readRange(folder, name, begin, end) {
      return (await this.read(folder, name)).subarray(begin, end);
    },
    async remove(folder, name) {
      if (name === undefined) folders.delete(folder);
      else folders.get(folder)?.delete(name);
    },
  };
}
