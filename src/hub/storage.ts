// Where downloaded models are kept: folders of files, one folder per repo and revision. A download
// writes each file chunk by chunk at its current end, so a partial file plus the progress recorded
// in the folder's manifest is all a restarted download needs. Implementations: OPFS (browser,
// opfs-store.ts), a directory (Node CLI, fs-store.ts), memory (tests, memory-store.ts).

export interface CacheStore {
  /** Where the cache is, for messages. */
  readonly label: string;
  /** Asks the host not to evict the cache under storage pressure (OPFS: navigator.storage.persist()); true where granted or where nothing can evict it. */
  persist(): Promise<boolean>;
  /** Bytes the cache may still take, or undefined where the host does not say. */
  available(): Promise<number | undefined>;
  /** The model folders present. */
  folders(): Promise<string[]>;
  /** The file names in a folder ([] if the folder is absent). */
  files(folder: string): Promise<string[]>;
  /** Bytes of a file; 0 if it is absent. */
  size(folder: string, name: string): Promise<number>;
  /** Writes bytes at offset, dropping whatever the file held from offset on; creates folder and file as needed. */
  write(folder: string, name: string, offset: number, bytes: Uint8Array): Promise<void>;
  read(folder: string, name: string): Promise<Uint8Array>;
  /** Bytes [begin, end) of a file, without reading the rest (streamed loading and chunked hashing). */
  readRange(folder: string, name: string, begin: number, end: number): Promise<Uint8Array>;
  /** Removes one file, or the whole folder when no name is given; absent ones are fine. */
  remove(folder: string, name?: string): Promise<void>;
}
