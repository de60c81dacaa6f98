// Shared helpers for the WebAssembly SIMD kernels (wasm32, 128-bit vectors of 4 f32).
//
// Two builds come from the same sources (scripts/build-wasm.ts):
//   plain   -msimd128:                MADD(a, b, c) = a * b + c as a multiply and an add (two roundings)
//   relaxed -msimd128 -mrelaxed-simd: MADD is f32x4.relaxed_madd, a fused multiply-add where the CPU
//                                     has one (one rounding). clang 14 emits the prototype opcode of
//                                     that instruction; the build script rewrites it to the final one.
// Kernels never touch the C stack (no local arrays, no address-taken locals): every thread's instance
// shares one linear memory but the linker gives all of them the same stack pointer. The build checks
// that no function reads __stack_pointer.
#pragma once
#include <stdint.h>
#include <wasm_simd128.h>

#define EXPORT(name) __attribute__((export_name(#name))) __attribute__((visibility("default")))
#define INLINE static inline __attribute__((always_inline))

#ifdef RELAXED_SIMD
#define MADD(a, b, c) __builtin_wasm_fma_f32x4((a), (b), (c))
#else
#define MADD(a, b, c) wasm_f32x4_add(wasm_f32x4_mul((a), (b)), (c))
#endif

/** Sum of the four lanes in a fixed order ((l0 + l1) + (l2 + l3)): the same bits on every thread. */
INLINE float hsum(v128_t v) {
  v128_t s = wasm_f32x4_add(v, wasm_i32x4_shuffle(v, v, 1, 0, 3, 2));
  return wasm_f32x4_extract_lane(s, 0) + wasm_f32x4_extract_lane(s, 2);
}

/** Half-open range [*lo, *hi) of `count` items that thread `tid` of `nthreads` takes (contiguous split). */
INLINE void split(int count, int tid, int nthreads, int *lo, int *hi) {
  *lo = (int)((int64_t)count * tid / nthreads);
  *hi = (int)((int64_t)count * (tid + 1) / nthreads);
}

INLINE int min_i(int a, int b) { return a < b ? a : b; }
INLINE int max_i(int a, int b) { return a > b ? a : b; }
