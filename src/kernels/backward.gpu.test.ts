// Every backward kernel against its float64 reference (whose own correctness is checked by finite
// differences in src/reference): max relative error (norm-wise) <= 1e-3 on small shapes.

import { afterAll, describe, expect, it } from 'vitest';
import type { Batch } from '../gpu/batch';
import type { GpuContext } from '../gpu/runtime';
import { attentionBackwardRef } from '../reference/attention';
import { compare } from '../reference/compare';
import { siluMulBackwardRef } from '../reference/elementwise';
import { embeddingBackwardRef } from '../reference/embedding';
import { rmsNormBackwardRef } from '../reference/norm';
import { randomArray } from '../reference/random';
import { ropeBackwardRef, ropeInvFreq, ropeTables } from '../reference/rope';
import { testRuntime } from '../test/gpu';
import { attention, attentionBackward, createKvCache, storeKv } from './attention';
import { siluMulBackward } from './elementwise';
import { embeddingBackward } from './embedding';
import { rmsNormBackward } from './rmsnorm';
import { rope } from './rope';
import { readTensor, uploadTensor, uploadU32, type GpuTensor } from './tensor';

const rt = testRuntime();
afterAll(() => rt.destroy());

const TOL = 1e-3;

/** Records with `build`, submits once, reads every returned tensor. */
function gpu(build: (ctx: GpuContext, batch: Batch) => Promise<GpuTensor[]>): Promise<Float32Array[]> {
  return rt.run(async (ctx) => {
    const batch = ctx.batch();
    const outs = await build(ctx, batch);
    await batch.submit();
    return Promise.all(outs.map((t) => readTensor(ctx, t)));
  });
}

function expectClose(got: Float32Array, ref: ArrayLike<number>, what: string) {
  const d = compare(got, ref);
  console.log(`${what}: max rel ${d.maxRel.toExponential(2)}`);
  expect(d.maxRel).toBeLessThanOrEqual(TOL);
}

describe('backward kernels vs float64 reference', () => {
  it('rmsnorm: dx and dw', async () => {
    const [N, C] = [9, 70];
    const x = randomArray(N * C, 1);
    const w = randomArray(C, 2).map((v) => 1 + v / 2);
    const dy = randomArray(N * C, 3);
    const [dx, dw] = await gpu(async (ctx, b) => {
      const r = await rmsNormBackward(ctx, b, uploadTensor(ctx, x, [N, C], 'x'), uploadTensor(ctx, w, [C], 'w'), uploadTensor(ctx, dy, [N, C], 'dy'), 1e-5);
      return [r.dx, r.dw];
    });
    const ref = rmsNormBackwardRef(x, w, dy, N, C, 1e-5);
    expectClose(dx, ref.dx, 'rmsnorm dx');
    expectClose(dw, ref.dw, 'rmsnorm dw');
  });

  it('rope: the inverse rotation is the backward', async () => {
    const [N, heads, D, P] = [7, 3, 16, 64];
    const dy = randomArray(N * heads * D, 4);
    const positions = Uint32Array.from({ length: N }, (_, i) => 3 * i + 1);
    const inv = ropeInvFreq({ headDim: D, ropeTheta: 10000, ropeScaling: null });
    const t = ropeTables(inv, P);
    const [dx] = await gpu(async (ctx, b) => [
      await rope(ctx, b, uploadTensor(ctx, dy, [N, heads, D], 'dy'), uploadU32(ctx, positions, [N], 'pos'), { cos: uploadTensor(ctx, t.cos, [P, D / 2], 'cos'), sin: uploadTensor(ctx, t.sin, [P, D / 2], 'sin') }, 'rope', true),
    ]);
    expectClose(dx, ropeBackwardRef(dy, positions, N, heads, D, inv), 'rope backward');
  });

  it('silu_mul: dg and du', async () => {
    const n = 500;
    const g = randomArray(n, 5).map((v) => v * 5);
    const u = randomArray(n, 6);
    const dOut = randomArray(n, 7);
    const [dg, du] = await gpu(async (ctx, b) => {
      const r = await siluMulBackward(ctx, b, uploadTensor(ctx, g, [n], 'g'), uploadTensor(ctx, u, [n], 'u'), uploadTensor(ctx, dOut, [n], 'dOut'));
      return [r.dg, r.du];
    });
    const ref = siluMulBackwardRef(g, u, dOut);
    expectClose(dg, ref.dg, 'silu_mul dg');
    expectClose(du, ref.du, 'silu_mul du');
  });

  it('embedding: scatter-add of repeated ids, accumulated into an existing gradient (tied embeddings)', async () => {
    const [V, C] = [40, 24];
    const ids = [3, 7, 3, 0, 39, 7, 7, 12];
    const dOut = randomArray(ids.length * C, 8);
    const dE0 = randomArray(V * C, 9);
    const [dE] = await gpu(async (ctx, b) => {
      const dE = uploadTensor(ctx, dE0, [V, C], 'dE');
      await embeddingBackward(ctx, b, ids, uploadTensor(ctx, dOut, [ids.length, C], 'dOut'), dE);
      return [dE];
    });
    const ref = embeddingBackwardRef(dOut, ids, V, C);
    expectClose(dE, Float64Array.from(ref, (v, i) => v + dE0[i]), 'embedding backward');
  });

  it('attention: dq, dk, dv with GQA over padded sequences', async () => {
    const [B, T, H, Hkv, D] = [2, 9, 4, 2, 8];
    const lengths = [5, 9];
    const q = randomArray(B * T * H * D, 10);
    const k = randomArray(B * T * Hkv * D, 11);
    const v = randomArray(B * T * Hkv * D, 12);
    const dOut = randomArray(B * T * H * D, 13);
    // Padded query rows carry no gradient in a real step (the loss never sees them).
    lengths.forEach((n, b) => dOut.fill(0, (b * T + n) * H * D, (b + 1) * T * H * D));
    const [dq, dk, dv] = await gpu(async (ctx, b) => {
      const seq = uploadU32(ctx, Uint32Array.from(lengths.flatMap((n) => [0, n])), [B, 2], 'seq');
      const cache = createKvCache(ctx, B, T, Hkv, D, 'kv');
      const qt = uploadTensor(ctx, q, [B, T, H, D], 'q');
      await storeKv(ctx, b, seq, uploadTensor(ctx, k, [B, T, Hkv, D], 'k'), uploadTensor(ctx, v, [B, T, Hkv, D], 'v'), cache, H);
      const out = await attention(ctx, b, seq, qt, cache);
      const r = await attentionBackward(ctx, b, seq, qt, cache, out, uploadTensor(ctx, dOut, [B, T, H, D], 'dOut'));
      return [r.dq, r.dk, r.dv];
    });
    const ref = attentionBackwardRef(q, k, v, dOut, { B, Tq: T, Tk: T, H, Hkv, D, qLen: lengths });
    // Cache rows past a sequence's end hold nothing: compare real key rows only.
    const realKv = (a: ArrayLike<number>) => lengths.flatMap((n, b) => Array.from({ length: n * Hkv * D }, (_, i) => a[b * T * Hkv * D + i]));
    expectClose(dq, ref.dq, 'attention dq');
    expectClose(Float32Array.from(realKv(dk)), realKv(ref.dk), 'attention dk');
    expectClose(Float32Array.from(realKv(dv)), realKv(ref.dv), 'attention dv');
  });
});
