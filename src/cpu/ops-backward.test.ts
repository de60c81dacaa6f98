// The CPU route's light backward ops, its loss and its optimizer against their float64 references
// (src/reference: each checked there by central differences), on small and edge shapes: one row,
// one column, odd sizes, D = 2, repeated and last token ids, zero loss weights, large logits. Max
// differences are printed; tolerances are f32 rounding of values of order 1.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adamwStepRef, clipScale, globalGradNorm } from '../reference/adamw';
import { siluMulBackwardRef } from '../reference/elementwise';
import { embeddingBackwardRef } from '../reference/embedding';
import { crossEntropyBackwardRef, crossEntropyRef } from '../reference/loss';
import { rmsNormBackwardRef } from '../reference/norm';
import { randomArray } from '../reference/random';
import { ropeBackwardRef, ropeInvFreq, ropeTables } from '../reference/rope';
import { columnSumsInto, crossEntropy, embeddingBackward, rmsNormBackward, ropeBackwardInPlace, siluMulBackward } from './ops-backward';
import { adamwInPlace, sumSquares } from './optimizer';
import { CpuRuntime } from './runtime';
import { expectClose } from './test-threads';

let rt: CpuRuntime;
beforeAll(async () => {
  rt = await CpuRuntime.create({ threads: 1, simd: 'simd' });
});
afterAll(() => rt.dispose());

const f32 = (n: number, seed: number, scale = 1) => randomArray(n, seed).map((v) => v * scale);

