// loss — softmax cross-entropy per token with its gradient, in one pass over the logits.
// ce[n] = logsumexp(logits[n, :]) − logits[n, targets[n]];
// dlogits[n, v] = gradWeight[n] · (softmax(logits[n, :])[v] − [v = targets[n]]).
// gradWeight carries the loss mask and the normalisation of each loss term (e.g. 1/Σw_ntp for NTP
// tokens, λ/Σw_map for mapping-target tokens, 0 on padding), so Σ_n gradWeight[n]·ce[n] is the loss.
//
// Bindings (group 0)
//   0  uniform        p          : Params { N tokens, V vocab }
//   1  storage read   logits     : [N, V] f32
//   2  storage read   targets    : [N] u32
//   3  storage read   gradWeight : [N] f32
//   4  storage write  dlogits    : [N, V] f32
//   5  storage write  ce         : [N] f32, unweighted cross-entropy of each token
//
// One workgroup of 64 handles one row: a max and a sum of exponentials by tree reductions over
// workgroup memory, then every invocation writes its strided slice of the gradient.
// Grid folded 2-D over N workgroups: row = wg.x + wg.y * num_workgroups.x.
//
// token_nll — the same ce[n] without the gradient, for evaluation (perplexity): no [N, V] output,
// so only N numbers need reading back. Its bindings (an entry point's interface is what it uses):
//   0, 1, 2 as above (p, logits, targets), and
//   3  storage write  nll        : [N] f32, cross-entropy of each token

struct Params { N : u32, V : u32, _pad0 : u32, _pad1 : u32 }

@group(0) @binding(0) var<uniform> p : Params;
@group(0) @binding(1) var<storage, read> logits : array<f32>;
@group(0) @binding(2) var<storage, read> targets : array<u32>;
@group(0) @binding(3) var<storage, read> gradWeight : array<f32>;
@group(0) @binding(4) var<storage, read_write> dlogits : array<f32>;
@group(0) @binding(5) var<storage, read_write> ce : array<f32>;

const WG : u32 = 64u;
var<workgroup> red : array<f32, WG>;

/** logsumexp of row `row` of logits, for every invocation of the workgroup (rows past N give junk). */
fn row_logsumexp(row : u32, li : u32) -> f32 {
  let live = row < p.N;
  let base = row * p.V;
  var m = -3.0e38;
  if (live) { for (var v = li; v < p.V; v += WG) { m = max(m, logits[base + v]); } }
  red[li] = m;
  workgroupBarrier();
  for (var half = WG / 2u; half > 0u; half /= 2u) {
    if (li < half) { red[li] = max(red[li], red[li + half]); }
    workgroupBarrier();
  }
  let rowMax = red[0];
  workgroupBarrier();
  var s = 0.0;
  if (live) { for (var v = li; v < p.V; v += WG) { s += exp(logits[base + v] - rowMax); } }
  red[li] = s;
  workgroupBarrier();
  for (var half = WG / 2u; half > 0u; half /= 2u) {
    if (li < half) { red[li] += red[li + half]; }
    workgroupBarrier();
  }
  return rowMax + log(red[0]);
}

@compute @workgroup_size(WG, 1, 1)
fn cross_entropy(@builtin(workgroup_id) wg : vec3<u32>, @builtin(num_workgroups) nwg : vec3<u32>,
                 @builtin(local_invocation_index) li : u32) {
  let row = wg.x + wg.y * nwg.x;
  let lse = row_logsumexp(row, li);
  if (row >= p.N) { return; }
  let base = row * p.V;
  let tgt = targets[row];
  let gw = gradWeight[row];
  for (var v = li; v < p.V; v += WG) {
    dlogits[base + v] = gw * (exp(logits[base + v] - lse) - select(0.0, 1.0, v == tgt));
  }
  if (li == 0u) { ce[row] = lse - logits[base + tgt]; }
}

@group(0) @binding(3) var<storage, read_write> nll : array<f32>;

@compute @workgroup_size(WG, 1, 1)
fn token_nll(@builtin(workgroup_id) wg : vec3<u32>, @builtin(num_workgroups) nwg : vec3<u32>,
             @builtin(local_invocation_index) li : u32) {
  let row = wg.x + wg.y * nwg.x;
  let lse = row_logsumexp(row, li);
  if (row < p.N && li == 0u) { nll[row] = lse - logits[row * p.V + targets[row]]; }
}
