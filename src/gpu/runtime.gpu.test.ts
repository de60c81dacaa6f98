import { afterAll, describe, expect, it } from 'vitest';
import { DeviceLostError, GpuLimitError, GpuValidationError, ShaderCompileError } from '../errors';
import { matmul } from '../kernels/matmul';
import { readTensor, uploadTensor } from '../kernels/tensor';
import { matmulRef } from '../reference/matmul';
import { randomArray } from '../reference/random';
import { compare } from '../reference/compare';
import { testRuntime } from '../test/gpu';
import { bundledShaderNames, loadShader, readShaderFile } from './shaders';
import type { GpuRuntime } from './runtime';

const runtimes: GpuRuntime[] = [];
function runtime(...args: Parameters<typeof testRuntime>): GpuRuntime {
  const rt = testRuntime(...args);
  runtimes.push(rt);
  return rt;
}
afterAll(() => runtimes.forEach((rt) => rt.destroy()));

async function smallMatmul(rt: GpuRuntime): Promise<number> {
  const a = randomArray(12, 1);
  const b = randomArray(12, 2);
  const got = await rt.run(async (ctx) => {
    const batch = ctx.batch();
    const c = await matmul(ctx, batch, uploadTensor(ctx, a, [3, 4], 'a'), uploadTensor(ctx, b, [4, 3], 'b'));
    await batch.submit();
    return readTensor(ctx, c);
  });
  return compare(got, matmulRef(a, b, { M: 3, N: 3, K: 4 })).maxRel;
}

