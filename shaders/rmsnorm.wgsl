// rmsnorm — Llama RMSNorm per row: out[n, :] = x[n, :] / sqrt(mean(x[n, :]²) + eps) * w.
//
// Bindings (group 0)
//   0  uniform        p   : Params { N rows, C, eps (f32 bits) }
//   1  storage read   x   : [N, C] f32
//   2  storage read   w   : [C] f32
//   3  storage write  out : [N, C] f32
//
// One workgroup of 64 normalises one row: each invocation sums squares over a strided slice, a tree
// over workgroup memory gives the row's sum, then every invocation scales its slice.
// Grid folded 2-D over N workgroups: row = wg.x + wg.y * num_workgroups.x.
//
// Backward, with r = 1/sqrt(mean(x²) + eps) and g = dy ⊙ w:
//   dx = r·g − x·r³/C·Σ_c g_c x_c        dw = Σ_n dy[n, :] ⊙ x[n, :] · r_n
// Entry `backward_dx` (one workgroup per row, grid as `main`) reads p, x, w and
//   5  storage read   dy     : [N, C] f32
//   6  storage write  dx     : [N, C] f32
//   7  storage write  rstd   : [N] f32, r of each row, for backward_dw
// Entry `backward_dw` (one invocation per column c walking the rows; workgroup 64, grid ceil(C / 64))
// reads p, x, dy and
//   8  storage read   rstdIn : [N] f32
//   9  storage write  dw     : [C] f32

struct Params { N : u32, C : u32, eps : f32, _pad : u32 }

@group(0) @binding(0) var<uniform> p : Params;
@group(0) @binding(1) var<storage, read> x : array<f32>;
@group(0) @binding(2) var<storage, read> w : array<f32>;
@group(0) @binding(3) var<storage, read_write> out : array<f32>;

const WG : u32 = 64u;
var<workgroup> partial : array<f32, WG>;

@compute @workgroup_size(WG, 1, 1)
fn main(@builtin(workgroup_id) wg : vec3<u32>, @builtin(num_workgroups) nwg : vec3<u32>,
        @builtin(local_invocation_index) li : u32) {
  let row = wg.x + wg.y * nwg.x;
  let live = row < p.N;
  let base = row * p.C;
  var ss = 0.0;
  if (live) {
    for (var c = li; c < p.C; c += WG) { let v = x[base + c]; ss += v * v; }
  }
  partial[li] = ss;
  workgroupBarrier();
  for (var half = WG / 2u; half > 0u; half /= 2u) {
    if (li < half) { partial[li] += partial[li + half]; }
    workgroupBarrier();
  }
  if (!live) { return; }
  let r = inverseSqrt(partial[0] / f32(p.C) + p.eps);
  for (var c = li; c < p.C; c += WG) { out[base + c] = x[base + c] * r * w[c]; }
}

@group(0) @binding(5) var<storage, read> dy : array<f32>;
@group(0) @binding(6) var<storage, read_write> dx : array<f32>;
@group(0) @binding(7) var<storage, read_write> rstd : array<f32>;
@group(0) @binding(8) var<storage, read> rstdIn : array<f32>;
@group(0) @binding(9) var<storage, read_write> dw : array<f32>;

var<workgroup> partial2 : array<f32, WG>;

@compute @workgroup_size(WG, 1, 1)
fn backward_dx(@builtin(workgroup_id) wg : vec3<u32>, @builtin(num_workgroups) nwg : vec3<u32>,
               @builtin(local_invocation_index) li : u32) {
  let row = wg.x + wg.y * nwg.x;
  let live = row < p.N;
  let base = row * p.C;
  var ss = 0.0;
  var gx = 0.0;
  if (live) {
    for (var c = li; c < p.C; c += WG) {
      let v = x[base + c];
      ss += v * v;
      gx += dy[base + c] * w[c] * v;
    }
  }
  partial[li] = ss;
  partial2[li] = gx;
  workgroupBarrier();
  for (var half = WG / 2u; half > 0u; half /= 2u) {
    if (li < half) {
      partial[li] += partial[li + half];
      partial2[li] += partial2[li + half];
    }
    workgroupBarrier();
  }
  if (!live) { return; }
  let r = inverseSqrt(partial[0] / f32(p.C) + p.eps);
  let k = r * r * r / f32(p.C) * partial2[0];
  for (var c = li; c < p.C; c += WG) { dx[base + c] = r * dy[base + c] * w[c] - x[base + c] * k; }
  if (li == 0u) { rstd[row] = r; }
}

@compute @workgroup_size(WG, 1, 1)
fn backward_dw(@builtin(global_invocation_id) gid : vec3<u32>) {
  let c = gid.x;
  if (c >= p.C) { return; }
  var acc = 0.0;
  for (var n = 0u; n < p.N; n++) { acc += dy[n * p.C + c] * x[n * p.C + c] * rstdIn[n]; }
  dw[c] = acc;
}
