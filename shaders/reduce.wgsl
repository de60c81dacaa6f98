// reduce — row-wise sum: out[r] = Σ_c x[r, c]; and sum of squares of a whole tensor into one slot
// (entry `sum_squares`: out[R] += Σ_i x[i]², one workgroup, C elements; for gradient norms).
//
// Bindings (group 0)
//   0  uniform        p   : Params { rows R, cols C }
//   1  storage read   x   : [R, C] f32
//   2  storage write  out : [R] f32
//
// `sum_squares` uses p { R = slot, C = element count } and adds to out[slot].
// One workgroup of 64 reduces one row: each invocation sums a strided slice of the row, then a tree
// over workgroup memory halves the partials six times. Grid (min(R, 65535), ceil(R / 65535), 1);
// row = wg.x + wg.y * num_workgroups.x.

struct Params { R : u32, C : u32, _pad0 : u32, _pad1 : u32 }

@group(0) @binding(0) var<uniform> p : Params;
@group(0) @binding(1) var<storage, read> x : array<f32>;
@group(0) @binding(2) var<storage, read_write> out : array<f32>;

const WG : u32 = 64u;
var<workgroup> partial : array<f32, WG>;

@compute @workgroup_size(WG, 1, 1)
fn row_sum(@builtin(workgroup_id) wg : vec3<u32>, @builtin(num_workgroups) nwg : vec3<u32>,
           @builtin(local_invocation_index) li : u32) {
  let row = wg.x + wg.y * nwg.x;
  var acc = 0.0;
  if (row < p.R) {
    for (var c = li; c < p.C; c += WG) { acc += x[row * p.C + c]; }
  }
  partial[li] = acc;
  workgroupBarrier();
  for (var half = WG / 2u; half > 0u; half /= 2u) {
    if (li < half) { partial[li] += partial[li + half]; }
    workgroupBarrier();
  }
  if (li == 0u && row < p.R) { out[row] = partial[0]; }
}

@compute @workgroup_size(WG, 1, 1)
fn sum_squares(@builtin(local_invocation_index) li : u32) {
  var acc = 0.0;
  for (var i = li; i < p.C; i += WG) { let v = x[i]; acc += v * v; }
  partial[li] = acc;
  workgroupBarrier();
  for (var half = WG / 2u; half > 0u; half /= 2u) {
    if (li < half) { partial[li] += partial[li + half]; }
    workgroupBarrier();
  }
  if (li == 0u) { out[p.R] = out[p.R] + partial[0]; }
}
