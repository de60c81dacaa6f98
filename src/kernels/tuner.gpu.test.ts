// The kernel autotuner: it times every applicable variant of each shape class, installs the choice
// the ops then dispatch, keeps it per adapter in the cache (a second run times nothing), and
// `mode: 'off'` leaves every op on its default. Behaviour only: which variant wins is the adapter's
// business (speed is judged by benchmarks, never by tests).

import { afterAll, describe, expect, it } from 'vitest';
import { dequantize, quantizeQ4 } from '../model/quant';
import { attentionRef } from '../reference/attention';
import { crossEntropyRef } from '../reference/loss';
import { compare } from '../reference/compare';
import { matmulRef } from '../reference/matmul';
import { randomArray } from '../reference/random';
import { testRuntime } from '../test/gpu';
import { ATTENTION_VARIANTS, attention, type AttentionDims } from './attention';
import { MATMUL_VARIANTS, matmul, matmulDims } from './matmul';
import { matmulQBackward, Q_BACKWARD_VARIANTS, Q_MATMUL_VARIANTS } from './matmul-q';
import { readTensor, releaseTensor, uploadQWeight, uploadTensor, uploadU32 } from './tensor';
import { memoryTuneCache } from './tune-cache';
import { vocabCrossEntropy } from './vocab';
import { LSE_VARIANTS } from './vocab-lse';
import { choose, tuneKernels, tunerSignature, type CachedTuning, type TuneCache, type TuneRow, type TuneShape } from './tuner';
import { adapterKey, applicableVariants, choiceKey, pickVariant } from './variants';

const rt = testRuntime();
afterAll(() => rt.destroy());

/** A cache that records which adapter keys it was asked for. */
function spyCache(): TuneCache & { asked: string[] } {
  const inner = memoryTuneCache();
  const asked: string[] = [];
  return { asked, get: (k) => (asked.push(k), inner.get(k)), put: (k, v) => inner.put(k, v) };
}

