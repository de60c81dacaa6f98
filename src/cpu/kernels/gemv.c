// Matrix-vector products for few rows (decoding, M <= 4): Y[M, N] = X[M, K] · Wᵀ with W [N, K] read
// straight from its stored layout (f32, q8 or q4, dequantized in registers), 4 rows of W at a time so
// each load of X serves 4 outputs. Threads split the groups of 4 rows of W; each output is one
// thread's dot product in a fixed order (4 lanes along K, then hsum), so any thread count gives the
// same bits.
//
// The quantized kernels first copy X into the thread's scratch, zero-padded to whole blocks
// (M * nBlocks * 32 floats): the last block's padding codes then multiply zeros, never memory past X.
// q4 also de-interleaves each block of X (its 16 even elements, then its 16 odd ones), so the low
// nibbles of a block's 16 bytes meet the even elements and the high nibbles the odd ones.
#include "simd.h"

/** y[r] = x · w_r for the 4 rows w0..w3 over K (f32). */
INLINE void dot4_f32(const float *x, const float *w0, const float *w1, const float *w2, const float *w3, int K, float *y, int nrows) {
  v128_t a0 = wasm_f32x4_splat(0), a1 = a0, a2 = a0, a3 = a0;
  int k = 0;
  for (; k + 4 <= K; k += 4) {
    v128_t xv = wasm_v128_load(x + k);
    a0 = MADD(xv, wasm_v128_load(w0 + k), a0);
    a1 = MADD(xv, wasm_v128_load(w1 + k), a1);
    a2 = MADD(xv, wasm_v128_load(w2 + k), a2);
    a3 = MADD(xv, wasm_v128_load(w3 + k), a3);
  }
  float t0 = 0, t1 = 0, t2 = 0, t3 = 0;
  for (; k < K; k++) {
    t0 += x[k] * w0[k];
    t1 += x[k] * w1[k];
    t2 += x[k] * w2[k];
    t3 += x[k] * w3[k];
  }
  y[0] = hsum(a0) + t0;
  if (nrows > 1) y[1] = hsum(a1) + t1;
  if (nrows > 2) y[2] = hsum(a2) + t2;
  if (nrows > 3) y[3] = hsum(a3) + t3;
}

/** Row n of W for a group starting at n0, clamped to the last row (its result is not stored). */
INLINE int clamp_row(int n, int N) { return n < N ? n : N - 1; }

EXPORT(gemv_f32) void gemv_f32(const float *x, const float *w, float *y, int M, int N, int K, int tid, int nthreads) {
  int g0, g1;
  split((N + 3) >> 2, tid, nthreads, &g0, &g1);
  for (int g = g0; g < g1; g++) {
    int n0 = g * 4, nrows = min_i(4, N - n0);
    const float *w0 = w + (int64_t)n0 * K;
    const float *w1 = w + (int64_t)clamp_row(n0 + 1, N) * K;
    const float *w2 = w + (int64_t)clamp_row(n0 + 2, N) * K;
    const float *w3 = w + (int64_t)clamp_row(n0 + 3, N) * K;
    for (int m = 0; m < M; m++) dot4_f32(x + (int64_t)m * K, w0, w1, w2, w3, K, y + (int64_t)m * N + n0, nrows);
  }
}

/** Copies X [M, K] into xp [M, nBlocks * 32], zero-padded; q4 de-interleaves each block. */
INLINE void prepare_x(const float *x, int M, int K, int nBlocks, int deinterleave, float *xp) {
  for (int m = 0; m < M; m++) {
    for (int k = 0; k < nBlocks * 32; k++) {
      int at = deinterleave ? (k & ~31) + ((k & 1) << 4) + ((k & 31) >> 1) : k;
      xp[(m * nBlocks << 5) + at] = k < K ? x[(int64_t)m * K + k] : 0.0f;
    }
  }
}

/** 4 f32x4 of the signed bytes in v (lanes 0..15), in order. */
#define WIDEN_I8(v, f0, f1, f2, f3)                                   \
  do {                                                                \
    v128_t lo16 = wasm_i16x8_extend_low_i8x16(v);                     \
    v128_t hi16 = wasm_i16x8_extend_high_i8x16(v);                    \
    f0 = wasm_f32x4_convert_i32x4(wasm_i32x4_extend_low_i16x8(lo16)); \
    f1 = wasm_f32x4_convert_i32x4(wasm_i32x4_extend_high_i16x8(lo16));\
    f2 = wasm_f32x4_convert_i32x4(wasm_i32x4_extend_low_i16x8(hi16)); \
    f3 = wasm_f32x4_convert_i32x4(wasm_i32x4_extend_high_i16x8(hi16));\
  } while (0)

