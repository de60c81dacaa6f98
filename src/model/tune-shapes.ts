// The matmul shapes a loaded decoder runs, for the autotuner (src/kernels/tuner.ts): every distinct
// linear weight of the layers (q, k, v, o, gate, up, down) and each vocabulary shard of the LM head,
// at a prefill of PREFILL_ROWS tokens and at the decode step (M = 1). The weights themselves are
// timed (no copies): the tuner only allocates X and Y.

import type { TuneShape } from '../kernels/tuner';
import type { GpuDecoder } from './decoder';
import { LINEAR_NAMES } from './weights';

export const PREFILL_ROWS = 128;

export function decoderTuneShapes(dec: GpuDecoder, prefillRows = PREFILL_ROWS): TuneShape[] {
  const weights: TuneShape['weight'][] = [];
  const labels: string[] = [];
  const layer = dec.layers[0];
  if (layer) {
    for (const name of LINEAR_NAMES) {
      weights.push(layer.linears[name]);
      labels.push(name);
    }
  }
  dec.lmHead.shards.forEach((s, i) => {
    weights.push(s.w);
    labels.push(dec.lmHead.shards.length > 1 ? `lm_head[${i}]` : 'lm_head');
  });
  return [prefillRows, 1].flatMap((M) => weights.map((weight, i) => ({ M, weight, label: labels[i] })));
}
