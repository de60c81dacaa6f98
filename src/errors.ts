// Typed errors shared by every layer. This file imports nothing, so any module may use it.
//
// Every error sets `name`, says what went wrong and how to fix it, and carries plain `data`
// so it can cross the worker boundary as `{ name, message, data }` and be rebuilt there.

export type ErrorData = Record<string, unknown>;

// Names are string literals, not `new.target.name`: minifiers rename classes, and the name is what
// crosses the worker boundary and what the UI branches on.
export class AlignScopeError extends Error {
  override name = 'AlignScopeError';
  readonly data: ErrorData;
  constructor(message: string, data: ErrorData = {}) {
    super(message);
    this.data = data;
  }
}

/** The browser or Node host offers no WebGPU adapter at all. */
export class WebGpuUnavailableError extends AlignScopeError {
  override name = 'WebGpuUnavailableError';
}

/** The GPU device was lost (driver reset, tab backgrounded too long, `destroy()`). The next call re-acquires one. */
export class DeviceLostError extends AlignScopeError {
  override name = 'DeviceLostError';
}

/** A buffer or dispatch would exceed one of the adapter's limits. `data` names the limit, the need and the cap. */
export class GpuLimitError extends AlignScopeError {
  override name = 'GpuLimitError';
}

/** WebGPU rejected a command we recorded (a bug of ours); `data.messages` holds what WebGPU said. */
export class GpuValidationError extends AlignScopeError {
  override name = 'GpuValidationError';
}

/** A WGSL shader failed to compile; `data.messages` holds `line:col message` entries. */
export class ShaderCompileError extends AlignScopeError {
  override name = 'ShaderCompileError';
}

/** Arguments to a kernel or reference op disagree in shape or layout. */
export class ShapeError extends AlignScopeError {
  override name = 'ShapeError';
}

/** A model file (config.json, safetensors) is damaged or malformed: `data` names the file and the key or tensor. */
export class ModelFormatError extends AlignScopeError {
  override name = 'ModelFormatError';
}

/** A well-formed model that we cannot run (another architecture, RoPE scaling, dtype); `data` names the file and the key. */
export class UnsupportedModelError extends AlignScopeError {
  override name = 'UnsupportedModelError';
}

/** A model operation was asked for before any model was loaded. */
export class NoModelError extends AlignScopeError {
  override name = 'NoModelError';
}

/** Training settings that cannot work (a template without `{src}`, a language pair the corpus lacks, a mix fraction outside [0, 1]); `data` names the setting and the value. */
export class TrainConfigError extends AlignScopeError {
  override name = 'TrainConfigError';
}

/** A loss or gradient became NaN or infinite; the step was not applied (`data.step`, `data.loss`). */
export class TrainingDivergedError extends AlignScopeError {
  override name = 'TrainingDivergedError';
}

/** A parallel-corpus file cannot be read at all (header, language codes, file names); `data.file` names it. Bad data lines are reported, not thrown. */
export class CorpusFormatError extends AlignScopeError {
  override name = 'CorpusFormatError';
}

/** The CPU route's wasm memory cannot hold an allocation: `data` names the tensor, the bytes asked for, the live bytes and the cap. */
export class CpuMemoryError extends AlignScopeError {
  override name = 'CpuMemoryError';
}

/** A CPU kernel trapped on one of the pool's threads (out-of-bounds access: a bug of ours); `data.kernel` names it. */
export class CpuKernelError extends AlignScopeError {
  override name = 'CpuKernelError';
}

/** The backend the model runs on cannot do what was asked (training runs on WebGPU only for now); `data.backend` and `data.operation` name them. */
export class BackendUnsupportedError extends AlignScopeError {
  override name = 'BackendUnsupportedError';
}

/** A Hugging Face Hub repo id that is not `owner/name[@revision]`; `data.id` holds what was given. */
export class HubRepoIdError extends AlignScopeError {
  override name = 'HubRepoIdError';
}

/** The Hub answered 401/403: the repo is gated or private and needs an access token; `data.repo`, `data.status`. */
export class HubAuthError extends AlignScopeError {
  override name = 'HubAuthError';
}

/** The Hub (or mirror) could not be reached or answered an error other than 401/403; `data.url`, `data.status`. */
export class HubRequestError extends AlignScopeError {
  override name = 'HubRequestError';
}

/** A downloaded file's SHA-256 (or git blob id) or size differs from the Hub's listing; the file was dropped. `data.file`, `data.expected`, `data.actual`. */
export class DownloadChecksumError extends AlignScopeError {
  override name = 'DownloadChecksumError';
}

/** The model cache (OPFS, disk) lacks room for a download; `data.missing` is the bytes short. */
export class StorageQuotaError extends AlignScopeError {
  override name = 'StorageQuotaError';
}

/** Every error class that may be rebuilt from `{ name, message, data }` after crossing a worker boundary. */
const KNOWN = {
  AlignScopeError,
  WebGpuUnavailableError,
  DeviceLostError,
  GpuLimitError,
  ShaderCompileError,
  ShapeError,
  ModelFormatError,
  UnsupportedModelError,
  NoModelError,
  TrainConfigError,
  GpuValidationError,
  TrainingDivergedError,
  CorpusFormatError,
  CpuMemoryError,
  CpuKernelError,
  BackendUnsupportedError,
  HubRepoIdError,
  HubAuthError,
  HubRequestError,
  DownloadChecksumError,
  StorageQuotaError,
} satisfies Record<string, new (message: string, data?: ErrorData) => AlignScopeError>;

export interface SerializedError {
  name: string;
  message: string;
  data: ErrorData;
}

export function serializeError(err: unknown): SerializedError {
  if (err instanceof AlignScopeError) return { name: err.name, message: err.message, data: err.data };
  if (err instanceof Error) return { name: err.name, message: err.message, data: { stack: err.stack ?? '' } };
  return { name: 'Error', message: String(err), data: {} };
}

export function deserializeError(s: SerializedError): Error {
  const Ctor = KNOWN[s.name as keyof typeof KNOWN];
  if (Ctor) return new Ctor(s.message, s.data);
  const e = new Error(s.message);
  e.name = s.name;
  return e;
}
