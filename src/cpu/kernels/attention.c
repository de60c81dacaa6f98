// Causal GQA attention against a KV cache, forward and backward (the CPU twin of shaders/attention.wgsl).
//   seq   [B, 2] u32 { past, qLen }: query t of sequence b sits at position past + t and attends
//         keys 0 .. past + t; query rows t >= qLen are padding (output 0, no gradient)
//   q     [B, Tq, H, D];  k, v (the cache) [B, Tmax, Hkv, D];  head h reads kv head h / (H / Hkv)
//   scores q·k / sqrt(D), softmax with the row maximum subtracted.
// Backward (ARCHITECTURE decision 18): probabilities are recomputed from per-row statistics
// stats [B, Tq, H, 3] = { max, 1 / Σ exp, delta = dOut · out }, never stored as [B, H, Tq, Tk];
// dq is gathered per query row, dk and dv per key row (decision 19: one writer per output).
// Threads split query rows (forward, dq) or key rows (dk, dv) into contiguous runs.
#include "simd.h"

/** e^x for x <= 0 (scores minus their maximum), Cephes expf: within 2 ulp, exactly 0 below -87. */
INLINE float exp_nonpos(float x) {
  if (x < -87.0f) return 0.0f;
  float n = __builtin_floorf(x * 1.44269504088896341f + 0.5f);
  float r = x - n * 0.693359375f + n * 2.12194440e-4f;
  float r2 = r * r;
  float p = ((((1.9875691500e-4f * r + 1.3981999507e-3f) * r + 8.3334519073e-3f) * r + 4.1665795894e-2f) * r + 1.6666665459e-1f) * r + 5.0000001201e-1f;
  p = p * r2 + r + 1.0f;
  union { int32_t i; float f; } two_n = {.i = ((int32_t)n + 127) << 23};
  return p * two_n.f;
}

INLINE float dot(const float *a, const float *b, int D) {
  v128_t acc = wasm_f32x4_splat(0);
  int d = 0;
  for (; d + 4 <= D; d += 4) acc = MADD(wasm_v128_load(a + d), wasm_v128_load(b + d), acc);
  float t = 0;
  for (; d < D; d++) t += a[d] * b[d];
  return hsum(acc) + t;
}

/** y += alpha * x over D. */
INLINE void axpy(float *y, float alpha, const float *x, int D) {
  v128_t av = wasm_f32x4_splat(alpha);
  int d = 0;
  for (; d + 4 <= D; d += 4) wasm_v128_store(y + d, MADD(av, wasm_v128_load(x + d), wasm_v128_load(y + d)));
  for (; d < D; d++) y[d] += alpha * x[d];
}

INLINE void zero(float *y, int D) {
  for (int d = 0; d < D; d++) y[d] = 0.0f;
}

INLINE const float *kv_row(const float *cache, int b, int j, int kh, int Tmax, int Hkv, int D) {
  return cache + (((int64_t)b * Tmax + j) * Hkv + kh) * D;
}

/**
 * Scores of query row qr against keys 0..last into p, turned into e^(s - max); returns Σ e and
 * writes the maximum to *max (inlined: no stack).
 */
INLINE float exp_scores(const float *qr, const float *k, int b, int kh, int last, int Tmax, int Hkv, int D, float scale, float *p, float *max) {
  float m = -__builtin_inff();
  for (int j = 0; j <= last; j++) {
    p[j] = dot(qr, kv_row(k, b, j, kh, Tmax, Hkv, D), D) * scale;
    m = p[j] > m ? p[j] : m;
  }
  float sum = 0;
  for (int j = 0; j <= last; j++) sum += (p[j] = exp_nonpos(p[j] - m));
  *max = m;
  return sum;
}

