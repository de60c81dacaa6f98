// The contrastive objective on the GPU against a float64 composition of reference pieces:
// decoder tape -> mean pool at the layer -> InfoNCE -> pool backward -> block backwards.

import { afterAll, describe, expect, it } from 'vitest';
import { readTensor } from '../kernels/tensor';
import { uploadDecoder } from '../model/decoder';
import { randomWeights, tinyConfig } from '../model/random-model';
import { addRef, mulRef } from '../reference/elementwise';
import { compare } from '../reference/compare';
import { infoNceRef } from '../reference/contrastive';
import { decoderTapeRef } from '../reference/decoder';
import { attentionBlockBackwardRef, embedBackwardRef, mlpBlockBackwardRef, type Grads } from '../reference/decoder-blocks';
import { poolBackwardRef, poolRef } from '../reference/pooling';
import { randomArray } from '../reference/random';
import { testRuntime } from '../test/gpu';
import { contrastiveForwardBackward, type SideBatch } from './contrastive';
import { createTrainable, zerosLike } from './trainable';

const rt = testRuntime();
afterAll(() => rt.destroy());

const config = tinyConfig({ numLayers: 3, hiddenSize: 32, numHeads: 4, numKvHeads: 2, headDim: 8, intermediateSize: 48, vocabSize: 64 });
const weights = randomWeights(config, 9);

function side(lengths: number[], seed: number): SideBatch {
  const T = Math.max(...lengths);
  const ids = new Uint32Array(lengths.length * T);
  lengths.forEach((n, b) => ids.set(Array.from(randomArray(n, seed + b), (v) => Math.floor(((v + 1) / 2) * 64)), b * T));
  return { B: lengths.length, T, ids, lengths };
}

/** Reference gradients of λ·InfoNCE(pool(hidden_layer(a)), pool(hidden_layer(b))). */
function reference(a: SideBatch, b: SideBatch, layer: number, temperature: number, lambda: number) {
  const C = config.hiddenSize;
  const tapes = [a, b].map((s) => decoderTapeRef(config, weights, s.ids, s.B, s.T, s.lengths));
  const pooled = [a, b].map((s, i) => poolRef(tapes[i].hidden[layer], s.lengths, s.B, s.T, C, 'mean'));
  const nce = infoNceRef(pooled[0], pooled[1], a.B, C, temperature);
  const grads: Grads = new Map();
  [a, b].forEach((s, i) => {
    let dx = poolBackwardRef(mulRef(i === 0 ? nce.dx : nce.dy, [lambda]), s.lengths, s.B, s.T, C, 'mean');
    for (let l = layer - 1; l >= 0; l--) {
      const { attention, mlp } = tapes[i].layers[l];
      dx = addRef(dx, mlpBlockBackwardRef(tapes[i].ctx, grads, l, mlp, dx));
      dx = addRef(dx, attentionBlockBackwardRef(tapes[i].ctx, grads, l, attention, dx));
    }
    embedBackwardRef(tapes[i].ctx, grads, s.ids, dx);
  });
  return { loss: nce.loss, grads };
}

describe('contrastive alignment loss on the GPU', () => {
  it('loss and every gradient (layers below the pooled one; none above) match the reference', async () => {
    const a = side([5, 3, 6, 4], 1);
    const b = side([4, 6, 2, 5], 11);
    const s = { layer: 2, temperature: 0.1, weight: 0.5, pairsPerStep: 4 };
    const { loss, grads } = await rt.run(async (ctx) => {
      const tr = createTrainable(ctx, await uploadDecoder(ctx, config, weights, 'f32'), { kind: 'full' }, 1);
      const g = zerosLike(ctx, tr.params, 'grad');
      const batch = ctx.batch();
      const l = await contrastiveForwardBackward(ctx, batch, tr, g, { a, b }, s);
      await batch.submit();
      const out = new Map<string, Float32Array>();
      for (const [name, t] of g) out.set(name, await readTensor(ctx, t));
      return { loss: (await readTensor(ctx, l))[0], grads: out };
    });
    const ref = reference(a, b, s.layer, s.temperature, s.weight);
    expect(Math.abs(loss - ref.loss) / ref.loss).toBeLessThanOrEqual(1e-4);
    let worst = 0;
    for (const [name, g] of grads) {
      const r = ref.grads.get(name);
      if (!r) {
        // Layers above the pooled one, the final norm and the head get no gradient.
        expect(g.every((v) => v === 0), name).toBe(true);
        continue;
      }
      const d = compare(g, r);
      worst = Math.max(worst, d.maxRel);
      expect(d.maxRel, name).toBeLessThanOrEqual(1e-2);
    }
    expect(ref.grads.size).toBeGreaterThan(10);
    console.log(`contrastive: loss ${loss.toFixed(5)} (ref ${ref.loss.toFixed(5)}), worst gradient rel. error ${worst.toExponential(2)}`);
  });
});
