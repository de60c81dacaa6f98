// The base analysis shipped beside a model: written by the model build (scripts/precompute-analysis.ts)
// with the app's own default request, so the page can show the base model's alignment the moment it
// opens instead of embedding 840 sentences first (minutes on a software adapter).
//
// Two files in the model folder:
//   base-analysis.json   { format, weightsFile, weightsSha256, quant, split, result, maps }
//                        result: the AnalysisResult (rows, baselines, sentences); maps: the PCA map of
//                        every analysed layer, [languages · n, 2] flattened, language-major (the
//                        layout of ProjectionResult.points).
//   base-embeddings.bin  the pooled vectors, f32 little-endian, [languages][layers][n][dim] in the
//                        order of result.languages and result.layers.
// The JSON is what the page draws before the model has loaded; the engine adopts both files once it
// has, after checking that the weights file's SHA-256 and the quantization are the ones the analysis
// was made with, so neighbours, other maps and the preset's step 0 work from the shipped vectors.

import { ModelFormatError } from '../errors';
import type { WeightQuant } from '../model/decoder';
import type { AnalysisResult } from './analysis';

export const SHIPPED_ANALYSIS_FILE = 'base-analysis.json';
export const SHIPPED_EMBEDDINGS_FILE = 'base-embeddings.bin';
export const SHIPPED_FORMAT = 'alignscope-base-analysis/1';
/** The map the first view draws (PCA is deterministic; UMAP is computed on demand). */
export const SHIPPED_MAP_METHOD = 'pca';

export interface ShippedAnalysis {
  format: typeof SHIPPED_FORMAT;
  /** The weights file the vectors came from, and its SHA-256 (hex). */
  weightsFile: string;
  weightsSha256: string;
  quant: WeightQuant;
  /** The corpus split the sentences are from. */
  split: 'test' | 'dev' | 'train' | 'all';
  result: AnalysisResult;
  /** Per analysed layer (key: the layer number): PCA points [languages · n, 2] flattened. */
  maps: Record<string, number[]>;
}

/** JSON has no NaN: the writer stores it as null, the reader puts it back in the number fields of rows. */
function revive<T extends object>(rows: T[]): T[] {
  return rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, v === null ? NaN : v])) as T);
}

/** Parses and checks base-analysis.json; a malformed file is a ModelFormatError naming what is wrong. */
export function parseShippedAnalysis(json: unknown, label: string): ShippedAnalysis {
  const bad = (what: string): never => {
    throw new ModelFormatError(`${label}/${SHIPPED_ANALYSIS_FILE}: ${what}. Rebuild it with \`npx tsx scripts/precompute-analysis.ts\`.`, { file: SHIPPED_ANALYSIS_FILE });
  };
  const o = json as Partial<ShippedAnalysis> | null;
  if (!o || typeof o !== 'object') return bad('not a JSON object');
  if (o.format !== SHIPPED_FORMAT) return bad(`format is ${JSON.stringify(o.format)}, expected ${SHIPPED_FORMAT}`);
  const r = o.result;
  if (!r || !Array.isArray(r.languages) || !Array.isArray(r.layers) || !Array.isArray(r.rows) || !Array.isArray(r.surface) || !(Number.isInteger(r.n) && r.n >= 2) || !(Number.isInteger(r.dim) && r.dim >= 1)) return bad('result is missing or incomplete');
  const pairs = (r.languages.length * (r.languages.length - 1)) / 2;
  if (r.rows.length !== pairs * r.layers.length) return bad(`${r.rows.length} rows for ${r.layers.length} layers × ${pairs} pairs`);
  for (const l of r.languages) if (r.sentences?.[l]?.length !== r.n) return bad(`sentences of ${l} are not ${r.n}`);
  for (const layer of r.layers) if (o.maps?.[layer]?.length !== r.languages.length * r.n * 2) return bad(`map of layer ${layer} is missing or the wrong size`);
  if (typeof o.weightsSha256 !== 'string' || typeof o.weightsFile !== 'string') return bad('weightsFile / weightsSha256 missing');
  return { ...(o as ShippedAnalysis), result: { ...r, rows: revive(r.rows), surface: revive(r.surface) } };
}

/** The vectors of `result` as base-embeddings.bin bytes ([languages][layers][n][dim] f32). */
export function embeddingsToBytes(result: AnalysisResult, vectors: Map<string, Float32Array[]>): Uint8Array {
  const { languages, layers, n, dim } = result;
  const out = new Float32Array(languages.length * layers.length * n * dim);
  languages.forEach((lang, l) => layers.forEach((_, t) => out.set(vectors.get(lang)![t], (l * layers.length + t) * n * dim)));
  return new Uint8Array(out.buffer);
}

/** base-embeddings.bin back into per-language, per-layer [n, dim] vectors; a size mismatch is a ModelFormatError. */
export function embeddingsFromBytes(bytes: Uint8Array, result: AnalysisResult, label: string): Map<string, Float32Array[]> {
  const { languages, layers, n, dim } = result;
  const each = n * dim;
  const want = languages.length * layers.length * each * 4;
  if (bytes.byteLength !== want) {
    throw new ModelFormatError(`${label}/${SHIPPED_EMBEDDINGS_FILE} has ${bytes.byteLength} bytes; its analysis needs ${want} (${languages.length} languages × ${layers.length} layers × ${n} × ${dim} f32). Rebuild both files.`, { file: SHIPPED_EMBEDDINGS_FILE });
  }
  const all = new Float32Array(bytes.slice().buffer);
  return new Map(languages.map((lang, l) => [lang, layers.map((_, t) => all.slice((l * layers.length + t) * each, (l * layers.length + t + 1) * each))]));
}

/** SHA-256 of bytes as lower-case hex (WebCrypto: browsers in a secure context, workers and Node). */
export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>));
  return [...digest].map((b) => b.toString(16).padStart(2, '0')).join('');
}
