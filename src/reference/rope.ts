// Float64 reference rotary position embedding in the Hugging Face convention (rotate-half): within
// each head of D dims, pair (i, i + D/2) is rotated by angle pos * invFreq[i], i < D/2.
// invFreq is plain theta^(-2i/D), or llama3-scaled by wavelength bands.

import type { DecoderConfig } from '../model/config';

/** invFreq [D/2]; llama3 scaling divides low frequencies by `factor` and blends the band between. */
export function ropeInvFreq(c: Pick<DecoderConfig, 'headDim' | 'ropeTheta' | 'ropeScaling'>): Float64Array {
  const D = c.headDim;
  const f = Float64Array.from({ length: D / 2 }, (_, i) => c.ropeTheta ** (-(2 * i) / D));
  const s = c.ropeScaling;
  if (!s) return f;
  const lowWavelen = s.originalMaxPositions / s.lowFreqFactor;
  const highWavelen = s.originalMaxPositions / s.highFreqFactor;
  return f.map((freq) => {
    const wavelen = (2 * Math.PI) / freq;
    if (wavelen < highWavelen) return freq;
    if (wavelen > lowWavelen) return freq / s.factor;
    const smooth = (s.originalMaxPositions / wavelen - s.lowFreqFactor) / (s.highFreqFactor - s.lowFreqFactor);
    return (1 - smooth) * (freq / s.factor) + smooth * freq;
  });
}

/** x [N, heads, D] rotated for positions [N]; returns a new array. */
export function ropeRef(x: ArrayLike<number>, positions: ArrayLike<number>, N: number, heads: number, D: number, invFreq: ArrayLike<number>): Float64Array {
  const y = Float64Array.from(x as ArrayLike<number>);
  const half = D / 2;
  for (let n = 0; n < N; n++) {
    for (let h = 0; h < heads; h++) {
      const base = (n * heads + h) * D;
      for (let i = 0; i < half; i++) {
        const a = positions[n] * invFreq[i];
        const cos = Math.cos(a);
        const sin = Math.sin(a);
        const x1 = x[base + i];
        const x2 = x[base + i + half];
        y[base + i] = x1 * cos - x2 * sin;
        y[base + i + half] = x2 * cos + x1 * sin;
      }
    }
  }
  return y;
}

/**
 * Backward of ropeRef: dx [N, heads, D] from dy. Each pair is rotated, so the gradient is the inverse
 * rotation: the forward at negated positions.
 */
export function ropeBackwardRef(dy: ArrayLike<number>, positions: ArrayLike<number>, N: number, heads: number, D: number, invFreq: ArrayLike<number>): Float64Array {
  return ropeRef(dy, Float64Array.from(positions, (p) => -p), N, heads, D, invFreq);
}

/** cos and sin of pos * invFreq[i] for pos < P, as f32 tables [P, D/2] for the GPU kernel. */
export function ropeTables(invFreq: ArrayLike<number>, P: number): { cos: Float32Array; sin: Float32Array } {
  const half = invFreq.length;
  const cos = new Float32Array(P * half);
  const sin = new Float32Array(P * half);
  for (let pos = 0; pos < P; pos++) {
    for (let i = 0; i < half; i++) {
      cos[pos * half + i] = Math.cos(pos * invFreq[i]);
      sin[pos * half + i] = Math.sin(pos * invFreq[i]);
    }
  }
  return { cos, sin };
}
