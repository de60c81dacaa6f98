// The kernel shapes a loaded decoder runs, for the autotuner (src/kernels/tuner.ts): every distinct
// linear weight of the layers (q, k, v, o, gate, up, down) and each vocabulary shard of the LM head,
// at a prefill of PREFILL_ROWS tokens and at the decode step (M = 1), and the backward through each
// packed one at PREFILL_ROWS (LoRA on a q4/q8 base); attention with the model's
// heads for that prefill (from an empty cache) and for a decode step after DECODE_PAST tokens; and the
// loss's logsumexp merge over each LM-head shard's logits for LOSS_TUNE_ROWS tokens. The
// weights themselves are timed (no copies): the tuner only allocates X and Y, and attention's q,
// cache and lengths.

import type { MatmulTuneShape, TuneShape } from '../kernels/tuner';
import type { GpuDecoder } from './decoder';
import { LINEAR_NAMES } from './weights';

export const PREFILL_ROWS = 128;
/** Cached tokens before the timed decode step: a prompt and some generated text. */
export const DECODE_PAST = 512;
/** Tokens of the timed loss: a training batch of 8 sentences of 64 tokens ... */
export const LOSS_TUNE_ROWS = 512;
/** ... fewer where a shard is so wide that their logits would pass 64 MiB of scratch at load. */
const LOSS_TUNE_BYTES = 64 * 2 ** 20;

export function decoderTuneShapes(dec: GpuDecoder, prefillRows = PREFILL_ROWS): TuneShape[] {
  const weights: MatmulTuneShape['weight'][] = [];
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
  const linears: TuneShape[] = [prefillRows, 1].flatMap((M) => weights.map((weight, i) => ({ M, weight, label: labels[i] })));
  // LoRA on a quantized base sends the gradient back through every packed weight: dX = dY · W.
  weights.forEach((weight, i) => {
    if (!('shape' in weight)) linears.push({ M: prefillRows, weight, backward: true, label: labels[i] });
  });
  if (!layer) return linears;
  const { numHeads: H, numKvHeads: Hkv, headDim: D, maxPositions } = dec.config;
  const heads = { B: 1, H, Hkv, D };
  const label = `${H}/${Hkv} heads`;
  // Shards of equal width share a choice; the last, narrower one gets its own.
  const widths = [...new Set(dec.lmHead.shards.map((s) => s.end - s.begin))];
  return [
    ...linears,
    ...widths.map((Vs) => ({ lse: { N: Math.max(8, Math.min(LOSS_TUNE_ROWS, Math.floor(LOSS_TUNE_BYTES / (4 * Vs)))), Vs }, label: 'loss' })),
    { attention: { ...heads, Tq: Math.min(prefillRows, maxPositions), past: 0 }, label },
    { attention: { ...heads, Tq: 1, past: Math.min(DECODE_PAST, maxPositions - 1) }, label },
  ];
}
