// vocab_subgroups — the loss's logsumexp merge of vocab.wgsl (`lse_update`, `lse_online`) with the
// lanes' (m, s) pairs merged by subgroup operations. Needs the `subgroups` feature: a separate file,
// because `enable subgroups;` fails to compile on devices without it.
//
// Bindings (group 0), as in vocab.wgsl:
//   0  uniform        p       : Params { N rows, Vs columns of this shard, begin, V }
//   1  storage read   logits  : [N, Vs] f32
//   2  storage read   targets : [N] u32, local to this shard (>= Vs: another shard's)
//   3  storage rw     state   : [N, 2] f32, (m, s) with Σ exp(logit) = s · exp(m)
//   4  storage rw     picked  : [N] f32
//
// Entry `lse_update`: one workgroup of 64 per row, grid folded 2-D over N. Each lane keeps (m, s)
//   online over its columns; a subgroup merges its lanes' pairs with subgroupMax and subgroupAdd
//   (s · exp(m − M) summed). The subgroup size and which lanes share a subgroup are not known to the
//   shader, so each subgroup's first lane leaves its pair in workgroup memory (the others the empty
//   pair) and, after one barrier, lane 0 merges the 64 slots: correct for any subgroup layout.

enable subgroups;

struct Params { N : u32, Vs : u32, begin : u32, V : u32 }

@group(0) @binding(0) var<uniform> p : Params;
@group(0) @binding(1) var<storage, read> logits : array<f32>;
@group(0) @binding(2) var<storage, read> targets : array<u32>;
@group(0) @binding(3) var<storage, read_write> state : array<f32>;
@group(0) @binding(4) var<storage, read_write> picked : array<f32>;

const WG : u32 = 64u;
var<workgroup> slotM : array<f32, WG>;
var<workgroup> slotS : array<f32, WG>;

@compute @workgroup_size(WG, 1, 1)
fn lse_update(@builtin(workgroup_id) wg : vec3<u32>, @builtin(num_workgroups) nwg : vec3<u32>,
              @builtin(local_invocation_index) li : u32, @builtin(subgroup_invocation_id) lane : u32) {
  let row = wg.x + wg.y * nwg.x;
  let live = row < p.N;
  let base = row * p.Vs;
  var m = -3.0e38;
  var s = 0.0;
  if (live) {
    for (var v = li; v < p.Vs; v += WG) {
      let logit = logits[base + v];
      if (logit > m) { s = s * exp(m - logit) + 1.0; m = logit; } else { s += exp(logit - m); }
    }
  }
  let groupM = subgroupMax(m);
  let groupS = subgroupAdd(s * exp(m - groupM));
  slotM[li] = select(-3.0e38, groupM, lane == 0u);
  slotS[li] = select(0.0, groupS, lane == 0u);
  workgroupBarrier();
  if (!live || li != 0u) { return; }
  var M = -3.0e38;
  for (var i = 0u; i < WG; i++) { M = max(M, slotM[i]); }
  var S = 0.0;
  for (var i = 0u; i < WG; i++) { S += slotS[i] * exp(slotM[i] - M); }
  let m0 = state[2u * row];
  let mNew = max(m0, M);
  state[2u * row + 1u] = state[2u * row + 1u] * exp(m0 - mNew) + S * exp(M - mNew);
  state[2u * row] = mNew;
  let t = targets[row];
  if (t < p.Vs) { picked[row] = logits[base + t]; }
}