describe('GpuRuntime', () => {
  it('reports a real adapter with its limits and features', async () => {
    const ctx = await runtime().context();
    const r = ctx.report;
    console.log('adapter:', r.vendor, r.architecture, r.description, 'fallback', r.isFallbackAdapter, 'features', r.enabledFeatures.join(','));
    expect(r.limits.maxStorageBufferBindingSize).toBeGreaterThanOrEqual(128 * 1024 * 1024);
    expect(r.limits.maxComputeInvocationsPerWorkgroup).toBeGreaterThanOrEqual(256);
    // We ask for the adapter's full limits, not the WebGPU defaults.
    expect(ctx.device.limits.maxStorageBufferBindingSize).toBe(r.limits.maxStorageBufferBindingSize);
    for (const f of r.enabledFeatures) expect(ctx.device.features.has(f)).toBe(true);
  });

  it('turns a destroyed device into DeviceLostError, then recovers on a fresh device', async () => {
    const lost: number[] = [];
    const rt = runtime({ onDeviceLost: (i) => lost.push(i.generation) });
    expect(await smallMatmul(rt)).toBeLessThan(1e-5);
    const first = await rt.context();
    const error = await rt
      .run(async (ctx) => {
        ctx.device.destroy(); // the driver resets in the middle of our work
        const batch = ctx.batch();
        const c = await matmul(ctx, batch, uploadTensor(ctx, randomArray(4, 1), [2, 2], 'a'), uploadTensor(ctx, randomArray(4, 2), [2, 2], 'b'));
        await batch.submit();
        return readTensor(ctx, c);
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DeviceLostError);
    expect((error as DeviceLostError).name).toBe('DeviceLostError');
    expect((error as Error).message).toMatch(/next action acquires a new device/);
    expect(lost).toEqual([first.generation]);

    expect(await smallMatmul(rt)).toBeLessThan(1e-5);
    const second = await rt.context();
    expect(second.generation).toBe(first.generation + 1);
    expect(second.device).not.toBe(first.device);
  });

  it('refuses a buffer beyond maxBufferSize with a GpuLimitError that names the tensor', async () => {
    const rt = runtime({ limitOverrides: { maxBufferSize: 1 << 20, maxStorageBufferBindingSize: 1 << 20 } });
    const ctx = await rt.context();
    expect(ctx.limits.maxBufferSize).toBe(1 << 20);
    let err: unknown;
    try {
      ctx.output(2 << 20, 'layer0.mlp.up.weight');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(GpuLimitError);
    expect((err as Error).message).toContain('"layer0.mlp.up.weight" needs 2.00 MiB');
    expect((err as GpuLimitError).data).toMatchObject({ limit: 'maxBufferSize', needed: 2 << 20, allowed: 1 << 20 });
    // Nothing was allocated and the runtime still works.
    expect(ctx.pool.stats().liveBytes).toBe(0);
    expect(await smallMatmul(rt)).toBeLessThan(1e-5);
  });

  it('refuses a dispatch grid beyond maxComputeWorkgroupsPerDimension', async () => {
    const rt = runtime();
    const ctx = await rt.context();
    const pipeline = await ctx.pipeline('reduce', 'row_sum');
    const buf = ctx.output(16, 'x').buffer;
    expect(() => ctx.batch().dispatch({ label: 'huge', pipeline, uniforms: new Uint32Array(4), buffers: [buf, buf], grid: [ctx.limits.maxComputeWorkgroupsPerDimension + 1, 1, 1] })).toThrow(
      GpuLimitError,
    );
  });

  it('turns a WebGPU validation error into GpuValidationError instead of silently computing nothing', async () => {
    const rt = runtime();
    const err = await rt
      .run(async (ctx) => {
        const b = ctx.batch();
        const buf = ctx.output(64, 'x').buffer;
        // row_sum reads bindings 1 and 2; a third buffer is not in its layout.
        b.dispatch({ label: 'bad', pipeline: await ctx.pipeline('reduce', 'row_sum'), uniforms: new Uint32Array(4), buffers: [buf, buf, buf], grid: [1, 1, 1] });
        await b.submit();
      })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GpuValidationError);
    expect((err as Error).message).toMatch(/binding index 3/);
    expect(await smallMatmul(rt)).toBeLessThan(1e-5); // and the runtime goes on
  });

  it('pools buffers by size bucket, tracks live and peak bytes, and reuses released buffers', async () => {
    const ctx = await runtime().context();
    const pool = ctx.pool;
    const a = ctx.output(1000, 'a');
    const b = ctx.output(3000, 'b');
    expect(a.bucketBytes).toBe(1024);
    expect(pool.stats()).toMatchObject({ liveBytes: 1024 + 4096, peakBytes: 1024 + 4096, liveBuffers: 2 });
    pool.retain(a);
    pool.release(a);
    expect(pool.stats().liveBuffers).toBe(2); // one owner left
    pool.release(a);
    pool.release(b);
    expect(pool.stats()).toMatchObject({ liveBytes: 0, peakBytes: 5120, idleBytes: 5120 });
    const c = ctx.output(900, 'c');
    expect(c.buffer).toBe(a.buffer); // same bucket and usage: reused, not reallocated
    expect(() => pool.release(a)).toThrow(/double release/);
  });

  it('never hands a buffer released in an unsubmitted batch to an upload (writeBuffer would run first)', async () => {
    const ctx = await runtime().context();
    const a = ctx.output(1000, 'a');
    ctx.pool.release(a); // released while "recording"
    const u = ctx.upload(new Float32Array(200), 'upload');
    expect(u.buffer).not.toBe(a.buffer);
    const o = ctx.output(1000, 'o'); // a kernel output may reuse it: it is written in order
    expect(o.buffer).toBe(a.buffer);
    ctx.pool.release(o);
    const b = ctx.batch();
    await b.submit();
    const u2 = ctx.upload(new Float32Array(200), 'upload2'); // after a submit it is safe again
    expect(u2.buffer).toBe(a.buffer);
  });

  it('destroys buffers released past the idle cap only after the batch that may use them is submitted', async () => {
    const rt = runtime();
    const ctx = await rt.context();
    const a = randomArray(64, 1);
    const got = await rt.run(async () => {
      const batch = ctx.batch();
      const x = uploadTensor(ctx, a, [8, 8], 'x');
      const y = await matmul(ctx, batch, x, x, { name: 'y' });
      // Fill the idle cap so that releasing x would destroy it while the batch still reads it.
      // 4 x 64 MiB = the 256 MiB idle cap exactly.
      const big = Array.from({ length: 4 }, (_, i) => ctx.output(64 << 20, `big${i}`));
      big.forEach((b) => ctx.pool.release(b));
      ctx.pool.release(x.buffer);
      await batch.submit();
      return readTensor(ctx, y);
    });
    expect(compare(got, matmulRef(a, a, { M: 8, N: 8, K: 8 })).maxRel).toBeLessThan(1e-5);
  });

  it('caches pipelines by key, shares a compile in flight, and reports WGSL errors with line:col', async () => {
    const ctx = await runtime().context();
    const before = ctx.pipelines.size;
    const [p1, p2] = await Promise.all([ctx.pipeline('matmul', 'main', { TRANS_B: 1 }), ctx.pipeline('matmul', 'main', { TRANS_B: 1 })]);
    expect(p1).toBe(p2);
    expect(ctx.pipelines.size).toBe(before + 1);
    const p3 = await ctx.pipeline('matmul', 'main', { TRANS_B: 0 });
    expect(p3).not.toBe(p1);

    const bad = 'fn f() -> f32 {\n  return 1u;\n}\n@compute @workgroup_size(1) fn main() { _ = f(); }';
    const err = await ctx.pipelines.get({ kernel: 'bad', code: bad, entryPoint: 'main' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ShaderCompileError);
    expect((err as Error).message).toMatch(/bad\.wgsl:2:\d+: .*\n\s+return 1u;/);
  });

  it('runs work items one at a time, in call order, even when they await inside', async () => {
    const rt = runtime();
    const log: string[] = [];
    const item = (name: string, ms: number) =>
      rt.run(async () => {
        log.push(`${name}:start`);
        await new Promise((r) => setTimeout(r, ms));
        log.push(`${name}:end`);
        return name;
      });
    const failing = rt.run(async () => {
      throw new Error('boom');
    });
    expect(await Promise.all([item('a', 30), failing.catch((e: Error) => e.message), item('b', 1)])).toEqual(['a', 'boom', 'b']);
    expect(log).toEqual(['a:start', 'a:end', 'b:start', 'b:end']);
  });

  it('profiles each dispatch of a batch', async () => {
    const rt = runtime({ profile: true });
    const ctx = await rt.context();
    const batch = ctx.batch();
    const a = uploadTensor(ctx, randomArray(64 * 64, 1), [64, 64], 'a');
    await matmul(ctx, batch, a, a, { name: 'first' });
    await matmul(ctx, batch, a, a, { name: 'second' });
    await batch.submit();
    const entries = ctx.profiler!.entries;
    const expected = ctx.profiler!.useTimestamps ? ['first', 'second'] : ['first+second'];
    expect(entries.map((e) => e.label)).toEqual(expected);
    for (const e of entries) expect(e.ms).toBeGreaterThanOrEqual(0);
  });
});

describe('shader loader', () => {
  it('gives the same text from the bundle (Vite) and from disk (Node fs) for every shader', async () => {
    const names = bundledShaderNames();
    expect(names).toEqual(expect.arrayContaining(['matmul', 'matmul_q4', 'matmul_q8', 'elementwise', 'reduce']));
    for (const n of names) expect(await loadShader(n)).toBe(await readShaderFile(n));
    await expect(loadShader('no_such_kernel')).rejects.toThrow(/No shader named "no_such_kernel"/);
  });
});
