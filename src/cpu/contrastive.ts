// The optional contrastive objective on the CPU route (the twin of src/train/contrastive.ts): each
// side of the n pairs encoded alone up to the chosen layer (cpuHiddenForward), mean-pooled, InfoNCE
// with in-batch negatives, and the gradient back through pooling into the layers. Pooling and InfoNCE
// are the float64 references themselves (src/reference/pooling.ts, contrastive.ts): [n, C] and
// [n, n] are tiny next to the layers, so their maths exist once for the host.

import { infoNceRef } from '../reference/contrastive';
import { poolBackwardRef, poolRef } from '../reference/pooling';
import type { ContrastiveSettings, SideBatch } from '../train/contrastive';
import { cpuHiddenForward } from './backprop';
import type { CpuRuntime, CpuTensor } from './runtime';
import type { CpuTrainable } from './trainable';

/** Adds λ_con · d L_con into `grads`; returns the unscaled L_con. */
export function cpuContrastiveForwardBackward(rt: CpuRuntime, tr: CpuTrainable, grads: Map<string, CpuTensor>, pairs: { a: SideBatch; b: SideBatch }, s: ContrastiveSettings): number {
  const C = tr.model.config.hiddenSize;
  const sides = [pairs.a, pairs.b];
  const fwd = sides.map((x) => cpuHiddenForward(rt, tr, grads, x, s.layer));
  const pooled = sides.map((x, i) => poolRef(rt.f32(fwd[i].hidden), x.lengths, x.B, x.T, C, 'mean'));
  const n = pairs.a.B;
  const { loss, dx, dy } = infoNceRef(pooled[0], pooled[1], n, C, s.temperature);
  [dx, dy].forEach((d, i) => {
    const x = sides[i];
    const dh = poolBackwardRef(d.map((v) => v * s.weight), x.lengths, x.B, x.T, C, 'mean');
    const t = rt.upload(dh, [x.B * x.T, C], `con.d_hidden${i}`);
    fwd[i].backward(t);
    rt.release(t);
  });
  return loss;
}
