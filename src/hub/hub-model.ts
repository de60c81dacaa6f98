// Getting a Hub model into the cache, in two steps a UI can show apart:
//   planHubDownload  lists the repo, chooses the files, downloads config.json (small) and estimates
//                    the GPU memory at a quantization against the adapter's limits; nothing big yet.
//   downloadPlan     asks the store to persist, checks the room left, downloads what is missing
//                    (resuming partial files), verifies each file, and returns the cached model.
// hubModelFiles does both, and returns the cached copy with no network at all when every file of
// that repo and revision is already there.

import { StorageQuotaError } from '../errors';
import { formatBytes } from '../gpu/adapter-report';
import { parseHfConfig, type DecoderConfig } from '../model/config';
import type { WeightQuant } from '../model/loaded-model';
import type { ModelFiles } from '../model/source';
import { chooseFiles, type FileChoice } from './choose-files';
import { downloadFile } from './download';
import { estimateMemory, type AdapterLimits, type MemoryEstimate } from './estimate';
import { cachedModelFiles } from './hub-source';
import { listRepoFiles, type HubOptions } from './hub-api';
import { folderOf, mergeManifest, readManifest, writeManifest, type Manifest } from './manifest';
import { parseRepoId, type RepoId } from './repo-id';
import type { CacheStore } from './storage';

export interface DownloadProgress {
  /** The file being downloaded (its Hub path). */
  file: string;
  fileDone: number;
  fileTotal: number;
  /** Over every file of the model, including those already cached. */
  done: number;
  total: number;
}

export interface HubLoadOptions extends HubOptions {
  store: CacheStore;
  /** A GGUF file or onnx/ graph to take where the repo offers several. */
  variant?: string;
  /** For the memory estimate (default f32). */
  quant?: WeightQuant;
  limits?: AdapterLimits;
  /** Bytes per ranged request (default: download.ts's chunkFor, by file size). */
  chunkBytes?: number;
  onProgress?: (p: DownloadProgress) => void;
}

export interface DownloadPlan extends FileChoice {
  id: RepoId;
  /** Bytes still to download (files neither verified nor partly present count in full). */
  remainingBytes: number;
  /** From config.json; null for a GGUF repo or an ONNX export without one. */
  config: DecoderConfig | null;
  /** GPU memory at `quant` and what exceeds the given limits; null without a config. */
  estimate: MemoryEstimate | null;
  manifest: Manifest;
}

export async function planHubDownload(repoId: string | RepoId, opts: HubLoadOptions): Promise<DownloadPlan> {
  const id = typeof repoId === 'string' ? parseRepoId(repoId) : repoId;
  const listing = await listRepoFiles(id, opts);
  const choice = chooseFiles(listing, id.repo, { variant: opts.variant });
  const manifest = mergeManifest(id, choice, await readManifest(opts.store, id));
  await writeManifest(opts.store, manifest);
  let config: DecoderConfig | null = null;
  const configFile = manifest.files.find((f) => f.name === 'config.json');
  if (configFile) {
    if (!configFile.verified) await downloadFile(configFile, fileDownload(id, opts, manifest));
    const json = JSON.parse(new TextDecoder().decode(await opts.store.read(folderOf(id), 'config.json'))) as unknown;
    config = parseHfConfig(json, `hub:${id.repo}@${id.revision}/config.json`);
  }
  return {
    ...choice,
    id,
    remainingBytes: remaining(manifest),
    config,
    estimate: config ? estimateMemory(config, opts.quant ?? 'f32', opts.limits) : null,
    manifest,
  };
}

export async function downloadPlan(plan: DownloadPlan, opts: HubLoadOptions): Promise<ModelFiles> {
  const { id, manifest } = plan;
  const { store } = opts;
  await store.persist();
  const need = remaining(manifest);
  const available = await store.available();
  if (available !== undefined && need > available) {
    const missing = need - available;
    throw new StorageQuotaError(`${id.repo}@${id.revision} needs ${formatBytes(need)} more in ${store.label}, which has ${formatBytes(available)} left: ${missing} bytes are missing (${formatBytes(missing)}). Delete cached models you no longer need (the Model panel's cache list) or free disk space, then load again; what was downloaded so far is kept.`, {
      repo: id.repo,
      need,
      available,
      missing,
    });
  }
  const total = manifest.files.reduce((s, f) => s + f.size, 0);
  const finished = () => manifest.files.reduce((s, f) => s + (f.verified ? f.size : f.done), 0);
  for (const file of manifest.files) {
    if (file.verified) continue;
    // Said before the first chunk arrives, so the page names the file from the start.
    opts.onProgress?.({ file: file.path, fileDone: file.done, fileTotal: file.size, done: finished(), total });
    await downloadFile(file, {
      ...fileDownload(id, opts, manifest),
      onBytes: (fileDone) => opts.onProgress?.({ file: file.path, fileDone, fileTotal: file.size, done: finished(), total }),
    });
  }
  const files = await cachedModelFiles(store, id);
  if (!files) throw new Error(`internal: ${id.repo}@${id.revision} is not complete after its download`);
  return files;
}

/** The model from the cache when it is all there (no network), else planned and downloaded. */
export async function hubModelFiles(repoId: string, opts: HubLoadOptions): Promise<ModelFiles> {
  const id = parseRepoId(repoId);
  const cached = await cachedModelFiles(opts.store, id);
  if (cached) return cached;
  return downloadPlan(await planHubDownload(id, opts), opts);
}

function remaining(m: Manifest): number {
  return m.files.reduce((s, f) => s + (f.verified ? 0 : f.size - f.done), 0);
}

function fileDownload(id: RepoId, opts: HubLoadOptions, manifest: Manifest) {
  return { id, hub: opts, store: opts.store, folder: folderOf(id), chunkBytes: opts.chunkBytes, saved: () => writeManifest(opts.store, manifest) };
}
