// vocab — the LM head over a vocabulary kept in shards of rows (ARCHITECTURE decision 44): one
// shard's logits [N, Vs] at a time are merged into what needs all V columns, so the loss never holds
// [N, V]. Targets come local to the shard: id − its first row, and an id >= Vs lies in another shard.
//
// Bindings (group 0); an entry point binds only what it uses:
//   0  uniform        p          : Params { N rows, Vs columns of this shard, begin its first vocabulary id, V }
//   1  storage read   logits     : [N, Vs] f32, this shard's logits
//   2  storage read   targets    : [N] u32, local to this shard
//   3  storage rw     state      : [N, 2] f32, (m, s) with Σ_{v seen so far} exp(logit_v) = s · exp(m);
//                                  starts at (−3e38, 0)
//   4  storage rw     picked     : [N] f32, the target's logit (written by the shard that holds it)
//   5  storage write  ce         : [N] f32
//   6  storage read   gradWeight : [N] f32
//   7  storage write  dlogits    : [N, Vs] f32
//   8  storage rw     dst        : [N, V] f32
//
// Entry `place`: dst[n, begin + j] = logits[n, j] (decoding needs whole rows to sample from).
//   One invocation per element of the shard; workgroup 256, grid folded 2-D over ceil(N*Vs / 256).
// Entry `lse_update`: merges the shard's max and Σ exp into state (online logsumexp:
//   m' = max(m, m_s), s' = s·exp(m − m') + s_s·exp(m_s − m')) and picks the target's logit if it is
//   here. One workgroup of 64 per row, tree reductions in workgroup memory; grid folded 2-D over N.
//   Reads the shard's row twice (max, then Σ exp).
// Entry `lse_online`: the same merge from one read of the row: each lane keeps its own (m, s) online
//   (a larger logit rescales s by exp(m − m')), then the 64 pairs are tree-merged. Same grid.
//   (shaders/vocab_subgroups.wgsl merges the lanes' pairs with subgroup operations instead.)
// Entry `ce_finish`: ce[n] = m + log(s) − picked[n] once every shard has been merged. One
//   invocation per row; workgroup 256, grid folded 2-D.
// Entry `ce_grad`: dlogits[n, j] = gradWeight[n] · (exp(logits[n, j] − lse[n]) − [j = target[n]]),
//   lse = m + log(s) of the merged state. One invocation per element, as `place`.

struct Params { N : u32, Vs : u32, begin : u32, V : u32 }

@group(0) @binding(0) var<uniform> p : Params;
@group(0) @binding(1) var<storage, read> logits : array<f32>;
@group(0) @binding(2) var<storage, read> targets : array<u32>;
@group(0) @binding(3) var<storage, read_write> state : array<f32>;
@group(0) @binding(4) var<storage, read_write> picked : array<f32>;
@group(0) @binding(5) var<storage, read_write> ce : array<f32>;
@group(0) @binding(6) var<storage, read> gradWeight : array<f32>;
@group(0) @binding(7) var<storage, read_write> dlogits : array<f32>;
@group(0) @binding(8) var<storage, read_write> dst : array<f32>;

@compute @workgroup_size(256, 1, 1)
fn place(@builtin(global_invocation_id) gid : vec3<u32>, @builtin(num_workgroups) nwg : vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * 256u;
  if (i >= p.N * p.Vs) { return; }
  dst[(i / p.Vs) * p.V + p.begin + i % p.Vs] = logits[i];
}

const WG : u32 = 64u;
var<workgroup> red : array<f32, WG>;

@compute @workgroup_size(WG, 1, 1)
fn lse_update(@builtin(workgroup_id) wg : vec3<u32>, @builtin(num_workgroups) nwg : vec3<u32>,
              @builtin(local_invocation_index) li : u32) {
  let row = wg.x + wg.y * nwg.x;
  let live = row < p.N;
  let base = row * p.Vs;
  var mx = -3.0e38;
  if (live) { for (var v = li; v < p.Vs; v += WG) { mx = max(mx, logits[base + v]); } }
  red[li] = mx;
  workgroupBarrier();
  for (var half = WG / 2u; half > 0u; half /= 2u) {
    if (li < half) { red[li] = max(red[li], red[li + half]); }
    workgroupBarrier();
  }
  let shardMax = red[0];
  workgroupBarrier();
  var sum = 0.0;
  if (live) { for (var v = li; v < p.Vs; v += WG) { sum += exp(logits[base + v] - shardMax); } }
  red[li] = sum;
  workgroupBarrier();
  for (var half = WG / 2u; half > 0u; half /= 2u) {
    if (li < half) { red[li] += red[li + half]; }
    workgroupBarrier();
  }
  if (!live || li != 0u) { return; }
  let m0 = state[2u * row];
  let m = max(m0, shardMax);
  state[2u * row + 1u] = state[2u * row + 1u] * exp(m0 - m) + red[0] * exp(shardMax - m);
  state[2u * row] = m;
  let t = targets[row];
  if (t < p.Vs) { picked[row] = logits[base + t]; }
}

var<workgroup> redS : array<f32, WG>;

/** (m, s) of a lane after one more logit. */
fn online_step(m : f32, s : f32, logit : f32) -> vec2<f32> {
  if (logit > m) { return vec2<f32>(logit, s * exp(m - logit) + 1.0); }
  return vec2<f32>(m, s + exp(logit - m));
}

@compute @workgroup_size(WG, 1, 1)
fn lse_online(@builtin(workgroup_id) wg : vec3<u32>, @builtin(num_workgroups) nwg : vec3<u32>,
              @builtin(local_invocation_index) li : u32) {
  let row = wg.x + wg.y * nwg.x;
  let live = row < p.N;
  let base = row * p.Vs;
  var ms = vec2<f32>(-3.0e38, 0.0);
  if (live) { for (var v = li; v < p.Vs; v += WG) { ms = online_step(ms.x, ms.y, logits[base + v]); } }
  red[li] = ms.x;
  redS[li] = ms.y;
  workgroupBarrier();
  for (var half = WG / 2u; half > 0u; half /= 2u) {
    if (li < half) {
      let m = max(red[li], red[li + half]);
      redS[li] = redS[li] * exp(red[li] - m) + redS[li + half] * exp(red[li + half] - m);
      red[li] = m;
    }
    workgroupBarrier();
  }
  if (!live || li != 0u) { return; }
  let m0 = state[2u * row];
  let m = max(m0, red[0]);
  state[2u * row + 1u] = state[2u * row + 1u] * exp(m0 - m) + redS[0] * exp(red[0] - m);
  state[2u * row] = m;
  let t = targets[row];
  if (t < p.Vs) { picked[row] = logits[base + t]; }
}

@compute @workgroup_size(256, 1, 1)
fn ce_finish(@builtin(global_invocation_id) gid : vec3<u32>, @builtin(num_workgroups) nwg : vec3<u32>) {
  let n = gid.x + gid.y * nwg.x * 256u;
  if (n >= p.N) { return; }
  ce[n] = state[2u * n] + log(state[2u * n + 1u]) - picked[n];
}

@compute @workgroup_size(256, 1, 1)
fn ce_grad(@builtin(global_invocation_id) gid : vec3<u32>, @builtin(num_workgroups) nwg : vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * 256u;
  if (i >= p.N * p.Vs) { return; }
  let n = i / p.Vs;
  let lse = state[2u * n] + log(state[2u * n + 1u]);
  dlogits[i] = gradWeight[n] * (exp(logits[i] - lse) - select(0.0, 1.0, i % p.Vs == targets[n]));
}
