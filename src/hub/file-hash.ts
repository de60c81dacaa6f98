// The SHA-256 (LFS oid) or git blob id (SHA-1 over "blob <size>\0" + content) of a file in the
// cache, read in chunks through CacheStore.readRange so that checking a 1 GB download holds one
// chunk, not the file. Web Crypto only digests whole buffers, so the running hash is @noble/hashes'
// (audited, no dependencies); its output is the standard digest, which the tests compare with
// Web Crypto's one-shot one.

import { sha1 } from '@noble/hashes/legacy.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import { ModelFormatError } from '../errors';
import type { CacheStore } from './storage';

export const HASH_CHUNK_BYTES = 16 << 20;

export type FileHash = 'sha256' | 'git-blob';

/** Hex digest of bytes [0, size) of a stored file, `chunkBytes` at a time. */
export async function hashStoredFile(store: CacheStore, folder: string, name: string, size: number, kind: FileHash, chunkBytes = HASH_CHUNK_BYTES): Promise<string> {
  const h = kind === 'sha256' ? sha256.create() : sha1.create();
  if (kind === 'git-blob') h.update(new TextEncoder().encode(`blob ${size}\0`));
  for (let at = 0; at < size; at += chunkBytes) {
    const end = Math.min(at + chunkBytes, size);
    const chunk = await store.readRange(folder, name, at, end);
    // A short read means the file changed under us (another tab, a cleared cache): say so rather than hash something else.
    if (chunk.byteLength !== end - at) throw new ModelFormatError(`${store.label} gave ${chunk.byteLength} bytes of ${folder}/${name} at ${at} where ${end - at} were expected: the file changed while it was checked. Load the model again.`, { file: name, at });
    h.update(chunk);
  }
  return bytesToHex(h.digest());
}
