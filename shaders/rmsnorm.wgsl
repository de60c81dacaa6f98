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
