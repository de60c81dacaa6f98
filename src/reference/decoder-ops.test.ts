import { describe, expect, it } from 'vitest';
import { attentionRef } from './attention';
import { siluMulRef } from './elementwise';
import { rmsNormRef } from './norm';
import { poolRef } from './pooling';
import { randomArray } from './random';
import { ropeInvFreq, ropeRef, ropeTables } from './rope';

describe('float64 reference decoder ops on hand-computed cases', () => {
  it('rmsnorm', () => {
    // x = [3, 4]: mean of squares 12.5; eps 0 -> x / sqrt(12.5)
    const y = rmsNormRef([3, 4], [1, 2], 1, 2, 0);
    expect(y[0]).toBeCloseTo(3 / Math.sqrt(12.5), 14);
    expect(y[1]).toBeCloseTo((2 * 4) / Math.sqrt(12.5), 14);
  });

  it('rope: identity at position 0, a quarter turn of the first pair, norm preserved', () => {
    const inv = ropeInvFreq({ headDim: 4, ropeTheta: 10000, ropeScaling: null });
    expect(Array.from(inv)).toEqual([1, 0.01]);
    expect(Array.from(ropeRef([1, 2, 3, 4], [0], 1, 1, 4, inv))).toEqual([1, 2, 3, 4]);
    // pair (0, 2) rotated by pi/2 with invFreq[0] = 1: (x0, x2) = (1, 3) -> (-3, 1)
    const y = ropeRef([1, 2, 3, 4], [Math.PI / 2], 1, 1, 4, inv);
    expect(y[0]).toBeCloseTo(-3, 12);
    expect(y[2]).toBeCloseTo(1, 12);
    const x = randomArray(32, 3);
    const r = ropeRef(x, [5, 11], 2, 2, 8, ropeInvFreq({ headDim: 8, ropeTheta: 500000, ropeScaling: null }));
    const norm = (a: ArrayLike<number>) => Math.hypot(...Array.from(a));
    expect(norm(r)).toBeCloseTo(norm(x), 5);
  });

  it('rope llama3 scaling keeps high frequencies, divides low ones by the factor, blends between', () => {
    const base = { headDim: 128, ropeTheta: 500000 };
    const plain = ropeInvFreq({ ...base, ropeScaling: null });
    const scaled = ropeInvFreq({ ...base, ropeScaling: { type: 'llama3', factor: 8, lowFreqFactor: 1, highFreqFactor: 4, originalMaxPositions: 8192 } });
    expect(scaled[0]).toBe(plain[0]); // wavelength 2π < 8192/4
    expect(scaled[63]).toBeCloseTo(plain[63] / 8, 15); // wavelength > 8192
    const mid = Array.from(plain).findIndex((f) => (2 * Math.PI) / f > 2048 && (2 * Math.PI) / f < 8192);
    expect(scaled[mid]).toBeLessThan(plain[mid]);
    expect(scaled[mid]).toBeGreaterThan(plain[mid] / 8);
    const t = ropeTables(plain, 3);
    expect(t.cos[64 + 1]).toBeCloseTo(Math.cos(plain[1]), 6);
  });

  it('attention: one key gives its value; equal keys average the values; GQA shares kv heads', () => {
    // B=1, T=2, H=2, Hkv=1, D=1
    const q = [1, 1, 5, -5];
    const k = [2, 2]; // equal keys -> uniform weights at t=1
    const v = [10, 20];
    const out = attentionRef(q, k, v, { B: 1, Tq: 2, Tk: 2, H: 2, Hkv: 1, D: 1 });
    expect(Array.from(out)).toEqual([10, 10, 15, 15]);
    // padding rows stay 0
    expect(Array.from(attentionRef(q, k, v, { B: 1, Tq: 2, Tk: 2, H: 2, Hkv: 1, D: 1, qLen: [1] }))).toEqual([10, 10, 0, 0]);
  });

  it('pooling mean and last over real tokens only', () => {
    const h = [1, 2, 3, 4, 99, 99]; // B=1, T=3, C=2, length 2
    expect(Array.from(poolRef(h, [2], 1, 3, 2, 'mean'))).toEqual([2, 3]);
    expect(Array.from(poolRef(h, [2], 1, 3, 2, 'last'))).toEqual([3, 4]);
  });

  it('silu_mul', () => {
    expect(siluMulRef([0], [5])[0]).toBe(0);
    expect(siluMulRef([2], [3])[0]).toBeCloseTo((2 / (1 + Math.exp(-2))) * 3, 14);
  });
});
