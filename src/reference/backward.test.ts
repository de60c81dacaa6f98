import { afterAll, describe, expect, it } from 'vitest';
import { loraBackwardRef, loraForwardRef } from './adapters';
import { attentionBackwardRef, attentionRef, type AttentionShape } from './attention';
import { infoNceRef } from './contrastive';
import { addBackwardRef, addRef, siluMulBackwardRef, siluMulRef } from './elementwise';
import { embeddingBackwardRef, embeddingRef } from './embedding';
import { gradError, numericGrad } from './gradcheck';
import { crossEntropyBackwardRef, crossEntropyRef } from './loss';
import { matmulBackwardRef, matmulRef, type MatmulShape } from './matmul';
import { rmsNormBackwardRef, rmsNormRef } from './norm';
import { poolBackwardRef, poolRef, type Pooling } from './pooling';
import { randomArray } from './random';
import { ropeBackwardRef, ropeInvFreq, ropeRef } from './rope';

const H_STEP = 1e-5;
const TOL = 1e-6;
const errors: Record<string, number> = {};
let seed = 100;
const rand = (n: number) => Float64Array.from(randomArray(n, seed++));

/**
 * Checks every input's analytic gradient against central differences of `loss` over all its entries.
 * For an op with an array output, loss is Σ out ⊙ R with R the dOut given to the backward (see `weighted`).
 */
function check(label: string, inputs: Record<string, Float64Array>, loss: () => number, analytic: Record<string, ArrayLike<number>>): void {
  for (const [name, x] of Object.entries(inputs)) {
    const numeric = numericGrad(loss, x, Array.from(x.keys()), H_STEP);
    const err = gradError(analytic[name], numeric);
    errors[`${label} d${name}`] = err;
    expect(err, `${label} d${name}`).toBeLessThanOrEqual(TOL);
  }
}

/** Σ out ⊙ R: the scalar whose gradient with respect to out is R. */
const weighted = (out: ArrayLike<number>, R: ArrayLike<number>) => Array.from(out).reduce((s, v, i) => s + v * R[i], 0);

afterAll(() => {
  console.log(`op backward vs central differences (h = ${H_STEP}): max relative error`);
  for (const [k, v] of Object.entries(errors)) console.log(`  ${k.padEnd(40)} ${v.toExponential(2)}`);
});

