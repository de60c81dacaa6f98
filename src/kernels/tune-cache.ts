// Where the autotuner keeps its choices (tuner.ts): IndexedDB in browsers (the page and its worker
// share it, so a reload finds them), memory in Node. One record per adapter key.

import type { CachedTuning, TuneCache } from './tuner';

const DB = 'alignscope-tuner';
const STORE = 'choices';

export function memoryTuneCache(): TuneCache {
  const m = new Map<string, CachedTuning>();
  return {
    get: async (k) => structuredClone(m.get(k) ?? null),
    put: async (k, v) => void m.set(k, structuredClone(v)),
  };
}

function request<T>(r: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error);
  });
}

export function indexedDbTuneCache(): TuneCache {
  let db: Promise<IDBDatabase> | null = null;
  const open = () =>
    (db ??= new Promise((resolve, reject) => {
      const r = indexedDB.open(DB, 1);
      r.onupgradeneeded = () => r.result.createObjectStore(STORE);
      r.onsuccess = () => resolve(r.result);
      r.onerror = () => reject(r.error);
    }));
  return {
    async get(k) {
      return ((await request((await open()).transaction(STORE).objectStore(STORE).get(k))) as CachedTuning | undefined) ?? null;
    },
    async put(k, v) {
      const tx = (await open()).transaction(STORE, 'readwrite');
      tx.objectStore(STORE).put(v, k);
      await new Promise<void>((resolve, reject) => {
        tx.oncomplete = () => resolve();
        tx.onerror = () => reject(tx.error);
        tx.onabort = () => reject(tx.error ?? new Error('tuning cache write aborted'));
      });
    },
  };
}

// Node's fallback is one memory cache per process, as IndexedDB is one per origin: every engine of a
// process (a CLI run, a test file) shares the choices.
let processCache: TuneCache | null = null;

/** IndexedDB where the host has it, else this process's memory. */
export function defaultTuneCache(): TuneCache {
  if (typeof indexedDB !== 'undefined') return indexedDbTuneCache();
  return (processCache ??= memoryTuneCache());
}
