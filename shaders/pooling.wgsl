// pooling — one vector per sentence from hidden states with right padding: mean over the real tokens
// (MODE 0) or the last real token (MODE 1).
//
// Bindings (group 0)
//   0  uniform        p       : Params { B, T, C }
//   1  storage read   h       : [B, T, C] f32
//   2  storage read   lengths : [B] u32, 1 <= lengths[b] <= T
//   3  storage write  out     : [B, C] f32
//
// One invocation computes one element out[b, c]. Workgroup 64; grid (ceil(C / 64), B, 1).
//
// Backward, with n = lengths[b]: dh[b, t, c] = dPooled[b, c] / n for t < n (mean), dPooled[b, c]
// for t = n − 1 (last), 0 elsewhere (padding included). Entry `backward` reads p, lengths and
//   4  storage read   dPooled : [B, C] f32
//   5  storage write  dh      : [B, T, C] f32
// One invocation writes one element of dh. Workgroup 256; grid folded 2-D over ceil(B*T*C / 256):
// element = gid.x + gid.y * num_workgroups.x * 256.

struct Params { B : u32, T : u32, C : u32, _pad : u32 }

override MODE : u32 = 0u;

@group(0) @binding(0) var<uniform> p : Params;
@group(0) @binding(1) var<storage, read> h : array<f32>;
@group(0) @binding(2) var<storage, read> lengths : array<u32>;
@group(0) @binding(3) var<storage, read_write> out : array<f32>;

@compute @workgroup_size(64, 1, 1)
fn main(@builtin(global_invocation_id) gid : vec3<u32>) {
  let c = gid.x;
  let b = gid.y;
  if (c >= p.C || b >= p.B) { return; }
  let n = lengths[b];
  if (MODE == 1u) {
    out[b * p.C + c] = h[(b * p.T + n - 1u) * p.C + c];
    return;
  }
  var sum = 0.0;
  for (var t = 0u; t < n; t++) { sum += h[(b * p.T + t) * p.C + c]; }
  out[b * p.C + c] = sum / f32(n);
}

@group(0) @binding(4) var<storage, read> dPooled : array<f32>;
@group(0) @binding(5) var<storage, read_write> dh : array<f32>;

@compute @workgroup_size(256, 1, 1)
fn backward(@builtin(global_invocation_id) gid : vec3<u32>, @builtin(num_workgroups) nwg : vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * 256u;
  if (i >= p.B * p.T * p.C) { return; }
  let c = i % p.C;
  let t = (i / p.C) % p.T;
  let b = i / (p.T * p.C);
  let n = lengths[b];
  let g = dPooled[b * p.C + c];
  var v = 0.0;
  if (MODE == 1u) {
    v = select(0.0, g, t + 1u == n);
  } else {
    v = select(0.0, g / f32(n), t < n);
  }
  dh[i] = v;
}
