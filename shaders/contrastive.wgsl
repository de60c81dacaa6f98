// contrastive — symmetric InfoNCE over n translation pairs with in-batch negatives, and its gradient.
//   x̂, ŷ = rows of x, y over max(|row|, EPS)        S = x̂ ŷᵀ · invTemp   [n, n]
//   loss = ( Σ_i CE(S[i, :], i) + Σ_j CE(S[:, j], j) ) / (2n)
//   dSim[i, j] = invTemp / (2n) · ( Prow[i, j] − δij + Pcol[i, j] − δij )   (d loss / d (x̂ ŷᵀ))
//   dx̂ = dSim ŷ,  dŷ = dSimᵀ x̂,  dx = (dx̂ − x̂ (x̂·dx̂)) / |x|  (= dx̂ / EPS when |x| <= EPS), same for y
// where Prow / Pcol are the softmax of each row / each column of S. Each CE is computed from
// differences to its diagonal logit, CE = m + log1p(r) (m = max_j (S_ij − S_ii) >= 0, r = sum of the
// other exponentials), so a loss near 0 (matching pairs, low temperature) keeps its relative precision.
//
// Bindings (group 0); four entries, run in this order. Rows of [x; y] are numbered 0 .. 2n − 1.
//   0  uniform        p       : Params { n, C, invTemp (f32 bits) }
// Entry `normalize_rows`: one workgroup of 64 per row of [x; y] (tree reduction of the sum of squares);
// grid folded 2-D over 2n workgroups, row = wg.x + wg.y * num_workgroups.x.
//   1  storage read   x       : [n, C] f32
//   2  storage read   y       : [n, C] f32
//   3  storage write  unit    : [2n, C] f32, x̂ rows then ŷ rows
//   4  storage write  norms   : [2n] f32, |row| before the EPS floor
// Entry `scores`: one invocation computes one S[i, j]. Workgroup 64; grid folded 2-D over ceil(n² / 64).
//   5  storage read   unitIn  : [2n, C] f32
//   6  storage write  S       : [n, n] f32
// Entry `softmax`: one invocation computes one dSim[i, j], recomputing the statistics of row i and
// column j (O(n) each; n is small). The diagonal invocation (i, i) also writes the two CE terms of i.
// Workgroup 64; grid folded 2-D over ceil(n² / 64).
//   7  storage read   SIn     : [n, n] f32
//   8  storage write  dSim    : [n, n] f32
//   9  storage write  ceTerms : [2n] f32, CE of row i at i, CE of column j at n + j
// Entry `reduce_loss`: a single invocation sums ceTerms (reads binding 10). Grid (1, 1, 1).
//  10  storage read   ceIn    : [2n] f32
//  11  storage write  loss    : [1] f32
// Entry `grads`: one workgroup of 64 per row of [dx; dy]; each invocation first writes its strided slice
// of dx̂ (or dŷ) into the output, a tree reduction gives the row's x̂·dx̂, then it projects its slice in
// place. Reads unitIn; grid folded 2-D over 2n workgroups as `normalize_rows`.
//  12  storage read   normsIn : [2n] f32
//  13  storage read   dSimIn  : [n, n] f32
//  14  storage write  dx      : [n, C] f32
//  15  storage write  dy      : [n, C] f32

struct Params { n : u32, C : u32, invTemp : f32, _pad : u32 }

const WG : u32 = 64u;
const EPS : f32 = 1e-12; // torch.nn.functional.normalize's floor on the norm

@group(0) @binding(0) var<uniform> p : Params;

var<workgroup> red : array<f32, WG>;

/// Tree sum of red[0 .. WG) into red[0]; call from uniform control flow.
fn workgroupSum(li : u32) -> f32 {
  workgroupBarrier();
  for (var half = WG / 2u; half > 0u; half /= 2u) {
    if (li < half) { red[li] += red[li + half]; }
    workgroupBarrier();
  }
  let total = red[0];
  workgroupBarrier(); // red may be reused after this
  return total;
}

// ---- normalize_rows ---------------------------------------------------------------------------------

