// GGML tensor types as GGUF files store them, and the decoders we have for them. A tensor of
// ne0 x rows (ne0 innermost: one row of a linear W [N, K] is K = ne0 values) is `rows` runs of
// ne0 / blockSize blocks; every block is `blockBytes` bytes. Layouts (ggml-common.h), d and dmin f16:
//   F32, F16, BF16: one value per "block".
//   Q8_0 (34 B / 32):  d, then 32 int8 q.                         w[j] = q[j] * d
//   Q4_0 (18 B / 32):  d, then 16 bytes: byte j holds element j in its low nibble and element
//                      j + 16 in its high nibble.                 w = (q - 8) * d
//   Q4_K (144 B / 256): d, dmin, 12 bytes of 6-bit (scale, min) pairs for 8 sub-blocks of 32, then
//                      128 bytes: each 32-byte run holds sub-block 2i in low nibbles and 2i+1 in
//                      high nibbles.                               w = d * sc * q - dmin * m
//   Q6_K (210 B / 256): 128 bytes of low 4 bits, 64 of high 2 bits, 16 int8 scales (one per 16
//                      values), then d.                            w = d * scale * (q - 32)
// Q8_0 and Q4_0 repack without loss into our q8 / q4 weights (quant.ts), so a file's codes reach
// the matmul as stored (ARCHITECTURE decision 16).

import { blocksFor, QBLOCK, type Q4Weight, type Q8Weight } from './quant';
import { f16Values } from './safetensors';

/** Type ids of ggml.h; `blockSize` values take `blockBytes` bytes. Only DECODABLE ones load. */
export const GGML_TYPES: Record<number, { name: string; blockSize: number; blockBytes: number }> = {
  0: { name: 'F32', blockSize: 1, blockBytes: 4 },
  1: { name: 'F16', blockSize: 1, blockBytes: 2 },
  2: { name: 'Q4_0', blockSize: 32, blockBytes: 18 },
  3: { name: 'Q4_1', blockSize: 32, blockBytes: 20 },
  6: { name: 'Q5_0', blockSize: 32, blockBytes: 22 },
  7: { name: 'Q5_1', blockSize: 32, blockBytes: 24 },
  8: { name: 'Q8_0', blockSize: 32, blockBytes: 34 },
  9: { name: 'Q8_1', blockSize: 32, blockBytes: 36 },
  10: { name: 'Q2_K', blockSize: 256, blockBytes: 84 },
  11: { name: 'Q3_K', blockSize: 256, blockBytes: 110 },
  12: { name: 'Q4_K', blockSize: 256, blockBytes: 144 },
  13: { name: 'Q5_K', blockSize: 256, blockBytes: 176 },
  14: { name: 'Q6_K', blockSize: 256, blockBytes: 210 },
  15: { name: 'Q8_K', blockSize: 256, blockBytes: 292 },
  16: { name: 'IQ2_XXS', blockSize: 256, blockBytes: 66 },
  17: { name: 'IQ2_XS', blockSize: 256, blockBytes: 74 },
  18: { name: 'IQ3_XXS', blockSize: 256, blockBytes: 98 },
  19: { name: 'IQ1_S', blockSize: 256, blockBytes: 50 },
  20: { name: 'IQ4_NL', blockSize: 32, blockBytes: 18 },
  21: { name: 'IQ3_S', blockSize: 256, blockBytes: 110 },
  22: { name: 'IQ2_S', blockSize: 256, blockBytes: 82 },
  23: { name: 'IQ4_XS', blockSize: 256, blockBytes: 136 },
  24: { name: 'I8', blockSize: 1, blockBytes: 1 },
  25: { name: 'I16', blockSize: 1, blockBytes: 2 },
  26: { name: 'I32', blockSize: 1, blockBytes: 4 },
  27: { name: 'I64', blockSize: 1, blockBytes: 8 },
  28: { name: 'F64', blockSize: 1, blockBytes: 8 },
  29: { name: 'IQ1_M', blockSize: 256, blockBytes: 56 },
  30: { name: 'BF16', blockSize: 1, blockBytes: 2 },
  34: { name: 'TQ1_0', blockSize: 256, blockBytes: 54 },
  35: { name: 'TQ2_0', blockSize: 256, blockBytes: 66 },
  39: { name: 'MXFP4', blockSize: 32, blockBytes: 17 },
};

export const GGML = { F32: 0, F16: 1, Q4_0: 2, Q8_0: 8, Q4_K: 12, Q6_K: 14, BF16: 30 } as const;

export const DECODABLE: readonly number[] = [GGML.F32, GGML.F16, GGML.BF16, GGML.Q8_0, GGML.Q4_0, GGML.Q4_K, GGML.Q6_K];

export function ggmlTypeName(type: number): string {
  return GGML_TYPES[type]?.name ?? `type ${type}`;
}

/** Bytes of `rows` rows of `ne0` values; the caller has checked ne0 is a multiple of the block size. */
export function ggmlRowBytes(type: number, ne0: number): number {
  const t = GGML_TYPES[type];
  return (ne0 / t.blockSize) * t.blockBytes;
}

/** The f16 value of two little-endian bytes. */
function f16(lo: number, hi: number): number {
  return f16Values()[lo | (hi << 8)];
}

