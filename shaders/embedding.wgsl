// embedding — gather rows of the embedding matrix: out[n, c] = E[ids[n], c].
//
// Bindings (group 0)
//   0  uniform        p   : Params { N tokens, C hidden }
//   1  storage read   ids : [N] u32 token ids (checked < V on the CPU before upload)
//   2  storage read   E   : [V, C] f32
//   3  storage write  out : [N, C] f32
//
// One invocation writes one element. Workgroup 256; grid folded 2-D over ceil(N*C / 256) workgroups:
// i = gid.x + gid.y * num_workgroups.x * 256.

struct Params { N : u32, C : u32, _pad0 : u32, _pad1 : u32 }

@group(0) @binding(0) var<uniform> p : Params;
@group(0) @binding(1) var<storage, read> ids : array<u32>;
@group(0) @binding(2) var<storage, read> E : array<f32>;
@group(0) @binding(3) var<storage, read_write> out : array<f32>;

@compute @workgroup_size(256, 1, 1)
fn main(@builtin(global_invocation_id) gid : vec3<u32>, @builtin(num_workgroups) nwg : vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * 256u;
  if (i >= p.N * p.C) { return; }
  let n = i / p.C;
  let c = i % p.C;
  out[i] = E[ids[n] * p.C + c];
}
