// A model folder on disk as ModelFiles (Node only); a path to a .gguf file is that one file; and
// `hub:owner/name@revision`, downloaded once into a cache directory and read from there.

import { existsSync, readdirSync, statSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { homedir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { ModelFormatError } from '../errors';
import { formatBytes } from '../gpu/adapter-report';
import { fsStore } from '../hub/fs-store';
import { downloadPlan, planHubDownload } from '../hub/hub-model';
import { cachedModelFiles } from '../hub/hub-source';
import { parseRepoId } from '../hub/repo-id';
import type { WeightQuant } from '../model/loaded-model';
import type { ModelFiles } from '../model/source';

export function dirFiles(dir: string): ModelFiles {
  const given = resolve(dir);
  const ggufFile = /\.gguf$/i.test(given) && existsSync(given) && statSync(given).isFile();
  const root = ggufFile ? dirname(given) : given;
  if (!existsSync(root) || !statSync(root).isDirectory()) {
    throw new ModelFormatError(`${root} is not a directory. Give --model the folder that holds config.json, tokenizer.json and the weights, or a .gguf file.`, { file: root });
  }
  const only = ggufFile ? basename(given) : null;
  const existing = (name: string) => {
    const path = join(root, name);
    if (!existsSync(path)) throw new ModelFormatError(`${path} does not exist.`, { file: path });
    return path;
  };
  return {
    label: given,
    has: async (name) => (only ? name === only : existsSync(join(root, name))),
    names: async () => (only ? [only] : readdirSync(root)),
    async read(name, onProgress) {
      const fh = await open(existing(name), 'r');
      try {
        const total = (await fh.stat()).size;
        const out = new Uint8Array(total);
        const chunk = 16 << 20;
        for (let at = 0; at < total; at += chunk) {
          await fh.read(out, at, Math.min(chunk, total - at), at);
          onProgress?.(Math.min(at + chunk, total), total);
        }
        return out;
      } finally {
        await fh.close();
      }
    },
    size: async (name) => statSync(existing(name)).size,
    async readRange(name, begin, end) {
      const fh = await open(existing(name), 'r');
      try {
        const out = new Uint8Array(Math.max(0, end - begin));
        const { bytesRead } = await fh.read(out, 0, out.byteLength, begin);
        return out.subarray(0, bytesRead);
      } finally {
        await fh.close();
      }
    },
  };
}

export interface CliHubOptions {
  /** The Hub or a mirror (default: $HF_ENDPOINT, else https://huggingface.co). */
  baseUrl?: string;
  /** For gated repos (default: $HF_TOKEN); sent, never written anywhere. */
  token?: string;
  /** Where downloads are kept (default: $ALIGNSCOPE_CACHE, else ~/.cache/alignscope/hub). */
  cacheDir?: string;
  /** The GGUF file (or onnx/ graph) to take where the repo offers several. */
  variant?: string;
  /** For the memory estimate printed before the download. */
  quant?: WeightQuant;
  /** Lines for the user (plan, progress); stderr in the CLI. */
  log?: (line: string) => void;
}

export function defaultHubCache(): string {
  return process.env.ALIGNSCOPE_CACHE ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'alignscope', 'hub');
}

/** `hub:owner/name[@revision]` from the cache, or downloaded (resuming a partial download) and then read from the cache. */
export async function hubFiles(model: string, opts: CliHubOptions = {}): Promise<ModelFiles> {
  const id = parseRepoId(model);
  const store = fsStore(opts.cacheDir ?? defaultHubCache());
  const cached = await cachedModelFiles(store, id);
  if (cached) return cached;
  const log = opts.log ?? (() => {});
  const hub = { store, baseUrl: opts.baseUrl ?? process.env.HF_ENDPOINT, token: opts.token ?? process.env.HF_TOKEN, variant: opts.variant, quant: opts.quant };
  const plan = await planHubDownload(id, hub);
  log(`${id.repo}@${id.revision}: ${plan.format}, ${plan.files.length} files, ${formatBytes(plan.totalBytes)} (${formatBytes(plan.remainingBytes)} to download) into ${store.label}`);
  if (plan.alternatives.length) log(`  took ${plan.files.at(-1)!.path} of ${plan.alternatives.join(', ')} (choose with --hub-file)`);
  if (plan.estimate) log(`  ${(plan.estimate.parameters / 1e6).toFixed(1)}M parameters: ${formatBytes(plan.estimate.weightBytes)} of weights as ${plan.estimate.quant}`);
  let shown = -1;
  return downloadPlan(plan, {
    ...hub,
    onProgress: (p) => {
      const pct = Math.floor((100 * p.done) / p.total);
      if (pct !== shown) (shown = pct), log(`  ${pct}% ${p.file} (${formatBytes(p.done)} of ${formatBytes(p.total)})`);
    },
  });
}
