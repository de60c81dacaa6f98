// sample — pick the next token per row of logits on the GPU: greedy argmax (TOP_K = 1) or
// temperature + top-k sampling. Ordering is by (value descending, index ascending), so ties pick
// the lower id and every run is deterministic for the same uniform draw.
//
// Bindings (group 0)
//   0  uniform        p      : Params { B rows, V vocab, topK (1 .. 64), temperature (f32 bits) }
//   1  storage read   logits : [B, V] f32
//   2  storage read   u      : [B] f32 uniform draws in [0, 1), one per row (seeded on the CPU)
//   3  storage write  out    : [B] u32 token ids
//
// One workgroup of 256 handles one row: topK rounds of a workgroup argmax, each excluding what the
// previous rounds took (everything ordered before the last pick); then invocation 0 draws from
// softmax(top-k / temperature) with the row's uniform number. Grid (B, 1, 1).

struct Params { B : u32, V : u32, topK : u32, temperature : f32 }

@group(0) @binding(0) var<uniform> p : Params;
@group(0) @binding(1) var<storage, read> logits : array<f32>;
@group(0) @binding(2) var<storage, read> u : array<f32>;
@group(0) @binding(3) var<storage, read_write> out : array<u32>;

const WG : u32 = 256u;
const MAX_K : u32 = 64u;
var<workgroup> bestV : array<f32, WG>;
var<workgroup> bestI : array<u32, WG>;
var<workgroup> topV : array<f32, MAX_K>;
var<workgroup> topI : array<u32, MAX_K>;

/** True if (v1, i1) comes before (v2, i2): larger value first, then smaller index. */
fn before(v1 : f32, i1 : u32, v2 : f32, i2 : u32) -> bool {
  return v1 > v2 || (v1 == v2 && i1 < i2);
}

@compute @workgroup_size(WG, 1, 1)
fn main(@builtin(workgroup_id) wg : vec3<u32>, @builtin(local_invocation_index) li : u32) {
  let row = wg.x;
  let base = row * p.V;
  let k = min(p.topK, MAX_K);
  var lastV = 3.0e38;
  var lastI = 0u;
  var haveLast = false;
  for (var r = 0u; r < k; r++) {
    // Best element strictly after the previous pick in the ordering.
    var v = -3.0e38;
    var idx = 0xffffffffu;
    for (var i = li; i < p.V; i += WG) {
      let x = logits[base + i];
      let allowed = !haveLast || before(lastV, lastI, x, i);
      if (allowed && (idx == 0xffffffffu || before(x, i, v, idx))) { v = x; idx = i; }
    }
    bestV[li] = v;
    bestI[li] = idx;
    workgroupBarrier();
    for (var half = WG / 2u; half > 0u; half /= 2u) {
      if (li < half) {
        let ov = bestV[li + half];
        let oi = bestI[li + half];
        if (oi != 0xffffffffu && (bestI[li] == 0xffffffffu || before(ov, oi, bestV[li], bestI[li]))) {
          bestV[li] = ov;
          bestI[li] = oi;
        }
      }
      workgroupBarrier();
    }
    lastV = bestV[0];
    lastI = bestI[0];
    haveLast = true;
    if (li == 0u) { topV[r] = lastV; topI[r] = lastI; }
    workgroupBarrier();
  }
  if (li != 0u) { return; }
  if (k == 1u || p.temperature <= 0.0) { out[row] = topI[0]; return; }
  var sum = 0.0;
  for (var r = 0u; r < k; r++) { sum += exp((topV[r] - topV[0]) / p.temperature); }
  let goal = u[row] * sum;
  var acc = 0.0;
  var pick = topI[k - 1u];
  for (var r = 0u; r < k; r++) {
    acc += exp((topV[r] - topV[0]) / p.temperature);
    if (acc > goal) { pick = topI[r]; break; }
  }
  out[row] = pick;
}
