// adamw — one AdamW step with decoupled weight decay and global gradient-norm clipping, in place.
//   g = grad · clip, clip = min(1, maxNorm / (sqrt(normSq) + 1e-6)) (no clipping when maxNorm <= 0)
//   m = β1·m + (1 − β1)·g;  v = β2·v + (1 − β2)·g²
//   param −= lr · ( (m / bc1) / (sqrt(v / bc2) + eps) + weightDecay · param ),  bc = 1 − β^step
// The norm comes from a GPU buffer, so clipping needs no readback inside the step.
//
// Bindings (group 0)
//   0  uniform        p      : Params { n, lr, beta1, beta2, eps, weightDecay, maxNorm, bc1, bc2 }
//   1  storage read   grad   : [n] f32
//   2  storage read   normSq : [1] f32, Σ of squares of every gradient of the step
//   3  storage write  param  : [n] f32, updated in place
//   4  storage write  m      : [n] f32, first moment, in place
//   5  storage write  v      : [n] f32, second moment, in place
//
// One invocation updates one element. Workgroup 256; grid folded 2-D over ceil(n / 256).

struct Params {
  n : u32, lr : f32, beta1 : f32, beta2 : f32,
  eps : f32, weightDecay : f32, maxNorm : f32, bc1 : f32,
  bc2 : f32, _pad0 : u32, _pad1 : u32, _pad2 : u32,
}

@group(0) @binding(0) var<uniform> p : Params;
@group(0) @binding(1) var<storage, read> grad : array<f32>;
@group(0) @binding(2) var<storage, read> normSq : array<f32>;
@group(0) @binding(3) var<storage, read_write> param : array<f32>;
@group(0) @binding(4) var<storage, read_write> m : array<f32>;
@group(0) @binding(5) var<storage, read_write> v : array<f32>;

@compute @workgroup_size(256, 1, 1)
fn step(@builtin(global_invocation_id) gid : vec3<u32>, @builtin(num_workgroups) nwg : vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * 256u;
  if (i >= p.n) { return; }
  var clip = 1.0;
  if (p.maxNorm > 0.0) { clip = min(1.0, p.maxNorm / (sqrt(normSq[0]) + 1e-6)); }
  let g = grad[i] * clip;
  let mi = p.beta1 * m[i] + (1.0 - p.beta1) * g;
  let vi = p.beta2 * v[i] + (1.0 - p.beta2) * g * g;
  m[i] = mi;
  v[i] = vi;
  param[i] = param[i] - p.lr * ((mi / p.bc1) / (sqrt(vi / p.bc2) + p.eps) + p.weightDecay * param[i]);
}