describe('float64 reference backward of each op matches central differences', () => {
  const matmuls: [string, MatmulShape, number, number][] = [
    ['matmul', { M: 3, N: 4, K: 5 }, 15, 20],
    ['matmul transB', { M: 3, N: 4, K: 5, transB: true }, 15, 20],
    ['matmul batch 3, B broadcast, transB', { M: 2, N: 3, K: 4, batch: 3, strideB: 0, transB: true }, 24, 12],
    ['matmul batch 2, A broadcast', { M: 2, N: 3, K: 4, batch: 2, strideA: 0 }, 8, 24],
  ];
  for (const [label, s, na, nb] of matmuls) {
    it(label, () => {
      const a = rand(na);
      const b = rand(nb);
      const R = rand((s.batch ?? 1) * s.M * s.N);
      const { dA, dB } = matmulBackwardRef(a, b, R, s);
      expect([dA.length, dB.length]).toEqual([na, nb]);
      check(label, { a, b }, () => weighted(matmulRef(a, b, s), R), { a: dA, b: dB });
    });
  }

  it('add (bias broadcast)', () => {
    const a = rand(12);
    const b = rand(4);
    const R = rand(12);
    check('add', { b }, () => weighted(addRef(a, b), R), { b: addBackwardRef(R, 4) });
  });

  it('rmsnorm', () => {
    const [N, C, eps] = [3, 6, 1e-5];
    const x = rand(N * C);
    const w = rand(C);
    const R = rand(N * C);
    const { dx, dw } = rmsNormBackwardRef(x, w, R, N, C, eps);
    check('rmsnorm', { x, w }, () => weighted(rmsNormRef(x, w, N, C, eps), R), { x: dx, w: dw });
  });

  it('rope at nonzero positions (inverse rotation)', () => {
    const [N, heads, D] = [4, 2, 8];
    const invFreq = ropeInvFreq({ headDim: D, ropeTheta: 10000, ropeScaling: null });
    const positions = [3, 7, 11, 120];
    const x = rand(N * heads * D);
    const R = rand(N * heads * D);
    check('rope', { x }, () => weighted(ropeRef(x, positions, N, heads, D, invFreq), R), { x: ropeBackwardRef(R, positions, N, heads, D, invFreq) });
  });

  const attentions: [string, AttentionShape][] = [
    ['attention MHA', { B: 1, Tq: 4, Tk: 4, H: 2, Hkv: 2, D: 4 }],
    ['attention GQA H4 Hkv2, padded qLen', { B: 2, Tq: 4, Tk: 4, H: 4, Hkv: 2, D: 4, qLen: [4, 2] }],
    ['attention GQA, past > 0, padded', { B: 2, Tq: 3, Tk: 6, H: 4, Hkv: 2, D: 4, qLen: [3, 2], past: [3, 1] }],
  ];
  for (const [label, s] of attentions) {
    it(label, () => {
      const q = rand(s.B * s.Tq * s.H * s.D);
      const k = rand(s.B * s.Tk * s.Hkv * s.D).map((v) => 2 * v); // sharper softmax
      const v = rand(s.B * s.Tk * s.Hkv * s.D);
      const R = rand(q.length);
      const g = attentionBackwardRef(q, k, v, R, s);
      check(label, { q, k, v }, () => weighted(attentionRef(q, k, v, s), R), { q: g.dq, k: g.dk, v: g.dv });
      // padded query rows get no gradient
      const qLen = s.qLen ?? [];
      for (let b = 0; b < s.B; b++) for (let t = qLen[b] ?? s.Tq; t < s.Tq; t++) expect(g.dq.subarray((b * s.Tq + t) * s.H * s.D, (b * s.Tq + t + 1) * s.H * s.D).every((x) => x === 0)).toBe(true);
    });
  }

  it('silu_mul', () => {
    const g = rand(10).map((v) => 4 * v);
    const u = rand(10);
    const R = rand(10);
    const { dg, du } = siluMulBackwardRef(g, u, R);
    check('silu_mul', { g, u }, () => weighted(siluMulRef(g, u), R), { g: dg, u: du });
  });

  it('embedding gather, repeated ids sum', () => {
    const [V, C] = [5, 3];
    const ids = [1, 3, 1, 0];
    const E = rand(V * C);
    const R = rand(ids.length * C);
    expect(Array.from(embeddingRef(E, ids, C).subarray(3, 6))).toEqual(Array.from(E.subarray(9, 12)));
    check('embedding', { E }, () => weighted(embeddingRef(E, ids, C), R), { E: embeddingBackwardRef(R, ids, V, C) });
  });

  it('cross-entropy with non-binary weights', () => {
    const [N, V] = [4, 6];
    const logits = rand(N * V).map((v) => 3 * v);
    const targets = [2, 0, 5, 5];
    const weights = [1, 0, 2, 0.5];
    check('cross-entropy', { logits }, () => crossEntropyRef(logits, targets, weights, N, V).loss, { logits: crossEntropyBackwardRef(logits, targets, weights, N, V) });
  });

  for (const mode of ['mean', 'last'] as Pooling[]) {
    it(`pooling ${mode}`, () => {
      const [B, T, C] = [2, 4, 3];
      const lengths = [3, 4];
      const h = rand(B * T * C);
      const R = rand(B * C);
      const dh = poolBackwardRef(R, lengths, B, T, C, mode);
      expect(dh.subarray(3 * C, 4 * C).every((x) => x === 0)).toBe(true); // padding of sequence 0
      check(`pooling ${mode}`, { h }, () => weighted(poolRef(h, lengths, B, T, C, mode), R), { h: dh });
    });
  }

  it('infoNCE, both directions, with respect to the unnormalised vectors', () => {
    const [n, C, temperature] = [4, 5, 0.1];
    const x = rand(n * C);
    const y = rand(n * C).map((v, i) => v + x[i]); // pairs are related
    const { dx, dy } = infoNceRef(x, y, n, C, temperature);
    check('infoNCE', { x, y }, () => infoNceRef(x, y, n, C, temperature).loss, { x: dx, y: dy });
  });

  it('LoRA linear with bias', () => {
    const [N, out, inp, rank] = [3, 4, 5, 2];
    const x = rand(N * inp);
    const W = rand(out * inp);
    const bias = rand(out);
    const lora = { rank, alpha: 4, A: rand(rank * inp), B: rand(out * rank) };
    const R = rand(N * out);
    const g = loraBackwardRef(x, W, lora, R, N, out, inp);
    const loss = () => weighted(loraForwardRef(x, W, lora, bias, N, out, inp), R);
    check('lora', { x, W, A: lora.A, B: lora.B }, loss, { x: g.dx, W: g.dW, A: g.dA, B: g.dB });
  });
});