describe('CPU backward ops vs float64 references', () => {
  for (const [N, C] of [[1, 1], [1, 16], [5, 7], [3, 64]]) {
    it(`rmsNormBackward [${N}, ${C}]: dx, and dw added into what was there`, () => {
      const [x, w, dy] = [f32(N * C, 1, 2), f32(C, 2), f32(N * C, 3)];
      const ref = rmsNormBackwardRef(x, w, dy, N, C, 1e-5);
      const [tx, tw, tdy] = [rt.upload(x, [N, C], 'x'), rt.upload(w, [C], 'w'), rt.upload(dy, [N, C], 'dy')];
      const dwInto = rt.upload(new Float32Array(C).fill(0.5), [C], 'dw');
      const dx = rmsNormBackward(rt, tx, tw, tdy, 1e-5, dwInto);
      expectClose(rt.read(dx), ref.dx, 1e-5, `rmsnorm dx [${N}, ${C}]`);
      expectClose(rt.read(dwInto), ref.dw.map((v) => v + 0.5), 1e-5, `rmsnorm dw [${N}, ${C}]`);
      for (const t of [tx, tw, tdy, dwInto, dx]) rt.release(t);
    });
  }

  for (const [N, heads, D] of [[1, 1, 2], [6, 3, 8], [4, 2, 32]]) {
    it(`ropeBackwardInPlace [${N}, ${heads}, ${D}] at positions up to 100`, () => {
      const invFreq = ropeInvFreq({ headDim: D, ropeTheta: 10000, ropeScaling: null });
      const tables = ropeTables(invFreq, 128);
      const cos = rt.upload(tables.cos, [128, D / 2], 'cos');
      const sin = rt.upload(tables.sin, [128, D / 2], 'sin');
      const positions = Array.from({ length: N }, (_, i) => (i * 37) % 101);
      const dy = f32(N * heads * D, 4);
      const t = rt.upload(dy, [N, heads, D], 'dy');
      ropeBackwardInPlace(rt, t, positions, { cos, sin });
      expectClose(rt.read(t), ropeBackwardRef(dy, positions, N, heads, D, invFreq), 1e-6, `rope backward [${N}, ${heads}, ${D}]`);
      for (const x of [cos, sin, t]) rt.release(x);
    });
  }

  for (const n of [1, 13, 256]) {
    it(`siluMulBackward over ${n} values, gates up to ±12`, () => {
      const [g, u, d] = [f32(n, 5, 12), f32(n, 6), f32(n, 7)];
      const ref = siluMulBackwardRef(g, u, d);
      const [tg, tu, td] = [rt.upload(g, [n], 'g'), rt.upload(u, [n], 'u'), rt.upload(d, [n], 'd')];
      const { dg, du } = siluMulBackward(rt, tg, tu, td);
      expectClose(rt.read(dg), ref.dg, 1e-6, `silu dg (${n})`);
      expectClose(rt.read(du), ref.du, 1e-6, `silu du (${n})`);
      for (const t of [tg, tu, td, dg, du]) rt.release(t);
    });
  }

  it('embeddingBackward: repeated ids sum, the last row of the table is reached, untouched rows keep their values', () => {
    const [V, C] = [9, 5];
    const ids = [8, 2, 2, 0, 8, 8, 3];
    const d = f32(ids.length * C, 8);
    const before = f32(V * C, 9);
    const dE = rt.upload(before, [V, C], 'dE');
    const td = rt.upload(d, [ids.length, C], 'dOut');
    embeddingBackward(rt, ids, td, dE);
    const ref = embeddingBackwardRef(d, ids, V, C).map((v, i) => v + before[i]);
    expectClose(rt.read(dE), ref, 1e-6, 'embedding backward');
    expect(rt.read(dE).subarray(C, 2 * C)).toEqual(before.subarray(C, 2 * C)); // token 1 is absent
    rt.release(dE);
    rt.release(td);
  });

  for (const [N, V, scale] of [[1, 2, 1], [6, 33, 1], [4, 50, 80]]) {
    it(`crossEntropy [${N}, ${V}], logits up to ±${scale}: CE per token and dlogits in place; weight 0 rows get no gradient`, () => {
      const logits = f32(N * V, 10, scale);
      const targets = Array.from({ length: N }, (_, n) => (n * 7) % V);
      const weights = Array.from({ length: N }, (_, n) => (n === 1 ? 0 : n + 1));
      const wSum = weights.reduce((a, b) => a + b, 0);
      const t = rt.upload(logits, [N, V], 'logits');
      const ce = crossEntropy(rt, t, targets, weights.map((w) => w / wSum));
      const ref = crossEntropyRef(logits, targets, weights, N, V);
      expectClose(ce, ref.perToken, 1e-5 * scale, `CE [${N}, ${V}]`);
      expectClose(rt.read(t), crossEntropyBackwardRef(logits, targets, weights, N, V), 1e-6, `dlogits [${N}, ${V}]`);
      const kept = rt.upload(logits, [N, V], 'logits');
      crossEntropy(rt, kept, targets, null);
      expect(rt.read(kept)).toEqual(logits); // evaluation leaves the logits alone
      rt.release(t);
      rt.release(kept);
    });
  }

  it('columnSumsInto: a bias gradient, added', () => {
    const [N, W] = [7, 3];
    const dy = f32(N * W, 11);
    const g = rt.upload([1, 2, 3], [W], 'g');
    const t = rt.upload(dy, [N, W], 'dy');
    columnSumsInto(rt, t, g);
    const ref = [0, 1, 2].map((j) => j + 1 + Array.from({ length: N }, (_, n) => dy[n * W + j]).reduce((a, b) => a + b, 0));
    expectClose(rt.read(g), ref, 1e-6, 'column sums');
    rt.release(g);
    rt.release(t);
  });

  for (const maxNorm of [0, 1]) {
    it(`AdamW in place against adamwStepRef (step 3, decay 0.1, clipping ${maxNorm ? 'on' : 'off'}); Σ grad² against globalGradNorm`, () => {
      const n = 37;
      const [p, g1, g2, m, v] = [f32(n, 12), f32(n, 13, 3), f32(n, 14, 3), f32(n, 15, 0.1), f32(n, 16).map((x) => x * x * 0.01)];
      const tensors = [p, g1, m, v].map((a, i) => rt.upload(a, [n], `t${i}`));
      const g2t = rt.upload(g2, [n], 'g2');
      const normSq = sumSquares(rt, [tensors[1], g2t]);
      expect(Math.abs(Math.sqrt(normSq) - globalGradNorm([g1, g2])) / globalGradNorm([g1, g2])).toBeLessThan(1e-12);
      const o = { lr: 1e-2, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.1, step: 3 };
      adamwInPlace(rt, tensors[0], tensors[1], tensors[2], tensors[3], normSq, maxNorm, o);
      const ref = adamwStepRef(p, g1, m, v, { ...o, gradScale: clipScale(Math.sqrt(normSq), maxNorm) });
      expectClose(rt.read(tensors[0]), ref.param, 1e-6, 'adamw param');
      expectClose(rt.read(tensors[2]), ref.m, 1e-6, 'adamw m');
      expectClose(rt.read(tensors[3]), ref.v, 1e-6, 'adamw v');
      for (const t of [...tensors, g2t]) rt.release(t);
    });
  }
});
