import { describe, expect, it } from 'vitest';
import { randomArray } from '../reference/random';
import { dequantize, q4Code, q4ZeroPoint, QBLOCK, quantizeQ4, quantizeQ8, quantizedBytes } from './quant';

/** Largest |w - ŵ| divided by the documented bound of its block, over every block. */
function worstBoundRatio(w: Float32Array, deq: Float32Array, N: number, K: number, bound: (block: Float32Array) => number): number {
  let worst = 0;
  for (let n = 0; n < N; n++) {
    for (let k0 = 0; k0 < K; k0 += QBLOCK) {
      const block = w.subarray(n * K + k0, n * K + Math.min(K, k0 + QBLOCK));
      const b = bound(block) * (1 + 2 ** -20); // f32 rounding of the scale product
      for (let k = 0; k < block.length; k++) worst = Math.max(worst, Math.abs(block[k] - deq[n * K + k0 + k]) / (b || 1));
    }
  }
  return worst;
}

const amax = (b: Float32Array) => b.reduce((m, v) => Math.max(m, Math.abs(v)), 0);

describe('quantization round trip within the documented per-block bound', () => {
  for (const [N, K] of [
    [4, 32],
    [7, 100], // partial last block
    [3, 5], // K shorter than a block
    [16, 256],
  ]) {
    const w = randomArray(N * K, N * 31 + K);
    // Give rows different magnitudes so per-block scales matter.
    for (let n = 0; n < N; n++) for (let k = 0; k < K; k++) w[n * K + k] *= 10 ** (n % 4) / 10;

    it(`q4 symmetric ${N}x${K}: |w - ŵ| <= amax/14`, () => {
      const q = quantizeQ4(w, N, K);
      expect(q.data.length).toBe(N * Math.ceil(K / 32) * 16);
      expect(q.zeroPoints).toBeNull();
      expect(worstBoundRatio(w, dequantize(q), N, K, (b) => amax(b) / 14)).toBeLessThanOrEqual(1);
    });

    it(`q4 with zero points ${N}x${K}: |w - ŵ| <= (max - min)/30`, () => {
      const q = quantizeQ4(w, N, K, { zeroPoints: true });
      const bound = (b: Float32Array) => (Math.max(0, ...b) - Math.min(0, ...b)) / 30;
      expect(worstBoundRatio(w, dequantize(q), N, K, bound)).toBeLessThanOrEqual(1);
    });

    it(`q8 ${N}x${K}: |w - ŵ| <= amax/254`, () => {
      const q = quantizeQ8(w, N, K);
      expect(worstBoundRatio(w, dequantize(q), N, K, (b) => amax(b) / 254)).toBeLessThanOrEqual(1);
    });
  }

  it('packs q4 as MatMulNBits: element 2j low nibble, 2j+1 high nibble; zero points likewise', () => {
    // One row, 3 blocks. Block 0 holds 0..31 scaled so codes are predictable.
    const K = 70;
    const w = new Float32Array(K);
    for (let k = 0; k < 32; k++) w[k] = k - 16; // asymmetric block: min -16, max 15
    w[40] = 3;
    const q = quantizeQ4(w, 1, K, { zeroPoints: true });
    // scale = 31/15, zp = round(16/scale) = 8; code(k) = round((k-16)/scale) + 8
    const s = q.scales[0];
    expect(s).toBeCloseTo(31 / 15, 6);
    expect(q4ZeroPoint(q, 0, 0)).toBe(8);
    for (const k of [0, 1, 2, 31]) expect(q4Code(q, 0, k)).toBe(Math.round((k - 16) / s) + 8);
    expect(q.data[0]).toBe(q4Code(q, 0, 0) | (q4Code(q, 0, 1) << 4));
    // Three blocks -> two zero-point bytes; block 2 in the low nibble of byte 1.
    expect(q.zeroPoints!.length).toBe(2);
    expect(q.zeroPoints![0]).toBe(q4ZeroPoint(q, 0, 0) | (q4ZeroPoint(q, 0, 1) << 4));
    expect(q.zeroPoints![1] & 0xf).toBe(q4ZeroPoint(q, 0, 2));
    // Padding past K dequantizes to exactly zero, and so does a zero weight.
    expect(dequantize(q)[41]).toBe(0);
  });

  it('keeps an all-zero block exactly zero', () => {
    const z = new Float32Array(64);
    for (const q of [quantizeQ4(z, 2, 32), quantizeQ4(z, 2, 32, { zeroPoints: true }), quantizeQ8(z, 2, 32)]) {
      expect(Array.from(dequantize(q))).toEqual(Array.from(z));
    }
  });

  it('takes 4.5 bits per weight for q4 and 9 for q8 (whole blocks)', () => {
    const w = randomArray(64 * 128, 1);
    expect(quantizedBytes(quantizeQ4(w, 64, 128)) * 8 / w.length).toBe(5); // 4 bits + 32-bit scale / 32
    expect(quantizedBytes(quantizeQ8(w, 64, 128)) * 8 / w.length).toBe(9);
  });

  it('rejects data whose length disagrees with N x K', () => {
    expect(() => quantizeQ4(new Float32Array(10), 3, 4)).toThrow(/expected N\*K = 3\*4 = 12/);
  });
});
