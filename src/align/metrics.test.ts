import { describe, expect, it } from 'vitest';
import { Rng } from '../train/rng';
import { alignmentMetrics, cpuSimilarity, lacFromSimilarity, metricsFromSimilarity, preprocess, type AlignmentMetrics } from './metrics';
import { gaussian, parallelPair, permuteRows, randomOrthogonal, rotate } from './test-data';

/** The two languages of parallelPair as a tuple, for spreading into a call. */
const pairOf = (n: number, C: number, noise: number, seed: number): [Float32Array, Float32Array] => {
  const { X, Y } = parallelPair(n, C, noise, seed);
  return [X, Y];
};

const KEYS: (keyof AlignmentMetrics)[] = ['lac', 'mexa', 'p1AtoB', 'p1BtoA', 'meanCosine', 'meanOffdiag', 'alignment'];

function expectClose(got: AlignmentMetrics, want: AlignmentMetrics, digits: number): void {
  for (const k of KEYS) expect(got[k], k).toBeCloseTo(want[k], digits);
}

describe('hand-computed cases (n = 3)', () => {
  it('explicit S: every metric, ties to the lower index, strict MEXA', () => {
    // rows = sentences of A, columns = sentences of B
    const S = Float64Array.from([
      0.9, 0.2, 0.6, //
      0.95, 0.5, 0.1, //
      0.3, 0.5, 0.7,
    ]);
    const m = metricsFromSimilarity(S, 3);
    // diag 0.9, 0.5, 0.7 -> 0.7; offdiag 0.2+0.6+0.95+0.1+0.3+0.5 = 2.65 over 6
    expect(m.meanCosine).toBeCloseTo(0.7, 14);
    expect(m.meanOffdiag).toBeCloseTo(2.65 / 6, 14);
    // LAC = (0.7 - 2.65/6) / (1 - 2.65/6) = (4.2 - 2.65) / (6 - 2.65) = 1.55 / 3.35 = 31/67
    expect(m.lac).toBeCloseTo(31 / 67, 14);
    // A->B: row 0 argmax 0 (hit), row 1 argmax 0 (miss), row 2 argmax 2 (hit)
    expect(m.p1AtoB).toBeCloseTo(2 / 3, 14);
    // B->A: col 0 [0.9, 0.95, 0.3] argmax 1 (miss); col 1 [0.2, 0.5, 0.5] tie -> lower index 1 (hit);
    // col 2 [0.6, 0.1, 0.7] argmax 2 (hit)
    expect(m.p1BtoA).toBeCloseTo(2 / 3, 14);
    // MEXA: 0 wins its row but loses column 0 to 0.95; 1 loses its row; 2 wins row (0.5) and column (0.6).
    // (The row-only average variant would give 2/3.)
    expect(m.mexa).toBeCloseTo(1 / 3, 14);
    // alignment = mean(2 - 2 diag) = mean(0.2, 1.0, 0.6)
    expect(m.alignment).toBeCloseTo(0.6, 14);
  });

  it('a tie with an earlier candidate is a retrieval miss and never a mutual neighbour', () => {
    const S = Float64Array.from([
      1, 0, 0, //
      0.8, 0.8, 0, //
      0, 0, 1,
    ]);
    const m = metricsFromSimilarity(S, 3);
    expect(m.p1AtoB).toBeCloseTo(2 / 3, 14); // row 1 ties 0 and 1 -> argmax 0 (miss)
    expect(m.p1BtoA).toBeCloseTo(1, 14); // col 1 [0, 0.8, 0] -> 1; col 0 [1, 0.8, 0] -> 0
    expect(m.mexa).toBeCloseTo(2 / 3, 14); // 1 is not strictly above 0.8 in its row
  });

  it('vectors, no centring: X = [(1,0), (0,1), (0.6,0.8)], Y = [(0.8,0.6), (0,1), (1,0)]', () => {
    const X = [1, 0, 0, 1, 0.6, 0.8];
    const Y = [0.8, 0.6, 0, 1, 1, 0];
    // S = [[0.8, 0, 1], [0.6, 1, 0], [0.96, 0.8, 0.6]]
    const S = cpuSimilarity(X, Y, 3, 2, { centre: false });
    const want = [0.8, 0, 1, 0.6, 1, 0, 0.96, 0.8, 0.6];
    want.forEach((v, i) => expect(S[i]).toBeCloseTo(v, 14));
    const m = alignmentMetrics(X, Y, 3, 2, { centre: false });
    expect(m.meanCosine).toBeCloseTo(0.8, 14);
    expect(m.meanOffdiag).toBeCloseTo(3.36 / 6, 14);
    expect(m.lac).toBeCloseTo(6 / 11, 14); // (0.8 - 0.56) / 0.44
    expect(m.p1AtoB).toBeCloseTo(1 / 3, 14); // only row 1
    expect(m.p1BtoA).toBeCloseTo(1 / 3, 14); // col 0 -> 2 (0.96), col 1 -> 1, col 2 -> 0
    expect(m.mexa).toBeCloseTo(1 / 3, 14);
    expect(m.alignment).toBeCloseTo(0.4, 14); // mean(0.4, 0, 0.8)
    expect(alignmentMetrics(X, Y, 3, 2, { centre: false, alpha: 1 }).alignment).toBeCloseTo((Math.sqrt(0.4) + Math.sqrt(0.8)) / 3, 14);
  });

  it('vectors, centred: X = [(1,0), (-1,0), (0,3)], Y = [(1,1), (-1,1), (0,-2)]', () => {
    const X = [1, 0, -1, 0, 0, 3]; // mean (0, 1): centred (1,-1), (-1,-1), (0,2) -> (1,-1)/√2, (-1,-1)/√2, (0,1)
    const Y = [1, 1, -1, 1, 0, -2]; // mean (0, 0): (1,1)/√2, (-1,1)/√2, (0,-1)
    const r = Math.SQRT1_2;
    const Xh = preprocess(X, 3, 2, { centre: true });
    [r, -r, -r, -r, 0, 1].forEach((v, i) => expect(Xh[i]).toBeCloseTo(v, 14));
    // S = [[0, -1, r], [-1, 0, r], [r, r, -1]]
    const m = alignmentMetrics(X, Y, 3, 2, { centre: true });
    const off = (-2 + 4 * r) / 6;
    expect(m.meanCosine).toBeCloseTo(-1 / 3, 14);
    expect(m.meanOffdiag).toBeCloseTo(off, 14);
    expect(m.lac).toBeCloseTo((-1 / 3 - off) / (1 - off), 14);
    expect(m.p1AtoB).toBeCloseTo(0, 14); // row 0 -> 2, row 1 -> 2, row 2 -> 0
    expect(m.p1BtoA).toBeCloseTo(0, 14);
    expect(m.mexa).toBe(0);
    expect(m.alignment).toBeCloseTo((2 + 2 + 4) / 3, 14);
    // Without centring the same data reads differently: x2 = (0, 1) and y2 = (0, -1) but x0 = (1, 0).
    expect(alignmentMetrics(X, Y, 3, 2, { centre: false }).lac).not.toBeCloseTo(m.lac, 3);
  });
});