/** Decodes `n` values of a decodable type (the caller has checked the type and that `data` holds exactly them). */
export function dequantizeGgml(type: number, data: Uint8Array, n: number): Float32Array {
  const out = new Float32Array(n);
  switch (type) {
    case GGML.F32:
      out.set(new Float32Array(data.slice().buffer));
      break;
    case GGML.F16: {
      const table = f16Values();
      for (let i = 0; i < n; i++) out[i] = table[data[2 * i] | (data[2 * i + 1] << 8)];
      break;
    }
    case GGML.BF16: {
      const bits = new Uint32Array(out.buffer);
      for (let i = 0; i < n; i++) bits[i] = (data[2 * i] | (data[2 * i + 1] << 8)) << 16;
      break;
    }
    case GGML.Q8_0:
      for (let b = 0; b < n / 32; b++) {
        const at = b * 34;
        const d = f16(data[at], data[at + 1]);
        for (let j = 0; j < 32; j++) out[b * 32 + j] = ((data[at + 2 + j] << 24) >> 24) * d;
      }
      break;
    case GGML.Q4_0:
      for (let b = 0; b < n / 32; b++) {
        const at = b * 18;
        const d = f16(data[at], data[at + 1]);
        for (let j = 0; j < 16; j++) {
          const byte = data[at + 2 + j];
          out[b * 32 + j] = ((byte & 0xf) - 8) * d;
          out[b * 32 + j + 16] = ((byte >> 4) - 8) * d;
        }
      }
      break;
    case GGML.Q4_K:
      for (let b = 0; b < n / 256; b++) dequantQ4K(data.subarray(b * 144, (b + 1) * 144), out.subarray(b * 256, (b + 1) * 256));
      break;
    case GGML.Q6_K:
      for (let b = 0; b < n / 256; b++) dequantQ6K(data.subarray(b * 210, (b + 1) * 210), out.subarray(b * 256, (b + 1) * 256));
      break;
    default:
      throw new RangeError(`dequantizeGgml: ${ggmlTypeName(type)} is not decodable`);
  }
  return out;
}

/** Scale and min of Q4_K sub-block j (0..7) from the 12 packed bytes (ggml's get_scale_min_k4). */
function scaleMinK4(j: number, s: Uint8Array): [number, number] {
  if (j < 4) return [s[j] & 63, s[j + 4] & 63];
  return [(s[j + 4] & 0xf) | ((s[j - 4] >> 6) << 4), (s[j + 4] >> 4) | ((s[j] >> 6) << 4)];
}

function dequantQ4K(blk: Uint8Array, y: Float32Array): void {
  const d = f16(blk[0], blk[1]);
  const dmin = f16(blk[2], blk[3]);
  const scales = blk.subarray(4, 16);
  const qs = blk.subarray(16, 144);
  for (let i = 0; i < 4; i++) {
    const [sc1, m1] = scaleMinK4(2 * i, scales);
    const [sc2, m2] = scaleMinK4(2 * i + 1, scales);
    for (let l = 0; l < 32; l++) {
      const q = qs[32 * i + l];
      y[64 * i + l] = d * sc1 * (q & 0xf) - dmin * m1;
      y[64 * i + 32 + l] = d * sc2 * (q >> 4) - dmin * m2;
    }
  }
}

function dequantQ6K(blk: Uint8Array, y: Float32Array): void {
  const d = f16(blk[208], blk[209]);
  for (let half = 0; half < 2; half++) {
    const ql = blk.subarray(64 * half, 64 * half + 64);
    const qh = blk.subarray(128 + 32 * half, 128 + 32 * half + 32);
    const sc = (k: number) => (blk[192 + 8 * half + k] << 24) >> 24;
    const out = y.subarray(128 * half, 128 * half + 128);
    for (let l = 0; l < 32; l++) {
      const is = l >> 4;
      const q1 = ((ql[l] & 0xf) | (((qh[l] >> 0) & 3) << 4)) - 32;
      const q2 = ((ql[l + 32] & 0xf) | (((qh[l] >> 2) & 3) << 4)) - 32;
      const q3 = ((ql[l] >> 4) | (((qh[l] >> 4) & 3) << 4)) - 32;
      const q4 = ((ql[l + 32] >> 4) | (((qh[l] >> 6) & 3) << 4)) - 32;
      out[l] = d * sc(is) * q1;
      out[l + 32] = d * sc(is + 2) * q2;
      out[l + 64] = d * sc(is + 4) * q3;
      out[l + 96] = d * sc(is + 6) * q4;
    }
  }
}

/** A Q8_0 matrix of N rows of K values (K a multiple of 32) as our q8 weight: the same codes and scales. */
export function q8FromGgml(data: Uint8Array, N: number, K: number): Q8Weight {
  const nBlocks = blocksFor(K);
  const codes = new Int8Array(N * nBlocks * QBLOCK);
  const scales = new Float32Array(N * nBlocks);
  for (let b = 0; b < N * nBlocks; b++) {
    scales[b] = f16(data[b * 34], data[b * 34 + 1]);
    codes.set(new Int8Array(data.buffer, data.byteOffset + b * 34 + 2, 32), b * 32);
  }
  return { kind: 'q8', N, K, nBlocks, data: codes, scales };
}

/** A Q4_0 matrix as our q4 weight (zero point 8): the nibbles move from (j, j + 16) pairs to (2j, 2j + 1) pairs. */
export function q4FromGgml(data: Uint8Array, N: number, K: number): Q4Weight {
  const nBlocks = blocksFor(K);
  const packed = new Uint8Array(N * nBlocks * 16);
  const scales = new Float32Array(N * nBlocks);
  const q = new Uint8Array(32);
  for (let b = 0; b < N * nBlocks; b++) {
    const at = b * 18;
    scales[b] = f16(data[at], data[at + 1]);
    for (let j = 0; j < 16; j++) {
      q[j] = data[at + 2 + j] & 0xf;
      q[j + 16] = data[at + 2 + j] >> 4;
    }
    for (let j = 0; j < 16; j++) packed[b * 16 + j] = q[2 * j] | (q[2 * j + 1] << 4);
  }
  return { kind: 'q4', N, K, nBlocks, data: packed, scales, zeroPoints: null };
}
