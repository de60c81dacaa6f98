// The vocabulary ops over shards of rows (decision 44) against the float64 reference: one shard, and
// uneven shards (f32, q4, q8) of the same matrix must give the same rows, logits, cross-entropy and
// gradients. The reference loss gradient is checked by finite differences in src/reference.

import { afterAll, describe, expect, it } from 'vitest';
import type { Batch } from '../gpu/batch';
import type { GpuContext } from '../gpu/runtime';
import { dequantize, quantize, quantRows } from '../model/quant';
import { compare } from '../reference/compare';
import { embeddingRef } from '../reference/embedding';
import { crossEntropyBackwardRef, crossEntropyRef } from '../reference/loss';
import { matmulRef } from '../reference/matmul';
import { randomArray } from '../reference/random';
import { testRuntime } from '../test/gpu';
import { readTensor, uploadQWeight, uploadTensor, type GpuTensor } from './tensor';
import { applicableVariants } from './variants';
import { vocabCrossEntropy, vocabGather, vocabLogits, type GpuVocab } from './vocab';
import { LSE_VARIANTS } from './vocab-lse';

const rt = testRuntime();
afterAll(() => rt.destroy());

const [V, C, N] = [300, 64, 11];
const E = randomArray(V * C, 21);
const x = randomArray(N * C, 22).map((v) => v * 2);
// Targets in every shard, the first and last rows of the vocabulary included.
const targets = Uint32Array.from({ length: N }, (_, i) => [0, V - 1, 99, 100, 101, 199, 200, 250, 7, 160, 299][i]);
// The loss weights as the trainer passes them: a mask, normalised to sum to 1 (what the reference assumes).
const mask: number[] = Array.from({ length: N }, (_, i) => (i % 4 === 3 ? 0 : 1));
const weights = Float32Array.from(mask, (m) => m / mask.reduce((a, b) => a + b, 0));
const CUTS = [0, 100, 101, 230, V]; // uneven shards, one of a single row

/** E in shards at CUTS, each kept as `kinds[i]` (quantized shards dequantize to what the reference sees). */
function sharded(ctx: GpuContext, kinds: ('f32' | 'q4' | 'q8')[]): { vocab: GpuVocab; seen: Float32Array } {
  const seen = new Float32Array(V * C);
  const shards = CUTS.slice(0, -1).map((begin, i) => {
    const end = CUTS[i + 1];
    const rows = E.subarray(begin * C, end * C);
    const kind = kinds[i % kinds.length];
    if (kind === 'f32') {
      seen.set(rows, begin * C);
      return { begin, end, w: uploadTensor(ctx, rows, [end - begin, C], `E[${begin}:${end}]`) };
    }
    // Quantize the whole matrix once and cut rows from it, as the loader cuts a file's own codes.
    const q = quantRows(quantize(kind, E, V, C), begin, end);
    seen.set(dequantize(q), begin * C);
    return { begin, end, w: uploadQWeight(ctx, q, `E[${begin}:${end}]`) };
  });
  return { vocab: { V, C, shards }, seen };
}

function one(ctx: GpuContext): GpuVocab {
  return { V, C, shards: [{ begin: 0, end: V, w: uploadTensor(ctx, E, [V, C], 'E') }] };
}

function run(build: (ctx: GpuContext, batch: Batch) => Promise<GpuTensor[]>): Promise<Float32Array[]> {
  return rt.run(async (ctx) => {
    const batch = ctx.batch();
    const outs = await build(ctx, batch);
    await batch.submit();
    return Promise.all(outs.map((t) => readTensor(ctx, t)));
  });
}

function expectClose(got: Float32Array, ref: ArrayLike<number>, what: string, tol = 1e-4) {
  const d = compare(got, ref);
  console.log(`${what}: max rel ${d.maxRel.toExponential(2)}`);
  expect(d.maxRel).toBeLessThanOrEqual(tol);
}

const logitsRef = (e: ArrayLike<number>) => matmulRef(x, e, { M: N, K: C, N: V, transB: true });

