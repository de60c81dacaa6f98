// copy — dst = src over n4 vec4<f32> (16 bytes each): the kernel that measures the adapter's
// practical memory bandwidth (src/kernels/bandwidth.ts). Every byte is read once and written once,
// in 16-byte accesses, so its speed is the ceiling a memory-bound kernel (decode's GEMV) can reach.
//
// Bindings (group 0)
//   0  uniform        p   : Params { n4 }  (vec4 count; the buffers hold at least n4 vec4s)
//   1  storage read   src : [n4] vec4<f32>
//   2  storage write  dst : [n4] vec4<f32>
//
// Grid-stride: workgroup 256, grid (G, 1, 1) with G <= maxComputeWorkgroupsPerDimension chosen by the
// caller; invocation i copies vec4s i, i + S, i + 2S, ... with S = G * 256 (so neighbouring lanes
// touch neighbouring 16-byte words on every iteration: coalesced on GPUs, sequential on CPUs).

struct Params { n4 : u32, _pad0 : u32, _pad1 : u32, _pad2 : u32 }

@group(0) @binding(0) var<uniform> p : Params;
@group(0) @binding(1) var<storage, read> src : array<vec4<f32>>;
@group(0) @binding(2) var<storage, read_write> dst : array<vec4<f32>>;

@compute @workgroup_size(256, 1, 1)
fn main(@builtin(global_invocation_id) gid : vec3<u32>, @builtin(num_workgroups) nwg : vec3<u32>) {
  let stride = nwg.x * 256u;
  for (var i = gid.x; i < p.n4; i += stride) {
    dst[i] = src[i];
  }
}
