// A download plan as plain data for the page (it crosses the worker boundary): the format and files
// chosen, how much is already in the cache and how much is left to download, the GPU memory the
// weights will take at the chosen quantization against the adapter's limits, and the room the cache
// has left. Nothing big has been downloaded when it is shown.

import type { HubFormat } from './choose-files';
import type { WeightQuant } from '../model/loaded-model';
import { estimateMemory, type AdapterLimits, type MemoryEstimate } from './estimate';
import type { DownloadPlan } from './hub-model';
import { isComplete } from './manifest';

export interface HubPlanFile {
  /** The file's path in the repo. */
  path: string;
  size: number;
  /** Bytes already in the cache (a partial download resumes from here). */
  done: number;
  verified: boolean;
}

export interface HubPlanSummary {
  repo: string;
  revision: string;
  format: HubFormat;
  files: HubPlanFile[];
  totalBytes: number;
  remainingBytes: number;
  /** Other GGUF files or onnx/ graphs the repo offers (a variant picks one). */
  alternatives: string[];
  /** The file taken among the alternatives, if there were several. */
  variant: string | null;
  /** Per quantization, so the page switches between them without asking again; null for a repo without config.json (GGUF). */
  estimates: Record<WeightQuant, MemoryEstimate> | null;
  /** The limits the estimate was checked against; null without a WebGPU adapter. */
  limits: AdapterLimits | null;
  /** Bytes the cache may still take (navigator.storage.estimate's quota - usage); null where the browser does not say. */
  available: number | null;
  /** Every file is in the cache and verified: loading needs no network. */
  complete: boolean;
}

export function summarizePlan(plan: DownloadPlan, limits: AdapterLimits | null, available: number | undefined): HubPlanSummary {
  const weights = plan.alternatives.length > 0 ? plan.files.find((f) => plan.alternatives.includes(f.path)) : undefined;
  return {
    repo: plan.id.repo,
    revision: plan.id.revision,
    format: plan.format,
    files: plan.manifest.files.map((f) => ({ path: f.path, size: f.size, done: f.verified ? f.size : f.done, verified: f.verified })),
    totalBytes: plan.totalBytes,
    remainingBytes: plan.remainingBytes,
    alternatives: plan.alternatives,
    variant: weights?.path ?? null,
    estimates: plan.config && {
      q4: estimateMemory(plan.config, 'q4', limits ?? undefined),
      q8: estimateMemory(plan.config, 'q8', limits ?? undefined),
      f32: estimateMemory(plan.config, 'f32', limits ?? undefined),
    },
    limits,
    available: available ?? null,
    complete: isComplete(plan.manifest),
  };
}
