// Weights as a loader hands them over: shapes known up front, values read from the file only when
// the backend stores that tensor (ARCHITECTURE decision 42). Safetensors and GGUF files are read
// tensor by tensor through byte ranges, so host memory peaks near the largest tensor (or the largest
// block of rows, for the embedding), not the model. ONNX graphs and models built in memory (tests,
// training) are a map wrapped by `mapSource`.

import { ShapeError } from '../errors';
import type { QuantKind, QWeight } from './quant';
import type { HostTensor, WeightMap } from './weights';

export interface WeightSource {
  /** Every tensor the file holds, by Hugging Face name, with its shape. */
  readonly shapes: ReadonlyMap<string, readonly number[]>;
  /** Rows [begin, end) along the first dimension (all rows by default) in f32, read from the file now. */
  read(name: string, rows?: readonly [number, number]): Promise<Float32Array>;
  /**
   * The weight as the file stores it, when that is our `kind` layout (ONNX MatMulNBits, GGUF Q4_0 /
   * Q8_0): using those codes avoids a second rounding (decision 16). Undefined otherwise.
   */
  stored(name: string, kind: QuantKind): Promise<QWeight | undefined>;
}

/** Elements in one row of a tensor of `shape` (everything after the first dimension). */
export function rowSize(shape: readonly number[]): number {
  return shape.slice(1).reduce((a, b) => a * b, 1);
}

/** Checks a row range against a tensor's first dimension; returns [begin, end). */
export function rowRange(name: string, shape: readonly number[], rows?: readonly [number, number]): [number, number] {
  const [begin, end] = rows ?? [0, shape[0] ?? 1];
  if (!(Number.isSafeInteger(begin) && Number.isSafeInteger(end) && begin >= 0 && begin <= end && end <= (shape[0] ?? 1))) {
    throw new ShapeError(`Rows [${begin}, ${end}) of ${name} [${shape.join(', ')}] are out of range.`, { tensor: name, rows: [begin, end], shape: [...shape] });
  }
  return [begin, end];
}

/** A map of f32 tensors in memory (plus the q4/q8 weights a file stored, by name) as a WeightSource. */
export function mapSource(weights: ReadonlyMap<string, HostTensor>, quantized?: ReadonlyMap<string, QWeight>): WeightSource {
  return {
    shapes: new Map([...weights].map(([k, t]) => [k, t.shape])),
    async read(name, rows) {
      const t = weights.get(name);
      if (!t) throw new ShapeError(`Weight ${name} is missing.`, { tensor: name });
      if (!rows) return t.data;
      const [begin, end] = rowRange(name, t.shape, rows);
      const r = rowSize(t.shape);
      return t.data.subarray(begin * r, end * r);
    },
    stored: async (name, kind) => (quantized?.get(name)?.kind === kind ? quantized.get(name) : undefined),
  };
}

/** The weights the file stores as our `kind` layout, by name (the ONNX exporter reuses their codes). */
export async function storedWeights(source: WeightSource, kind: QuantKind): Promise<Map<string, QWeight>> {
  const out = new Map<string, QWeight>();
  for (const name of source.shapes.keys()) {
    const q = await source.stored(name, kind);
    if (q) out.set(name, q);
  }
  return out;
}

/** Every tensor of a source in memory, for tools that need all of them at once (export, reference forward). */
export async function readAllWeights(source: WeightSource): Promise<WeightMap> {
  const out: WeightMap = new Map();
  for (const [name, shape] of source.shapes) out.set(name, { shape: [...shape], data: await source.read(name) });
  return out;
}