describe('kernel autotuner', () => {
  it('times each applicable variant, installs the choice for the ops, and a second run takes it from the cache', async () => {
    const cache = spyCache();
    await rt.run(async (ctx) => {
      const wf = uploadTensor(ctx, randomArray(40 * 300, 1), [40, 300], 'w_f32'); // W [N, K]
      const wq = uploadQWeight(ctx, quantizeQ4(randomArray(24 * 96, 2), 24, 96), 'w_q4');
      const shapes: TuneShape[] = [
        { M: 1, weight: wf, label: 'a' },
        { M: 16, weight: wf, label: 'a' },
        { M: 1, weight: wq, label: 'b' },
        { M: 16, weight: wq, label: 'b' },
        { M: 1, weight: wf, label: 'c' }, // the same class as the first: one problem, labels joined
      ];
      const first = await tuneKernels(ctx, shapes, { cache, budgetMs: 60_000, batchMs: 1 });
      expect(first.mode).toBe('on');
      expect(first.fromCache).toBe(false);
      expect(first.timingBatches).toBeGreaterThan(0);
      expect(first.adapterKey).toBe(adapterKey(ctx.report));
      expect(first.adapterKey).toContain(ctx.report.description);
      expect(cache.asked).toEqual([first.adapterKey]);

      const keys = [...new Set(first.rows.map((r) => r.key))];
      expect(keys).toHaveLength(4);
      const byKey = (k: string) => first.rows.filter((r) => r.key === k);
      // f32 decode class: default, workgroup tile and split-K were all timed; q4 decode: the GEMVs
      // (subgroups where offered) and the 4x4 tile, which applies to every M.
      const f32Decode = choiceKey(MATMUL_VARIANTS, matmulDims(uploadTensor(ctx, new Float32Array(300), [1, 300], 'x'), wf, { transB: true }));
      expect(byKey(f32Decode).map((r) => r.variant)).toEqual(['tile4x4', 'wg64x64', 'splitk']);
      expect(byKey(f32Decode)[0].label).toBe('a, c');
      const qDecode = choiceKey(Q_MATMUL_VARIANTS.q4, { kind: 'q4', M: 1, N: 24, K: 96 });
      const gemvs = ['gemv', 'tiled', 'gemv_wide', ...(ctx.device.features.has('subgroups') ? ['gemv_subgroups'] : [])];
      expect(byKey(qDecode).map((r) => r.variant)).toEqual(gemvs);
      for (const k of keys) {
        const rows = byKey(k);
        for (const r of rows) {
          expect(r.ms).toBeGreaterThan(0);
          expect(['timestamp', 'wall-clock']).toContain(r.source);
          expect(r.gflops).toBeGreaterThan(0);
        }
        const chosen = rows.filter((r) => r.chosen);
        expect(chosen).toHaveLength(1);
        // The choice is never slower than the default it replaced.
        expect(chosen[0].ms!).toBeLessThanOrEqual(rows[0].ms!);
      }

      // The ops now dispatch the chosen variant for these shape classes (any prefill length alike).
      const chosenF32 = byKey(f32Decode).find((r) => r.chosen)!.variant;
      const dims = matmulDims(uploadTensor(ctx, new Float32Array(300), [1, 300], 'x'), wf, { transB: true });
      expect(pickVariant(ctx, MATMUL_VARIANTS, dims).name).toBe(chosenF32);
      expect(pickVariant(ctx, Q_MATMUL_VARIANTS.q4, { kind: 'q4', M: 1, N: 24, K: 96 }).name).toBe(byKey(qDecode).find((r) => r.chosen)!.variant);

      const second = await tuneKernels(ctx, shapes, { cache, budgetMs: 60_000 });
      expect(second.timingBatches).toBe(0);
      expect(second.fromCache).toBe(true);
      expect(second.rows.every((r) => r.source === 'cache')).toBe(true);
      expect(second.rows.map((r) => [r.key, r.variant, r.chosen])).toEqual(first.rows.map((r) => [r.key, r.variant, r.chosen]));
      expect(pickVariant(ctx, MATMUL_VARIANTS, dims).name).toBe(chosenF32);

      // Tuning off: nothing timed, every op back on its default.
      const off = await tuneKernels(ctx, shapes, { mode: 'off', cache });
      expect(off.timingBatches).toBe(0);
      expect(off.rows.every((r) => r.chosen && r.source === 'default')).toBe(true);
      expect(off.rows.find((r) => r.key === f32Decode)!.variant).toBe('tile4x4');
      expect(pickVariant(ctx, MATMUL_VARIANTS, dims).name).toBe('tile4x4');
      expect(pickVariant(ctx, Q_MATMUL_VARIANTS.q4, { kind: 'q4', M: 1, N: 24, K: 96 }).name).toBe('gemv');
      releaseTensor(ctx, wf);
      releaseTensor(ctx, wq);
    });
  });

  it('times attention per shape class (prefill, decode), installs the choice, and the op computes what the reference computes', async () => {
    const heads = { B: 1, H: 4, Hkv: 2, D: 16 };
    const shapes: TuneShape[] = [
      { attention: { ...heads, Tq: 24, past: 0 }, label: 'prefill' },
      { attention: { ...heads, Tq: 1, past: 40 }, label: 'decode' },
      { attention: { ...heads, Tq: 1, past: 100 }, label: 'decode later' }, // the same class: past is data
    ];
    expect(tunerSignature()).toContain('attention=rows,tiled,subgroups');
    const cache = memoryTuneCache();
    const [T, past] = [3, 40];
    const q = randomArray(T * heads.H * heads.D, 7);
    const k = randomArray((past + T) * heads.Hkv * heads.D, 8);
    const v = randomArray((past + T) * heads.Hkv * heads.D, 9);
    const got = await rt.run(async (ctx) => {
      const first = await tuneKernels(ctx, shapes, { cache, budgetMs: 60_000, batchMs: 1 });
      expect(first.rows.every((r) => r.op === 'attention')).toBe(true);
      const dimsOf = (Tq: number): AttentionDims => ({ ...heads, Tq, Tmax: past + Tq });
      const prefillKey = choiceKey(ATTENTION_VARIANTS, dimsOf(24));
      const decodeKey = choiceKey(ATTENTION_VARIANTS, dimsOf(1));
      expect([...new Set(first.rows.map((r) => r.key))]).toEqual([decodeKey, prefillKey]);
      const byKey = (key: string) => first.rows.filter((r) => r.key === key);
      expect(byKey(prefillKey).map((r) => r.variant)).toEqual(['rows', 'tiled']);
      expect(byKey(decodeKey).map((r) => r.variant)).toEqual(['rows', 'tiled', ...(ctx.device.features.has('subgroups') ? ['subgroups'] : [])]);
      expect(byKey(decodeKey)[0].label).toBe('decode, decode later');
      expect(byKey(decodeKey)[0].shape).toBe('1x41x16');
      for (const key of [prefillKey, decodeKey]) {
        const rows = byKey(key);
        for (const r of rows) {
          expect(r.ms).toBeGreaterThan(0);
          expect(['timestamp', 'wall-clock']).toContain(r.source);
          expect(r.gflops).toBeGreaterThan(0);
          expect(r.gbps).toBeGreaterThan(0);
        }
        const chosen = rows.filter((r) => r.chosen);
        expect(chosen).toHaveLength(1);
        expect(chosen[0].ms!).toBeLessThanOrEqual(rows[0].ms!);
        // The op dispatches the tuned choice for any length of the class (here Tq = 30 and 2).
        expect(pickVariant(ctx, ATTENTION_VARIANTS, dimsOf(key === prefillKey ? 30 : 2)).name).toBe(chosen[0].variant);
      }
      const second = await tuneKernels(ctx, shapes, { cache });
      expect(second.timingBatches).toBe(0);
      expect(second.rows.map((r) => [r.key, r.variant, r.chosen])).toEqual(first.rows.map((r) => [r.key, r.variant, r.chosen]));

      // A decode-class step (Tq = 3 <= 4) through the op with no variant named: the tuned choice.
      const batch = ctx.batch();
      const kv = { k: uploadTensor(ctx, k, [1, past + T, heads.Hkv, heads.D], 'k'), v: uploadTensor(ctx, v, [1, past + T, heads.Hkv, heads.D], 'v') };
      const out = await attention(ctx, batch, uploadU32(ctx, Uint32Array.from([past, T]), [1, 2], 'seq'), uploadTensor(ctx, q, [1, T, heads.H, heads.D], 'q'), kv);
      await batch.submit();
      return readTensor(ctx, out);
    });
    const ref = attentionRef(q, k, v, { ...heads, Tq: T, Tk: past + T, past: [past] });
    expect(compare(got, ref).maxAbs).toBeLessThanOrEqual(1e-5);
  });

  it("times the loss's logsumexp merge per shard width, installs the choice, and the loss then equals the reference", async () => {
    const [N, V, C] = [12, 300, 32];
    const shapes: TuneShape[] = [
      { lse: { N: 512, Vs: 300 }, label: 'loss' },
      { lse: { N: 64, Vs: 300 }, label: 'loss' }, // another row count of one width: the same class
    ];
    expect(tunerSignature()).toContain('vocab_lse=two_pass,online,subgroups');
    const E = randomArray(V * C, 3);
    const x = randomArray(N * C, 4);
    const targets = Uint32Array.from({ length: N }, (_, i) => (i * 37) % V);
    const got = await rt.run(async (ctx) => {
      const first = await tuneKernels(ctx, shapes, { cache: memoryTuneCache(), budgetMs: 60_000, batchMs: 1 });
      expect(first.rows.map((r) => r.variant)).toEqual(applicableVariants(ctx, LSE_VARIANTS, { N: 512, Vs: 300 }).map((v) => v.name));
      expect(first.rows.every((r) => r.op === 'vocab_lse' && r.shape === '512x300' && r.ms! > 0 && r.gbps! > 0)).toBe(true);
      const chosen = first.rows.filter((r) => r.chosen);
      expect(chosen).toHaveLength(1);
      expect(pickVariant(ctx, LSE_VARIANTS, { N, Vs: V }).name).toBe(chosen[0].variant);
      const batch = ctx.batch();
      const vocab = { V, C, shards: [{ begin: 0, end: V, w: uploadTensor(ctx, E, [V, C], 'E') }] };
      const ce = await vocabCrossEntropy(ctx, batch, uploadTensor(ctx, x, [N, C], 'x'), vocab, targets);
      await batch.submit();
      return readTensor(ctx, ce);
    });
    const logits = matmulRef(x, E, { M: N, K: C, N: V, transB: true });
    const weights = new Float32Array(N).fill(1 / N);
    expect(compare(got, crossEntropyRef(logits, targets, weights, N, V).perToken).maxRel).toBeLessThanOrEqual(1e-4);
  });

  it('times the backward through a packed weight (dX = dY · W), and matmulQBackward then dispatches the choice', async () => {
    const [M, N, K] = [40, 24, 96];
    const q = quantizeQ4(randomArray(N * K, 5), N, K);
    const dy = randomArray(M * N, 6);
    expect(tunerSignature()).toContain('matmul_q4_backward=direct,dequant_gemm');
    const got = await rt.run(async (ctx) => {
      const w = uploadQWeight(ctx, q, 'w_q4');
      const first = await tuneKernels(ctx, [{ M, weight: w, backward: true, label: 'down' }], { cache: memoryTuneCache(), budgetMs: 60_000, batchMs: 1 });
      expect(first.rows.map((r) => [r.op, r.shape, r.variant])).toEqual([
        ['matmul_q4_backward', '40x24x96', 'direct'],
        ['matmul_q4_backward', '40x24x96', 'dequant_gemm'],
      ]);
      expect(first.rows.every((r) => r.ms! > 0 && r.gflops! > 0)).toBe(true);
      const chosen = first.rows.filter((r) => r.chosen);
      expect(chosen).toHaveLength(1);
      expect(pickVariant(ctx, Q_BACKWARD_VARIANTS.q4, { kind: 'q4', M: 200, N, K }).name).toBe(chosen[0].variant);
      const batch = ctx.batch();
      const dx = await matmulQBackward(ctx, batch, uploadTensor(ctx, dy, [M, N], 'dy'), w);
      await batch.submit();
      return readTensor(ctx, dx);
    });
    expect(compare(got, matmulRef(dy, dequantize(q), { M, N: K, K: N })).maxRel).toBeLessThanOrEqual(1e-4);
  });

  it('a cache written by other kernels (another signature) is ignored and retuned', async () => {
    const cache = memoryTuneCache();
    await rt.run(async (ctx) => {
      const w = uploadTensor(ctx, randomArray(8 * 64, 3), [8, 64], 'w');
      const stale: CachedTuning = { signature: 'v0:old', shapes: {} };
      const shapes: TuneShape[] = [{ M: 1, weight: w, label: 'w' }];
      const key = choiceKey(MATMUL_VARIANTS, matmulDims(uploadTensor(ctx, new Float32Array(64), [1, 64], 'x'), w, { transB: true }));
      stale.shapes[key] = [{ op: 'matmul', shape: '1x8x64', key, label: 'w', variant: 'wg64x64', ms: 0.001, gflops: 1, gbps: 1, chosen: true, source: 'timestamp' }];
      await cache.put(adapterKey(ctx.report), stale);
      const r = await tuneKernels(ctx, shapes, { cache, budgetMs: 60_000, batchMs: 1 });
      expect(r.timingBatches).toBeGreaterThan(0);
      expect(r.rows.every((row) => row.source !== 'cache')).toBe(true);
      releaseTensor(ctx, w);
    });
  });

  it('keeps the defaults for shapes it has no budget for, and does not remember them', async () => {
    const cache = memoryTuneCache();
    await rt.run(async (ctx) => {
      const w = uploadTensor(ctx, randomArray(16 * 64, 4), [16, 64], 'w');
      const r = await tuneKernels(ctx, [{ M: 1, weight: w, label: 'w' }], { cache, budgetMs: 0 });
      expect(r.rows.map((row) => [row.variant, row.source, row.chosen])).toEqual(
        applicableVariants(ctx, MATMUL_VARIANTS, matmulDims(uploadTensor(ctx, new Float32Array(64), [1, 64], 'x'), w, { transB: true })).map((v) => [v.name, 'skipped', v.name === 'tile4x4']),
      );
      expect(await cache.get(adapterKey(ctx.report))).toBeNull();
      releaseTensor(ctx, w);
    });
  });

  it('choose: the fastest variant only when 5% faster than the default', () => {
    const rows = (msA: number, msB: number): TuneRow[] =>
      [
        ['tile4x4', msA],
        ['wg64x64', msB],
      ].map(([variant, ms]) => ({ op: 'matmul', shape: '', key: 'k', label: '', variant: variant as string, ms: ms as number, gflops: null, gbps: null, chosen: false, source: 'timestamp' }));
    expect(choose(rows(1, 0.9), 'tile4x4')).toBe('wg64x64');
    expect(choose(rows(1, 0.97), 'tile4x4')).toBe('tile4x4');
    const r = rows(1, 2);
    expect(choose(r, 'tile4x4')).toBe('tile4x4');
    expect(r.map((x) => x.chosen)).toEqual([true, false]);
  });

  it('tuned choices compute what the reference computes', async () => {
    // Whatever the tuner installed, the op's result stays within the reference tolerance.
    const [M, N, K] = [1, 40, 300];
    const x = randomArray(M * K, 5);
    const w = randomArray(N * K, 6);
    const got = await rt.run(async (ctx) => {
      const wt = uploadTensor(ctx, w, [N, K], 'w');
      await tuneKernels(ctx, [{ M, weight: wt, label: 'w' }], { cache: memoryTuneCache(), budgetMs: 60_000, batchMs: 1 });
      const batch = ctx.batch();
      const y = await matmul(ctx, batch, uploadTensor(ctx, x, [M, K], 'x'), wt, { transB: true });
      await batch.submit();
      return readTensor(ctx, y);
    });
    expect(compare(got, matmulRef(x, w, { M, N, K, transB: true })).maxRel).toBeLessThanOrEqual(1e-5);
  });
});
