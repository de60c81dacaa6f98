// The copy kernel behind the bandwidth roofline: it copies exactly (every vec4, whether or not the
// count fills the grid's last stride), refuses a count its buffers cannot
// hold, and the measurement gives a finite positive GB/s. Small buffers keep it fast; speed is never
// judged here.

import { afterAll, describe, expect, it } from 'vitest';
import { ShapeError } from '../errors';
import { randomArray } from '../reference/random';
import { testRuntime } from '../test/gpu';
import { measureBandwidth, recordCopy } from './bandwidth';
import { emptyTensor, readTensor, releaseTensor, uploadTensor } from './tensor';

const rt = testRuntime();
afterAll(() => rt.destroy());

describe('copy kernel', () => {
  // vec4 counts: one, a partial workgroup, 1,029 (two strides and a ragged end), and 20,001 (20 workgroups,
  // a stride of 5,120: each invocation goes round the grid-stride loop 3-4 times).
  for (const n4 of [1, 37, 4 * 256 + 5, 20_001]) {
    it(`copies ${n4} vec4s exactly`, async () => {
      const data = randomArray(4 * n4, n4);
      const got = await rt.run(async (ctx) => {
        const src = uploadTensor(ctx, data, [4 * n4], 'src');
        const dst = emptyTensor(ctx, [4 * n4], 'dst');
        const batch = ctx.batch();
        await recordCopy(ctx, batch, src.buffer.buffer, dst.buffer.buffer, n4);
        await batch.submit();
        const out = await readTensor(ctx, dst);
        releaseTensor(ctx, src);
        releaseTensor(ctx, dst);
        return out;
      });
      expect(got).toEqual(data);
    });
  }

  it('copies only the first n4 vec4s and leaves the rest of the destination alone', async () => {
    const data = randomArray(4 * 10, 3);
    const got = await rt.run(async (ctx) => {
      const src = uploadTensor(ctx, data, [40], 'src');
      const dst = uploadTensor(ctx, new Float32Array(40).fill(7), [40], 'dst');
      const batch = ctx.batch();
      await recordCopy(ctx, batch, src.buffer.buffer, dst.buffer.buffer, 6);
      await batch.submit();
      const out = await readTensor(ctx, dst);
      releaseTensor(ctx, src);
      releaseTensor(ctx, dst);
      return out;
    });
    expect(got.subarray(0, 24)).toEqual(data.subarray(0, 24));
    expect([...got.subarray(24)]).toEqual(new Array(16).fill(7));
  });

  it('refuses more vec4s than the buffers hold', async () => {
    await rt.run(async (ctx) => {
      const src = ctx.device.createBuffer({ size: 64, usage: GPUBufferUsage.STORAGE });
      const dst = ctx.device.createBuffer({ size: 48, usage: GPUBufferUsage.STORAGE });
      await expect(recordCopy(ctx, ctx.batch(), src, dst, 4)).rejects.toThrow(ShapeError);
      src.destroy();
      dst.destroy();
    });
  });
});

describe('measureBandwidth', () => {
  it('returns a finite positive GB/s for a small buffer, bytes rounded down to whole vec4s', async () => {
    const r = await rt.run((ctx) => measureBandwidth(ctx, { bytes: 2 ** 20 + 8, batches: 1, minBatchMs: 1 }));
    expect(r.bytes).toBe(2 ** 20);
    expect(Number.isFinite(r.gbps)).toBe(true);
    expect(r.gbps).toBeGreaterThan(0);
    expect(r.ms).toBeGreaterThan(0);
    expect(r.copiesPerBatch).toBeGreaterThanOrEqual(1);
  });
});
