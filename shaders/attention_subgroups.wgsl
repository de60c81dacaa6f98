// attention_subgroups — the forward of attention.wgsl's `main` for decoding (a few query rows, many
// keys): the 64 invocations of a workgroup split the keys of one query row and reduce the softmax's
// max and sum with `subgroupMax` / `subgroupAdd`, then split the head dimension to accumulate the
// weighted values (consecutive invocations read consecutive values of a V row). Needs the
// `subgroups` feature: a separate file, because `enable subgroups;` fails to compile without it.
//
// Bindings (group 0), as attention.wgsl's `main`
//   0  uniform        p      : Params { B, Tq, Tmax, H, Hkv, D, scale (f32 bits) }
//   1  storage read   seq    : [B, 2] u32 per sequence { past, qLen }
//   2  storage read   q      : [B, Tq, H, D] f32
//   3  storage read   kCache : [B, Tmax, Hkv, D] f32
//   4  storage read   vCache : [B, Tmax, Hkv, D] f32
//   5  storage write  out    : [B, Tq, H, D] f32; rows t >= qLen (padding) are written as 0
//
// Entry `main`: workgroup (h, t, b) of 64 invocations computes query row (b, t, h) over keys
//   0 .. past + t of kv head h / (H / Hkv), in chunks of 512 keys (an online softmax across chunks):
//   1. invocation i scores keys i, i + 64, ... of the chunk (8 at most), keeping its max m_i and
//      sum l_i = Σ exp(s - m_i); each subgroup reduces them to (M, Σ l_i·exp(m_i − M)) with
//      subgroupMax and subgroupAdd. The subgroup size (4 to 128) and which invocations share a
//      subgroup are not known, so the subgroup's elected invocation leaves its pair in slot i of
//      workgroup memory (the other slots hold (-3e38, 0)) and, after a barrier, every invocation
//      combines the 64 slots into the chunk's max and sum.
//   2. the chunk's probabilities exp(s − max) go to workgroup memory; after a barrier, invocation i
//      rescales and adds Σ_j p_j v_j[d] for d = i, i + 64, ... (D <= 256: 4 values in registers).
//   Grid (H, Tq, B).

enable subgroups;

struct Params {
  B : u32, Tq : u32, Tmax : u32, H : u32,
  Hkv : u32, D : u32, scale : f32, _pad : u32,
}

const WG : u32 = 64u;
const KEYS_PER_INVOCATION : u32 = 8u;
const CHUNK : u32 = 512u; // WG * KEYS_PER_INVOCATION
const D_PER_INVOCATION : u32 = 4u; // 256 / WG

@group(0) @binding(0) var<uniform> p : Params;
@group(0) @binding(1) var<storage, read> seq : array<u32>;
@group(0) @binding(2) var<storage, read> q : array<f32>;
@group(0) @binding(3) var<storage, read> kCache : array<f32>;
@group(0) @binding(4) var<storage, read> vCache : array<f32>;
@group(0) @binding(5) var<storage, read_write> out : array<f32>;

var<workgroup> probs : array<f32, CHUNK>;
var<workgroup> slotMax : array<f32, WG>;
var<workgroup> slotSum : array<f32, WG>;

@compute @workgroup_size(64, 1, 1)
fn main(@builtin(workgroup_id) wg : vec3<u32>, @builtin(local_invocation_index) li : u32) {
  let h = wg.x;
  let t = wg.y;
  let b = wg.z;
  let qBase = ((b * p.Tq + t) * p.H + h) * p.D;
  if (t >= seq[2u * b + 1u]) { // padding: the whole workgroup leaves together
    for (var d = li; d < p.D; d += WG) { out[qBase + d] = 0.0; }
    return;
  }
  let kh = h / (p.H / p.Hkv);
  let nKeys = seq[2u * b] + t + 1u;
  var acc : array<f32, D_PER_INVOCATION>;
  var m = -3.0e38;
  var l = 0.0;
  for (var j0 = 0u; j0 < nKeys; j0 += CHUNK) {
    let n = min(CHUNK, nKeys - j0);
    var s : array<f32, KEYS_PER_INVOCATION>;
    var mi = -3.0e38;
    for (var k = 0u; k < KEYS_PER_INVOCATION; k++) {
      let j = li + k * WG;
      if (j < n) {
        let kBase = ((b * p.Tmax + j0 + j) * p.Hkv + kh) * p.D;
        var dot = 0.0;
        for (var d = 0u; d < p.D; d++) { dot += q[qBase + d] * kCache[kBase + d]; }
        s[k] = dot * p.scale;
        mi = max(mi, s[k]);
      }
    }
    var lsum = 0.0;
    for (var k = 0u; li + k * WG < n; k++) { lsum += exp(s[k] - mi); }
    let sgMax = subgroupMax(mi);
    let sgSum = subgroupAdd(lsum * exp(mi - sgMax));
    let lead = subgroupElect();
    slotMax[li] = select(-3.0e38, sgMax, lead);
    slotSum[li] = select(0.0, sgSum, lead);
    workgroupBarrier();
    var cMax = -3.0e38;
    for (var i = 0u; i < WG; i++) { cMax = max(cMax, slotMax[i]); }
    var cSum = 0.0;
    for (var i = 0u; i < WG; i++) { cSum += slotSum[i] * exp(slotMax[i] - cMax); }
    let mNew = max(m, cMax);
    let corr = exp(m - mNew);
    l = l * corr + cSum * exp(cMax - mNew);
    for (var k = 0u; li + k * WG < n; k++) { probs[li + k * WG] = exp(s[k] - mNew); }
    workgroupBarrier();
    for (var i = 0u; i < D_PER_INVOCATION; i++) {
      let d = li + i * WG;
      if (d < p.D) {
        var a = acc[i] * corr;
        for (var j = 0u; j < n; j++) { a += probs[j] * vCache[((b * p.Tmax + j0 + j) * p.Hkv + kh) * p.D + d]; }
        acc[i] = a;
      }
    }
    m = mNew;
    workgroupBarrier(); // probs and the slots are rewritten by the next chunk
  }
  for (var i = 0u; i < D_PER_INVOCATION; i++) {
    let d = li + i * WG;
    if (d < p.D) { out[qBase + d] = acc[i] / l; }
  }
}
