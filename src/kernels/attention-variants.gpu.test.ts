// Every forward variant of ATTENTION_VARIANTS against the float64 reference, on the shapes that stress
// each design: the tiled kernel's K/V tiles (D from 16 to 256: 32 down to 8 keys a tile) and its
// workgroups of 64 (t, head) rows that split a query's heads across workgroups (G = 3); the subgroup
// kernel's 512-key chunks (past 600) and its 4 values of D per invocation (D = 256); causal masking
// with past > 0, per-sequence past and qLen (padding rows must read 0), GQA and H = Hkv, and a head
// dimension that is not a multiple of 4. The cache rows past each sequence's end hold random values:
// a kernel that reads a key it must not see fails. A variant that does not apply to a shape on this
// device must be refused with a ShapeError, never run.

import { afterAll, describe, expect, it } from 'vitest';
import { ShapeError } from '../errors';
import { attentionRef } from '../reference/attention';
import { compare } from '../reference/compare';
import { randomArray } from '../reference/random';
import { testRuntime } from '../test/gpu';
import { ATTENTION_VARIANTS, attention, type AttentionDims, type AttentionVariant } from './attention';
import { readTensor, uploadTensor, uploadU32 } from './tensor';

const rt = testRuntime();
afterAll(() => rt.destroy());

// As decoder-ops' attention tests: f32 sums of a few hundred terms against float64.
const TOL = 1e-5;

interface Case {
  name: string;
  B: number;
  Tq: number;
  H: number;
  Hkv: number;
  D: number;
  past: number[];
  qLen: number[];
}

const cases: Case[] = [
  { name: 'prefill from an empty cache, GQA 4/2, D 16', B: 1, Tq: 17, H: 4, Hkv: 2, D: 16, past: [0], qLen: [17] },
  { name: 'prefill after 40 cached tokens, H = Hkv, D 64', B: 1, Tq: 9, H: 4, Hkv: 4, D: 64, past: [40], qLen: [9] },
  { name: 'prefill of 70 rows over three workgroups, GQA 4/2, D 64', B: 1, Tq: 70, H: 4, Hkv: 2, D: 64, past: [5], qLen: [70] },
  { name: 'two sequences with their own past and padding, D 16', B: 2, Tq: 5, H: 4, Hkv: 2, D: 16, past: [3, 11], qLen: [5, 2] },
  { name: 'groups of 3 heads split across workgroups, D 18', B: 1, Tq: 30, H: 6, Hkv: 2, D: 18, past: [7], qLen: [30] },
  { name: 'decode after 600 tokens (two chunks), GQA 4/2, D 64', B: 1, Tq: 1, H: 4, Hkv: 2, D: 64, past: [600], qLen: [1] },
  { name: 'batched decode, two rows and padding, H = Hkv, D 16', B: 2, Tq: 2, H: 2, Hkv: 2, D: 16, past: [7, 0], qLen: [2, 1] },
  { name: 'decode at the largest head dim, D 256', B: 1, Tq: 3, H: 2, Hkv: 1, D: 256, past: [20], qLen: [3] },
];

const variantNames = ATTENTION_VARIANTS.variants.map((v) => v.name as AttentionVariant);

describe('attention variants vs float64 reference', () => {
  it('the table lists the row kernel (default), the tiled kernel and the subgroup decode kernel', () => {
    expect(variantNames).toEqual(['rows', 'tiled', 'subgroups']);
  });

  for (const c of cases) {
    const Tmax = Math.max(...c.past.map((p, b) => p + c.qLen[b])) + 3; // spare rows of random junk
    const dims: AttentionDims = { B: c.B, Tq: c.Tq, Tmax, H: c.H, Hkv: c.Hkv, D: c.D };
    const q = randomArray(c.B * c.Tq * c.H * c.D, 1 + c.D);
    const k = randomArray(c.B * Tmax * c.Hkv * c.D, 2 + c.D);
    const v = randomArray(c.B * Tmax * c.Hkv * c.D, 3 + c.D);
    const seq = Uint32Array.from(c.past.flatMap((p, b) => [p, c.qLen[b]]));
    for (const variant of variantNames) {
      it(`${variant}: ${c.name}`, async () => {
        await rt.run(async (ctx) => {
          const batch = ctx.batch();
          const cache = { k: uploadTensor(ctx, k, [c.B, Tmax, c.Hkv, c.D], 'k'), v: uploadTensor(ctx, v, [c.B, Tmax, c.Hkv, c.D], 'v') };
          const run = () => attention(ctx, batch, uploadU32(ctx, seq, [c.B, 2], 'seq'), uploadTensor(ctx, q, [c.B, c.Tq, c.H, c.D], 'q'), cache, 'attention', variant);
          const applies = ATTENTION_VARIANTS.variants.find((x) => x.name === variant)!.applies(dims, ctx);
          if (!applies) {
            // Only the subgroup kernel is ever refused: beyond decoding, or where the device lacks the feature.
            expect(variant).toBe('subgroups');
            expect(c.Tq > 4 || !ctx.device.features.has('subgroups')).toBe(true);
            await expect(run()).rejects.toThrow(ShapeError);
            return;
          }
          const out = await run();
          await batch.submit();
          const got = await readTensor(ctx, out);
          const ref = attentionRef(q, k, v, { B: c.B, Tq: c.Tq, Tk: Tmax, H: c.H, Hkv: c.Hkv, D: c.D, past: c.past, qLen: c.qLen });
          const d = compare(got, ref);
          expect(d.maxAbs, `max abs ${d.maxAbs} at ${d.at}`).toBeLessThanOrEqual(TOL);
        });
      });
    }
  }

  it('a variant that does not exist is refused with a ShapeError', async () => {
    await rt.run(async (ctx) => {
      const cache = { k: uploadTensor(ctx, new Float32Array(16), [1, 1, 1, 16], 'k'), v: uploadTensor(ctx, new Float32Array(16), [1, 1, 1, 16], 'v') };
      const seq = uploadU32(ctx, Uint32Array.from([0, 1]), [1, 2], 'seq');
      const q = uploadTensor(ctx, new Float32Array(16), [1, 1, 1, 16], 'q');
      await expect(attention(ctx, ctx.batch(), seq, q, cache, 'attention', 'flash' as AttentionVariant)).rejects.toThrow(/does not exist/);
    });
  });
});
