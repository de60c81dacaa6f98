// Block quantization of weight matrices W [N, K] (N outputs, K inputs; Y = X · Wᵀ), blocks of 32 along K.
//
// q4 — the ONNX MatMulNBits layout (bits 4, block_size 32):
//   data   uint8 [N, nBlocks, 16]: element 2j of a block is the low nibble of byte j, 2j+1 the high one
//   scales f32   [N, nBlocks]
//   zeroPoints   uint8 [N, ceil(nBlocks / 2)] packed the same way (block 2j low nibble), or null = 8
//   w = (q - zp) * scale
// q8 — symmetric int8: data int8 [N, nBlocks, 32], scales f32 [N, nBlocks], w = q * scale.
// The tail of the last block (K not a multiple of 32) holds q = zp (q4) or 0 (q8): it dequantizes to 0.
//
// Per-block error bound of the round trip (checked in quant.test.ts), with amax = max |w| in the block:
//   q4 symmetric  (no zero points): scale = amax / 7,          |w - ŵ| <= scale / 2 = amax / 14
//   q4 asymmetric (zero points):    scale = (max - min) / 15,  |w - ŵ| <= scale / 2
//   q8:                             scale = amax / 127,        |w - ŵ| <= scale / 2 = amax / 254
// (each plus f32 rounding of the scale product, a relative 2^-23.)

import { ShapeError } from '../errors';

export const QBLOCK = 32;

export interface Q4Weight {
  kind: 'q4';
  N: number;
  K: number;
  nBlocks: number;
  data: Uint8Array;
  scales: Float32Array;
  zeroPoints: Uint8Array | null;
}

export interface Q8Weight {
  kind: 'q8';
  N: number;
  K: number;
  nBlocks: number;
  data: Int8Array;
  scales: Float32Array;
}

export type QWeight = Q4Weight | Q8Weight;
export type QuantKind = QWeight['kind'];

export function blocksFor(K: number): number {
  return Math.ceil(K / QBLOCK);
}

/** Rows [begin, end) of a packed weight, codes and scales as they are (a vocabulary shard). */
export function quantRows(q: QWeight, begin: number, end: number): QWeight {
  const n = q.nBlocks;
  if (q.kind === 'q8') return { ...q, N: end - begin, data: q.data.subarray(begin * n * QBLOCK, end * n * QBLOCK), scales: q.scales.subarray(begin * n, end * n) };
  const zp = q4ZeroPointRowBytes(n);
  return { ...q, N: end - begin, data: q.data.subarray(begin * n * 16, end * n * 16), scales: q.scales.subarray(begin * n, end * n), zeroPoints: q.zeroPoints?.subarray(begin * zp, end * zp) ?? null };
}

/** Bytes per row of packed q4 zero points. */
export function q4ZeroPointRowBytes(nBlocks: number): number {
  return Math.ceil(nBlocks / 2);
}

function checkShape(w: ArrayLike<number>, N: number, K: number): void {
  if (!(N > 0 && K > 0) || w.length !== N * K) {
    throw new ShapeError(`Weight has ${w.length} values, expected N*K = ${N}*${K} = ${N * K}.`, { N, K, length: w.length });
  }
}

