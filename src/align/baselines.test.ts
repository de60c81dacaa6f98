import { describe, expect, it } from 'vitest';
import { chanceP1, charNgrams, permutationNull, surfaceBaseline, surfaceText } from './baselines';
import { lacFrom } from './metrics';

describe('chance retrieval', () => {
  it('is one over the number of candidates', () => {
    expect(chanceP1(4)).toBe(0.25);
    expect(chanceP1(105)).toBeCloseTo(0.00952381, 8);
  });
});

describe('LAC permutation null', () => {
  it('n = 2: the two pairings give the band ends, computed by hand', () => {
    // S = [[1, .2], [.4, .8]], total 2.4. Identity: d = .9, o = .3, LAC = .6/.7. Swap: d = .3, o = .9, LAC = -.6/.1 = -6.
    const S = Float64Array.from([1, 0.2, 0.4, 0.8]);
    const band = permutationNull(S, 2, { resamples: 1000, seed: 3 });
    expect(band.low).toBeCloseTo(-6, 12);
    expect(band.high).toBeCloseTo(0.6 / 0.7, 12);
    // About half the shuffles are each pairing.
    const half = (0.6 / 0.7 - 6) / 2;
    expect(band.mean).toBeGreaterThan(half - 0.5);
    expect(band.mean).toBeLessThan(half + 0.5);
  });

  it('n = 3: every shuffled value is one of the six pairings; the band spans the middle of them', () => {
    const S = Float64Array.from([0.9, 0.1, -0.2, 0.3, 0.7, 0.0, -0.1, 0.2, 0.5]);
    let total = 0;
    for (const v of S) total += v;
    const perms = [[0, 1, 2], [0, 2, 1], [1, 0, 2], [1, 2, 0], [2, 0, 1], [2, 1, 0]];
    const values = perms.map((p) => {
      const diag = p.reduce((s, j, i) => s + S[i * 3 + j], 0);
      return lacFrom(diag / 3, (total - diag) / 6);
    });
    const band = permutationNull(S, 3, { resamples: 2000, seed: 1, level: 0.5 });
    const near = (v: number) => values.some((x) => Math.abs(x - v) < 1e-9);
    // With level 0.5 and 6 equally likely values, the quartiles fall on order statistics 2 and 5 of 6 (or between them).
    const sorted = [...values].sort((a, b) => a - b);
    expect(band.low).toBeGreaterThanOrEqual(sorted[1] - 1e-9);
    expect(band.low).toBeLessThanOrEqual(sorted[2] + 1e-9);
    expect(band.high).toBeGreaterThanOrEqual(sorted[3] - 1e-9);
    expect(band.high).toBeLessThanOrEqual(sorted[4] + 1e-9);
    expect(near(permutationNull(S, 3, { resamples: 1, seed: 7 }).low)).toBe(true);
    // The mean over all pairings, up to sampling noise.
    expect(band.mean).toBeCloseTo(values.reduce((a, b) => a + b, 0) / 6, 1);
  });

  it('is seeded: the same seed gives the same band', () => {
    const S = Float64Array.from({ length: 25 }, (_, k) => Math.sin(k * 1.7));
    expect(permutationNull(S, 5, { seed: 9 })).toEqual(permutationNull(S, 5, { seed: 9 }));
  });

  it('rejects a matrix of the wrong size', () => {
    expect(() => permutationNull(new Float64Array(5), 2)).toThrow(/S \[n, n\]/);
  });
});

describe('surface baseline (character n-grams)', () => {
  it('reads n-grams of orders 1-3 from the normalised, padded text', () => {
    expect(surfaceText('  Ab\tC ')).toBe(' ab c ');
    const g = charNgrams('Ab');
    // " ab ": 1-grams a b; 2-grams " a", ab, "b "; 3-grams " ab", "ab " (all-space grams left out).
    expect([...g.keys()].sort()).toEqual([' a', ' ab', 'a', 'ab', 'ab ', 'b', 'b '].sort());
    expect([...g.values()].every((c) => c === 1)).toBe(true);
    expect(charNgrams('aa').get('a')).toBe(2);
    // NFKC: a full-width letter counts as the ASCII one.
    expect(charNgrams('Ａ').get('a')).toBe(1);
  });

  it('without centring: hand-computed metrics of two sentences', () => {
    // A = [ab, cd], B = [ab, xy]: S = [[1, 0], [0, 0]] -> LAC .5; row 1 and column 1 tie at 0 (lower index wins: a miss).
    const [row] = surfaceBaseline({ A: ['ab', 'cd'], B: ['ab', 'xy'] }, ['A', 'B'], { centre: false });
    expect(row).toMatchObject({ a: 'A', b: 'B' });
    expect(row.lac).toBeCloseTo(0.5, 12);
    expect(row.p1AtoB).toBe(0.5);
    expect(row.p1BtoA).toBe(0.5);
    expect(row.mexa).toBe(0.5);
  });

  it('with centring: hand-computed metrics of two sentences', () => {
    // Centred rows are ±(v1 - v2)/2; cos(A1, B1) = (7/4) / (14/4) = .5, so S = [[.5, -.5], [-.5, .5]] and LAC = 1 / 1.5.
    const [row] = surfaceBaseline({ A: ['ab', 'cd'], B: ['ab', 'xy'] }, ['A', 'B'], { centre: true });
    expect(row.lac).toBeCloseTo(2 / 3, 12);
    expect(row.p1AtoB).toBe(1);
    expect(row.mexa).toBe(1);
  });

  it('scripts that share nothing give LAC 0; identical text gives 1', () => {
    const en = ['the cat sleeps', 'a dog barks', 'birds sing now'];
    const rows = surfaceBaseline({ en, copy: en, zh: ['猫在睡觉', '狗在叫', '鸟在唱歌'] }, ['en', 'copy', 'zh'], { centre: true });
    const by = new Map(rows.map((r) => [`${r.a}-${r.b}`, r]));
    expect(by.get('en-copy')!.lac).toBeCloseTo(1, 12);
    expect(by.get('en-copy')!.p1AtoB).toBe(1);
    expect(by.get('en-zh')!.lac).toBeCloseTo(0, 12);
    expect(rows.map((r) => `${r.a}-${r.b}`)).toEqual(['en-copy', 'en-zh', 'copy-zh']);
  });

  it('rejects sets that are not parallel', () => {
    expect(() => surfaceBaseline({ a: ['x y', 'z w'], b: ['x y'] }, ['a', 'b'], { centre: true })).toThrow(/parallel/);
  });
});
