// Float64 reference forward of a Llama/Qwen2/Qwen3 decoder: the oracle for the GPU forward and for the
// ONNX export. Shapes: ids [B, T] right-padded, lengths [B]; hidden states [B, T, C]; logits [B, T, V].
//
//   x = E[ids]                                                     hidden[0]
//   for each layer l:
//     a = rmsnorm(x, w_in);  q,k,v = a·Wqᵀ(+bq), a·Wkᵀ(+bk), a·Wvᵀ(+bv);  rope(q), rope(k)
//       (Qwen3: q, k each normed per head over D, rmsnorm(·, w_qn / w_kn), before the rope)
//     x = x + attention(q, k, v)·Woᵀ
//     m = rmsnorm(x, w_post);  x = x + (silu(m·Wgᵀ) * (m·Wuᵀ))·Wdᵀ      hidden[l + 1]
//   logits = rmsnorm(x, w_final)·(lm_head or E)ᵀ
// Note: hidden[L] is the residual stream before the final norm (Hugging Face's last hidden state is
// after it). Positions of padded tokens are computed but never attended by real tokens (causal mask).
// The blocks (each forward above its backward) are in decoder-blocks.ts; the backward chain is in
// decoder-backward.ts. A LoRA adapter on a linear adds (alpha / r)·(input·Aᵀ)·Bᵀ to its output.

import type { DecoderConfig } from '../model/config';
import type { WeightMap } from '../model/weights';
import type { LoraRef } from './adapters';
import { attentionBlockRef, decoderCtx, embedRef, headRef, mlpBlockRef, type AttentionTape, type DecoderCtx, type HeadTape, type MlpTape } from './decoder-blocks';
import { addRef } from './elementwise';

export interface DecoderRefOutput {
  logits: Float64Array;
  /** L + 1 arrays [B, T, C]: the embeddings, then the residual stream after each layer. */
  hidden: Float64Array[];
}

/** The forward's results and what the backward (decoder-backward.ts) reads. */
export interface DecoderTape extends DecoderRefOutput {
  ctx: DecoderCtx;
  layers: { attention: AttentionTape; mlp: MlpTape }[];
  head: HeadTape;
}

export function decoderForwardRef(c: DecoderConfig, weights: WeightMap, ids: ArrayLike<number>, B: number, T: number, lengths: ArrayLike<number> = Array(B).fill(T)): DecoderRefOutput {
  const { logits, hidden } = decoderTapeRef(c, weights, ids, B, T, lengths);
  return { logits, hidden };
}

/** The forward of decoderForwardRef, with optional LoRA adapters by linear weight name, keeping its tape. */
export function decoderTapeRef(c: DecoderConfig, weights: WeightMap, ids: ArrayLike<number>, B: number, T: number, lengths: ArrayLike<number>, lora: ReadonlyMap<string, LoraRef> = new Map()): DecoderTape {
  if (ids.length !== B * T) throw new Error(`reference forward: ${ids.length} ids for B ${B} x T ${T}`);
  const ctx = decoderCtx(c, weights, B, T, lengths, lora);
  let x = embedRef(ctx, ids);
  const hidden = [x];
  const layers: DecoderTape['layers'] = [];
  for (let l = 0; l < c.numLayers; l++) {
    const attention = attentionBlockRef(ctx, l, x);
    x = addRef(x, attention.out);
    const mlp = mlpBlockRef(ctx, l, x);
    x = addRef(x, mlp.out);
    hidden.push(x);
    layers.push({ attention: attention.tape, mlp: mlp.tape });
  }
  const head = headRef(ctx, x);
  return { logits: head.logits, hidden, ctx, layers, head: head.tape };
}
