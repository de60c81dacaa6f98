// matmul_q4_subgroups — the decode GEMV of matmul_q4.wgsl (Y = X · Wᵀ, W packed as ONNX MatMulNBits
// bits 4, block 32) with the reduction across lanes done by `subgroupAdd`. Needs the `subgroups`
// feature: a separate file, because `enable subgroups;` fails to compile on devices without it.
//
// Bindings (group 0), as in matmul_q4.wgsl
//   0  uniform        p      : Params { M, N, K, nBlocks = ceil(K / 32), zpRowBytes, hasZp }
//   1  storage read   x      : [M, K] f32
//   2  storage read   w      : [N, nBlocks, 4] u32 (element e of a block: nibble e of word e / 8)
//   3  storage read   scales : [N, nBlocks] f32
//   4  storage read   zp     : [N, zpRowBytes] uint8 as u32 words; ignored when hasZp = 0 (zero point 8)
//   5  storage write  y      : [M, N] f32
//
// Entry `gemv` (decode, small M): a workgroup of 64 computes 4 outputs Y[m, n0 .. n0+3]. All 64 lanes
//   split the (block, word) pairs of K, each reading 8 values of x once for the four rows of W
//   (consecutive lanes read consecutive words); each lane's vec4 of partial sums is reduced by
//   `subgroupAdd`. The subgroup size (4 to 128) and which lanes share a subgroup are not known to the
//   shader, so each subgroup's first lane leaves its sum in workgroup memory (the others zero) and,
//   after one barrier, lanes 0..3 add the 64 slots of their output: correct for any subgroup layout.
//   Grid (ceil(N / 4), M, 1).

enable subgroups;

struct Params {
  M : u32, N : u32, K : u32, nBlocks : u32,
  zpRowBytes : u32, hasZp : u32, _pad0 : u32, _pad1 : u32,
}

@group(0) @binding(0) var<uniform> p : Params;
@group(0) @binding(1) var<storage, read> x : array<f32>;
@group(0) @binding(2) var<storage, read> w : array<u32>;
@group(0) @binding(3) var<storage, read> scales : array<f32>;
@group(0) @binding(4) var<storage, read> zp : array<u32>;
@group(0) @binding(5) var<storage, read_write> y : array<f32>;

fn zero_point(n : u32, blk : u32) -> f32 {
  if (p.hasZp == 0u) { return 8.0; }
  let byteIndex = n * p.zpRowBytes + blk / 2u;
  let byte = (zp[byteIndex / 4u] >> ((byteIndex % 4u) * 8u)) & 0xffu;
  return f32((byte >> ((blk & 1u) * 4u)) & 0xfu);
}

/** Elements 0..3 (high = false) or 4..7 (high = true) of a word, as floats. */
fn nibbles4(q : u32, high : bool) -> vec4<f32> {
  let shifts = select(vec4<u32>(0u, 4u, 8u, 12u), vec4<u32>(16u, 20u, 24u, 28u), high);
  return vec4<f32>((vec4<u32>(q) >> shifts) & vec4<u32>(0xfu));
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

var<workgroup> partial : array<vec4<f32>, 64>;

@compute @workgroup_size(64, 1, 1)
fn gemv(@builtin(workgroup_id) wg : vec3<u32>, @builtin(local_invocation_index) li : u32, @builtin(subgroup_invocation_id) sid : u32) {
  let m = wg.y;
  let n0 = wg.x * 4u;
  let rows = min(vec4<u32>(n0) + vec4<u32>(0u, 1u, 2u, 3u), vec4<u32>(p.N - 1u));
  let xRow = m * p.K;
  var acc = vec4<f32>(0.0); // acc[j] = this lane's share of Y[m, n0 + j]
  for (var item = li; item < p.nBlocks * 4u; item += 64u) {
    let blk = item / 4u;
    let word = item % 4u;
    let lo = x4(xRow, blk * 32u + word * 8u);
    let hi = x4(xRow, blk * 32u + word * 8u + 4u);
    let xs = dot(lo + hi, vec4<f32>(1.0));
    for (var j = 0u; j < 4u; j++) {
      let q = w[(rows[j] * p.nBlocks + blk) * 4u + word];
      let xq = dot(lo, nibbles4(q, false)) + dot(hi, nibbles4(q, true));
      acc[j] += scales[rows[j] * p.nBlocks + blk] * (xq - zero_point(rows[j], blk) * xs);
    }
  }
  let total = subgroupAdd(acc);
  partial[li] = select(vec4<f32>(0.0), total, sid == 0u);
  workgroupBarrier();
  if (li < 4u && n0 + li < p.N) {
    var sum = 0.0;
    for (var l = 0u; l < 64u; l++) { sum += partial[l][li]; }
    y[m * p.N + n0 + li] = sum;
  }
}
