// Downloading one file of a repo into the cache in chunks: each chunk is one `Range: bytes=a-b`
// request (206), written at the file's end, then the manifest records the bytes done; a dropped
// connection loses at most the chunk in flight, and the next run asks for the rest only. The first
// request goes to `/resolve/`, which the Hub redirects to its CDN; later chunks go to the URL the
// redirect reached. At the end the whole file is checked against the listing (LFS files: SHA-256 =
// the LFS oid; small files: the git blob id); a mismatch removes that file (nothing else) and
// throws DownloadChecksumError naming it.

import { DownloadChecksumError, HubRequestError } from '../errors';
import { hashStoredFile } from './file-hash';
import { hubFetch, resolveUrl, type HubOptions } from './hub-api';
import type { CachedFile } from './manifest';
import type { RepoId } from './repo-id';
import type { CacheStore } from './storage';

export const DEFAULT_CHUNK_BYTES = 16 << 20;
const MIN_CHUNK_BYTES = 64 << 10;

/**
 * The chunk a file is fetched in unless the caller sets one: a sixteenth of the file, between 64 KiB
 * and 16 MiB, so a small file still shows progress and a cut loses little, and a big one is not
 * split into thousands of requests.
 */
export function chunkFor(size: number): number {
  return Math.min(DEFAULT_CHUNK_BYTES, Math.max(MIN_CHUNK_BYTES, Math.ceil(size / 16)));
}

export interface FileDownload {
  id: RepoId;
  hub: HubOptions;
  store: CacheStore;
  folder: string;
  /** Bytes per request (default chunkFor(file size)). */
  chunkBytes?: number;
  /** Called after every chunk written (the manifest's rewrite goes here). */
  saved: () => Promise<void>;
  /** Bytes of this file done after each chunk. */
  onBytes?: (done: number) => void;
}

export async function downloadFile(file: CachedFile, d: FileDownload): Promise<void> {
  let url = resolveUrl(d.id, file.path, d.hub);
  const chunk = d.chunkBytes ?? chunkFor(file.size);
  if (file.done > file.size) file.done = 0;
  if (file.size === 0) await d.store.write(d.folder, file.name, 0, new Uint8Array(0));
  while (file.done < file.size) {
    const start = file.done;
    const end = Math.min(start + chunk, file.size) - 1;
    const r = await hubFetch(url, d.id, d.hub, { Range: `bytes=${start}-${end}` });
    if (r.redirected) url = r.url;
    // A server that ignores Range answers 200 with the whole file: take it from the start.
    const from = r.status === 206 ? rangeStart(r.headers.get('content-range')) : 0;
    if (r.status === 206 && from !== start) {
      await r.body?.cancel();
      throw new HubRequestError(`${url} answered bytes from ${from} when asked for ${start}; the server's Range support is broken.`, { url, file: file.path });
    }
    const bytes = await body(r, url, file, start);
    const want = r.status === 206 ? end - start + 1 : file.size;
    if (bytes.byteLength !== want) {
      throw new HubRequestError(`The download of ${file.path} stopped at byte ${from + bytes.byteLength} of ${file.size} (connection closed). Load the model again to resume from byte ${start}.`, { url, file: file.path, done: start });
    }
    await d.store.write(d.folder, file.name, from, bytes);
    file.done = from + bytes.byteLength;
    await d.saved();
    d.onBytes?.(file.done);
  }
  await verify(file, d);
  file.verified = true;
  await d.saved();
}

function rangeStart(contentRange: string | null): number {
  const m = /bytes\s+(\d+)-/.exec(contentRange ?? '');
  return m ? Number(m[1]) : -1;
}

async function body(r: Response, url: string, file: CachedFile, start: number): Promise<Uint8Array> {
  try {
    return new Uint8Array(await r.arrayBuffer());
  } catch (e) {
    throw new HubRequestError(`The download of ${file.path} was cut off (${(e as Error).message}). Load the model again to resume from byte ${start}.`, { url, file: file.path, done: start });
  }
}

async function verify(file: CachedFile, d: FileDownload): Promise<void> {
  // Hashed in chunks from the store: a 1 GB weights file is never held whole.
  const size = await d.store.size(d.folder, file.name);
  let expected: string | undefined;
  let actual: string | undefined;
  if (size !== file.size) {
    expected = `${file.size} bytes`;
    actual = `${size} bytes`;
  } else if (file.sha256) {
    expected = file.sha256;
    actual = await hashStoredFile(d.store, d.folder, file.name, size, 'sha256');
  } else if (file.gitOid) {
    expected = file.gitOid;
    actual = await hashStoredFile(d.store, d.folder, file.name, size, 'git-blob');
  }
  if (expected !== undefined && expected !== actual) {
    file.done = 0;
    file.verified = false;
    await d.store.remove(d.folder, file.name);
    await d.saved();
    throw new DownloadChecksumError(`${file.path} of ${d.id.repo}@${d.id.revision} arrived damaged (expected ${expected}, got ${actual}); it was removed from the cache. Load the model again to download that file anew.`, {
      file: file.path,
      expected,
      actual,
    });
  }
}
