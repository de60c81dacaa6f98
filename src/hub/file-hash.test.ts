// The chunked hashes a download is verified with equal Web Crypto's one-shot digests, whatever the
// chunk size against the file size (exact multiples, one byte over, one chunk, empty), and read the
// file only through readRange, never whole.
import { describe, expect, it } from 'vitest';
import { hashStoredFile } from './file-hash';
import { memoryStore } from './memory-store';
import type { CacheStore } from './storage';

async function oneShot(algorithm: 'SHA-256' | 'SHA-1', bytes: Uint8Array): Promise<string> {
  const d = new Uint8Array(await crypto.subtle.digest(algorithm, bytes as Uint8Array<ArrayBuffer>));
  return [...d].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/** A memory store whose whole-file read fails, recording the ranges asked. */
function rangeOnly(ranges: [number, number][]): CacheStore {
  const s = memoryStore();
  return {
    ...s,
    read: async () => {
      throw new Error('read() of a whole file while hashing');
    },
    readRange: async (folder, name, begin, end) => {
      ranges.push([begin, end]);
      return s.readRange(folder, name, begin, end);
    },
  };
}

describe('hashing a cached file in chunks', () => {
  const bytes = new Uint8Array(10_000).map((_, i) => (i * 131 + (i >> 7)) & 0xff);

  it.each([
    [1000, 10_000],
    [1000, 9_999],
    [999, 10_000],
    [4096, 4097],
    [64, 64],
    [4096, 1],
    [4096, 0],
  ])('chunks of %i bytes over a file of %i give the one-shot SHA-256 and git blob id', async (chunk, size) => {
    const ranges: [number, number][] = [];
    const store = rangeOnly(ranges);
    const file = bytes.subarray(0, size);
    await store.write('f', 'w.bin', 0, file);
    expect(await hashStoredFile(store, 'f', 'w.bin', size, 'sha256', chunk)).toBe(await oneShot('SHA-256', file));
    const blob = new Uint8Array([...new TextEncoder().encode(`blob ${size}\0`), ...file]);
    expect(await hashStoredFile(store, 'f', 'w.bin', size, 'git-blob', chunk)).toBe(await oneShot('SHA-1', blob));
    // Contiguous ranges of at most one chunk, covering the file once per hash.
    expect(ranges.every(([a, b]) => b - a <= chunk && b > a)).toBe(true);
    expect(ranges.reduce((s, [a, b]) => s + b - a, 0)).toBe(2 * size);
  });

  it('gives the git blob id the Hub lists for a small file', async () => {
    // `git hash-object` of "hello\n".
    const store = memoryStore();
    await store.write('f', 'a.txt', 0, new TextEncoder().encode('hello\n'));
    expect(await hashStoredFile(store, 'f', 'a.txt', 6, 'git-blob', 4)).toBe('ce013625030ba8dba906f756967f9e9ca394464a');
  });
});