describe('vocabulary shards', () => {
  for (const kinds of [['f32'], ['f32', 'q4', 'q8', 'f32']] as const) {
    const label = kinds.length === 1 ? 'uneven f32 shards' : 'uneven shards of f32, q4 and q8';
    it(`${label}: gathered rows, logits, cross-entropy and its gradients (dx and the f32 shards' dE) equal the reference`, async () => {
      let seen: Float32Array = new Float32Array(0);
      const [rows, logits, ce, dx, ...dE] = await run(async (ctx, b) => {
        const s = sharded(ctx, [...kinds]);
        seen = s.seen;
        const xt = uploadTensor(ctx, x, [N, C], 'x');
        const dxT = uploadTensor(ctx, new Float32Array(N * C), [N, C], 'dx');
        const dW = s.vocab.shards.map((sh) => uploadTensor(ctx, new Float32Array((sh.end - sh.begin) * C), [sh.end - sh.begin, C], 'dW'));
        // dE is what full fine-tuning adds to f32 shards; every shard gets an accumulator here.
        const ceT = await vocabCrossEntropy(ctx, b, xt, s.vocab, targets, { gradWeight: uploadTensor(ctx, weights, [N], 'gw'), dx: dxT, dW });
        return [await vocabGather(ctx, b, targets, s.vocab), await vocabLogits(ctx, b, xt, s.vocab), ceT, dxT, ...dW];
      });
      expectClose(rows, embeddingRef(seen, targets, C), `${label}: gather`, 0);
      const lg = logitsRef(seen);
      expectClose(logits, lg, `${label}: logits`);
      expectClose(ce, crossEntropyRef(lg, targets, weights, N, V).perToken, `${label}: cross-entropy`);
      const dlogits = crossEntropyBackwardRef(lg, targets, weights, N, V);
      expectClose(dx, matmulRef(dlogits, seen, { M: N, K: V, N: C }), `${label}: dx`, 1e-3);
      const dEref = matmulRef(Float64Array.from({ length: V * N }, (_, i) => dlogits[(i % N) * V + Math.floor(i / N)]), x, { M: V, K: N, N: C });
      CUTS.slice(0, -1).forEach((begin, i) => {
        if (kinds[i % kinds.length] === 'f32') expectClose(dE[i], dEref.subarray(begin * C, CUTS[i + 1] * C), `${label}: dE[${begin}:${CUTS[i + 1]}]`, 1e-3);
      });
    });
  }

  it('shards give what one buffer gives: logits and cross-entropy agree to f32 rounding', async () => {
    const [a, b, ceA, ceB] = await run(async (ctx, batch) => {
      const xt = uploadTensor(ctx, x, [N, C], 'x');
      const whole = one(ctx);
      const parts = sharded(ctx, ['f32']).vocab;
      return [await vocabLogits(ctx, batch, xt, whole), await vocabLogits(ctx, batch, xt, parts), await vocabCrossEntropy(ctx, batch, xt, whole, targets), await vocabCrossEntropy(ctx, batch, xt, parts, targets)];
    });
    expect(compare(a, b).maxAbs).toBeLessThanOrEqual(1e-5);
    expect(compare(ceA, ceB).maxAbs).toBeLessThanOrEqual(1e-5);
  });

  it('every logsumexp variant that applies here gives the reference cross-entropy, with logits of about ±100 too', async () => {
    const names = await rt.run(async (ctx) => applicableVariants(ctx, LSE_VARIANTS, { N, Vs: V }).map((v) => v.name));
    expect(names.slice(0, 2)).toEqual(['two_pass', 'online']);
    for (const scale of [1, 40]) {
      const xs = x.map((v) => v * scale);
      const lg = matmulRef(xs, E, { M: N, K: C, N: V, transB: true });
      const ref = crossEntropyRef(lg, targets, weights, N, V).perToken;
      // Large logits: exp without the running max would overflow f32.
      if (scale > 1) expect(Math.max(...lg.map(Math.abs))).toBeGreaterThan(90);
      const got = await run(async (ctx, b) => {
        const xt = uploadTensor(ctx, xs, [N, C], 'x');
        const parts = sharded(ctx, ['f32']).vocab;
        return Promise.all(names.map((name) => vocabCrossEntropy(ctx, b, xt, parts, targets, undefined, `ce_${name}`, name)));
      });
      names.forEach((name, i) => expectClose(got[i], ref, `lse ${name}, logits x${scale}`, 1e-4));
    }
  });
});
