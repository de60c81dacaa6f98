// The optional contrastive objective (DESIGN.md): InfoNCE between mean-pooled hidden states of one
// layer for the two sides of n translation pairs, each side encoded alone (BOS + sentence + EOS, no
// template), in-batch negatives, both directions, temperature τ (0.1 by default). The loss enters
// the total as λ_con · L_con; its gradient flows from the pooled vectors back to the embeddings.

import type { Batch } from '../gpu/batch';
import type { GpuContext } from '../gpu/runtime';
import { infoNce } from '../kernels/contrastive';
import { mul } from '../kernels/elementwise';
import { pool, poolBackward } from '../kernels/pooling';
import { releaseTensor, uploadTensor, uploadU32, type GpuTensor } from '../kernels/tensor';
import type { Tokenizer } from '../model/tokenizer';
import { hiddenForward, type Trainable } from './backprop';
import type { LangPair, ParallelTuple } from './batching';
import type { Rng } from './rng';
import { encodeMonolingual } from './template';

export interface ContrastiveSettings {
  /** Hidden state index whose mean-pooled vectors are aligned (1..L; the middle layer by default). */
  layer: number;
  temperature: number;
  /** λ_con. */
  weight: number;
  /** Pairs per step (in-batch negatives: n − 1 per pair). */
  pairsPerStep: number;
}

/** One side of the pairs: B sentences right-padded to T. */
export interface SideBatch {
  B: number;
  T: number;
  ids: Uint32Array;
  lengths: number[];
}

function side(tokenizer: Tokenizer, texts: string[], maxLength: number): SideBatch {
  const seqs = texts.map((t) => encodeMonolingual(tokenizer, t).ids.slice(0, maxLength));
  const T = Math.max(...seqs.map((s) => s.length));
  const ids = new Uint32Array(seqs.length * T);
  seqs.forEach((s, b) => ids.set(s, b * T));
  return { B: seqs.length, T, ids, lengths: seqs.map((s) => s.length) };
}

/** n distinct tuples having the pair (drawn with `rng`), as the two sides' batches. */
export function contrastiveBatch(tokenizer: Tokenizer, tuples: readonly ParallelTuple[], pair: LangPair, n: number, rng: Rng, maxLength: number): { a: SideBatch; b: SideBatch } {
  const [la, lb] = pair;
  const candidates = tuples.filter((t) => t[la] && t[lb]);
  const chosen = rng.shuffle([...candidates]).slice(0, Math.min(n, candidates.length));
  return { a: side(tokenizer, chosen.map((t) => t[la]), maxLength), b: side(tokenizer, chosen.map((t) => t[lb]), maxLength) };
}

/** Records L_con and its gradient (scaled by λ_con) into `grads`; returns the unscaled loss [1]. */
export async function contrastiveForwardBackward(ctx: GpuContext, batch: Batch, tr: Trainable, grads: Map<string, GpuTensor>, pairs: { a: SideBatch; b: SideBatch }, s: ContrastiveSettings): Promise<GpuTensor> {
  const C = tr.model.config.hiddenSize;
  const sides = [pairs.a, pairs.b];
  const lens = sides.map((x) => uploadU32(ctx, Uint32Array.from(x.lengths), [x.B], 'lengths'));
  const lambda = uploadTensor(ctx, Float32Array.of(s.weight), [1], 'lambda_con');
  const fwd = [];
  const pooled: GpuTensor[] = [];
  for (const [i, x] of sides.entries()) {
    const f = await hiddenForward(ctx, batch, tr, grads, x, s.layer);
    fwd.push(f);
    pooled.push(await pool(ctx, batch, { ...f.hidden, shape: [x.B, x.T, C] }, lens[i], 'mean', `con.pooled${i}`));
  }
  const { loss, dx, dy } = await infoNce(ctx, batch, pooled[0], pooled[1], s.temperature);
  for (const [i, d] of [dx, dy].entries()) {
    const x = sides[i];
    const scaled = await mul(ctx, batch, d, lambda, `con.d_pooled${i}`);
    const dh = await poolBackward(ctx, batch, scaled, lens[i], x.B, x.T, C, 'mean');
    await fwd[i].backward({ ...dh, shape: [x.B * x.T, C] });
    for (const t of [d, scaled, dh]) releaseTensor(ctx, t);
  }
  for (const t of [...pooled, ...lens, lambda]) releaseTensor(ctx, t);
  return loss;
}