describe('limits of the scale', () => {
  for (const centre of [false, true]) {
    it(`identical embeddings give LAC = MEXA = P@1 = cosine = 1 and alignment 0 (centre ${centre})`, () => {
      const { X } = parallelPair(50, 16, 0, 1);
      const m = alignmentMetrics(X, X, 50, 16, { centre });
      for (const k of ['lac', 'mexa', 'p1AtoB', 'p1BtoA', 'meanCosine'] as const) expect(m[k], k).toBeCloseTo(1, 12);
      expect(m.alignment).toBeCloseTo(0, 12);
    });
  }

  it('a random permutation of one side gives LAC ~ 0 and P@1 = MEXA = fixed points / n (n = 500, C = 64)', () => {
    const n = 500;
    const C = 64;
    const { X } = parallelPair(n, C, 0, 7);
    const perm = new Rng(11).shuffle(Array.from({ length: n }, (_, i) => i));
    const Y = permuteRows(X, C, perm); // row i of Y is sentence perm[i]: the pairs are scrambled
    const fixed = perm.filter((p, i) => p === i).length;
    for (const centre of [false, true]) {
      const m = alignmentMetrics(X, Y, n, C, { centre });
      console.log(`permuted n=${n} C=${C} centre=${centre}: LAC ${m.lac.toExponential(3)}, MEXA ${m.mexa}, P@1 ${m.p1AtoB}/${m.p1BtoA} (fixed points ${fixed}), mean cos ${m.meanCosine.toFixed(4)}`);
      expect(Math.abs(m.lac)).toBeLessThan(0.05);
      // The nearest neighbour of x_i is its own copy y_{perm^-1(i)}: a hit only where perm[i] = i.
      expect(m.p1AtoB).toBeCloseTo(fixed / n, 14);
      expect(m.p1BtoA).toBeCloseTo(fixed / n, 14);
      expect(m.mexa).toBeCloseTo(fixed / n, 14);
      expect(m.mexa).toBeLessThan(5 / n);
    }
  });

  it('independent random languages give LAC ~ 0 and retrieval near chance (n = 500, C = 64)', () => {
    const n = 500;
    const C = 64;
    const X = Float32Array.from(gaussian(n * C, 21));
    const Y = Float32Array.from(gaussian(n * C, 22));
    const m = alignmentMetrics(X, Y, n, C, { centre: true });
    console.log(`independent n=${n} C=${C}: LAC ${m.lac.toExponential(3)}, MEXA ${m.mexa}, P@1 ${m.p1AtoB}/${m.p1BtoA}`);
    expect(Math.abs(m.lac)).toBeLessThan(0.05);
    expect(m.p1AtoB).toBeLessThan(5 / n);
    expect(m.p1BtoA).toBeLessThan(5 / n);
    expect(m.mexa).toBeLessThan(5 / n);
  });

  it('noisier translations align less, monotonically', () => {
    const lacs = [0.3, 1, 3].map((noise) => alignmentMetrics(...pairOf(200, 32, noise, 5), 200, 32, { centre: true }).lac);
    expect(lacs[0]).toBeGreaterThan(lacs[1]);
    expect(lacs[1]).toBeGreaterThan(lacs[2]);
    expect(lacs[0]).toBeLessThan(1);
  });
});

