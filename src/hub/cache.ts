// What the model cache holds (for a "downloaded models" list) and deleting a model from it.

import { folderOf, isComplete, readManifest } from './manifest';
import type { HubFormat } from './choose-files';
import type { RepoId } from './repo-id';
import type { CacheStore } from './storage';

export interface CachedModel {
  repo: string;
  revision: string;
  format: HubFormat;
  /** Bytes on disk (downloaded so far, partial files included). */
  bytes: number;
  /** Bytes of the whole model. */
  totalBytes: number;
  /** Every file downloaded and verified: it loads with no network. */
  complete: boolean;
}

export async function listCachedModels(store: CacheStore): Promise<CachedModel[]> {
  const out: CachedModel[] = [];
  for (const folder of await store.folders()) {
    const at = folder.lastIndexOf('@');
    if (at < 0) continue;
    const id: RepoId = { repo: folder.slice(0, at).replace('--', '/'), revision: decodeURIComponent(folder.slice(at + 1)) };
    const m = await readManifest(store, id);
    if (!m) continue;
    let bytes = 0;
    for (const f of m.files) bytes += await store.size(folder, f.name);
    out.push({ repo: m.repo, revision: m.revision, format: m.format, bytes, totalBytes: m.files.reduce((s, f) => s + f.size, 0), complete: isComplete(m) });
  }
  return out.sort((a, b) => `${a.repo}@${a.revision}`.localeCompare(`${b.repo}@${b.revision}`));
}

/** Removes a model's folder, partial downloads included. */
export async function deleteCachedModel(store: CacheStore, id: RepoId): Promise<void> {
  await store.remove(folderOf(id));
}
