// The CPU route's light ops (ops.ts, heads.ts) against the float64 reference, on small shapes with
// edges: one row, widths that are not a multiple of 4, head dim 2, repeated and boundary token ids,
// ties in sampling. Single-threaded TypeScript, so one runtime is enough.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ShapeError } from '../errors';
import { addRef, siluMulRef } from '../reference/elementwise';
import { embeddingRef } from '../reference/embedding';
import { crossEntropyRef } from '../reference/loss';
import { rmsNormRef } from '../reference/norm';
import { randomArray } from '../reference/random';
import { ropeInvFreq, ropeRef, ropeTables } from '../reference/rope';
import { sampleRef } from '../reference/sample';
import { sampleRow, tokenNll } from './heads';
import { add, addRowsInPlace, embedding, gatherRows, rmsNorm, ropeInPlace, siluMul } from './ops';
import { CpuRuntime } from './runtime';
import { expectClose } from './test-threads';

let rt: CpuRuntime;
beforeAll(async () => {
  rt = await CpuRuntime.create({ threads: 1, simd: 'simd' });
});
afterAll(() => rt.dispose());

describe('CPU light ops vs float64 reference', () => {
  it('embedding gathers rows, first and last id and repeats included; an id past V is a ShapeError', () => {
    const [V, C] = [11, 7];
    const E = randomArray(V * C, 1);
    const ids = [0, 10, 3, 3, 10];
    const et = rt.upload(E, [V, C], 'E');
    expectClose(rt.read(embedding(rt, ids, et)), embeddingRef(E, ids, C), 0, 'embedding');
    expect(() => embedding(rt, [11], et)).toThrow(ShapeError);
  });

  for (const [N, C] of [[1, 5], [3, 64], [4, 130]]) {
    it(`rmsNorm [${N}, ${C}]`, () => {
      const x = randomArray(N * C, 2).map((v) => v * 3);
      const w = randomArray(C, 3);
      expectClose(rt.read(rmsNorm(rt, rt.upload(x, [N, C], 'x'), rt.upload(w, [C], 'w'), 1e-5)), rmsNormRef(x, w, N, C, 1e-5), 1e-6, `rmsNorm [${N},${C}]`);
    });
  }

  for (const [N, heads, D] of [[1, 1, 2], [5, 3, 16], [9, 2, 32]]) {
    it(`RoPE from the tables, x [${N}, ${heads}, ${D}] at scattered positions`, () => {
      const cfg = { headDim: D, ropeTheta: 10000, ropeScaling: null };
      const P = 128;
      const tables = ropeTables(ropeInvFreq(cfg), P);
      const x = randomArray(N * heads * D, 4);
      const positions = Array.from({ length: N }, (_, i) => (i * 37) % P);
      const t = rt.upload(x, [N, heads, D], 'x');
      ropeInPlace(rt, t, positions, { cos: rt.upload(tables.cos, [P, D / 2], 'cos'), sin: rt.upload(tables.sin, [P, D / 2], 'sin') });
      expectClose(rt.read(t), ropeRef(x, positions, N, heads, D, ropeInvFreq(cfg)), 1e-6, `rope [${N},${heads},${D}]`);
    });
  }

  it('RoPE past the tables is a ShapeError', () => {
    const tables = ropeTables(ropeInvFreq({ headDim: 4, ropeTheta: 10000, ropeScaling: null }), 8);
    const t = rt.upload(new Float32Array(4), [1, 1, 4], 'x');
    expect(() => ropeInPlace(rt, t, [8], { cos: rt.upload(tables.cos, [8, 2], 'cos'), sin: rt.upload(tables.sin, [8, 2], 'sin') })).toThrow(ShapeError);
  });

  it('add, bias rows, SwiGLU gate (n = 13: no multiple of 4), and mismatched sizes', () => {
    const n = 13;
    const [a, b] = [randomArray(n, 5), randomArray(n, 6).map((v) => v * 8)];
    const [ta, tb] = [rt.upload(a, [n], 'a'), rt.upload(b, [n], 'b')];
    expectClose(rt.read(add(rt, ta, tb)), addRef(a, b), 1e-6, 'add (one f32 rounding)');
    expectClose(rt.read(siluMul(rt, tb, ta)), siluMulRef(b, a), 1e-6, 'siluMul');
    const y = randomArray(3 * 5, 7);
    const bias = randomArray(5, 8);
    const ty = rt.upload(y, [3, 5], 'y');
    addRowsInPlace(rt, ty, rt.upload(bias, [5], 'bias'));
    expectClose(rt.read(ty), addRef(y, bias), 1e-6, 'bias rows');
    expect(() => add(rt, ta, rt.upload(a.subarray(1), [n - 1], 'short'))).toThrow(ShapeError);
  });

  it('gatherRows picks rows in the given order', () => {
    const x = randomArray(6 * 3, 9);
    const got = rt.read(gatherRows(rt, rt.upload(x, [2, 3, 3], 'x'), [5, 0, 5]));
    expect(Array.from(got)).toEqual([...x.subarray(15, 18), ...x.subarray(0, 3), ...x.subarray(15, 18)]);
  });
});

describe('CPU next-token heads vs float64 reference', () => {
  it('per-token NLL equals cross-entropy per token (large logits included)', () => {
    const [N, V] = [5, 37];
    const logits = randomArray(N * V, 10).map((v, i) => v * 4 + (i % V === 3 ? 60 : 0));
    const targets = [0, 3, 36, 3, 17];
    expectClose(tokenNll(logits, targets, N, V), crossEntropyRef(logits, targets, [1, 1, 1, 1, 1], N, V).perToken, 1e-5, 'token NLL');
  });

  it('sampling: greedy, top-k with temperature, ties to the lower id, as sampleRef for many draws', () => {
    const V = 50;
    const logits = randomArray(V, 11).map((v) => Math.round(v * 6) / 2); // coarse values: many ties
    const draws = randomArray(50, 12).map((v) => (v + 1) / 2);
    for (const [topK, temperature] of [[1, 0], [1, 1], [5, 0], [5, 0.7], [64, 1.5]]) {
      for (const u of draws) {
        expect(sampleRow(logits, topK, temperature, u)).toBe(sampleRef(logits, topK, temperature, u));
      }
    }
    expect(() => sampleRow(logits, 65, 1, 0.5)).toThrow(ShapeError);
  });
});