describe('invariances', () => {
  const n = 120;
  const C = 24;
  const { X, Y } = parallelPair(n, C, 1.2, 31);

  for (const centre of [false, true]) {
    it(`every metric is invariant to one rotation applied to both languages (centre ${centre})`, () => {
      const Q = randomOrthogonal(C, 99);
      // Q is orthogonal: QᵀQ = I
      for (let i = 0; i < C; i++) {
        for (let j = 0; j < C; j++) {
          let dot = 0;
          for (let k = 0; k < C; k++) dot += Q[k * C + i] * Q[k * C + j];
          expect(dot).toBeCloseTo(i === j ? 1 : 0, 12);
        }
      }
      const base = alignmentMetrics(X, Y, n, C, { centre });
      const rotated = alignmentMetrics(rotate(X, n, C, Q), rotate(Y, n, C, Q), n, C, { centre });
      expectClose(rotated, base, 10);
      expect(base.lac).toBeGreaterThan(0.2); // a non-trivial case
      expect(base.p1AtoB).toBeGreaterThan(0.2);
      expect(base.p1AtoB).toBeLessThan(1);
    });

    it(`every metric is invariant to scaling each language (centre ${centre})`, () => {
      const base = alignmentMetrics(X, Y, n, C, { centre });
      const scaled = alignmentMetrics(
        X.map((v) => v * 3.7),
        Y.map((v) => v * 0.25),
        n,
        C,
        { centre },
      );
      expectClose(scaled, base, 6); // inputs are f32: scaling rounds them
    });
  }

  it('without centring, scaling single sentences changes nothing either', () => {
    const scaled = X.map((v, i) => v * (1 + (Math.floor(i / C) % 5)));
    expectClose(alignmentMetrics(scaled, Y, n, C, { centre: false }), alignmentMetrics(X, Y, n, C, { centre: false }), 6);
  });
});

describe('centring', () => {
  const n = 200;
  const C = 32;
  const { X, Y } = parallelPair(n, C, 1, 41);
  const o = gaussian(C, 42).map((v) => 4 * v); // a large offset, ||o|| ~ 4·sqrt(C) = 4x a sentence vector
  const oA = gaussian(C, 43).map((v) => 4 * v);
  const oB = gaussian(C, 44).map((v) => 4 * v);
  const add = (V: Float32Array, off: Float64Array) => V.map((v, i) => v + off[i % C]);

  it('a shared offset inflates every similarity without centring; centring removes it exactly', () => {
    const clean = alignmentMetrics(X, Y, n, C, { centre: true });
    const rawClean = alignmentMetrics(X, Y, n, C, { centre: false });
    const rawOff = alignmentMetrics(add(X, o), add(Y, o), n, C, { centre: false });
    const centredOff = alignmentMetrics(add(X, o), add(Y, o), n, C, { centre: true });
    console.log(
      `shared offset: raw mean cos ${rawOff.meanCosine.toFixed(3)} offdiag ${rawOff.meanOffdiag.toFixed(3)} LAC ${rawOff.lac.toFixed(3)} P@1 ${rawOff.p1AtoB}; ` +
        `centred mean cos ${centredOff.meanCosine.toFixed(3)} offdiag ${centredOff.meanOffdiag.toFixed(3)} LAC ${centredOff.lac.toFixed(3)} P@1 ${centredOff.p1AtoB}`,
    );
    expect(rawClean.meanOffdiag).toBeLessThan(0.05);
    expect(rawOff.meanOffdiag).toBeGreaterThan(0.8); // random pairs now look alike
    expect(rawOff.meanCosine).toBeGreaterThan(0.8);
    expect(Math.abs(centredOff.meanOffdiag)).toBeLessThan(0.02);
    expectClose(centredOff, clean, 5); // f32 inputs: adding o rounds them
    // The kappa form of LAC largely cancels a shared offset by itself ((d - o)/(1 - o) divides the
    // inflation out), but the raw cosine and nearest-neighbour retrieval do not recover.
    expect(Math.abs(rawOff.lac - clean.lac)).toBeLessThan(0.03);
    expect(rawOff.p1AtoB).toBeLessThan(clean.p1AtoB - 0.05);
  });

  it('language-specific offsets deflate LAC without centring; centring restores it', () => {
    const clean = alignmentMetrics(X, Y, n, C, { centre: true });
    const raw = alignmentMetrics(add(X, oA), add(Y, oB), n, C, { centre: false });
    const centred = alignmentMetrics(add(X, oA), add(Y, oB), n, C, { centre: true });
    console.log(`language offsets: raw LAC ${raw.lac.toFixed(3)} (mean cos ${raw.meanCosine.toFixed(3)}, offdiag ${raw.meanOffdiag.toFixed(3)}); centred LAC ${centred.lac.toFixed(3)}; clean ${clean.lac.toFixed(3)}`);
    expect(raw.lac).toBeLessThan(0.5 * clean.lac);
    expectClose(centred, clean, 5);
  });
});

