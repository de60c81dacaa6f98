// embedding — gather rows of the embedding matrix: out[n, c] = E[ids[n], c].
//
// Bindings (group 0)
//   0  uniform        p   : Params { N tokens, C hidden, V rows of E }
//   1  storage read   ids : [N] u32 token ids local to E (a vocabulary shard: id − its first row);
//                           an id >= V belongs to another shard, and its row of out is left alone
//   2  storage read   E   : [V, C] f32
//   3  storage write  out : [N, C] f32
//
// One invocation writes one element. Workgroup 256; grid folded 2-D over ceil(N*C / 256) workgroups:
// i = gid.x + gid.y * num_workgroups.x * 256.
//
// Entry `backward` (scatter-add without atomics, dE[v, :] += Σ_{n : ids[n] = v} dOut[n, :]): the CPU
// groups positions by token (CSR) so each invocation owns one (token, c) and no two write one place.
// With p { N = U distinct tokens, C, V unused }:
//   4  storage read   tokens    : [U] u32
//   5  storage read   offsets   : [U + 1] u32, token u owns positions[offsets[u] .. offsets[u + 1])
//   6  storage read   positions : [rows] u32, rows of dOut grouped by token
//   7  storage read   dOut      : [rows, C] f32
//   8  storage write  dE        : [V, C] f32, accumulated (+=)
//   One invocation per (u, c); workgroup 256; grid folded 2-D over ceil(U*C / 256).

struct Params { N : u32, C : u32, V : u32, _pad1 : u32 }

@group(0) @binding(0) var<uniform> p : Params;
@group(0) @binding(1) var<storage, read> ids : array<u32>;
@group(0) @binding(2) var<storage, read> E : array<f32>;
@group(0) @binding(3) var<storage, read_write> out : array<f32>;

@compute @workgroup_size(256, 1, 1)
fn main(@builtin(global_invocation_id) gid : vec3<u32>, @builtin(num_workgroups) nwg : vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * 256u;
  if (i >= p.N * p.C) { return; }
  let id = ids[i / p.C];
  if (id >= p.V) { return; }
  out[i] = E[id * p.C + i % p.C];
}

@group(0) @binding(4) var<storage, read> tokens : array<u32>;
@group(0) @binding(5) var<storage, read> offsets : array<u32>;
@group(0) @binding(6) var<storage, read> positions : array<u32>;
@group(0) @binding(7) var<storage, read> dOut : array<f32>;
@group(0) @binding(8) var<storage, read_write> dE : array<f32>;

@compute @workgroup_size(256, 1, 1)
fn backward(@builtin(global_invocation_id) gid : vec3<u32>, @builtin(num_workgroups) nwg : vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * 256u;
  if (i >= p.N * p.C) { return; }
  let u = i / p.C;
  let c = i % p.C;
  var acc = 0.0;
  for (var j = offsets[u]; j < offsets[u + 1u]; j++) { acc += dOut[positions[j] * p.C + c]; }
  let at = tokens[u] * p.C + c;
  dE[at] = dE[at] + acc;
}
