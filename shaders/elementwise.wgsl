// elementwise — out[i] = a[i] ∘ b[i mod bLen] for ∘ in {add, mul, silu_mul}; bLen < n broadcasts b
// over a's rows (a bias [C] over [T, C]). silu_mul is the SwiGLU gate: silu(a) * b, silu(x) = x·σ(x).
//
// Bindings (group 0)
//   0  uniform        p   : Params { n, bLen }
//   1  storage read   a   : [n] f32
//   2  storage read   b   : [bLen] f32
//   3  storage write  out : [n] f32
//
// Entry `accumulate` (gradient sums): out[i] += b[i mod bLen], reading only b and out.
// Entry `silu_mul_backward` reads a = g, b = u (bLen = n) and
//   4  storage read   gradOut : [n] f32
//   5  storage write  dg      : [n] f32, gradOut·u·σ(g)·(1 + g·(1 − σ(g)))
//   6  storage write  du      : [n] f32, gradOut·silu(g)
//
// One invocation computes one element. Workgroup 256; the grid is folded into 2-D when n needs more
// than maxComputeWorkgroupsPerDimension workgroups: i = gid.x + gid.y * (num_workgroups.x * 256).

struct Params { n : u32, bLen : u32, _pad0 : u32, _pad1 : u32 }

@group(0) @binding(0) var<uniform> p : Params;
@group(0) @binding(1) var<storage, read> a : array<f32>;
@group(0) @binding(2) var<storage, read> b : array<f32>;
@group(0) @binding(3) var<storage, read_write> out : array<f32>;

fn index(gid : vec3<u32>, nwg : vec3<u32>) -> u32 {
  return gid.x + gid.y * nwg.x * 256u;
}

@compute @workgroup_size(256, 1, 1)
fn add(@builtin(global_invocation_id) gid : vec3<u32>, @builtin(num_workgroups) nwg : vec3<u32>) {
  let i = index(gid, nwg);
  if (i >= p.n) { return; }
  out[i] = a[i] + b[i % p.bLen];
}

@compute @workgroup_size(256, 1, 1)
fn mul(@builtin(global_invocation_id) gid : vec3<u32>, @builtin(num_workgroups) nwg : vec3<u32>) {
  let i = index(gid, nwg);
  if (i >= p.n) { return; }
  out[i] = a[i] * b[i % p.bLen];
}

@compute @workgroup_size(256, 1, 1)
fn silu_mul(@builtin(global_invocation_id) gid : vec3<u32>, @builtin(num_workgroups) nwg : vec3<u32>) {
  let i = index(gid, nwg);
  if (i >= p.n) { return; }
  let g = a[i];
  out[i] = g / (1.0 + exp(-g)) * b[i % p.bLen];
}

@compute @workgroup_size(256, 1, 1)
fn accumulate(@builtin(global_invocation_id) gid : vec3<u32>, @builtin(num_workgroups) nwg : vec3<u32>) {
  let i = index(gid, nwg);
  if (i >= p.n) { return; }
  out[i] = out[i] + b[i % p.bLen];
}

@group(0) @binding(4) var<storage, read> gradOut : array<f32>;
@group(0) @binding(5) var<storage, read_write> dg : array<f32>;
@group(0) @binding(6) var<storage, read_write> du : array<f32>;

@compute @workgroup_size(256, 1, 1)
fn silu_mul_backward(@builtin(global_invocation_id) gid : vec3<u32>, @builtin(num_workgroups) nwg : vec3<u32>) {
  let i = index(gid, nwg);
  if (i >= p.n) { return; }
  let g = a[i];
  let sg = 1.0 / (1.0 + exp(-g));
  dg[i] = gradOut[i] * b[i] * sg * (1.0 + g * (1.0 - sg));
  du[i] = gradOut[i] * g * sg;
}