describe('weighted form (bootstrap counts)', () => {
  const n = 40;
  const S = cpuSimilarity(...pairOf(n, 8, 1, 3), n, 8, { centre: true });

  it('all-ones counts equal the plain metrics; lacFromSimilarity equals the full pass bit for bit', () => {
    expect(metricsFromSimilarity(S, n, { counts: new Uint32Array(n).fill(1) })).toEqual(metricsFromSimilarity(S, n));
    const rng = new Rng(5);
    for (let r = 0; r < 20; r++) {
      const counts = new Uint32Array(n);
      for (let k = 0; k < n; k++) counts[rng.int(n)]++;
      expect(lacFromSimilarity(S, n, counts)).toBe(metricsFromSimilarity(S, n, { counts }).lac);
    }
  });

  it('counts of 0/1 equal the metrics of the sub-matrix of the present sentences', () => {
    const keep = [0, 3, 4, 9, 17, 22, 30, 39];
    const counts = new Uint32Array(n);
    for (const i of keep) counts[i] = 1;
    const sub = Float64Array.from({ length: keep.length ** 2 }, (_, t) => S[keep[Math.floor(t / keep.length)] * n + keep[t % keep.length]]);
    expectClose(metricsFromSimilarity(S, n, { counts }), metricsFromSimilarity(sub, keep.length), 13);
  });

  it('a duplicated sentence adds weight, not a competitor or a non-translation pair', () => {
    const counts = new Uint32Array(n).fill(1);
    counts[5] = 3;
    counts[6] = 0;
    const m = metricsFromSimilarity(S, n, { counts });
    let diag = 0;
    let off = 0;
    let pairs = 0;
    const m0 = counts.reduce((a, b) => a + b, 0); // n + 1 draws
    for (let i = 0; i < n; i++) {
      diag += counts[i] * S[i * n + i];
      for (let j = 0; j < n; j++) {
        if (i !== j) {
          off += counts[i] * counts[j] * S[i * n + j];
          pairs += counts[i] * counts[j];
        }
      }
    }
    expect(m.meanCosine).toBeCloseTo(diag / m0, 13);
    expect(m.meanOffdiag).toBeCloseTo(off / pairs, 13);
  });

  it('rejects bad shapes and counts', () => {
    expect(() => metricsFromSimilarity(new Float64Array(8), 3)).toThrow(/9/);
    expect(() => metricsFromSimilarity(new Float64Array(1), 1)).toThrow(/n >= 2/);
    expect(() => metricsFromSimilarity(S, n, { counts: [1, 2] })).toThrow(/counts/);
    expect(() => alignmentMetrics([1, 2, 3], [1, 2, 3], 2, 2, { centre: false })).toThrow(/\[2, 2\]/);
    expect(() => alignmentMetrics([1, NaN, 3, 4], [1, 2, 3, 4], 2, 2, { centre: false })).toThrow(/non-finite/);
  });

  it('LAC is NaN when every vector points the same way (nothing to tell apart)', () => {
    const m = alignmentMetrics([1, 1, 1, 1, 1, 1], [2, 2, 3, 3, 5, 5], 3, 2, { centre: false });
    expect(m.lac).toBeNaN();
    expect(m.meanCosine).toBeCloseTo(1, 14);
    expect(m.meanOffdiag).toBeCloseTo(1, 14);
    expect(m.p1AtoB).toBeCloseTo(1 / 3, 14); // all tie: every row retrieves sentence 0
    expect(m.mexa).toBe(0);
  });
});
