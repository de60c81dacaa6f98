// The relaxed-SIMD (fused multiply-add) builds against the float64 reference. Node 20's V8 keeps
// relaxed SIMD behind a flag, set here before anything is compiled (flags are per process, so the
// pool's worker threads see it too; Chrome >= 114 needs no flag).
import { setFlagsFromString } from 'node:v8';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dequantize, quantizeQ4 } from '../model/quant';
import { attentionRef } from '../reference/attention';
import { compare } from '../reference/compare';
import { matmulRef } from '../reference/matmul';
import { randomArray } from '../reference/random';
import { attention, createKvCache, storeKv } from './attention';
import { relaxedSimdSupported } from './features';
import { matmul, matmulQ } from './matmul';
import { CpuRuntime } from './runtime';

setFlagsFromString('--experimental-wasm-relaxed-simd');

const rts: CpuRuntime[] = [];
beforeAll(async () => {
  for (const threads of [1, 2]) rts.push(await CpuRuntime.create({ threads, simd: 'relaxed' }));
});
afterAll(async () => {
  for (const rt of rts) await rt.dispose();
});

describe('relaxed SIMD builds (1 thread: unshared memory; 2 threads: the -mt build)', () => {
  it('the feature probe accepts f32x4.relaxed_madd once the runtime has it', () => {
    expect(relaxedSimdSupported()).toBe(true);
    for (const rt of rts) expect(rt.description).toMatch(/relaxed SIMD \(FMA\)/);
  });

  for (const [M, N, K] of [
    [1, 1024, 1024],
    [70, 130, 200],
    [33, 65, 17],
  ]) {
    it(`f32 and q4 matmul ${M}x${N}x${K}`, () => {
      const x = randomArray(M * K, 3);
      const w = randomArray(N * K, 4);
      const q = quantizeQ4(w, N, K, { zeroPoints: true });
      const outs = rts.map((rt) => [rt.read(matmul(rt, rt.upload(x, [M, K], 'x'), rt.upload(w, [N, K], 'w'), { transB: true })), rt.read(matmulQ(rt, rt.upload(x, [M, K], 'x'), rt.uploadQWeight(q, 'w')))]);
      const f = compare(outs[0][0], matmulRef(x, w, { M, N, K, transB: true }));
      const g = compare(outs[0][1], matmulRef(x, dequantize(q), { M, N, K, transB: true }));
      console.log(`relaxed ${M}x${N}x${K}: f32 max rel ${f.maxRel.toExponential(2)}, q4 max rel ${g.maxRel.toExponential(2)}`);
      expect(f.maxRel).toBeLessThanOrEqual(1e-5);
      expect(g.maxRel).toBeLessThanOrEqual(1e-5);
      // The unshared (1 thread) and shared (2 threads) builds compute the same bits.
      outs[1].forEach((o, i) => expect(new Uint32Array(o.buffer)).toEqual(new Uint32Array(outs[0][i].buffer)));
    });
  }

  it('attention', () => {
    const [B, T, H, Hkv, D] = [2, 9, 4, 2, 16];
    const q = randomArray(B * T * H * D, 1);
    const k = randomArray(B * T * Hkv * D, 2);
    const v = randomArray(B * T * Hkv * D, 3);
    const rt = rts[1];
    const cache = createKvCache(rt, B, T, Hkv, D, 'kv');
    const seq = rt.uploadU32([0, 5, 0, 9], [B, 2], 'seq');
    storeKv(rt, seq, rt.upload(k, [B, T, Hkv, D], 'k'), rt.upload(v, [B, T, Hkv, D], 'v'), cache);
    const d = compare(rt.read(attention(rt, seq, rt.upload(q, [B, T, H, D], 'q'), cache)), attentionRef(q, k, v, { B, Tq: T, Tk: T, H, Hkv, D, qLen: [5, 9] }));
    console.log(`relaxed attention: max abs ${d.maxAbs.toExponential(2)}`);
    expect(d.maxAbs).toBeLessThanOrEqual(1e-5);
  });
});
