// attention — causal self-attention with grouped-query heads against a KV cache, for prefill
// (Tq = T new tokens) and decoding (Tq = 1) alike.
//
// Bindings (group 0), entry `store_kv`: copy new keys/values into the cache at each sequence's offset
//   0  uniform        p     : Params { B, Tq, Tmax, H, Hkv, D, scale (f32 bits) }
//   1  storage read   seq   : [B, 2] u32 per sequence { past = tokens already cached, qLen = real new tokens }
//   2  storage read   kNew  : [B, Tq, Hkv, D] f32
//   3  storage read   vNew  : [B, Tq, Hkv, D] f32
//   4  storage write  kCacheOut : [B, Tmax, Hkv, D] f32, rows past .. past + qLen - 1 written
//   5  storage write  vCacheOut : [B, Tmax, Hkv, D] f32
//   One invocation copies one element of k and of v. Workgroup 256; grid folded 2-D over B*Tq*Hkv*D.
//
// Bindings (group 0), entry `main`: out = softmax(q kᵀ * scale, causal) v
//   0  uniform        p     : as above
//   1  storage read   seq   : as above
//   2  storage read   q     : [B, Tq, H, D] f32 (rope applied)
//   3  storage read   kCache : [B, Tmax, Hkv, D] f32
//   4  storage read   vCache : [B, Tmax, Hkv, D] f32
//   5  storage write  out   : [B, Tq, H, D] f32; rows t >= qLen (padding) are written as 0
//   One invocation computes one query row (b, t, h) with an online softmax over keys
//   0 .. past + t of kv head h / (H / Hkv), keeping the D-vector accumulator in registers (D <= 256).
//   Workgroup 64; grid folded 2-D over ceil(B*Tq*H / 64).
//
// Backward (recomputing probabilities p = exp(s − lse) instead of storing [B, H, Tq, Tk]), with
// delta = Σ_d dO·O per query row: dq = scale·Σ_j p_j (dO·v_j − delta) k_j,
// dv_j = Σ_{h,t} p dO_t, dk_j = scale·Σ_{h,t} p (dO_t·v_j − delta_t) q_t (sums over the group's heads).
// All three read p, seq, q, kCache, vCache as `main` does, and
//   6  storage read   dOut    : [B, Tq, H, D] f32
//   7  storage read   outIn   : [B, Tq, H, D] f32, the forward output (entry backward_stats)
//   8  storage write  stats   : [B, Tq, H, 2] f32, (lse, delta) per query row (entry backward_stats)
//   9  storage read   statsIn : [B, Tq, H, 2] f32 (entries backward_dq, backward_dkv)
//  10  storage write  dq      : [B, Tq, H, D] f32 (entry backward_dq), 0 on padding rows
//  11  storage write  dk      : [B, Tmax, Hkv, D] f32 (entry backward_dkv), 0 past the sequence
//  12  storage write  dv      : [B, Tmax, Hkv, D] f32 (entry backward_dkv)
// backward_stats and backward_dq: one invocation per query row, workgroup 64, grid as `main`.
// backward_dkv: one invocation per key row (b, j, kv head), workgroup 64, grid folded over B*Tmax*Hkv.

struct Params {
  B : u32, Tq : u32, Tmax : u32, H : u32,
  Hkv : u32, D : u32, scale : f32, _pad : u32,
}

const MAX_D : u32 = 256u;

@group(0) @binding(0) var<uniform> p : Params;
@group(0) @binding(1) var<storage, read> seq : array<u32>;

@group(0) @binding(2) var<storage, read> kNew : array<f32>;
@group(0) @binding(3) var<storage, read> vNew : array<f32>;
@group(0) @binding(4) var<storage, read_write> kCacheOut : array<f32>;
@group(0) @binding(5) var<storage, read_write> vCacheOut : array<f32>;

@compute @workgroup_size(256, 1, 1)
fn store_kv(@builtin(global_invocation_id) gid : vec3<u32>, @builtin(num_workgroups) nwg : vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * 256u;
  let rowLen = p.Hkv * p.D;
  if (i >= p.B * p.Tq * rowLen) { return; }
  let b = i / (p.Tq * rowLen);
  let t = (i / rowLen) % p.Tq;
  if (t >= seq[2u * b + 1u]) { return; } // padding is never cached
  let dst = (b * p.Tmax + seq[2u * b] + t) * rowLen + i % rowLen;
  kCacheOut[dst] = kNew[i];
  vCacheOut[dst] = vNew[i];
}

@group(0) @binding(2) var<storage, read> q : array<f32>;
@group(0) @binding(3) var<storage, read> kCache : array<f32>;
@group(0) @binding(4) var<storage, read> vCache : array<f32>;
@group(0) @binding(5) var<storage, read_write> out : array<f32>;

@compute @workgroup_size(64, 1, 1)
fn main(@builtin(global_invocation_id) gid : vec3<u32>, @builtin(num_workgroups) nwg : vec3<u32>) {
  let r = gid.x + gid.y * nwg.x * 64u; // (b, t, h)
  if (r >= p.B * p.Tq * p.H) { return; }
  let h = r % p.H;
  let t = (r / p.H) % p.Tq;
  let b = r / (p.H * p.Tq);
  let qBase = r * p.D;
  if (t >= seq[2u * b + 1u]) {
    for (var d = 0u; d < p.D; d++) { out[qBase + d] = 0.0; }
    return;
  }
  let kh = h / (p.H / p.Hkv);
  let last = seq[2u * b] + t;
  var acc : array<f32, MAX_D>;
  var m = -3.0e38;
  var l = 0.0;
  for (var j = 0u; j <= last; j++) {
    let kBase = ((b * p.Tmax + j) * p.Hkv + kh) * p.D;
    var s = 0.0;
    for (var d = 0u; d < p.D; d++) { s += q[qBase + d] * kCache[kBase + d]; }
    s *= p.scale;
    // Online softmax: rescale what we have when a larger score arrives.
    let mNew = max(m, s);
    let corr = exp(m - mNew);
    let e = exp(s - mNew);
    l = l * corr + e;
    for (var d = 0u; d < p.D; d++) { acc[d] = acc[d] * corr + e * vCache[kBase + d]; }
    m = mNew;
  }
  for (var d = 0u; d < p.D; d++) { out[qBase + d] = acc[d] / l; }
}

