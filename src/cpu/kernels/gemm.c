// General matmul C[M, N] (+)= A · B on packed panels, split across threads by output tiles.
//   A(i, p) = a[i * sai + p * sap]      (any strides: row-major X, or a transposed dY for dW)
//   B(p, j) from one of the sources in pack.h (f32, or q8/q4 dequantized while packing)
//   P is the inner dimension.
//
// Loop nest of one thread (GotoBLAS order, sized for a 32 KiB L1 and a >= 256 KiB L2):
//   for each tile (NC = 64 output columns x a run of rows) in this thread's contiguous share
//     for each K chunk of KC = 256 inner indices            (fixed boundaries: same sums on any split)
//       pack B chunk [8 micro-panels][KC][8]  (64 KiB, stays in L2)
//       for each group of 4 rows: pack A [KC][4] (4 KiB, L1), then for each micro-panel
//         micro-kernel: 4 x 8 outputs in 8 f32x4 accumulators, one broadcast of A and two loads
//         of B per inner index.
// Every output element is summed by one thread in the same order whatever the thread count
// (chunk by chunk, within a chunk p = 0, 1, ...), so 1, 2 and 4 threads give the same bits.
#include "pack.h"
#include "simd.h"

#define NC 64
#define KC 256
#define MR 4

/** Floats of scratch one thread needs: a B chunk and an A block. */
EXPORT(gemm_scratch_floats) int gemm_scratch_floats(void) { return NC * KC + MR * KC; }

/** dst[0..n) = v (first) or += v, for n in 1..4. */
INLINE void store_lanes(float *dst, v128_t v, int n, int add) {
  if (n >= 4) {
    wasm_v128_store(dst, add ? wasm_f32x4_add(wasm_v128_load(dst), v) : v);
    return;
  }
  dst[0] = add ? dst[0] + wasm_f32x4_extract_lane(v, 0) : wasm_f32x4_extract_lane(v, 0);
  if (n > 1) dst[1] = add ? dst[1] + wasm_f32x4_extract_lane(v, 1) : wasm_f32x4_extract_lane(v, 1);
  if (n > 2) dst[2] = add ? dst[2] + wasm_f32x4_extract_lane(v, 2) : wasm_f32x4_extract_lane(v, 2);
}

/** Row of 8 accumulators into C: ncols (1..8) columns, stored or added. */
INLINE void store_row(float *c, v128_t lo, v128_t hi, int ncols, int add) {
  store_lanes(c, lo, ncols, add);
  if (ncols > 4) store_lanes(c + 4, hi, ncols - 4, add);
}

/**
 * C[mr rows, ncols] (+)= Apack [kc][4] · Bpanel [kc][8]; mr is a constant after inlining, so each
 * row count gets its own kernel with exactly the same per-element operations.
 */
INLINE void micro(const int mr, const float *ap, const float *bp, int kc, float *c, int ldc, int ncols, int add) {
  v128_t c00 = wasm_f32x4_splat(0), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00, c30 = c00, c31 = c00;
  for (int p = 0; p < kc; p++) {
    v128_t b0 = wasm_v128_load(bp), b1 = wasm_v128_load(bp + 4);
    v128_t a0 = wasm_v128_load32_splat(ap);
    c00 = MADD(a0, b0, c00);
    c01 = MADD(a0, b1, c01);
    if (mr > 1) {
      v128_t a1 = wasm_v128_load32_splat(ap + 1);
      c10 = MADD(a1, b0, c10);
      c11 = MADD(a1, b1, c11);
    }
    if (mr > 2) {
      v128_t a2 = wasm_v128_load32_splat(ap + 2);
      c20 = MADD(a2, b0, c20);
      c21 = MADD(a2, b1, c21);
    }
    if (mr > 3) {
      v128_t a3 = wasm_v128_load32_splat(ap + 3);
      c30 = MADD(a3, b0, c30);
      c31 = MADD(a3, b1, c31);
    }
    ap += 4;
    bp += 8;
  }
  store_row(c, c00, c01, ncols, add);
  if (mr > 1) store_row(c + ldc, c10, c11, ncols, add);
  if (mr > 2) store_row(c + 2 * ldc, c20, c21, ncols, add);
  if (mr > 3) store_row(c + 3 * ldc, c30, c31, ncols, add);
}

static void micro_any(int mr, const float *ap, const float *bp, int kc, float *c, int ldc, int ncols, int add) {
  switch (mr) {
  case 4: micro(4, ap, bp, kc, c, ldc, ncols, add); break;
  case 3: micro(3, ap, bp, kc, c, ldc, ncols, add); break;
  case 2: micro(2, ap, bp, kc, c, ldc, ncols, add); break;
  default: micro(1, ap, bp, kc, c, ldc, ncols, add); break;
  }
}

/**
 * C [M, N] (+)= A · B (see the top of the file). `accumulate` adds to C instead of overwriting it.
 * scratch holds gemm_scratch_floats() floats per thread; thread tid uses its own slice.
 */
EXPORT(gemm)
void gemm(int kind, const float *a, int sai, int sap, const void *b, const float *scales, const uint8_t *zp, float *c, int M, int N, int P, int accumulate, float *scratch, int tid, int nthreads) {
  float *bpack = scratch + tid * (NC * KC + MR * KC);
  float *apack = bpack + NC * KC;
  int nsp = (N + NC - 1) / NC;
  // Enough row runs that every thread gets work when there are few column tiles; a run is a
  // multiple of 4 rows. Only the assignment depends on nthreads, never the arithmetic.
  int runs = min_i(max_i(1, (2 * nthreads + nsp - 1) / nsp), (M + MR - 1) / MR);
  int rowsPerRun = (((M + runs - 1) / runs) + MR - 1) & ~(MR - 1);
  runs = (M + rowsPerRun - 1) / rowsPerRun;
  int t0, t1;
  split(nsp * runs, tid, nthreads, &t0, &t1);
  for (int t = t0; t < t1; t++) {
    int j0 = (t / runs) * NC, nc = min_i(NC, N - j0);
    int m0 = (t % runs) * rowsPerRun, m1 = min_i(M, m0 + rowsPerRun);
    for (int k0 = 0; k0 < P; k0 += KC) {
      int kc = min_i(KC, P - k0);
      int add = accumulate || k0 > 0;
      pack_b(kind, b, scales, zp, P, N, j0, nc, k0, kc, bpack);
      for (int i = m0; i < m1; i += MR) {
        int mr = min_i(MR, m1 - i);
        pack_a(a, sai, sap, M, i, k0, kc, apack);
        for (int q = 0; q * 8 < nc; q++) {
          micro_any(mr, apack, bpack + q * kc * 8, kc, c + (int64_t)i * N + j0 + q * 8, N, min_i(8, nc - q * 8), add);
        }
      }
    }
  }
}