/** Σ over 16 signed bytes v of v[i] * x[i], as 4 lanes, starting from acc. */
INLINE v128_t dot16_i8(v128_t v, const float *x, v128_t acc) {
  v128_t f0, f1, f2, f3;
  WIDEN_I8(v, f0, f1, f2, f3);
  acc = MADD(f0, wasm_v128_load(x), acc);
  acc = MADD(f1, wasm_v128_load(x + 4), acc);
  acc = MADD(f2, wasm_v128_load(x + 8), acc);
  return MADD(f3, wasm_v128_load(x + 12), acc);
}

/** One block of 32 q8 weights: scale * Σ q * x, added to acc lane-wise. */
INLINE v128_t q8_block(const int8_t *d, float scale, const float *xb, v128_t acc) {
  v128_t s = dot16_i8(wasm_v128_load(d), xb, wasm_f32x4_splat(0));
  s = dot16_i8(wasm_v128_load(d + 16), xb + 16, s);
  return MADD(s, wasm_f32x4_splat(scale), acc);
}

/** One block of 32 q4 weights (16 bytes) against a de-interleaved block of X: scale * Σ (q - zp) * x. */
INLINE v128_t q4_block(const uint8_t *d, int zp, float scale, const float *xb, v128_t acc) {
  v128_t bytes = wasm_v128_load(d);
  v128_t z = wasm_i8x16_splat((int8_t)zp);
  v128_t lo = wasm_i8x16_sub(wasm_v128_and(bytes, wasm_i8x16_splat(15)), z); // even elements, -15..15
  v128_t hi = wasm_i8x16_sub(wasm_u8x16_shr(bytes, 4), z);                   // odd elements
  v128_t s = dot16_i8(lo, xb, wasm_f32x4_splat(0));
  s = dot16_i8(hi, xb + 16, s);
  return MADD(s, wasm_f32x4_splat(scale), acc);
}

EXPORT(gemv_q8) void gemv_q8(const float *x, const int8_t *data, const float *scales, float *y, int M, int N, int K, float *scratch, int tid, int nthreads) {
  int nb = (K + 31) >> 5;
  float *xp = scratch + (int64_t)tid * M * nb * 32;
  prepare_x(x, M, K, nb, 0, xp);
  int n0, n1;
  split(N, tid, nthreads, &n0, &n1);
  for (int m = 0; m < M; m++) {
    const float *xm = xp + (int64_t)m * nb * 32;
    for (int n = n0; n < n1; n++) {
      const int8_t *d = data + (int64_t)n * nb * 32;
      const float *s = scales + (int64_t)n * nb;
      v128_t acc = wasm_f32x4_splat(0);
      for (int b = 0; b < nb; b++) acc = q8_block(d + b * 32, s[b], xm + b * 32, acc);
      y[(int64_t)m * N + n] = hsum(acc);
    }
  }
}

EXPORT(gemv_q4) void gemv_q4(const float *x, const uint8_t *data, const float *scales, const uint8_t *zp, float *y, int M, int N, int K, float *scratch, int tid, int nthreads) {
  int nb = (K + 31) >> 5, zpRow = (nb + 1) >> 1;
  float *xp = scratch + (int64_t)tid * M * nb * 32;
  prepare_x(x, M, K, nb, 1, xp);
  int n0, n1;
  split(N, tid, nthreads, &n0, &n1);
  for (int m = 0; m < M; m++) {
    const float *xm = xp + (int64_t)m * nb * 32;
    for (int n = n0; n < n1; n++) {
      const uint8_t *d = data + (int64_t)n * nb * 16;
      const float *s = scales + (int64_t)n * nb;
      v128_t acc = wasm_f32x4_splat(0);
      for (int b = 0; b < nb; b++) {
        int z = zp ? (b & 1 ? zp[n * zpRow + (b >> 1)] >> 4 : zp[n * zpRow + (b >> 1)] & 15) : 8;
        acc = q4_block(d + b * 16, z, s[b], xm + b * 32, acc);
      }
      y[(int64_t)m * N + n] = hsum(acc);
    }
  }
}
