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
