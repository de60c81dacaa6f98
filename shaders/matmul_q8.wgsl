// matmul_q8 — Y = X · Wᵀ with W stored as symmetric int8 blocks of 32 along K, one f32 scale per
// block; W stays packed in GPU memory and is dequantized in registers: w[n, k] = q[n, k] * scale[n, k / 32].
//
// Bindings (group 0)
//   0  uniform        p      : Params { M, N, K, nBlocks = ceil(K / 32) }
//   1  storage read   x      : [M, K] f32
//   2  storage read   w      : [N, nBlocks, 8] u32 — int8 [N, nBlocks, 32] read as words, element e of
//                              a block in byte e % 4 of word e / 4 (two's complement)
//   3  storage read   scales : [N, nBlocks] f32
//   4  storage write  y      : [M, N] f32
// Elements k >= K of the last block are padding and contribute nothing.
//
// Entry `main` (prefill, any M): one invocation computes a 4x4 tile of Y, dequantizing each weight
//   once for four rows of X. Workgroup 8 x 8; grid (ceil(N / 32), ceil(M / 32), 1).
// Entry `main_t` (backward through the frozen weight, dX = dY · W): here x is dY [M, N] and y is
//   dX [M, K]. One invocation computes rows 4*gid.y.. x columns k0 = 4*gid.x .. k0+3 (the four bytes
//   of one word), walking N. Workgroup 8 x 8; grid (ceil(K / 32), ceil(M / 32), 1).
// Entry `gemv` (decode, small M): a workgroup of 64 computes Y[m, n0 .. n0+3]; 16 lanes per output
//   split the K blocks, lane 0 sums the partials (one barrier). Grid (ceil(N / 4), M, 1).
// Entry `gather` (a quantized embedding, one vocabulary shard): y[m, k] = w[ids[m], k] dequantized,
//   for the M token ids local to this shard of N rows; an id >= N belongs to another shard and its
//   row is left alone. Binding 1 is ids [M] u32 instead of x. One invocation per element;
//   workgroup 256, grid folded 2-D over ceil(M*K / 256): i = gid.x + gid.y * num_workgroups.x * 256.

struct Params { M : u32, N : u32, K : u32, nBlocks : u32 }

@group(0) @binding(0) var<uniform> p : Params;
@group(0) @binding(1) var<storage, read> x : array<f32>;
@group(0) @binding(2) var<storage, read> w : array<u32>;
@group(0) @binding(3) var<storage, read> scales : array<f32>;
@group(0) @binding(4) var<storage, read_write> y : array<f32>;

/** Signed byte e (0..3) of a word. */
fn int8(word : u32, e : u32) -> f32 {
  return f32(bitcast<i32>(word << ((3u - e) * 8u)) >> 24u);
}

@compute @workgroup_size(8, 8, 1)
fn main(@builtin(global_invocation_id) gid : vec3<u32>) {
  let m0 = gid.y * 4u;
  let n0 = gid.x * 4u;
  if (m0 >= p.M || n0 >= p.N) { return; }

  var rowX : array<u32, 4>;
  var rowW : array<u32, 4>;
  for (var i = 0u; i < 4u; i++) {
    rowX[i] = min(m0 + i, p.M - 1u) * p.K;
    rowW[i] = min(n0 + i, p.N - 1u);
  }

  var acc : array<vec4<f32>, 4>; // acc[i][j] = Y[m0 + i, n0 + j]
  for (var blk = 0u; blk < p.nBlocks; blk++) {
    var s : vec4<f32>;
    for (var j = 0u; j < 4u; j++) { s[j] = scales[rowW[j] * p.nBlocks + blk]; }
    for (var word = 0u; word < 8u; word++) {
      var q : array<u32, 4>;
      for (var j = 0u; j < 4u; j++) { q[j] = w[(rowW[j] * p.nBlocks + blk) * 8u + word]; }
      for (var e = 0u; e < 4u; e++) {
        let k = blk * 32u + word * 4u + e;
        if (k >= p.K) { break; }
        let wv = vec4<f32>(int8(q[0], e), int8(q[1], e), int8(q[2], e), int8(q[3], e)) * s;
        acc[0] += x[rowX[0] + k] * wv;
        acc[1] += x[rowX[1] + k] * wv;
        acc[2] += x[rowX[2] + k] * wv;
        acc[3] += x[rowX[3] + k] * wv;
      }
    }
  }

  for (var i = 0u; i < 4u; i++) {
    let m = m0 + i;
    if (m >= p.M) { break; }
    for (var j = 0u; j < 4u; j++) {
      if (n0 + j < p.N) { y[m * p.N + n0 + j] = acc[i][j]; }
    }
  }
}

