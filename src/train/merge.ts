// Merging LoRA adapters into the base weights for export: W' = W + (alpha/r)·B·A, so the merged
// model computes exactly what base + adapters computed, with no adapter at inference time.
// W [out, in], A [r, in], B [out, r]; sums in float64, stored as f32.

import { TrainConfigError } from '../errors';
import type { WeightMap } from '../model/weights';

export interface HostAdapter {
  rank: number;
  alpha: number;
  A: Float32Array;
  B: Float32Array;
}

/** A new WeightMap with every adapted linear merged; the input is not modified. */
export function mergeLora(weights: WeightMap, adapters: ReadonlyMap<string, HostAdapter>): WeightMap {
  const out: WeightMap = new Map(weights);
  for (const [name, a] of adapters) {
    const w = weights.get(name);
    if (!w || w.shape.length !== 2) throw new TrainConfigError(`Adapter for ${name}, but the model has no such linear weight.`, { tensor: name });
    const [N, K] = w.shape;
    const r = a.rank;
    if (a.A.length !== r * K || a.B.length !== N * r) throw new TrainConfigError(`Adapter ${name} has A of ${a.A.length} and B of ${a.B.length} values; [${r}, ${K}] and [${N}, ${r}] were expected.`, { tensor: name });
    const s = a.alpha / r;
    const data = new Float32Array(N * K);
    for (let n = 0; n < N; n++) {
      for (let k = 0; k < K; k++) {
        let acc = 0;
        for (let j = 0; j < r; j++) acc += a.B[n * r + j] * a.A[j * K + k];
        data[n * K + k] = w.data[n * K + k] + s * acc;
      }
    }
    out.set(name, { shape: [N, K], data });
  }
  return out;
}
