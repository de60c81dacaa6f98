// rope — rotary position embedding, Hugging Face rotate-half convention: in each head of D dims the
// pair (i, i + D/2) is rotated by angle positions[n] * invFreq[i]. The cos/sin tables are computed
// on the CPU in float64 (any scaling, plain or llama3, is in them): GPU sin/cos of large angles are
// only accurate to ~1e-4 on some adapters.
//
// Bindings (group 0)
//   0  uniform        p         : Params { N tokens, heads, D, P table rows }
//   1  storage read   x         : [N, heads, D] f32
//   2  storage read   positions : [N] u32, each < P
//   3  storage read   cosT      : [P, D / 2] f32, cos(pos * invFreq[i])
//   4  storage read   sinT      : [P, D / 2] f32
//   5  storage write  out       : [N, heads, D] f32
//
// One invocation rotates one pair. Workgroup 256; grid folded 2-D over ceil(N*heads*D/2 / 256).
// INVERSE rotates by the negative angle: the backward (dx from dy), as the rotation is orthogonal.

struct Params { N : u32, heads : u32, D : u32, P : u32 }

override INVERSE : bool = false;

@group(0) @binding(0) var<uniform> p : Params;
@group(0) @binding(1) var<storage, read> x : array<f32>;
@group(0) @binding(2) var<storage, read> positions : array<u32>;
@group(0) @binding(3) var<storage, read> cosT : array<f32>;
@group(0) @binding(4) var<storage, read> sinT : array<f32>;
@group(0) @binding(5) var<storage, read_write> out : array<f32>;

@compute @workgroup_size(256, 1, 1)
fn main(@builtin(global_invocation_id) gid : vec3<u32>, @builtin(num_workgroups) nwg : vec3<u32>) {
  let half = p.D / 2u;
  let i = gid.x + gid.y * nwg.x * 256u;
  if (i >= p.N * p.heads * half) { return; }
  let pair = i % half;
  let row = i / half; // (n, head)
  let n = row / p.heads;
  let base = row * p.D;
  let t = min(positions[n], p.P - 1u) * half + pair;
  let c = cosT[t];
  let s = select(sinT[t], -sinT[t], INVERSE);
  let x1 = x[base + pair];
  let x2 = x[base + pair + half];
  out[base + pair] = x1 * c - x2 * s;
  out[base + pair + half] = x2 * c + x1 * s;
}
