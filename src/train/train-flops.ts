// Matmul FLOPs of a training step, per real token: what the GFLOP/s of training is counted from
// (issue 16: training reports GFLOP/s against the adapter's fastest matmul). Counted per token:
//   layers  every linear W [N, K]: forward N·K multiply-adds; the backward's dX another N·K; its dW
//           another N·K where W trains (full fine-tuning). Recomputed activations add a forward.
//   LoRA    per adapter A [r, K], B [N, r]: r·(K + N) forward, dX through both, dA and dB: 3·r·(K + N).
//   head    the loss's shards: logits, their recomputation for the gradient, dX; dE when it trains.
// Attention's score and value products (T² terms) and the contrastive pairs' extra forward are left
// out: at the sequence lengths trained here they are a few per cent. One FLOP = one multiply or add.

import type { DecoderConfig } from '../model/config';
import { expectedWeights, linearShape } from '../model/weights';
import type { TrainMode } from './trainable';

export function trainingFlopsPerToken(config: DecoderConfig, mode: TrainMode, recomputeActivations = false): number {
  const linears = expectedWeights(config).filter((w) => w.role === 'linear' && w.name !== 'lm_head.weight');
  const layerMacs = linears.reduce((s, w) => s + w.shape[0] * w.shape[1], 0);
  const head = config.vocabSize * config.hiddenSize;
  const forwards = recomputeActivations ? 2 : 1;
  if (mode.kind === 'full') return 2 * ((forwards + 2) * layerMacs + 4 * head);
  const lora = config.numLayers * mode.targets.reduce((s, t) => s + mode.rank * linearShape(config, t).reduce((a, b) => a + b), 0);
  return 2 * ((forwards + 1) * layerMacs + (forwards + 2) * lora + 3 * head);
}
