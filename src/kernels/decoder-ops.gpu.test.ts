import { afterAll, describe, expect, it } from 'vitest';
import type { GpuContext } from '../gpu/runtime';
import { attentionRef } from '../reference/attention';
import { compare } from '../reference/compare';
import { siluMulRef } from '../reference/elementwise';
import { rmsNormRef } from '../reference/norm';
import { poolRef } from '../reference/pooling';
import { randomArray } from '../reference/random';
import { ropeInvFreq, ropeRef, ropeTables } from '../reference/rope';
import { testRuntime } from '../test/gpu';
import { attention, createKvCache, storeKv } from './attention';
import { siluMul } from './elementwise';
import { embedding } from './embedding';
import { pool } from './pooling';
import { rmsNorm } from './rmsnorm';
import { rope } from './rope';
import { readTensor, uploadTensor, uploadU32, type GpuTensor } from './tensor';

const rt = testRuntime();
afterAll(() => rt.destroy());

/** Records ops with `build`, submits once, reads the returned tensor. */
function gpu(build: (ctx: GpuContext, batch: ReturnType<GpuContext['batch']>) => Promise<GpuTensor>): Promise<Float32Array> {
  return rt.run(async (ctx) => {
    const batch = ctx.batch();
    const out = await build(ctx, batch);
    await batch.submit();
    return readTensor(ctx, out);
  });
}

function expectClose(got: Float32Array, ref: ArrayLike<number>, tol: number, what: string) {
  const d = compare(got, ref);
  console.log(`${what}: max abs ${d.maxAbs.toExponential(2)}`);
  expect(d.maxAbs).toBeLessThanOrEqual(tol);
}

