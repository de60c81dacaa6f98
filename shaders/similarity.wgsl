// similarity — per-sentence statistics of a similarity matrix S [n, n] (row i: sentence i of
// language A, column j: sentence j of B), so alignment metrics need O(n) numbers back, not S.
//
// Bindings (group 0)
//   0  uniform        p     : Params { n }
//   1  storage read   S     : [n, n] f32
//   2  storage write  stats : [n, 8] f32, for i: 0 S[i,i]; 1 Σ_j S[i,j]; 2 first argmax_j S[i,j];
//                             3 max_{j≠i} S[i,j]; 4 first argmax_j S[j,i]; 5 max_{j≠i} S[j,i]
//                             (-3e38 when n = 1); 6, 7 unused
//
// One invocation scans row i and column i (strict '>' keeps the lowest index among ties, as the
// float64 reference does). Workgroup 64; grid (ceil(n / 64), 1, 1).

struct Params { n : u32, _pad0 : u32, _pad1 : u32, _pad2 : u32 }

@group(0) @binding(0) var<uniform> p : Params;
@group(0) @binding(1) var<storage, read> S : array<f32>;
@group(0) @binding(2) var<storage, read_write> stats : array<f32>;

@compute @workgroup_size(64, 1, 1)
fn stats_main(@builtin(global_invocation_id) gid : vec3<u32>) {
  let i = gid.x;
  if (i >= p.n) { return; }
  var rowSum = 0.0;
  var rowBest = -3.0e38;
  var rowArg = 0u;
  var rowOff = -3.0e38;
  var colBest = -3.0e38;
  var colArg = 0u;
  var colOff = -3.0e38;
  for (var j = 0u; j < p.n; j++) {
    let r = S[i * p.n + j];
    let c = S[j * p.n + i];
    rowSum += r;
    if (r > rowBest) { rowBest = r; rowArg = j; }
    if (c > colBest) { colBest = c; colArg = j; }
    if (j != i) {
      rowOff = max(rowOff, r);
      colOff = max(colOff, c);
    }
  }
  let o = i * 8u;
  stats[o] = S[i * p.n + i];
  stats[o + 1u] = rowSum;
  stats[o + 2u] = f32(rowArg);
  stats[o + 3u] = rowOff;
  stats[o + 4u] = f32(colArg);
  stats[o + 5u] = colOff;
  stats[o + 6u] = 0.0;
  stats[o + 7u] = 0.0;
}