@compute @workgroup_size(8, 8, 1)
fn main_t(@builtin(global_invocation_id) gid : vec3<u32>) {
  let m0 = gid.y * 4u;
  let k0 = gid.x * 4u;
  if (m0 >= p.M || k0 >= p.K) { return; }
  let blk = k0 / 32u;
  let word = (k0 % 32u) / 4u;
  var rowDy : array<u32, 4>;
  for (var i = 0u; i < 4u; i++) { rowDy[i] = min(m0 + i, p.M - 1u) * p.N; }
  var acc : array<vec4<f32>, 4>; // acc[i][j] = dX[m0 + i, k0 + j]
  for (var n = 0u; n < p.N; n++) {
    let q = w[(n * p.nBlocks + blk) * 8u + word];
    let wv = vec4<f32>(int8(q, 0u), int8(q, 1u), int8(q, 2u), int8(q, 3u)) * scales[n * p.nBlocks + blk];
    acc[0] += x[rowDy[0] + n] * wv;
    acc[1] += x[rowDy[1] + n] * wv;
    acc[2] += x[rowDy[2] + n] * wv;
    acc[3] += x[rowDy[3] + n] * wv;
  }
  for (var i = 0u; i < 4u; i++) {
    let m = m0 + i;
    if (m >= p.M) { break; }
    for (var j = 0u; j < 4u; j++) {
      if (k0 + j < p.K) { y[m * p.K + k0 + j] = acc[i][j]; }
    }
  }
}

const LANES : u32 = 16u; // lanes per output in `gemv`
var<workgroup> partial : array<f32, 64>;

@compute @workgroup_size(64, 1, 1)
fn gemv(@builtin(workgroup_id) wg : vec3<u32>, @builtin(local_invocation_index) li : u32) {
  let out = li / LANES;
  let lane = li % LANES;
  let n = wg.x * 4u + out;
  let m = wg.y;
  var acc = 0.0;
  if (n < p.N) {
    let xRow = m * p.K;
    for (var blk = lane; blk < p.nBlocks; blk += LANES) {
      var xq = 0.0;
      for (var word = 0u; word < 8u; word++) {
        let q = w[(n * p.nBlocks + blk) * 8u + word];
        for (var e = 0u; e < 4u; e++) {
          let k = blk * 32u + word * 4u + e;
          if (k >= p.K) { break; }
          xq += x[xRow + k] * int8(q, e);
        }
      }
      acc += scales[n * p.nBlocks + blk] * xq;
    }
  }
  partial[li] = acc;
  workgroupBarrier();
  if (lane == 0u && n < p.N) {
    var sum = 0.0;
    for (var l = 0u; l < LANES; l++) { sum += partial[li + l]; }
    y[m * p.N + n] = sum;
  }
}

@group(0) @binding(1) var<storage, read> ids : array<u32>;

@compute @workgroup_size(256, 1, 1)
fn gather(@builtin(global_invocation_id) gid : vec3<u32>, @builtin(num_workgroups) nwg : vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * 256u;
  if (i >= p.M * p.K) { return; }
  let m = i / p.K;
  let k = i % p.K;
  let n = ids[m];
  if (n >= p.N) { return; }
  let blk = k / 32u;
  y[i] = int8(w[(n * p.nBlocks + blk) * 8u + (k % 32u) / 4u], k % 4u) * scales[n * p.nBlocks + blk];
}