describe('hand checks of the new forwards', () => {
  it('cross-entropy of uniform logits is log V; no weight gives loss 0 and no gradient', () => {
    const [N, V] = [3, 7];
    const logits = new Float64Array(N * V).fill(0.3);
    const { loss, perToken } = crossEntropyRef(logits, [0, 3, 6], [1, 1, 1], N, V);
    expect(loss).toBeCloseTo(Math.log(V), 14);
    for (const ce of perToken) expect(ce).toBeCloseTo(Math.log(V), 14);
    expect(crossEntropyRef(logits, [0, 3, 6], [0, 0, 0], N, V).loss).toBe(0);
    expect(crossEntropyBackwardRef(logits, [0, 3, 6], [0, 0, 0], N, V).every((g) => g === 0)).toBe(true);
    // large logits stay finite (log-softmax is max-subtracted)
    expect(crossEntropyRef([1000, 0], [1], [1], 1, 2).loss).toBeCloseTo(1000, 9);
  });

  it('infoNCE of identical x = y at a tiny temperature is ~0; of a mismatched pairing it is large', () => {
    const [n, C] = [4, 8];
    const x = rand(n * C);
    expect(infoNceRef(x, x, n, C, 0.01).loss).toBeLessThan(1e-6);
    const shifted = x.map((_, i) => x[(i + C) % (n * C)]); // y[i] = x[i + 1]
    expect(infoNceRef(x, shifted, n, C, 0.01).loss).toBeGreaterThan(1);
  });

  it('LoRA with B = 0 is the plain linear; alpha / r scales the adapter', () => {
    const [N, out, inp] = [2, 3, 4];
    const x = rand(N * inp);
    const W = rand(out * inp);
    const bias = rand(out);
    const plain = addRef(matmulRef(x, W, { M: N, N: out, K: inp, transB: true }), bias);
    expect(Array.from(loraForwardRef(x, W, { rank: 2, alpha: 8, A: rand(2 * inp), B: new Float64Array(out * 2) }, bias, N, out, inp))).toEqual(Array.from(plain));
    // rank 1, A = e0, B = 1: adds (alpha / 1)·x[:, 0] to every output
    const A = Float64Array.from({ length: inp }, (_, i) => (i === 0 ? 1 : 0));
    const y = loraForwardRef(x, W, { rank: 1, alpha: 3, A, B: new Float64Array(out).fill(1) }, bias, N, out, inp);
    for (let i = 0; i < N * out; i++) expect(y[i]).toBeCloseTo(plain[i] + 3 * x[Math.floor(i / out) * inp], 14);
  });
});
