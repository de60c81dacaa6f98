// How GPU results are compared with the float64 reference, one definition for every test and the
// self-test: the largest absolute difference, and that difference relative to the largest |ref|
// (a norm-wise relative error: element-wise ratios explode where the true value is near 0).

export interface Diff {
  maxAbs: number;
  maxRel: number;
  /** Index of the largest absolute difference. */
  at: number;
}

export function compare(got: ArrayLike<number>, ref: ArrayLike<number>): Diff {
  if (got.length !== ref.length) throw new Error(`length mismatch: got ${got.length}, reference ${ref.length}`);
  let maxAbs = 0;
  let at = -1;
  let scale = 0;
  for (let i = 0; i < ref.length; i++) {
    const d = Math.abs(got[i] - ref[i]);
    // NaN must never pass: treat it as an infinite difference.
    if (!(d <= maxAbs)) {
      maxAbs = Number.isNaN(d) ? Infinity : d;
      at = i;
    }
    scale = Math.max(scale, Math.abs(ref[i]));
  }
  return { maxAbs, maxRel: scale > 0 ? maxAbs / scale : maxAbs, at };
}