describe('decoder ops vs float64 reference', () => {
  it('embedding gather', async () => {
    const [V, C] = [50, 24];
    const E = randomArray(V * C, 1);
    const ids = Uint32Array.from([3, 0, 49, 3, 17]);
    const got = await gpu((ctx, b) => embedding(ctx, b, uploadU32(ctx, ids, [5], 'ids'), uploadTensor(ctx, E, [V, C], 'E')));
    const ref = Float64Array.from({ length: 5 * C }, (_, i) => E[ids[Math.floor(i / C)] * C + (i % C)]);
    expect(Array.from(got)).toEqual(Array.from(ref)); // a copy: exact
  });

  for (const [N, C] of [
    [1, 8],
    [7, 64],
    [5, 130],
  ]) {
    it(`rmsnorm ${N}x${C}`, async () => {
      const x = randomArray(N * C, N);
      const w = randomArray(C, C).map((v) => 1 + v / 2);
      const got = await gpu((ctx, b) => rmsNorm(ctx, b, uploadTensor(ctx, x, [N, C], 'x'), uploadTensor(ctx, w, [C], 'w'), 1e-5));
      expectClose(got, rmsNormRef(x, w, N, C, 1e-5), 1e-5, `rmsnorm ${N}x${C}`);
    });
  }

  for (const scaling of [null, { type: 'llama3' as const, factor: 8, lowFreqFactor: 1, highFreqFactor: 4, originalMaxPositions: 64 }]) {
    it(`rope ${scaling ? 'llama3-scaled' : 'plain'}`, async () => {
      const [N, heads, D] = [9, 3, 16];
      const x = randomArray(N * heads * D, 4);
      const positions = Uint32Array.from({ length: N }, (_, i) => i * 7);
      const invFreq = ropeInvFreq({ headDim: D, ropeTheta: 10000, ropeScaling: scaling });
      const P = 64;
      const t = ropeTables(invFreq, P);
      const got = await gpu((ctx, b) =>
        rope(ctx, b, uploadTensor(ctx, x, [N, heads, D], 'x'), uploadU32(ctx, positions, [N], 'pos'), {
          cos: uploadTensor(ctx, t.cos, [P, D / 2], 'cos'),
          sin: uploadTensor(ctx, t.sin, [P, D / 2], 'sin'),
        }),
      );
      // Tables hold f32-rounded cos/sin of float64 angles: two roundings per output.
      expectClose(got, ropeRef(x, positions, N, heads, D, invFreq), 1e-6, `rope ${scaling ? 'llama3' : 'plain'}`);
    });
  }

  it('silu_mul (SwiGLU gate)', async () => {
    const g = randomArray(300, 1).map((v) => v * 6);
    const u = randomArray(300, 2);
    const got = await gpu((ctx, b) => siluMul(ctx, b, uploadTensor(ctx, g, [300], 'g'), uploadTensor(ctx, u, [300], 'u')));
    expectClose(got, siluMulRef(g, u), 1e-6, 'silu_mul');
  });

  it('causal GQA attention over padded sequences (prefill through the cache)', async () => {
    const [B, T, H, Hkv, D] = [3, 17, 4, 2, 16];
    const lengths = [3, 9, 17];
    const q = randomArray(B * T * H * D, 1);
    const k = randomArray(B * T * Hkv * D, 2);
    const v = randomArray(B * T * Hkv * D, 3);
    const seq = Uint32Array.from(lengths.flatMap((n) => [0, n]));
    const got = await gpu(async (ctx, b) => {
      const cache = createKvCache(ctx, B, T, Hkv, D, 'kv');
      const s = uploadU32(ctx, seq, [B, 2], 'seq');
      await storeKv(ctx, b, s, uploadTensor(ctx, k, [B, T, Hkv, D], 'k'), uploadTensor(ctx, v, [B, T, Hkv, D], 'v'), cache, H);
      return attention(ctx, b, s, uploadTensor(ctx, q, [B, T, H, D], 'q'), cache);
    });
    expectClose(got, attentionRef(q, k, v, { B, Tq: T, Tk: T, H, Hkv, D, qLen: lengths }), 1e-5, 'attention prefill');
  });

  it('decoding one token at a time against the cache equals prefill', async () => {
    const [B, T, H, Hkv, D] = [2, 6, 4, 1, 8];
    const q = randomArray(B * T * H * D, 5);
    const k = randomArray(B * T * Hkv * D, 6);
    const v = randomArray(B * T * Hkv * D, 7);
    const ref = attentionRef(q, k, v, { B, Tq: T, Tk: T, H, Hkv, D });
    const slice = (x: Float32Array, heads: number, t: number) => {
      const out = new Float32Array(B * heads * D);
      for (let b = 0; b < B; b++) out.set(x.subarray(((b * T + t) * heads) * D, ((b * T + t + 1) * heads) * D), b * heads * D);
      return out;
    };
    const steps = await rt.run(async (ctx) => {
      const cache = createKvCache(ctx, B, T, Hkv, D, 'kv');
      const outs: Float32Array[] = [];
      for (let t = 0; t < T; t++) {
        const batch = ctx.batch();
        const s = uploadU32(ctx, Uint32Array.from([t, 1, t, 1]), [B, 2], 'seq');
        await storeKv(ctx, batch, s, uploadTensor(ctx, slice(k, Hkv, t), [B, 1, Hkv, D], 'k'), uploadTensor(ctx, slice(v, Hkv, t), [B, 1, Hkv, D], 'v'), cache, H);
        const o = await attention(ctx, batch, s, uploadTensor(ctx, slice(q, H, t), [B, 1, H, D], 'q'), cache);
        await batch.submit();
        outs.push(await readTensor(ctx, o));
      }
      return outs;
    });
    for (let t = 0; t < T; t++) {
      const refT = new Float64Array(B * H * D);
      for (let b = 0; b < B; b++) refT.set(ref.subarray(((b * T + t) * H) * D, ((b * T + t + 1) * H) * D), b * H * D);
      expect(compare(steps[t], refT).maxAbs).toBeLessThanOrEqual(1e-5);
    }
  });

  for (const mode of ['mean', 'last'] as const) {
    it(`pooling (${mode}) over right-padded sequences`, async () => {
      const [B, T, C] = [3, 17, 70];
      const lengths = Uint32Array.from([3, 9, 17]);
      const h = randomArray(B * T * C, 9);
      const got = await gpu((ctx, b) => pool(ctx, b, uploadTensor(ctx, h, [B, T, C], 'h'), uploadU32(ctx, lengths, [B], 'len'), mode));
      expectClose(got, poolRef(h, lengths, B, T, C, mode), 1e-6, `pool ${mode}`);
    });
  }
});
