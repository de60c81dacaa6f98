// The record a cached model folder keeps of itself (`alignscope-hub.json`): the repo and revision,
// the format chosen, and per file its Hub path, local name, size, checksums, the bytes downloaded so
// far and whether the whole file was verified. It is rewritten after every chunk, so a download
// started again continues where the last one stopped.

import type { FileChoice, HubFormat, PlannedFile } from './choose-files';
import type { RepoId } from './repo-id';
import type { CacheStore } from './storage';

export const MANIFEST = 'alignscope-hub.json';

export interface CachedFile extends PlannedFile {
  /** Bytes written so far (a prefix of the file). */
  done: number;
  /** The whole file is present and its checksum matched. */
  verified: boolean;
}

export interface Manifest {
  repo: string;
  revision: string;
  format: HubFormat;
  files: CachedFile[];
}

/** The folder of a repo at a revision: `owner--name@revision` (owner and name never hold `--`). */
export function folderOf(id: RepoId): string {
  return `${id.repo.replace('/', '--')}@${encodeURIComponent(id.revision)}`;
}

export async function readManifest(store: CacheStore, id: RepoId): Promise<Manifest | null> {
  const folder = folderOf(id);
  if ((await store.size(folder, MANIFEST)) === 0) return null;
  try {
    const m = JSON.parse(new TextDecoder().decode(await store.read(folder, MANIFEST))) as Manifest;
    return m.repo === id.repo && m.revision === id.revision && Array.isArray(m.files) ? m : null;
  } catch {
    return null; // a damaged manifest means starting over, not failing
  }
}

export async function writeManifest(store: CacheStore, m: Manifest): Promise<void> {
  await store.write(folderOf(m), MANIFEST, 0, new TextEncoder().encode(JSON.stringify(m, null, 1)));
}

/** A manifest for a new choice of files, keeping the progress of files that did not change since (same path, size and checksums). */
export function mergeManifest(id: RepoId, choice: FileChoice, old: Manifest | null): Manifest {
  const before = new Map((old?.files ?? []).map((f) => [f.name, f]));
  const files = choice.files.map((f): CachedFile => {
    const o = before.get(f.name);
    const same = o && o.path === f.path && o.size === f.size && o.sha256 === f.sha256 && o.gitOid === f.gitOid;
    return same ? { ...f, done: o.done, verified: o.verified } : { ...f, done: 0, verified: false };
  });
  return { repo: id.repo, revision: id.revision, format: choice.format, files };
}

export function isComplete(m: Manifest): boolean {
  return m.files.length > 0 && m.files.every((f) => f.verified);
}
