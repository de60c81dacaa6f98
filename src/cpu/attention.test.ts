// CPU attention (forward, backward, decoding through the cache) against the float64 reference, on the
// GPU tier's shapes (src/kernels/decoder-ops.gpu.test.ts, backward.gpu.test.ts); identical on 1, 2, 4 threads.
import { describe, expect, it } from 'vitest';
import { attentionBackwardRef, attentionRef } from '../reference/attention';
import { compare } from '../reference/compare';
import { randomArray } from '../reference/random';
import { attention, attentionBackward, createKvCache, storeKv } from './attention';
import { threadRuntimes } from './test-threads';

const threads = threadRuntimes();

function expectClose(got: Float32Array, ref: ArrayLike<number>, tol: number, what: string) {
  const d = compare(got, ref);
  console.log(`${what}: max abs ${d.maxAbs.toExponential(2)}, rel ${d.maxRel.toExponential(2)}`);
  expect(d.maxAbs).toBeLessThanOrEqual(tol);
}

describe('CPU attention vs float64 reference', () => {
  it('causal GQA attention over padded sequences (prefill through the cache)', () => {
    const [B, T, H, Hkv, D] = [3, 17, 4, 2, 16];
    const lengths = [3, 9, 17];
    const q = randomArray(B * T * H * D, 1);
    const k = randomArray(B * T * Hkv * D, 2);
    const v = randomArray(B * T * Hkv * D, 3);
    const [got] = threads.onAll((rt) => {
      const cache = createKvCache(rt, B, T, Hkv, D, 'kv');
      const seq = rt.uploadU32(lengths.flatMap((n) => [0, n]), [B, 2], 'seq');
      storeKv(rt, seq, rt.upload(k, [B, T, Hkv, D], 'k'), rt.upload(v, [B, T, Hkv, D], 'v'), cache);
      return [rt.read(attention(rt, seq, rt.upload(q, [B, T, H, D], 'q'), cache))];
    });
    expectClose(got, attentionRef(q, k, v, { B, Tq: T, Tk: T, H, Hkv, D, qLen: lengths }), 1e-5, 'cpu attention prefill');
  });

  it('decoding one token at a time against the cache equals prefill (D = 10: a head dim with a scalar tail)', () => {
    const [B, T, H, Hkv, D] = [2, 6, 4, 1, 10];
    const q = randomArray(B * T * H * D, 5);
    const k = randomArray(B * T * Hkv * D, 6);
    const v = randomArray(B * T * Hkv * D, 7);
    const ref = attentionRef(q, k, v, { B, Tq: T, Tk: T, H, Hkv, D });
    const slice = (x: Float32Array, heads: number, t: number) => {
      const out = new Float32Array(B * heads * D);
      for (let b = 0; b < B; b++) out.set(x.subarray((b * T + t) * heads * D, (b * T + t + 1) * heads * D), b * heads * D);
      return out;
    };
    const steps = threads.onAll((rt) => {
      const cache = createKvCache(rt, B, T, Hkv, D, 'kv');
      return Array.from({ length: T }, (_, t) => {
        const seq = rt.uploadU32([t, 1, t, 1], [B, 2], 'seq');
        storeKv(rt, seq, rt.upload(slice(k, Hkv, t), [B, 1, Hkv, D], 'k'), rt.upload(slice(v, Hkv, t), [B, 1, Hkv, D], 'v'), cache);
        return rt.read(attention(rt, seq, rt.upload(slice(q, H, t), [B, 1, H, D], 'q'), cache));
      });
    });
    for (let t = 0; t < T; t++) {
      const refT = new Float64Array(B * H * D);
      for (let b = 0; b < B; b++) refT.set(ref.subarray((b * T + t) * H * D, (b * T + t + 1) * H * D), b * H * D);
      expectClose(steps[t], refT, 1e-5, `cpu attention decode step ${t}`);
    }
  });

  it('backward: dq, dk, dv with GQA over padded sequences', () => {
    const [B, T, H, Hkv, D] = [2, 9, 4, 2, 8];
    const lengths = [5, 9];
    const q = randomArray(B * T * H * D, 10);
    const k = randomArray(B * T * Hkv * D, 11);
    const v = randomArray(B * T * Hkv * D, 12);
    const dOut = randomArray(B * T * H * D, 13);
    lengths.forEach((n, b) => dOut.fill(0, (b * T + n) * H * D, (b + 1) * T * H * D));
    const [dq, dk, dv] = threads.onAll((rt) => {
      const seq = rt.uploadU32(lengths.flatMap((n) => [0, n]), [B, 2], 'seq');
      const cache = createKvCache(rt, B, T, Hkv, D, 'kv');
      const qt = rt.upload(q, [B, T, H, D], 'q');
      storeKv(rt, seq, rt.upload(k, [B, T, Hkv, D], 'k'), rt.upload(v, [B, T, Hkv, D], 'v'), cache);
      const out = attention(rt, seq, qt, cache);
      const r = attentionBackward(rt, seq, qt, cache, out, rt.upload(dOut, [B, T, H, D], 'dOut'));
      return [rt.read(r.dq), rt.read(r.dk), rt.read(r.dv)];
    });
    const ref = attentionBackwardRef(q, k, v, dOut, { B, Tq: T, Tk: T, H, Hkv, D, qLen: lengths });
    // Cache rows past a sequence's end are seen by no query: the reference gives them 0, and so must we.
    expectClose(dq, ref.dq, 1e-5, 'cpu attention dq');
    expectClose(dk, ref.dk, 1e-5, 'cpu attention dk');
    expectClose(dv, ref.dv, 1e-5, 'cpu attention dv');
  });

  it('backward with a cache prefix (past > 0): keys before the new tokens get gradient too', () => {
    const [B, Tq, Tmax, H, Hkv, D] = [1, 3, 8, 2, 1, 8];
    const past = 4;
    const q = randomArray(Tq * H * D, 14);
    const k = randomArray(Tmax * Hkv * D, 15);
    const v = randomArray(Tmax * Hkv * D, 16);
    const dOut = randomArray(Tq * H * D, 17);
    const [dq, dk, dv] = threads.onAll((rt) => {
      const cache = createKvCache(rt, B, Tmax, Hkv, D, 'kv');
      rt.f32(cache.k).set(k.map((x, i) => (i < (past + Tq) * D ? x : 0)));
      rt.f32(cache.v).set(v.map((x, i) => (i < (past + Tq) * D ? x : 0)));
      const seq = rt.uploadU32([past, Tq], [B, 2], 'seq');
      const qt = rt.upload(q, [B, Tq, H, D], 'q');
      const r = attentionBackward(rt, seq, qt, cache, attention(rt, seq, qt, cache), rt.upload(dOut, [B, Tq, H, D], 'dOut'));
      return [rt.read(r.dq), rt.read(r.dk), rt.read(r.dv)];
    });
    const kk = k.map((x, i) => (i < (past + Tq) * D ? x : 0));
    const vv = v.map((x, i) => (i < (past + Tq) * D ? x : 0));
    const ref = attentionBackwardRef(q, kk, vv, dOut, { B, Tq, Tk: Tmax, H, Hkv, D, past: [past] });
    expectClose(dq, ref.dq, 1e-5, 'cpu attention dq (past 4)');
    expectClose(dk, ref.dk, 1e-5, 'cpu attention dk (past 4)');
    expectClose(dv, ref.dv, 1e-5, 'cpu attention dv (past 4)');
  });

  it('refuses sequences that overflow the cache', () => {
    const rt = threads.get(1);
    const cache = createKvCache(rt, 1, 4, 1, 4, 'kv');
    expect(() => attention(rt, rt.uploadU32([3, 2], [1, 2], 'seq'), rt.upload(new Float32Array(2 * 4), [1, 2, 1, 4], 'q'), cache)).toThrow(/more than 2 query rows or the cache's 4 rows/);
  });
});