/** out [B, Tq, H, D]; scratch holds Tmax floats per thread. */
EXPORT(attention_fwd)
void attention_fwd(const uint32_t *seq, const float *q, const float *k, const float *v, float *out, int B, int Tq, int Tmax, int H, int Hkv, int D, float *scratch, int tid, int nthreads) {
  float *p = scratch + (int64_t)tid * Tmax;
  float scale = 1.0f / __builtin_sqrtf((float)D);
  int group = H / Hkv, r0, r1;
  split(B * Tq * H, tid, nthreads, &r0, &r1);
  for (int r = r0; r < r1; r++) {
    int h = r % H, t = (r / H) % Tq, b = r / (H * Tq);
    float *o = out + (int64_t)r * D;
    zero(o, D);
    if (t >= (int)seq[2 * b + 1]) continue;
    int last = (int)seq[2 * b] + t, kh = h / group;
    float m;
    float inv = 1.0f / exp_scores(q + (int64_t)r * D, k, b, kh, last, Tmax, Hkv, D, scale, p, &m);
    for (int j = 0; j <= last; j++) axpy(o, p[j], kv_row(v, b, j, kh, Tmax, Hkv, D), D);
    for (int d = 0; d < D; d++) o[d] *= inv;
  }
}

/** First backward pass, per query row: stats [B, Tq, H, 3] and dq [B, Tq, H, D]. */
EXPORT(attention_bwd_q)
void attention_bwd_q(const uint32_t *seq, const float *q, const float *k, const float *v, const float *out, const float *dout, float *stats, float *dq, int B, int Tq, int Tmax, int H, int Hkv, int D, float *scratch, int tid, int nthreads) {
  float *p = scratch + (int64_t)tid * Tmax;
  float scale = 1.0f / __builtin_sqrtf((float)D);
  int group = H / Hkv, r0, r1;
  split(B * Tq * H, tid, nthreads, &r0, &r1);
  for (int r = r0; r < r1; r++) {
    int h = r % H, t = (r / H) % Tq, b = r / (H * Tq);
    float *g = dq + (int64_t)r * D, *st = stats + (int64_t)r * 3;
    const float *dor = dout + (int64_t)r * D;
    zero(g, D);
    st[0] = st[1] = st[2] = 0.0f;
    if (t >= (int)seq[2 * b + 1]) continue;
    int last = (int)seq[2 * b] + t, kh = h / group;
    float m;
    float inv = 1.0f / exp_scores(q + (int64_t)r * D, k, b, kh, last, Tmax, Hkv, D, scale, p, &m);
    float delta = dot(dor, out + (int64_t)r * D, D);
    for (int j = 0; j <= last; j++) {
      float pj = p[j] * inv;
      float ds = pj * (dot(dor, kv_row(v, b, j, kh, Tmax, Hkv, D), D) - delta) * scale;
      axpy(g, ds, kv_row(k, b, j, kh, Tmax, Hkv, D), D);
    }
    st[0] = m;
    st[1] = inv;
    st[2] = delta;
  }
}

/** Second backward pass, per key row of the cache: dk, dv [B, Tmax, Hkv, D]; rows no query sees are 0. */
EXPORT(attention_bwd_kv)
void attention_bwd_kv(const uint32_t *seq, const float *q, const float *k, const float *v, const float *dout, const float *stats, float *dk, float *dv, int B, int Tq, int Tmax, int H, int Hkv, int D, int tid, int nthreads) {
  float scale = 1.0f / __builtin_sqrtf((float)D);
  int group = H / Hkv, r0, r1;
  split(B * Tmax * Hkv, tid, nthreads, &r0, &r1);
  for (int r = r0; r < r1; r++) {
    int kh = r % Hkv, j = (r / Hkv) % Tmax, b = r / (Hkv * Tmax);
    float *gk = dk + (int64_t)r * D, *gv = dv + (int64_t)r * D;
    const float *kj = k + (int64_t)r * D, *vj = v + (int64_t)r * D;
    zero(gk, D);
    zero(gv, D);
    int past = (int)seq[2 * b], qLen = (int)seq[2 * b + 1];
    for (int t = max_i(0, j - past); t < qLen; t++) {
      for (int h = kh * group; h < (kh + 1) * group; h++) {
        int64_t row = ((int64_t)b * Tq + t) * H + h;
        const float *qr = q + row * D, *dor = dout + row * D, *st = stats + row * 3;
        float pj = exp_nonpos(dot(qr, kj, D) * scale - st[0]) * st[1];
        float ds = pj * (dot(dor, vj, D) - st[2]) * scale;
        axpy(gv, pj, dor, D);
        axpy(gk, ds, qr, D);
      }
    }
  }
}