@group(0) @binding(1) var<storage, read> x : array<f32>;
@group(0) @binding(2) var<storage, read> y : array<f32>;
@group(0) @binding(3) var<storage, read_write> unit : array<f32>;
@group(0) @binding(4) var<storage, read_write> norms : array<f32>;

/// Element c of row r of [x; y].
fn xyAt(r : u32, c : u32) -> f32 {
  if (r < p.n) { return x[r * p.C + c]; }
  return y[(r - p.n) * p.C + c];
}

@compute @workgroup_size(WG, 1, 1)
fn normalize_rows(@builtin(workgroup_id) wg : vec3<u32>, @builtin(num_workgroups) nwg : vec3<u32>,
                  @builtin(local_invocation_index) li : u32) {
  let r = wg.x + wg.y * nwg.x;
  let live = r < 2u * p.n;
  var ss = 0.0;
  if (live) { for (var c = li; c < p.C; c += WG) { let v = xyAt(r, c); ss += v * v; } }
  red[li] = ss;
  let norm = sqrt(workgroupSum(li));
  if (!live) { return; }
  let scale = 1.0 / max(norm, EPS);
  for (var c = li; c < p.C; c += WG) { unit[r * p.C + c] = xyAt(r, c) * scale; }
  if (li == 0u) { norms[r] = norm; }
}

// ---- scores ----------------------------------------------------------------------------------------

@group(0) @binding(5) var<storage, read> unitIn : array<f32>;
@group(0) @binding(6) var<storage, read_write> S : array<f32>;

@compute @workgroup_size(WG, 1, 1)
fn scores(@builtin(global_invocation_id) gid : vec3<u32>, @builtin(num_workgroups) nwg : vec3<u32>) {
  let e = gid.x + gid.y * nwg.x * WG;
  if (e >= p.n * p.n) { return; }
  let i = e / p.n;
  let j = e % p.n;
  let xi = i * p.C;
  let yj = (p.n + j) * p.C;
  var acc = 0.0;
  for (var c = 0u; c < p.C; c++) { acc += unitIn[xi + c] * unitIn[yj + c]; }
  S[e] = acc * p.invTemp;
}

// ---- softmax ---------------------------------------------------------------------------------------

@group(0) @binding(7) var<storage, read> SIn : array<f32>;
@group(0) @binding(8) var<storage, read_write> dSim : array<f32>;
@group(0) @binding(9) var<storage, read_write> ceTerms : array<f32>;

/// One line of S: row i (col = false) or column i (col = true), seen relative to its diagonal logit:
/// d_j = line[j] − S[i, i]. m = max_j d_j >= 0 (d_i = 0), k = its first index (i on ties with the
/// diagonal), r = Σ_{j != k} exp(d_j − m); so softmax_j = exp(d_j − m) / (1 + r) and CE = m + log1p(r).
struct Line { m : f32, r : f32, k : u32 }

fn lineAt(i : u32, j : u32, col : bool) -> f32 {
  if (col) { return SIn[j * p.n + i]; }
  return SIn[i * p.n + j];
}

fn lineStats(i : u32, col : bool) -> Line {
  let diag = SIn[i * p.n + i];
  var m = 0.0;
  var k = i;
  for (var j = 0u; j < p.n; j++) {
    let d = lineAt(i, j, col) - diag;
    if (d > m) { m = d; k = j; }
  }
  var r = 0.0;
  for (var j = 0u; j < p.n; j++) {
    if (j != k) { r += exp(lineAt(i, j, col) - diag - m); }
  }
  return Line(m, r, k);
}

/// log(1 + r) for r >= 0, accurate for small r: log(1 + r) = 2 atanh(z), z = r / (2 + r) <= 1/3 for
/// r <= 1 (series to z¹⁷, relative error < 1e-9); WGSL's log near 1 has only absolute accuracy.
fn log1p(r : f32) -> f32 {
  if (r > 1.0) { return log(1.0 + r); }
  let z = r / (2.0 + r);
  let z2 = z * z;
  var s = 1.0 / 17.0;
  for (var k = 15.0; k > 0.0; k -= 2.0) { s = 1.0 / k + z2 * s; }
  return 2.0 * z * s;
}

