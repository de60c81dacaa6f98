// How a vocabulary matrix [V, C] is split into row shards on WebGPU (ARCHITECTURE decision 44): a
// shape rule, shared by the GPU store (src/model/decoder.ts) and the Hub's memory estimate made
// before any download (src/hub/estimate.ts).

/** Tokens of a training micro-batch (B · T) whose logits of one vocabulary shard must fit one binding. */
export const LOSS_ROWS = 2048;

/**
 * Rows per vocabulary shard of a [V, C] matrix stored as `kind`: as many as one binding holds
 * (maxStorageBufferBindingSize, which a `?bindingLimit=` page lowers), and few enough that one
 * shard's logits for LOSS_ROWS tokens bind too (the loss runs shard by shard over a whole training
 * micro-batch): 16,384 rows under the default 128 MiB limit.
 */
export function vocabShardRows(limits: { maxStorageBufferBindingSize: number; maxBufferSize: number }, V: number, C: number, kind: 'f32' | 'q4' | 'q8'): number {
  const limit = Math.min(limits.maxStorageBufferBindingSize, limits.maxBufferSize);
  const nBlocks = Math.ceil(C / 32);
  const rowBytes = kind === 'f32' ? 4 * C : kind === 'q4' ? 16 * nBlocks : 32 * nBlocks;
  return Math.max(1, Math.min(V, Math.floor(limit / rowBytes), Math.floor(limit / (4 * LOSS_ROWS))));
}
