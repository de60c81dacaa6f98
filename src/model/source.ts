// Where a model's files come from: files the user picked (a folder: config.json, tokenizer files,
// weights), a URL of such a folder or of one .gguf file, or (in Node) a directory. Each reads whole
// files with byte progress (small ones: config, tokenizer) and byte ranges of a file (weights are
// streamed tensor by tensor, ARCHITECTURE decision 42: Blob.slice for picked files, HTTP Range for
// URLs, a read at an offset on disk); the loader decides which files it needs.

import { ModelFormatError } from '../errors';

export type Progress = (loaded: number, total: number) => void;

export interface ModelFiles {
  /** A short description for messages: the folder, URL or directory. */
  readonly label: string;
  /** True if the file exists (for a URL: the server answers it). */
  has(name: string): Promise<boolean>;
  read(name: string, onProgress?: Progress): Promise<Uint8Array>;
  /** Bytes of the file. */
  size(name: string): Promise<number>;
  /** Bytes [begin, end) of the file, without reading the rest of it. */
  readRange(name: string, begin: number, end: number): Promise<Uint8Array>;
  /** Every file name, where the source can list them (a URL folder cannot); the loader looks for a .gguf file with it. */
  names?(): Promise<string[]>;
}

/** Files picked in the browser (an <input webkitdirectory> FileList or a multi-file pick). */
export function pickedFiles(files: readonly File[]): ModelFiles {
  // webkitRelativePath is "folder/config.json"; match on the base name.
  const byName = new Map(files.map((f) => [f.name, f]));
  const folder = files[0]?.webkitRelativePath?.split('/')[0] || 'picked files';
  const file = (name: string) => {
    const f = byName.get(name);
    if (!f) throw new ModelFormatError(`${name} is not among the picked files (${[...byName.keys()].join(', ')}). Pick the whole model folder.`, { file: name });
    return f;
  };
  return {
    label: folder,
    has: async (name) => byName.has(name),
    names: async () => [...byName.keys()],
    read: (name, onProgress) => readBlob(file(name), onProgress),
    size: async (name) => file(name).size,
    readRange: async (name, begin, end) => new Uint8Array(await file(name).slice(begin, end).arrayBuffer()),
  };
}

async function readBlob(blob: Blob, onProgress?: Progress): Promise<Uint8Array> {
  const total = blob.size;
  const out = new Uint8Array(total);
  const reader = blob.stream().getReader();
  let loaded = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    out.set(value, loaded);
    loaded += value.byteLength;
    onProgress?.(loaded, total);
  }
  return out;
}

/** A folder served over HTTP(S): `${base}/config.json` and so on; a URL ending in .gguf is that one file. */
export function urlFolder(base: string): ModelFiles {
  const page = globalThis.location?.href ?? 'http://localhost/';
  if (/\.gguf$/i.test(new URL(base, page).pathname)) {
    const fileUrl = new URL(base, page).toString();
    const name = decodeURIComponent(new URL(fileUrl).pathname.split('/').pop()!);
    const only = (n: string) => {
      if (n !== name) throw new ModelFormatError(`${fileUrl} is one GGUF file; it has no ${n}.`, { file: n });
      return fileUrl;
    };
    return { label: fileUrl, has: async (n) => n === name, names: async () => [name], ...urlReads(only) };
  }
  const root = base.endsWith('/') ? base : `${base}/`;
  const url = (name: string) => new URL(name, new URL(root, page)).toString();
  return {
    label: root,
    async has(name) {
      const r = await fetch(url(name), { method: 'HEAD' }).catch(() => null);
      return !!r?.ok;
    },
    ...urlReads(url),
  };
}

/**
 * Whole reads, sizes and ranges of files at `url(name)`. A server that ignores Range answers 200
 * with the whole file: that file is then kept whole and ranges are cut from it, as before streaming.
 */
