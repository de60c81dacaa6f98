// The edge shapes [M, N, K] every backend's f32 matmul is tested on against the float64 reference
// (src/kernels/matmul.gpu.test.ts, src/cpu/matmul.test.ts): one list, so both backends meet the same
// cases. Test-only; the runtime never imports it.

export const MATMUL_TEST_SHAPES: readonly [number, number, number][] = [
  [1, 7, 5],
  [33, 65, 17],
  [128, 256, 64],
  [1, 1, 1],
  [5, 3, 257],
  [12, 20, 36], // GPU: vec4 path both ways
  [9, 7, 12], // GPU: vec4 with B transposed; plain B falls back (N % 4 != 0)
  [70, 130, 200], // GPU: vec4, edge tiles in M and N
];
