// A CacheStore in the origin private file system (navigator.storage.getDirectory()), under
// `alignscope-hub/<folder>/<file>`. Inside a dedicated worker (where the engine runs) writes go
// through a sync access handle, in place; elsewhere through createWritable({ keepExistingData }),
// which copies the file into a swap file first, so chunked writes of large files are slower there.
// `available()` is quota - usage from navigator.storage.estimate(); `persist()` asks the browser not
// to evict the cache. Not covered by the Node tests (no OPFS there); the memory store runs the same
// download code.

import { ModelFormatError } from '../errors';
import type { CacheStore } from './storage';

const ROOT = 'alignscope-hub';

interface SyncHandle {
  truncate(size: number): void;
  write(data: Uint8Array, opts: { at: number }): number;
  flush(): void;
  close(): void;
}

type FileHandle = FileSystemFileHandle & { createSyncAccessHandle?: () => Promise<SyncHandle> };

function isNotFound(e: unknown): boolean {
  return (e as Error)?.name === 'NotFoundError';
}

export function opfsStore(): CacheStore {
  const root = async () => (await navigator.storage.getDirectory()).getDirectoryHandle(ROOT, { create: true });
  const folderHandle = async (folder: string, create: boolean) => (await root()).getDirectoryHandle(folder, { create });
  const fileHandle = async (folder: string, name: string, create: boolean) => (await folderHandle(folder, create)).getFileHandle(name, { create }) as Promise<FileHandle>;
  const cachedFile = async (folder: string, name: string): Promise<File> => {
    try {
      return await (await fileHandle(folder, name, false)).getFile();
    } catch (e) {
      if (isNotFound(e)) throw new ModelFormatError(`The browser cache has no ${folder}/${name}.`, { file: name });
      throw e;
    }
  };
  const entries = async (dir: FileSystemDirectoryHandle) => {
    const out: [string, FileSystemHandle][] = [];
    for await (const e of (dir as unknown as { entries(): AsyncIterable<[string, FileSystemHandle]> }).entries()) out.push(e);
    return out;
  };
  return {
    label: 'the browser cache (OPFS)',
    async persist() {
      if (!navigator.storage?.persist) return false;
      return (await navigator.storage.persisted()) || navigator.storage.persist();
    },
    async available() {
      const e = await navigator.storage.estimate?.();
      return e?.quota === undefined ? undefined : Math.max(0, e.quota - (e.usage ?? 0));
    },
    folders: async () => (await entries(await root())).filter(([, h]) => h.kind === 'directory').map(([n]) => n),
    async files(folder) {
      try {
        return (await entries(await folderHandle(folder, false))).filter(([, h]) => h.kind === 'file').map(([n]) => n);
      } catch (e) {
        if (isNotFound(e)) return [];
        throw e;
      }
    },
    async size(folder, name) {
      try {
        return (await (await fileHandle(folder, name, false)).getFile()).size;
      } catch (e) {
        if (isNotFound(e)) return 0;
        throw e;
      }
    },
    async write(folder, name, offset, bytes) {
      const h = await fileHandle(folder, name, true);
      if (h.createSyncAccessHandle && typeof (globalThis as { WorkerGlobalScope?: unknown }).WorkerGlobalScope !== 'undefined') {
        const s = await h.createSyncAccessHandle();
        try {
          s.truncate(offset);
          s.write(bytes, { at: offset });
          s.flush();
        } finally {
          s.close();
        }
        return;
      }
      const w = await h.createWritable({ keepExistingData: true });
      try {
        await w.truncate(offset);
        await w.write({ type: 'write', position: offset, data: bytes as Uint8Array<ArrayBuffer> });
      } finally {
        await w.close();
      }
    },
    read: async (folder, name) => new Uint8Array(await (await cachedFile(folder, name)).arrayBuffer()),
    readRange: async (folder, name, begin, end) => new Uint8Array(await (await cachedFile(folder, name)).slice(begin, end).arrayBuffer()),
    async remove(folder, name) {
      try {
        if (name === undefined) await (await root()).removeEntry(folder, { recursive: true });
        else await (await folderHandle(folder, false)).removeEntry(name);
      } catch (e) {
        if (!isNotFound(e)) throw e;
      }
    },
  };
}