function urlReads(url: (name: string) => string): Pick<ModelFiles, 'read' | 'size' | 'readRange'> {
  const sizes = new Map<string, number>();
  const whole = new Map<string, Uint8Array>();
  const size = async (name: string) => {
    if (!sizes.has(name)) {
      const r = await request(url(name), name, { method: 'HEAD' });
      const n = Number(r.headers.get('content-length') ?? NaN);
      sizes.set(name, Number.isSafeInteger(n) ? n : (await readRange(name, 0, Number.MAX_SAFE_INTEGER)).byteLength);
    }
    return sizes.get(name)!;
  };
  const readRange = async (name: string, begin: number, end: number): Promise<Uint8Array> => {
    const kept = whole.get(name);
    if (kept) return kept.subarray(begin, end);
    if (end <= begin) return new Uint8Array(0);
    // Partial responses stay out of the HTTP cache: after range reads, Chromium answered a whole GET
    // of the same URL from vite preview with 200 and 14.9 of its 16.0 MB (measured), which broke the
    // shipped analysis's weight check.
    const r = await request(url(name), name, { headers: { Range: `bytes=${begin}-${end - 1}` }, cache: 'no-store' });
    const bytes = new Uint8Array(await r.arrayBuffer());
    if (r.status === 206) return bytes;
    whole.set(name, bytes);
    sizes.set(name, bytes.byteLength);
    return bytes.subarray(begin, end);
  };
  return { read: (name, onProgress) => fetchBytes(url(name), name, onProgress), size, readRange };
}

async function request(url: string, name: string, init?: RequestInit): Promise<Response> {
  let r: Response;
  try {
    r = await fetch(url, init);
  } catch (e) {
    throw new ModelFormatError(`Could not fetch ${url}: ${(e as Error).message}. Check the URL and that the server allows cross-origin requests (CORS).`, { file: name });
  }
  if (!r.ok) throw new ModelFormatError(`${url} answered ${r.status} ${r.statusText}. Check that the folder holds ${name}.`, { file: name, status: r.status });
  return r;
}

async function fetchBytes(url: string, name: string, onProgress?: Progress): Promise<Uint8Array> {
  const r = await request(url, name);
  const total = Number(r.headers.get('content-length') ?? 0);
  if (!r.body) return new Uint8Array(await r.arrayBuffer());
  const chunks: Uint8Array[] = [];
  let loaded = 0;
  const reader = r.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    loaded += value.byteLength;
    onProgress?.(loaded, total || loaded);
  }
  const out = new Uint8Array(loaded);
  let at = 0;
  for (const c of chunks) (out.set(c, at), (at += c.byteLength));
  return out;
}

export async function readJson(files: ModelFiles, name: string): Promise<unknown> {
  const bytes = await files.read(name);
  try {
    return JSON.parse(new TextDecoder().decode(bytes));
  } catch (e) {
    throw new ModelFormatError(`${files.label}/${name} is not valid JSON (${(e as Error).message}). Download the file again.`, { file: name });
  }
}

/** Files held in memory (generated models, tests). */
export function memoryFiles(files: Map<string, Uint8Array>, label: string): ModelFiles {
  const file = (name: string) => {
    const f = files.get(name);
    if (!f) throw new ModelFormatError(`${label} has no ${name}.`, { file: name });
    return f;
  };
  return {
    label,
    has: async (name) => files.has(name),
    names: async () => [...files.keys()],
    async read(name, onProgress) {
      const f = file(name);
      onProgress?.(f.byteLength, f.byteLength);
      return f;
    },
    size: async (name) => file(name).byteLength,
    readRange: async (name, begin, end) => file(name).subarray(begin, end),
  };
}

/** The last path segment of a source label ('/models/alignscope-tiny/' -> 'alignscope-tiny'), for headings. */
export function shortName(label: string): string {
  return label.split(/[/\\]/).filter(Boolean).pop() ?? label;
}
