// Where checkpoints live: IndexedDB in the browser (the worker has it; survives reloads), memory in
// Node and tests. A checkpoint is a structured-cloneable TrainerCheckpoint plus a small record that
// lists it without loading the tensors.

import type { DecoderConfig } from '../model/config';
import { fnv1a, stableJson } from './fingerprint';
import type { TrainerCheckpoint } from './trainer';

export interface CheckpointInfo {
  id: string;
  /** The model it was trained on (`modelKey`): the engine lists and restores it only there. */
  model: string;
  step: number;
  savedAt: string;
  /** Bytes of tensors (weights + moments). */
  bytes: number;
  label: string;
}

export interface CheckpointStore {
  save(info: CheckpointInfo, ck: TrainerCheckpoint): Promise<void>;
  load(id: string): Promise<TrainerCheckpoint>;
  list(): Promise<CheckpointInfo[]>;
  remove(id: string): Promise<void>;
}

/** A model's identity for its checkpoints: its name and a fingerprint of its architecture. */
export function modelKey(name: string, config: DecoderConfig): string {
  return `${name}#${fnv1a([stableJson(config)])}`;
}

export function checkpointBytes(ck: TrainerCheckpoint): number {
  return [ck.params, ck.m, ck.v].reduce((s, r) => s + Object.values(r).reduce((a, t) => a + t.byteLength, 0), 0);
}

export class MemoryCheckpointStore implements CheckpointStore {
  private readonly items = new Map<string, { info: CheckpointInfo; ck: TrainerCheckpoint }>();

  async save(info: CheckpointInfo, ck: TrainerCheckpoint): Promise<void> {
    this.items.set(info.id, { info, ck: structuredClone(ck) });
  }

  async load(id: string): Promise<TrainerCheckpoint> {
    const item = this.items.get(id);
    if (!item) throw new Error(`No checkpoint ${id}.`);
    return structuredClone(item.ck);
  }

  async list(): Promise<CheckpointInfo[]> {
    return [...this.items.values()].map((i) => i.info).sort((a, b) => a.savedAt.localeCompare(b.savedAt));
  }

  async remove(id: string): Promise<void> {
    this.items.delete(id);
  }
}

const DB = 'alignscope-checkpoints';

function request<T>(r: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error);
  });
}

/** Two object stores: `info` (small records, for listing) and `data` (the tensors). */
export class IndexedDbCheckpointStore implements CheckpointStore {
  private db: Promise<IDBDatabase> | null = null;

  private open(): Promise<IDBDatabase> {
    this.db ??= new Promise((resolve, reject) => {
      const r = indexedDB.open(DB, 1);
      r.onupgradeneeded = () => {
        r.result.createObjectStore('info', { keyPath: 'id' });
        r.result.createObjectStore('data');
      };
      r.onsuccess = () => resolve(r.result);
      r.onerror = () => reject(r.error);
    });
    return this.db;
  }

  async save(info: CheckpointInfo, ck: TrainerCheckpoint): Promise<void> {
    const tx = (await this.open()).transaction(['info', 'data'], 'readwrite');
    tx.objectStore('info').put(info);
    tx.objectStore('data').put(ck, info.id);
    await new Promise<void>((resolve, reject) => {
      tx.oncomplete = () => resolve();
      tx.onerror = () => reject(tx.error);
      tx.onabort = () => reject(tx.error ?? new Error('checkpoint write aborted (storage quota?)'));
    });
  }

  async load(id: string): Promise<TrainerCheckpoint> {
    const ck = await request((await this.open()).transaction('data').objectStore('data').get(id));
    if (!ck) throw new Error(`No checkpoint ${id}.`);
    return ck as TrainerCheckpoint;
  }

  async list(): Promise<CheckpointInfo[]> {
    const all = (await request((await this.open()).transaction('info').objectStore('info').getAll())) as CheckpointInfo[];
    return all.sort((a, b) => a.savedAt.localeCompare(b.savedAt));
  }

  async remove(id: string): Promise<void> {
    const tx = (await this.open()).transaction(['info', 'data'], 'readwrite');
    tx.objectStore('info').delete(id);
    tx.objectStore('data').delete(id);
    await new Promise<void>((resolve) => (tx.oncomplete = () => resolve()));
  }
}
