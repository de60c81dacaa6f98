// matmul_splitk — C = op(A) · op(B) in f32 for tall-skinny shapes (few rows or columns, long K: the
// decode step of an f32 model, M = 1), where the 4x4-tile kernel launches too few invocations to
// fill a GPU. K is cut into `splits` chunks computed side by side; a second pass sums them in a
// fixed order (deterministic, no atomics: decision 19). One operand pair, no batch.
//
// Bindings (group 0)
//   0  uniform        p       : Params { M, N, K, splits, chunk }  (chunk = ceil(K / splits))
//   1  storage read   a       : [M, K] f32 (TRANS_A = false) or [K, M] f32 (TRANS_A = true)
//   2  storage read   b       : [K, N] f32 (TRANS_B = false) or [N, K] f32 (TRANS_B = true)
//   3  storage write  partial : [splits, M, N] f32 scratch (entry `main` writes, `reduce` reads)
//   4  storage write  c       : [M, N] f32 (entry `reduce` only)
//
// Entry `main`: one invocation computes a 4x4 tile of the partial product over K in
//   [s * chunk, min(K, (s + 1) * chunk)) for split s = gid.z, in registers as matmul.wgsl does
//   (clamped edge reads, skipped edge writes). Workgroup 8 x 8; grid (ceil(N / 32), ceil(M / 32), splits).
// Entry `reduce`: one invocation per element of C sums its `splits` partials in order (and adds
//   C's value with ACCUMULATE). Workgroup 256; grid folded 2-D over ceil(M*N / 256):
//   i = gid.x + gid.y * num_workgroups.x * 256.

struct Params {
  M : u32, N : u32, K : u32, splits : u32,
  chunk : u32, _pad0 : u32, _pad1 : u32, _pad2 : u32,
}

override TRANS_A : bool = false;
override TRANS_B : bool = false;
override ACCUMULATE : bool = false;

@group(0) @binding(0) var<uniform> p : Params;
@group(0) @binding(1) var<storage, read> a : array<f32>;
@group(0) @binding(2) var<storage, read> b : array<f32>;
@group(0) @binding(3) var<storage, read_write> partial : array<f32>;
@group(0) @binding(4) var<storage, read_write> c : array<f32>;

@compute @workgroup_size(8, 8, 1)
fn main(@builtin(global_invocation_id) gid : vec3<u32>) {
  let m0 = gid.y * 4u;
  let n0 = gid.x * 4u;
  let s = gid.z;
  if (m0 >= p.M || n0 >= p.N || s >= p.splits) { return; }

  var rowA : array<u32, 4>;
  var colB : array<u32, 4>;
  for (var i = 0u; i < 4u; i++) {
    let m = min(m0 + i, p.M - 1u);
    rowA[i] = select(m * p.K, m, TRANS_A);
    let n = min(n0 + i, p.N - 1u);
    colB[i] = select(n, n * p.K, TRANS_B);
  }
  let stepA = select(1u, p.M, TRANS_A);
  let stepB = select(p.N, 1u, TRANS_B);

  var acc : array<vec4<f32>, 4>; // acc[i][j] = partial[s, m0 + i, n0 + j]
  let kEnd = min(p.K, (s + 1u) * p.chunk);
  for (var k = s * p.chunk; k < kEnd; k++) {
    let kb = k * stepB;
    let ka = k * stepA;
    let bv = vec4<f32>(b[colB[0] + kb], b[colB[1] + kb], b[colB[2] + kb], b[colB[3] + kb]);
    acc[0] += a[rowA[0] + ka] * bv;
    acc[1] += a[rowA[1] + ka] * bv;
    acc[2] += a[rowA[2] + ka] * bv;
    acc[3] += a[rowA[3] + ka] * bv;
  }

  for (var i = 0u; i < 4u; i++) {
    let m = m0 + i;
    if (m >= p.M) { break; }
    let base = (s * p.M + m) * p.N;
    for (var j = 0u; j < 4u; j++) {
      if (n0 + j < p.N) { partial[base + n0 + j] = acc[i][j]; }
    }
  }
}

@compute @workgroup_size(256, 1, 1)
fn reduce(@builtin(global_invocation_id) gid : vec3<u32>, @builtin(num_workgroups) nwg : vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * 256u;
  let size = p.M * p.N;
  if (i >= size) { return; }
  var sum = 0.0;
  for (var s = 0u; s < p.splits; s++) { sum += partial[s * size + i]; }
  c[i] = select(sum, c[i] + sum, ACCUMULATE);
}
