// matmul — C = A · B in f32 for any M, N, K, batched; A given as [M, K] or, with TRANS_A, as [K, M];
// B given as [K, N] or, with TRANS_B, as [N, K]. With ACCUMULATE, C += A · B (gradient sums).
// Backward of Y = X · Wᵀ uses it twice: dX = dY · W (plain) and dW = dYᵀ · X (TRANS_A).
//
// Bindings (group 0)
//   0  uniform        p : Params { M, N, K, batch, strideA, strideB, strideC }  (strides in elements
//                         between batch items; a stride of 0 broadcasts that operand over the batch)
//   1  storage read   a : [batch, M, K] f32 (TRANS_A = false) or [batch, K, M] f32 (TRANS_A = true)
//   2  storage read   b : [batch, K, N] f32 (TRANS_B = false) or [batch, N, K] f32 (TRANS_B = true)
//   3  storage write  c : [batch, M, N] f32
//
// One invocation computes a 4x4 tile of C — rows 4*gid.y .. +3, columns 4*gid.x .. +3 — in registers,
// walking K one step at a time. No workgroup memory and no barriers: caches serve the reuse on GPUs,
// and barriers are very slow on software adapters. Rows/columns past the edge read a clamped index
// (always in bounds) and are not written, so any M, N, K works without padding.
// Workgroup WG_X x WG_Y (overrides, default 8 x 8) covers 4*WG_Y rows x 4*WG_X columns.
// Dispatch grid: (ceil(N / (4*WG_X)), ceil(M / (4*WG_Y)), batch).

struct Params {
  M : u32, N : u32, K : u32, batch : u32,
  strideA : u32, strideB : u32, strideC : u32, _pad : u32,
}

override WG_X : u32 = 8u;
override WG_Y : u32 = 8u;
override TRANS_A : bool = false;
override TRANS_B : bool = false;
override ACCUMULATE : bool = false;

@group(0) @binding(0) var<uniform> p : Params;
@group(0) @binding(1) var<storage, read> a : array<f32>;
@group(0) @binding(2) var<storage, read> b : array<f32>;
@group(0) @binding(3) var<storage, read_write> c : array<f32>;

@compute @workgroup_size(WG_X, WG_Y, 1)
fn main(@builtin(global_invocation_id) gid : vec3<u32>) {
  let m0 = gid.y * 4u;
  let n0 = gid.x * 4u;
  let z = gid.z;
  if (m0 >= p.M || n0 >= p.N || z >= p.batch) { return; }

  // Offsets of the 4 rows of A and the 4 columns of B this tile reads (clamped into range).
  var rowA : array<u32, 4>;
  var colB : array<u32, 4>;
  for (var i = 0u; i < 4u; i++) {
    let m = min(m0 + i, p.M - 1u);
    rowA[i] = z * p.strideA + select(m * p.K, m, TRANS_A);
    let n = min(n0 + i, p.N - 1u);
    colB[i] = z * p.strideB + select(n, n * p.K, TRANS_B);
  }
  let stepA = select(1u, p.M, TRANS_A); // distance between A[m, k] and A[m, k + 1]
  let stepB = select(p.N, 1u, TRANS_B); // distance between B[k, n] and B[k + 1, n]

  var acc : array<vec4<f32>, 4>; // acc[i][j] = C[m0 + i, n0 + j]
  for (var k = 0u; k < p.K; k++) {
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
    let base = z * p.strideC + m * p.N;
    for (var j = 0u; j < 4u; j++) {
      if (n0 + j < p.N) {
        let at = base + n0 + j;
        c[at] = select(acc[i][j], c[at] + acc[i][j], ACCUMULATE);
      }
    }
  }
}
