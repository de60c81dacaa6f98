// GGML block decoding on hand-made blocks (each value known from the layout, so a swapped nibble or
// scale shows), the lossless repack of Q8_0 / Q4_0 into our q8 / q4 weights, the inverse of
// llama.cpp's q/k row permutation, and the test writer's f16 rounding.

import { describe, expect, it } from 'vitest';
import { encodeGgml, f32ToF16, permuteRows } from '../test/gguf-writer';
import { randomArray } from '../reference/random';
import { unpermuteRows } from './gguf';
import { dequantizeGgml, GGML, q4FromGgml, q8FromGgml } from './gguf-quant';
import { dequantize } from './quant';
import { f16ToF32 } from './safetensors';

const half = (x: number) => [f32ToF16(x) & 0xff, f32ToF16(x) >> 8];

describe('hand-made blocks', () => {
  it('Q8_0: f16 scale then 32 int8 codes', () => {
    const blk = new Uint8Array([...half(0.5), ...Array.from({ length: 32 }, (_, j) => (j * 8 - 128) & 0xff)]);
    const got = dequantizeGgml(GGML.Q8_0, blk, 32);
    expect(Array.from(got)).toEqual(Array.from({ length: 32 }, (_, j) => (j * 8 - 128) * 0.5));
  });

  it('Q4_0: low nibbles are elements 0..15, high nibbles 16..31, w = (q - 8) * d', () => {
    const blk = new Uint8Array([...half(0.25), ...Array.from({ length: 16 }, (_, j) => j | ((15 - j) << 4))]);
    const got = dequantizeGgml(GGML.Q4_0, blk, 32);
    const want = [...Array.from({ length: 16 }, (_, j) => (j - 8) * 0.25), ...Array.from({ length: 16 }, (_, j) => (15 - j - 8) * 0.25)];
    expect(Array.from(got)).toEqual(want);
  });

  it('Q4_K: 6-bit scales and mins of 8 sub-blocks (high bits packed in the first 8 bytes), nibbles of sub-blocks 2i / 2i+1', () => {
    const sc = Array.from({ length: 8 }, (_, j) => 10 + 7 * j); // up to 59: uses the high bits
    const mn = Array.from({ length: 8 }, (_, j) => 63 - 5 * j);
    const scales = new Uint8Array(12);
    // Packed as ggml's quantize_row_q4_K_ref packs them.
    for (let j = 0; j < 8; j++) {
      if (j < 4) {
        scales[j] = sc[j];
        scales[j + 4] = mn[j];
      } else {
        scales[j + 4] = (sc[j] & 0xf) | ((mn[j] & 0xf) << 4);
        scales[j - 4] |= (sc[j] >> 4) << 6;
        scales[j] |= (mn[j] >> 4) << 6;
      }
    }
    const q = (j: number, l: number) => (l * 3 + j) & 15;
    const qs = new Uint8Array(128);
    for (let j = 0; j < 8; j++) for (let l = 0; l < 32; l++) qs[32 * (j >> 1) + l] |= j & 1 ? q(j, l) << 4 : q(j, l);
    const blk = new Uint8Array([...half(0.5), ...half(0.25), ...scales, ...qs]);
    expect(blk.length).toBe(144);
    const got = dequantizeGgml(GGML.Q4_K, blk, 256);
    const want = Array.from({ length: 256 }, (_, e) => 0.5 * sc[e >> 5] * q(e >> 5, e & 31) - 0.25 * mn[e >> 5]);
    expect(Array.from(got)).toEqual(want);
  });

  it('Q6_K: low 4 bits, high 2 bits and int8 scales per 16 values, w = d * scale * (q - 32)', () => {
    const L = Array.from({ length: 256 }, (_, e) => (e * 7 + 3) & 63);
    const sc = Array.from({ length: 16 }, (_, k) => 3 * k - 20);
    const ql = new Uint8Array(128);
    const qh = new Uint8Array(64);
    // Packed as ggml's quantize_row_q6_K_ref packs them.
    for (let j = 0; j < 256; j += 128) {
      const o = j / 2;
      const h = j / 4;
      for (let l = 0; l < 32; l++) {
        ql[o + l] = (L[j + l] & 0xf) | ((L[j + l + 64] & 0xf) << 4);
        ql[o + l + 32] = (L[j + l + 32] & 0xf) | ((L[j + l + 96] & 0xf) << 4);
        qh[h + l] = (L[j + l] >> 4) | ((L[j + l + 32] >> 4) << 2) | ((L[j + l + 64] >> 4) << 4) | ((L[j + l + 96] >> 4) << 6);
      }
    }
    const blk = new Uint8Array([...ql, ...qh, ...sc.map((s) => s & 0xff), ...half(0.125)]);
    expect(blk.length).toBe(210);
    const got = dequantizeGgml(GGML.Q6_K, blk, 256);
    expect(Array.from(got)).toEqual(L.map((q, e) => 0.125 * sc[e >> 4] * (q - 32)));
  });

  it('F16 and BF16 widen exactly', () => {
    const x = Float32Array.of(1, -2.5, 65504, 2 ** -24, -0, 0.1);
    const f16 = dequantizeGgml(GGML.F16, encodeGgml(GGML.F16, x), x.length);
    expect(Array.from(f16)).toEqual(Array.from(x, (v) => f16ToF32(f32ToF16(v))));
    const bf16 = dequantizeGgml(GGML.BF16, encodeGgml(GGML.BF16, Float32Array.of(1, -2.5, 3.140625)), 3);
    expect(Array.from(bf16)).toEqual([1, -2.5, 3.140625]);
  });
});

