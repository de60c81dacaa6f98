// Float64 reference loss and gradients of the decoder: the oracle for GPU fine-tuning.
//   forward: decoderTapeRef (the forward of decoderForwardRef, optionally with LoRA adapters)
//   loss = cross-entropy of logits [B·T, V] against targets [B·T] weighted by lossWeights [B·T]
//          (padded positions simply get weight 0)
//   backward: head -> layers L-1..0 (MLP block, then attention block, each adding its branch to the
//             residual's gradient) -> embedding gather
// grads holds one array per weight of expectedWeights(config), in its shape (a tied embedding sums its
// gather and output-projection gradients), and `${linear}.lora_A` [r, in] / `.lora_B` [out, r] per adapter.

import type { DecoderConfig } from '../model/config';
import type { WeightMap } from '../model/weights';
import type { LoraRef } from './adapters';
import { decoderTapeRef } from './decoder';
import { attentionBlockBackwardRef, embedBackwardRef, headBackwardRef, mlpBlockBackwardRef, type Grads } from './decoder-blocks';
import { addRef } from './elementwise';
import { crossEntropyBackwardRef, crossEntropyRef } from './loss';

export interface DecoderLossOptions {
  /** Adapters by linear weight name, e.g. model.layers.0.self_attn.q_proj.weight. */
  lora?: Map<string, LoraRef>;
}

export function decoderLossAndGradsRef(
  config: DecoderConfig,
  weights: WeightMap,
  ids: ArrayLike<number>,
  B: number,
  T: number,
  lengths: ArrayLike<number>,
  targets: ArrayLike<number>,
  lossWeights: ArrayLike<number>,
  opts: DecoderLossOptions = {},
): { loss: number; grads: Grads } {
  const N = B * T;
  const V = config.vocabSize;
  const tape = decoderTapeRef(config, weights, ids, B, T, lengths, opts.lora);
  const { loss } = crossEntropyRef(tape.logits, targets, lossWeights, N, V);

  const grads: Grads = new Map();
  const { ctx } = tape;
  let dx = headBackwardRef(ctx, grads, tape.head, crossEntropyBackwardRef(tape.logits, targets, lossWeights, N, V));
  for (let l = config.numLayers - 1; l >= 0; l--) {
    const { attention, mlp } = tape.layers[l];
    // x + branch(x): the residual passes dx through and the branch adds its own gradient.
    dx = addRef(dx, mlpBlockBackwardRef(ctx, grads, l, mlp, dx));
    dx = addRef(dx, attentionBlockBackwardRef(ctx, grads, l, attention, dx));
  }
  embedBackwardRef(ctx, grads, ids, dx);
  return { loss, grads };
}
