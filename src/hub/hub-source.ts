// A downloaded model as ModelFiles, read from the cache with no network: the verified files of the
// folder's manifest under their local names, so readModelFolder loads it like a folder on disk.

import { ModelFormatError } from '../errors';
import type { ModelFiles } from '../model/source';
import { folderOf, isComplete, readManifest } from './manifest';
import { formatRepoId, type RepoId } from './repo-id';
import type { CacheStore } from './storage';

/** The cached model, or null when the cache does not hold all of its files verified. */
export async function cachedModelFiles(store: CacheStore, id: RepoId): Promise<ModelFiles | null> {
  const m = await readManifest(store, id);
  if (!m || !isComplete(m)) return null;
  const folder = folderOf(id);
  const names = new Set(m.files.map((f) => f.name));
  const label = `hub:${formatRepoId(id)}`;
  const known = (name: string) => {
    if (!names.has(name)) throw new ModelFormatError(`${label} has no ${name} (the download holds ${[...names].join(', ')}).`, { file: name });
    return name;
  };
  return {
    label,
    has: async (name) => names.has(name),
    names: async () => [...names],
    async read(name, onProgress) {
      const bytes = await store.read(folder, known(name));
      onProgress?.(bytes.byteLength, bytes.byteLength);
      return bytes;
    },
    size: async (name) => store.size(folder, known(name)),
    readRange: async (name, begin, end) => store.readRange(folder, known(name), begin, end),
  };
}