describe('repacking into our q8 / q4 weights', () => {
  const N = 6;
  const K = 96;
  const w = randomArray(N * K, 11);

  it('Q8_0 -> q8: the same codes and scales, so dequantizing gives the same values', () => {
    const bytes = encodeGgml(GGML.Q8_0, w);
    const q = q8FromGgml(bytes, N, K);
    expect(q.nBlocks).toBe(3);
    expect(Array.from(dequantize(q))).toEqual(Array.from(dequantizeGgml(GGML.Q8_0, bytes, N * K)));
  });

  it('Q4_0 -> q4 (zero point 8): nibbles re-paired from (j, j + 16) to (2j, 2j + 1)', () => {
    const bytes = encodeGgml(GGML.Q4_0, w);
    const q = q4FromGgml(bytes, N, K);
    expect(q.zeroPoints).toBeNull();
    expect(Array.from(dequantize(q))).toEqual(Array.from(dequantizeGgml(GGML.Q4_0, bytes, N * K)));
  });
});

describe("llama.cpp's q/k row permutation", () => {
  it('the writer permutes like convert_hf_to_gguf.py: one head of D = 4 puts rows 0, 2, 1, 3', () => {
    const w = Float32Array.of(0, 0, 1, 1, 2, 2, 3, 3);
    expect(Array.from(permuteRows(w, 1, 4, 2))).toEqual([0, 0, 2, 2, 1, 1, 3, 3]);
  });

  it('unpermuteRows inverts it for 4 heads of D = 8, on the rows of any block type', () => {
    const rows = 32;
    const cols = 64;
    const w = randomArray(rows * cols, 5);
    const permuted = permuteRows(w, 4, rows, cols);
    expect(Array.from(permuted)).not.toEqual(Array.from(w));
    for (const type of [GGML.F32, GGML.Q8_0]) {
      const back = dequantizeGgml(type, unpermuteRows(encodeGgml(type, permuted), 4, rows), rows * cols);
      expect(Array.from(back)).toEqual(Array.from(dequantizeGgml(type, encodeGgml(type, w), rows * cols)));
    }
  });
});

describe('f32ToF16 (the writer)', () => {
  it('round-trips every finite half and rounds to nearest even', () => {
    for (let h = 0; h < 0x10000; h++) {
      if (((h >> 10) & 0x1f) === 0x1f) continue;
      expect(f32ToF16(f16ToF32(h))).toBe(h);
    }
    expect(f32ToF16(1 + 2 ** -11)).toBe(0x3c00); // tie -> even
    expect(f32ToF16(1 + 3 * 2 ** -11)).toBe(0x3c02);
    expect(f32ToF16(70000)).toBe(0x7c00);
  });
});
