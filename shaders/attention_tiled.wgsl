// attention_tiled — the forward of attention.wgsl's `main` (causal GQA attention against a KV cache)
// in the flash-attention style: the queries of one workgroup share tiles of K and V staged in
// workgroup memory, so each key row is read from global memory once per workgroup, not once per query.
//
// Bindings (group 0), as attention.wgsl's `main`
//   0  uniform        p      : Params { B, Tq, Tmax, H, Hkv, D, scale (f32 bits) }
//   1  storage read   seq    : [B, 2] u32 per sequence { past, qLen }
//   2  storage read   q      : [B, Tq, H, D] f32
//   3  storage read   kCache : [B, Tmax, Hkv, D] f32
//   4  storage read   vCache : [B, Tmax, Hkv, D] f32
//   5  storage write  out    : [B, Tq, H, D] f32; rows t >= qLen (padding) are written as 0
//
// Entry `main`: workgroup (tile, kv head kh, b) of 64 invocations. The G = H / Hkv query heads that
//   read kv head kh share its keys (GQA), so the workgroup's rows are 64 consecutive (t, g) pairs,
//   row i = t * G + g for i in tile*64 .. tile*64 + 63 (query head h = kh * G + g): one invocation per
//   row, its D-vector accumulator in registers (D <= 256). Keys 0 .. past + tLast (the workgroup's
//   last real query) are walked in tiles of BK = min(32, 2048 / D) rows: the 64 invocations copy the
//   tile's K and V rows (BK x D each, at most 2048 f32 = 8 KiB each: 16 KiB, WebGPU's minimum
//   maxComputeWorkgroupStorageSize) into workgroup memory, then each row scores the tile's keys it may
//   see (key j <= past + t), takes the tile's max, rescales its running sum and accumulator once
//   (online softmax), and adds the tile's weighted values. Loop bounds depend only on the workgroup
//   and seq, so every invocation reaches every barrier; rows past the tile's end or padding just idle.
//   Grid (ceil(Tq * G / 64), Hkv, B).

struct Params {
  B : u32, Tq : u32, Tmax : u32, H : u32,
  Hkv : u32, D : u32, scale : f32, _pad : u32,
}

const MAX_D : u32 = 256u;
const TILE_FLOATS : u32 = 2048u;
const MAX_BK : u32 = 32u;
const ROWS : u32 = 64u;

@group(0) @binding(0) var<uniform> p : Params;
@group(0) @binding(1) var<storage, read> seq : array<u32>;
@group(0) @binding(2) var<storage, read> q : array<f32>;
@group(0) @binding(3) var<storage, read> kCache : array<f32>;
@group(0) @binding(4) var<storage, read> vCache : array<f32>;
@group(0) @binding(5) var<storage, read_write> out : array<f32>;

var<workgroup> kTile : array<f32, TILE_FLOATS>;
var<workgroup> vTile : array<f32, TILE_FLOATS>;

@compute @workgroup_size(64, 1, 1)
fn main(@builtin(workgroup_id) wg : vec3<u32>, @builtin(local_invocation_index) li : u32) {
  let b = wg.z;
  let kh = wg.y;
  let G = p.H / p.Hkv;
  let past = seq[2u * b];
  let qLen = seq[2u * b + 1u];
  let row = wg.x * ROWS + li;
  let t = row / G;
  let h = kh * G + row % G;
  let inRange = row < p.Tq * G;
  let real = inRange && t < qLen;
  let qBase = ((b * p.Tq + t) * p.H + h) * p.D;
  let last = past + t;
  let bk = min(MAX_BK, TILE_FLOATS / p.D);

  var acc : array<f32, MAX_D>;
  var s : array<f32, MAX_BK>;
  var m = -3.0e38;
  var l = 0.0;
  // Keys 0 .. past + tLast for the workgroup's last real query tLast; none when all its rows are
  // padding. Uniform (workgroup id and seq only), so the barriers below are reached by all.
  let tFirst = wg.x * ROWS / G;
  let tLast = min((wg.x * ROWS + ROWS - 1u) / G, qLen - 1u);
  let nKeys = select(0u, past + tLast + 1u, tFirst < qLen);
  for (var j0 = 0u; j0 < nKeys; j0 += bk) {
    let n = min(bk, nKeys - j0);
    for (var i = li; i < n * p.D; i += ROWS) {
      let src = ((b * p.Tmax + j0 + i / p.D) * p.Hkv + kh) * p.D + i % p.D;
      kTile[i] = kCache[src];
      vTile[i] = vCache[src];
    }
    workgroupBarrier();
    if (real && j0 <= last) {
      let seen = min(n, last + 1u - j0); // keys j0 .. j0 + seen - 1 are causal for this row
      var tileMax = m;
      for (var j = 0u; j < seen; j++) {
        var dot = 0.0;
        for (var d = 0u; d < p.D; d++) { dot += q[qBase + d] * kTile[j * p.D + d]; }
        s[j] = dot * p.scale;
        tileMax = max(tileMax, s[j]);
      }
      let corr = exp(m - tileMax);
      l *= corr;
      for (var d = 0u; d < p.D; d++) { acc[d] *= corr; }
      for (var j = 0u; j < seen; j++) {
        let e = exp(s[j] - tileMax);
        l += e;
        for (var d = 0u; d < p.D; d++) { acc[d] += e * vTile[j * p.D + d]; }
      }
      m = tileMax;
    }
    workgroupBarrier();
  }
  if (inRange) {
    for (var d = 0u; d < p.D; d++) { out[qBase + d] = select(0.0, acc[d] / l, real); }
  }
}