@group(0) @binding(6) var<storage, read> dOut : array<f32>;
@group(0) @binding(7) var<storage, read> outIn : array<f32>;
@group(0) @binding(8) var<storage, read_write> stats : array<f32>;
@group(0) @binding(9) var<storage, read> statsIn : array<f32>;
@group(0) @binding(10) var<storage, read_write> dq : array<f32>;
@group(0) @binding(11) var<storage, read_write> dk : array<f32>;
@group(0) @binding(12) var<storage, read_write> dv : array<f32>;

fn score(qBase : u32, kBase : u32) -> f32 {
  var s = 0.0;
  for (var d = 0u; d < p.D; d++) { s += q[qBase + d] * kCache[kBase + d]; }
  return s * p.scale;
}

@compute @workgroup_size(64, 1, 1)
fn backward_stats(@builtin(global_invocation_id) gid : vec3<u32>, @builtin(num_workgroups) nwg : vec3<u32>) {
  let r = gid.x + gid.y * nwg.x * 64u; // (b, t, h)
  if (r >= p.B * p.Tq * p.H) { return; }
  let h = r % p.H;
  let t = (r / p.H) % p.Tq;
  let b = r / (p.H * p.Tq);
  let qBase = r * p.D;
  if (t >= seq[2u * b + 1u]) { stats[2u * r] = 0.0; stats[2u * r + 1u] = 0.0; return; }
  let kh = h / (p.H / p.Hkv);
  var m = -3.0e38;
  var l = 0.0;
  for (var j = 0u; j <= seq[2u * b] + t; j++) {
    let s = score(qBase, ((b * p.Tmax + j) * p.Hkv + kh) * p.D);
    let mNew = max(m, s);
    l = l * exp(m - mNew) + exp(s - mNew);
    m = mNew;
  }
  var delta = 0.0;
  for (var d = 0u; d < p.D; d++) { delta += dOut[qBase + d] * outIn[qBase + d]; }
  stats[2u * r] = m + log(l);
  stats[2u * r + 1u] = delta;
}

@compute @workgroup_size(64, 1, 1)
fn backward_dq(@builtin(global_invocation_id) gid : vec3<u32>, @builtin(num_workgroups) nwg : vec3<u32>) {
  let r = gid.x + gid.y * nwg.x * 64u;
  if (r >= p.B * p.Tq * p.H) { return; }
  let h = r % p.H;
  let t = (r / p.H) % p.Tq;
  let b = r / (p.H * p.Tq);
  let qBase = r * p.D;
  if (t >= seq[2u * b + 1u]) {
    for (var d = 0u; d < p.D; d++) { dq[qBase + d] = 0.0; }
    return;
  }
  let kh = h / (p.H / p.Hkv);
  let lse = statsIn[2u * r];
  let delta = statsIn[2u * r + 1u];
  var acc : array<f32, MAX_D>;
  for (var j = 0u; j <= seq[2u * b] + t; j++) {
    let kBase = ((b * p.Tmax + j) * p.Hkv + kh) * p.D;
    let pj = exp(score(qBase, kBase) - lse);
    var dov = 0.0;
    for (var d = 0u; d < p.D; d++) { dov += dOut[qBase + d] * vCache[kBase + d]; }
    let ds = pj * (dov - delta) * p.scale;
    for (var d = 0u; d < p.D; d++) { acc[d] += ds * kCache[kBase + d]; }
  }
  for (var d = 0u; d < p.D; d++) { dq[qBase + d] = acc[d]; }
}

@compute @workgroup_size(64, 1, 1)
fn backward_dkv(@builtin(global_invocation_id) gid : vec3<u32>, @builtin(num_workgroups) nwg : vec3<u32>) {
  let r = gid.x + gid.y * nwg.x * 64u; // (b, j, kh)
  if (r >= p.B * p.Tmax * p.Hkv) { return; }
  let kh = r % p.Hkv;
  let j = (r / p.Hkv) % p.Tmax;
  let b = r / (p.Hkv * p.Tmax);
  let kBase = r * p.D;
  let past = seq[2u * b];
  let qLen = seq[2u * b + 1u];
  let group = p.H / p.Hkv;
  var accK : array<f32, MAX_D>;
  var accV : array<f32, MAX_D>;
  // Query t (at position past + t) sees key j when j <= past + t.
  let tFirst = select(0u, j - past, j > past);
  for (var t = tFirst; t < qLen; t++) {
    for (var g = 0u; g < group; g++) {
      let h = kh * group + g;
      let row = (b * p.Tq + t) * p.H + h;
      let qBase = row * p.D;
      let pj = exp(score(qBase, kBase) - statsIn[2u * row]);
      var dov = 0.0;
      for (var d = 0u; d < p.D; d++) { dov += dOut[qBase + d] * vCache[kBase + d]; }
      let ds = pj * (dov - statsIn[2u * row + 1u]) * p.scale;
      for (var d = 0u; d < p.D; d++) {
        accV[d] += pj * dOut[qBase + d];
        accK[d] += ds * q[qBase + d];
      }
    }
  }
  for (var d = 0u; d < p.D; d++) {
    dk[kBase + d] = accK[d];
    dv[kBase + d] = accV[d];
  }
}