/// d CE(line i) / d line[j] = softmax_j − [j = i].
fn ceGrad(i : u32, j : u32, col : bool, L : Line) -> f32 {
  let z = 1.0 + L.r;
  if (j == i && L.k == i) { return -L.r / z; } // 1 − softmax_i without cancellation
  let sm = exp(lineAt(i, j, col) - SIn[i * p.n + i] - L.m) / z;
  return sm - select(0.0, 1.0, j == i);
}

@compute @workgroup_size(WG, 1, 1)
fn softmax(@builtin(global_invocation_id) gid : vec3<u32>, @builtin(num_workgroups) nwg : vec3<u32>) {
  let e = gid.x + gid.y * nwg.x * WG;
  if (e >= p.n * p.n) { return; }
  let i = e / p.n;
  let j = e % p.n;
  let row = lineStats(i, false);
  let column = lineStats(j, true);
  // S[i, j] is element j of row i and element i of column j.
  let g = ceGrad(i, j, false, row) + ceGrad(j, i, true, column);
  dSim[e] = g * p.invTemp / f32(2u * p.n);
  if (i == j) {
    ceTerms[i] = row.m + log1p(row.r);
    ceTerms[p.n + i] = column.m + log1p(column.r);
  }
}

// ---- reduce_loss -----------------------------------------------------------------------------------

@group(0) @binding(10) var<storage, read> ceIn : array<f32>;
@group(0) @binding(11) var<storage, read_write> loss : array<f32>;

@compute @workgroup_size(1, 1, 1)
fn reduce_loss() {
  var acc = 0.0;
  for (var t = 0u; t < 2u * p.n; t++) { acc += ceIn[t]; }
  loss[0] = acc / f32(2u * p.n);
}

// ---- grads -----------------------------------------------------------------------------------------

@group(0) @binding(12) var<storage, read> normsIn : array<f32>;
@group(0) @binding(13) var<storage, read> dSimIn : array<f32>;
@group(0) @binding(14) var<storage, read_write> dx : array<f32>;
@group(0) @binding(15) var<storage, read_write> dy : array<f32>;

fn gradAt(r : u32, c : u32) -> f32 {
  if (r < p.n) { return dx[r * p.C + c]; }
  return dy[(r - p.n) * p.C + c];
}

fn setGrad(r : u32, c : u32, v : f32) {
  if (r < p.n) { dx[r * p.C + c] = v; } else { dy[(r - p.n) * p.C + c] = v; }
}

@compute @workgroup_size(WG, 1, 1)
fn grads(@builtin(workgroup_id) wg : vec3<u32>, @builtin(num_workgroups) nwg : vec3<u32>,
         @builtin(local_invocation_index) li : u32) {
  let r = wg.x + wg.y * nwg.x;
  let live = r < 2u * p.n;
  let isX = r < p.n;
  let own = r * p.C; // this row of unit
  var along = 0.0; // x̂·dx̂ over this invocation's slice
  if (live) {
    // Row i of x: dx̂_i = Σ_j dSim[i, j] ŷ_j. Row j of y: dŷ_j = Σ_i dSim[i, j] x̂_i.
    let other = select(0u, p.n, isX); // first row of the partner matrix in unit
    let me = select(r - p.n, r, isX);
    for (var c = li; c < p.C; c += WG) {
      var g = 0.0;
      for (var k = 0u; k < p.n; k++) {
        let w = select(dSimIn[k * p.n + me], dSimIn[me * p.n + k], isX);
        g += w * unitIn[(other + k) * p.C + c];
      }
      setGrad(r, c, g);
      along += unitIn[own + c] * g;
    }
  }
  red[li] = along;
  let proj = workgroupSum(li);
  if (!live) { return; }
  let norm = normsIn[r];
  // Above the floor x̂ = x / |x| and the radial part is projected out; below it x̂ = x / EPS is linear.
  let radial = select(0.0, proj, norm > EPS);
  let scale = 1.0 / max(norm, EPS);
  for (var c = li; c < p.C; c += WG) {
    setGrad(r, c, (gradAt(r, c) - unitIn[own + c] * radial) * scale);
  }
}
