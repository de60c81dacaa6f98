// matmul_tiled — C = op(A) · op(B) in f32, the same contract as matmul.wgsl (TRANS_A, TRANS_B,
// ACCUMULATE, batched with stride-0 broadcast), designed for real GPUs: tiles of A and B are staged
// through workgroup memory so each global value is read once per workgroup, not once per invocation.
//
// Bindings (group 0)
//   0  uniform        p : Params { M, N, K, batch, strideA, strideB, strideC }  (strides in elements
//                         between batch items; 0 broadcasts that operand)
//   1  storage read   a : [batch, M, K] f32 (TRANS_A = false) or [batch, K, M] f32 (TRANS_A = true)
//   2  storage read   b : [batch, K, N] f32 (TRANS_B = false) or [batch, N, K] f32 (TRANS_B = true)
//   3  storage write  c : [batch, M, N] f32
//
// A workgroup of 8 x 8 invocations owns a 64 x 64 tile of C; each invocation keeps an 8 x 8 tile in
// registers (rows 8*lid.y .., columns 8*lid.x ..) as 16 vec4. K advances 16 at a time: the 64
// invocations stage A[64 x 16] and B[16 x 64] (zero outside the matrix, so any shape works; global
// reads are coalesced along whichever dimension is contiguous), one barrier, then 16 steps of four
// vec4 reads from workgroup memory and 64 FMAs each, one barrier. 8 KiB of workgroup memory.
// Barriers are slow on software adapters (decision 22 keeps the barrier-free kernel as default);
// the autotuner (src/kernels/tuner.ts) picks this one where it is faster.
// Dispatch grid: (ceil(N / 64), ceil(M / 64), batch).

struct Params {
  M : u32, N : u32, K : u32, batch : u32,
  strideA : u32, strideB : u32, strideC : u32, _pad : u32,
}

override TRANS_A : bool = false;
override TRANS_B : bool = false;
override ACCUMULATE : bool = false;

const BM : u32 = 64u;
const BN : u32 = 64u;
const BK : u32 = 16u;

@group(0) @binding(0) var<uniform> p : Params;
@group(0) @binding(1) var<storage, read> a : array<f32>;
@group(0) @binding(2) var<storage, read> b : array<f32>;
@group(0) @binding(3) var<storage, read_write> c : array<f32>;

var<workgroup> As : array<vec4<f32>, 256>; // [BK][BM / 4]: As[k * 16 + m / 4][m % 4] = A[m, k]
var<workgroup> Bs : array<vec4<f32>, 256>; // [BK][BN / 4]: Bs[k * 16 + n / 4][n % 4] = B[k, n]

@compute @workgroup_size(8, 8, 1)
fn main(@builtin(workgroup_id) wg : vec3<u32>, @builtin(local_invocation_id) lid : vec3<u32>, @builtin(local_invocation_index) li : u32) {
  let z = wg.z;
  let mBase = wg.y * BM;
  let nBase = wg.x * BN;
  let offA = z * p.strideA;
  let offB = z * p.strideB;

  var acc : array<vec4<f32>, 16>; // acc[2i + h][j] = C[mBase + 8 lid.y + i, nBase + 8 lid.x + 4h + j]
  for (var k0 = 0u; k0 < p.K; k0 += BK) {
    for (var t = 0u; t < 16u; t++) {
      let e = li + 64u * t;
      // A: consecutive invocations read consecutive addresses (along k, or along m when transposed).
      let mmA = select(e / BK, e % BM, TRANS_A);
      let kkA = select(e % BK, e / BM, TRANS_A);
      let m = mBase + mmA;
      let ka = k0 + kkA;
      var va = 0.0;
      if (m < p.M && ka < p.K) { va = a[offA + select(m * p.K + ka, ka * p.M + m, TRANS_A)]; }
      As[kkA * 16u + mmA / 4u][mmA % 4u] = va;
      // B: along n, or along k when transposed.
      let nnB = select(e % BN, e / BK, TRANS_B);
      let kkB = select(e / BN, e % BK, TRANS_B);
      let n = nBase + nnB;
      let kb = k0 + kkB;
      var vb = 0.0;
      if (n < p.N && kb < p.K) { vb = b[offB + select(kb * p.N + n, n * p.K + kb, TRANS_B)]; }
      Bs[kkB * 16u + nnB / 4u][nnB % 4u] = vb;
    }
    workgroupBarrier();
    for (var kk = 0u; kk < BK; kk++) {
      let a0 = As[kk * 16u + lid.y * 2u];
      let a1 = As[kk * 16u + lid.y * 2u + 1u];
      let b0 = Bs[kk * 16u + lid.x * 2u];
      let b1 = Bs[kk * 16u + lid.x * 2u + 1u];
      // Constant indices keep acc in registers (a loop over i would index the array dynamically).
      acc[0] += a0.x * b0;
      acc[1] += a0.x * b1;
      acc[2] += a0.y * b0;
      acc[3] += a0.y * b1;
      acc[4] += a0.z * b0;
      acc[5] += a0.z * b1;
      acc[6] += a0.w * b0;
      acc[7] += a0.w * b1;
      acc[8] += a1.x * b0;
      acc[9] += a1.x * b1;
      acc[10] += a1.y * b0;
      acc[11] += a1.y * b1;
      acc[12] += a1.z * b0;
      acc[13] += a1.z * b1;
      acc[14] += a1.w * b0;
      acc[15] += a1.w * b1;
    }
    workgroupBarrier();
  }

  for (var i = 0u; i < 8u; i++) {
    let m = mBase + lid.y * 8u + i;
    if (m >= p.M) { break; }
    let base = z * p.strideC + m * p.N;
    for (var j = 0u; j < 8u; j++) {
      let n = nBase + lid.x * 8u + j;
      if (n < p.N) {
        let v = acc[2u * i + j / 4u][j % 4u];
        c[base + n] = select(v, c[base + n] + v, ACCUMULATE);
      }
    }
  }
}
