// Packing of matmul operands into the panels the micro-kernel streams (see gemm.c for the loop nest).
//   A block  [kc][4]:       rows i0..i0+3 of A, inner index p = k0..k0+kc-1 (rows past M read as 0)
//   B chunk  [np][kc][8]:   np = ceil(nc / 8) micro-panels of 8 output columns j0..j0+nc-1, columns
//                           past N read as 0; quantized sources are dequantized here, one chunk at a
//                           time, so a dense copy of W never exists.
#pragma once
#include <stdint.h>

/** Where B(p, j) (inner p < P, output column j < N) comes from. */
enum BKind {
  B_F32_NT = 0, // f32 [N, P]: B(p, j) = b[j * P + p]          (Y = X · Wᵀ with W [N, K])
  B_F32_NN = 1, // f32 [P, N]: B(p, j) = b[p * N + j]          (dX = dY · W, dW = dYᵀ · X)
  B_Q8_NT = 2,  // q8 W [N, P] (blocks along P): deq(W)[j][p]  (Y = X · Wᵀ)
  B_Q4_NT = 3,  // q4 W [N, P]
  B_Q8_NN = 4,  // q8 W [P, N] (blocks along N): deq(W)[p][j]  (dX = dY · W, W kept packed)
  B_Q4_NN = 5,  // q4 W [P, N]
};

void pack_a(const float *a, int sai, int sap, int M, int i0, int k0, int kc, float *dst);
void pack_b(int kind, const void *b, const float *scales, const uint8_t *zp, int P, int N, int j0, int nc, int k0, int kc, float *dst);
