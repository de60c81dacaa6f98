import { afterAll, describe, expect, it } from 'vitest';
import { CpuMemoryError } from '../errors';
import { CpuRuntime } from './runtime';

const rt = await CpuRuntime.create({ threads: 1, simd: 'simd', maxMemoryBytes: 8 * 2 ** 20 });
afterAll(() => rt.dispose());

describe('CPU runtime memory', () => {
  it('reuses and coalesces released blocks, and the bump pointer falls back', () => {
    const base = rt.arena.stats().liveBytes;
    const a = rt.empty([1000], 'a'); // 4000 bytes -> 4032 (64-byte blocks)
    const b = rt.empty([1000], 'b');
    const c = rt.empty([10], 'c');
    expect(a.ptr % 64).toBe(0);
    expect(b.ptr).toBe(a.ptr + 4032);
    rt.release(a);
    rt.release(b); // coalesced with a: one 8064-byte block
    const d = rt.empty([2000], 'd');
    expect(d.ptr).toBe(a.ptr);
    rt.release(d);
    rt.release(c); // everything free again: the next allocation starts where a did
    expect(rt.empty([1], 'e').ptr).toBe(a.ptr);
    expect(rt.arena.stats().liveBytes).toBe(base + 64);
  });

  it('grows the memory, then refuses past its maximum with a CpuMemoryError naming the tensor', () => {
    const before = rt.arena.stats().memoryBytes;
    const big = rt.empty([1 << 20], 'big'); // 4 MiB: more than the 2 MiB the memory starts with
    expect(rt.arena.stats().memoryBytes).toBeGreaterThan(before);
    rt.f32(big).fill(1);
    expect(() => rt.empty([1 << 20], 'too big')).toThrow(CpuMemoryError);
    expect(() => rt.empty([1 << 20], 'too big')).toThrow(/too big needs 4194304 bytes but the wasm memory is at its maximum/);
    rt.release(big);
    rt.release(rt.empty([1 << 20], 'fits again'));
  });
});