/** Quantize W [N, K] to q4; `zeroPoints: true` stores an asymmetric zero point per block. */
export function quantizeQ4(w: ArrayLike<number>, N: number, K: number, opts: { zeroPoints?: boolean } = {}): Q4Weight {
  checkShape(w, N, K);
  const nBlocks = blocksFor(K);
  const data = new Uint8Array(N * nBlocks * 16);
  const scales = new Float32Array(N * nBlocks);
  const zeroPoints = opts.zeroPoints ? new Uint8Array(N * q4ZeroPointRowBytes(nBlocks)) : null;
  const q = new Uint8Array(QBLOCK);
  for (let n = 0; n < N; n++) {
    for (let b = 0; b < nBlocks; b++) {
      const k0 = b * QBLOCK;
      const k1 = Math.min(K, k0 + QBLOCK);
      let lo = Infinity;
      let hi = -Infinity;
      for (let k = k0; k < k1; k++) {
        const v = w[n * K + k];
        lo = Math.min(lo, v);
        hi = Math.max(hi, v);
      }
      let scale: number;
      let zp: number;
      if (zeroPoints) {
        lo = Math.min(lo, 0); // keep 0 exactly representable: padding and sparse weights stay 0
        hi = Math.max(hi, 0);
        scale = (hi - lo) / 15;
        zp = scale > 0 ? Math.min(15, Math.max(0, Math.round(-lo / scale))) : 8;
      } else {
        scale = Math.max(Math.abs(lo), Math.abs(hi)) / 7;
        zp = 8;
      }
      scale = Math.fround(scale);
      const inv = scale > 0 ? 1 / scale : 0;
      q.fill(zp);
      for (let k = k0; k < k1; k++) q[k - k0] = Math.min(15, Math.max(0, Math.round(w[n * K + k] * inv) + zp));
      const base = (n * nBlocks + b) * 16;
      for (let j = 0; j < 16; j++) data[base + j] = q[2 * j] | (q[2 * j + 1] << 4);
      scales[n * nBlocks + b] = scale;
      if (zeroPoints) {
        const at = n * q4ZeroPointRowBytes(nBlocks) + (b >> 1);
        zeroPoints[at] |= b & 1 ? zp << 4 : zp;
      }
    }
  }
  return { kind: 'q4', N, K, nBlocks, data, scales, zeroPoints };
}

/** Quantize W [N, K] to symmetric int8 blocks. */
export function quantizeQ8(w: ArrayLike<number>, N: number, K: number): Q8Weight {
  checkShape(w, N, K);
  const nBlocks = blocksFor(K);
  const data = new Int8Array(N * nBlocks * QBLOCK);
  const scales = new Float32Array(N * nBlocks);
  for (let n = 0; n < N; n++) {
    for (let b = 0; b < nBlocks; b++) {
      const k0 = b * QBLOCK;
      const k1 = Math.min(K, k0 + QBLOCK);
      let amax = 0;
      for (let k = k0; k < k1; k++) amax = Math.max(amax, Math.abs(w[n * K + k]));
      const scale = Math.fround(amax / 127);
      const inv = scale > 0 ? 1 / scale : 0;
      for (let k = k0; k < k1; k++) data[(n * nBlocks + b) * QBLOCK + (k - k0)] = Math.min(127, Math.max(-127, Math.round(w[n * K + k] * inv)));
      scales[n * nBlocks + b] = scale;
    }
  }
  return { kind: 'q8', N, K, nBlocks, data, scales };
}

export function quantize(kind: QuantKind, w: ArrayLike<number>, N: number, K: number): QWeight {
  return kind === 'q4' ? quantizeQ4(w, N, K) : quantizeQ8(w, N, K);
}

/** q4 code of element k of row n. */
export function q4Code(q: Q4Weight, n: number, k: number): number {
  const b = k >> 5;
  const e = k & 31;
  const byte = q.data[(n * q.nBlocks + b) * 16 + (e >> 1)];
  return e & 1 ? byte >> 4 : byte & 0xf;
}

export function q4ZeroPoint(q: Q4Weight, n: number, b: number): number {
  if (!q.zeroPoints) return 8;
  const byte = q.zeroPoints[n * q4ZeroPointRowBytes(q.nBlocks) + (b >> 1)];
  return b & 1 ? byte >> 4 : byte & 0xf;
}

/** Dequantize to W [N, K] in f32, exactly as the GPU kernels do. */
export function dequantize(q: QWeight): Float32Array {
  const { N, K, nBlocks } = q;
  const out = new Float32Array(N * K);
  for (let n = 0; n < N; n++) {
    for (let k = 0; k < K; k++) {
      const b = k >> 5;
      const s = q.scales[n * nBlocks + b];
      out[n * K + k] = q.kind === 'q4' ? (q4Code(q, n, k) - q4ZeroPoint(q, n, b)) * s : q.data[(n * nBlocks + b) * QBLOCK + (k & 31)] * s;
    }
  }
  return out;
}

/** Bytes the quantized weight takes in GPU memory (data + scales + zero points). */
export function quantizedBytes(q: QWeight): number {
  return q.data.byteLength + q.scales.byteLength + (q.kind === 'q4' && q.zeroPoints ? q.zeroPoints.byteLength : 0);
}
