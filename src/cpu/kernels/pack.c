// Operand packing for gemm.c; layouts in pack.h. Quantized layouts as in src/model/quant.ts:
//   q8: int8 [rows, nBlocks, 32], scales f32 [rows, nBlocks], w = q * s
//   q4: uint8 [rows, nBlocks, 16] (element 2e = low nibble of byte e), scales f32 [rows, nBlocks],
//       zero points uint8 [rows, ceil(nBlocks / 2)] (block 2c = low nibble) or none (= 8), w = (q - zp) * s
// with blocks of 32 along the row. Dequantized values are computed exactly as dequantize() does.
#include "pack.h"
#include "simd.h"

INLINE int q4_zero_point(const uint8_t *zp, int row, int nBlocks, int blk) {
  if (!zp) return 8;
  uint8_t byte = zp[row * ((nBlocks + 1) >> 1) + (blk >> 1)];
  return blk & 1 ? byte >> 4 : byte & 15;
}

/** deq(W)[row][col] of a q4 matrix whose rows hold nBlocks blocks. */
INLINE float q4_at(const uint8_t *data, const float *scales, const uint8_t *zp, int nBlocks, int row, int col) {
  int blk = col >> 5, e = col & 31;
  uint8_t byte = data[(row * nBlocks + blk) * 16 + (e >> 1)];
  int code = e & 1 ? byte >> 4 : byte & 15;
  return (float)(code - q4_zero_point(zp, row, nBlocks, blk)) * scales[row * nBlocks + blk];
}

INLINE float q8_at(const int8_t *data, const float *scales, int nBlocks, int row, int col) {
  return (float)data[row * nBlocks * 32 + col] * scales[row * nBlocks + (col >> 5)];
}

void pack_a(const float *a, int sai, int sap, int M, int i0, int k0, int kc, float *dst) {
  for (int r = 0; r < 4; r++) {
    int i = i0 + r;
    if (i >= M) {
      for (int p = 0; p < kc; p++) dst[p * 4 + r] = 0.0f;
      continue;
    }
    const float *src = a + (int64_t)i * sai + (int64_t)k0 * sap;
    for (int p = 0; p < kc; p++) dst[p * 4 + r] = src[p * sap];
  }
}

void pack_b(int kind, const void *b, const float *scales, const uint8_t *zp, int P, int N, int j0, int nc, int k0, int kc, float *dst) {
  int width = (nc + 7) & ~7;
  for (int jj = 0; jj < width; jj++) {
    int j = j0 + jj;
    float *col = dst + (jj >> 3) * kc * 8 + (jj & 7); // column jj of its micro-panel, stride 8
    if (jj >= nc) {
      for (int p = 0; p < kc; p++) col[p * 8] = 0.0f;
      continue;
    }
    switch (kind) {
    case B_F32_NT: {
      const float *src = (const float *)b + (int64_t)j * P + k0;
      for (int p = 0; p < kc; p++) col[p * 8] = src[p];
      break;
    }
    case B_F32_NN: {
      const float *src = (const float *)b + (int64_t)k0 * N + j;
      for (int p = 0; p < kc; p++) col[p * 8] = src[(int64_t)p * N];
      break;
    }
    case B_Q8_NT: {
      int nb = (P + 31) >> 5;
      for (int p = 0; p < kc; p++) col[p * 8] = q8_at((const int8_t *)b, scales, nb, j, k0 + p);
      break;
    }
    case B_Q4_NT: {
      int nb = (P + 31) >> 5;
      for (int p = 0; p < kc; p++) col[p * 8] = q4_at((const uint8_t *)b, scales, zp, nb, j, k0 + p);
      break;
    }
    case B_Q8_NN: {
      int nb = (N + 31) >> 5;
      for (int p = 0; p < kc; p++) col[p * 8] = q8_at((const int8_t *)b, scales, nb, k0 + p, j);
      break;
    }
    case B_Q4_NN: {
      int nb = (N + 31) >> 5;
      for (int p = 0; p < kc; p++) col[p * 8] = q4_at((const uint8_t *)b, scales, zp, nb, k0 + p, j);
      break;
    }
    }
  }
}
