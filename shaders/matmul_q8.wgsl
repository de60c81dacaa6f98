// matmul_q8 — Y = X · Wᵀ with W stored as symmetric int8 blocks of 32 along K, one f32 scale per
// block; W stays packed in GPU memory and is dequantized in registers: w[n, k] = q[n, k] * scale[n, k / 32].
//
// Bindings (group 0)
//   0  uniform        p      : Params { M, N, K, nBlocks = ceil(K / 32) }
//   1  storage read   x      : [M, K] f32
//   1  storage read   ids    : [M] u32 token ids local to a vocabulary shard (entry gather, instead of x)
//   2  storage read   w      : [N, nBlocks, 8] u32 — int8 [N, nBlocks, 32] read as words, element e of
//                              a block in byte e % 4 of word e / 4 (two's complement)
//   2  storage read   w4     : the same bytes as [N, nBlocks, 2] vec4<u32>, half a block each (gemv_wide)
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
// Entry `gemv_wide` (decode, M <= 4): a workgroup of 64 computes 8 outputs for every row of X at
//   once (W is read once, not once per row); 8 lanes per output split the K blocks, each block two
//   16-byte loads of `w` viewed as vec4<u32> (binding 2 as w4), x dotted four at a time; lane 0 of
//   each output sums the 8 partials (one barrier). Grid (ceil(N / 8), 1, 1).
// Entry `main_wg` (prefill): a workgroup of 8 x 8 computes a 64 x 32 tile of Y; per K block it
//   dequantizes the W tile [32 outputs x 32] once into workgroup memory and stages X [64 x 32] there
//   (two barriers), then each invocation accumulates an 8 x 4 tile from vec4 reads. 12 KiB of
//   workgroup memory. Grid (ceil(N / 32), ceil(M / 64), 1).
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

// ---- gemv_wide: 8 outputs per workgroup, every row of X at once, two vec4<u32> per q8 block ----

@group(0) @binding(2) var<storage, read> w4 : array<vec4<u32>>; // `w` seen as two vec4 per block

const WIDE_OUT : u32 = 8u; // outputs per workgroup in `gemv_wide`
const WIDE_LANES : u32 = 8u; // lanes per output in `gemv_wide`
var<workgroup> partial4 : array<vec4<f32>, 64>;

/** The four signed bytes of a word, as floats. */
fn int8x4(q : u32) -> vec4<f32> {
  return vec4<f32>(bitcast<vec4<i32>>(vec4<u32>(q) << vec4<u32>(24u, 16u, 8u, 0u)) >> vec4<u32>(24u));
}

/** x[row + k .. row + k + 3] for a row starting at `row`, zero at and past K. */
fn x4(row : u32, k : u32) -> vec4<f32> {
  if (k + 3u < p.K) { return vec4<f32>(x[row + k], x[row + k + 1u], x[row + k + 2u], x[row + k + 3u]); }
  var v = vec4<f32>(0.0);
  for (var e = 0u; e < 4u; e++) {
    if (k + e < p.K) { v[e] = x[row + k + e]; }
  }
  return v;
}

@compute @workgroup_size(64, 1, 1)
fn gemv_wide(@builtin(workgroup_id) wg : vec3<u32>, @builtin(local_invocation_index) li : u32) {
  let out = li / WIDE_LANES;
  let lane = li % WIDE_LANES;
  let n = wg.x * WIDE_OUT + out;
  let rows = min(p.M, 4u);
  var acc = vec4<f32>(0.0); // acc[m] = this lane's share of Y[m, n]
  if (n < p.N) {
    for (var blk = lane; blk < p.nBlocks; blk += WIDE_LANES) {
      let s = scales[n * p.nBlocks + blk];
      for (var h = 0u; h < 2u; h++) {
        let q = w4[(n * p.nBlocks + blk) * 2u + h]; // half a block: one 16-byte load
        for (var m = 0u; m < rows; m++) {
          var xq = 0.0;
          for (var word = 0u; word < 4u; word++) {
            xq += dot(x4(m * p.K, blk * 32u + h * 16u + word * 4u), int8x4(q[word]));
          }
          acc[m] += s * xq;
        }
      }
    }
  }
  partial4[li] = acc;
  workgroupBarrier();
  if (lane == 0u && n < p.N) {
    var sum = vec4<f32>(0.0);
    for (var l = 0u; l < WIDE_LANES; l++) { sum += partial4[li + l]; }
    for (var m = 0u; m < rows; m++) { y[m * p.N + n] = sum[m]; }
  }
}

// ---- main_wg: a 32 x 32 tile of W dequantized once into workgroup memory for 64 rows of X ----

var<workgroup> Xs : array<vec4<f32>, 512>; // [32 k][16]: Xs[k * 16 + m / 4][m % 4] = X[mBase + m, k0 + k]
var<workgroup> Ws : array<vec4<f32>, 256>; // [32 k][8]: Ws[k * 8 + n / 4][n % 4] = W[nBase + n, k0 + k]

@compute @workgroup_size(8, 8, 1)
fn main_wg(@builtin(workgroup_id) wg : vec3<u32>, @builtin(local_invocation_id) lid : vec3<u32>, @builtin(local_invocation_index) li : u32) {
  let mBase = wg.y * 64u;
  let nBase = wg.x * 32u;
  var acc : array<vec4<f32>, 8>; // acc[i][j] = Y[mBase + 8 lid.y + i, nBase + 4 lid.x + j]
  for (var blk = 0u; blk < p.nBlocks; blk++) {
    let k0 = blk * 32u;
    for (var t = 0u; t < 32u; t++) {
      let e = li + 64u * t;
      let kk = e % 32u;
      let mm = e / 32u;
      var v = 0.0;
      if (mBase + mm < p.M && k0 + kk < p.K) { v = x[(mBase + mm) * p.K + k0 + kk]; }
      Xs[kk * 16u + mm / 4u][mm % 4u] = v;
    }
    // Invocation li dequantizes row li / 2 of the tile, words 4 (li % 2) .. 4 (li % 2) + 3.
    let nn = li / 2u;
    let n = min(nBase + nn, p.N - 1u);
    let s = select(0.0, scales[n * p.nBlocks + blk], nBase + nn < p.N);
    for (var h = 0u; h < 4u; h++) {
      let word = (li % 2u) * 4u + h;
      let wv = int8x4(w[(n * p.nBlocks + blk) * 8u + word]) * s;
      for (var e = 0u; e < 4u; e++) {
        let kk = word * 4u + e;
        Ws[kk * 8u + nn / 4u][nn % 4u] = select(0.0, wv[e], k0 + kk < p.K);
      }
    }
    workgroupBarrier();
    for (var kk = 0u; kk < 32u; kk++) {
      let bv = Ws[kk * 8u + lid.x];
      let a0 = Xs[kk * 16u + lid.y * 2u];
      let a1 = Xs[kk * 16u + lid.y * 2u + 1u];
      acc[0] += a0.x * bv;
      acc[1] += a0.y * bv;
      acc[2] += a0.z * bv;
      acc[3] += a0.w * bv;
      acc[4] += a1.x * bv;
      acc[5] += a1.y * bv;
      acc[6] += a1.z * bv;
      acc[7] += a1.w * bv;
    }
    workgroupBarrier();
  }
  for (var i = 0u; i < 8u; i++) {
    let m = mBase + lid.y * 8u + i;
    if (m >= p.M) { break; }
    for (var j = 0u; j < 4u; j++) {
      let n = nBase + lid.x * 4u + j;
      if (n < p.N) { y[m * p.N + n] = acc[i][j]; }
    }
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
