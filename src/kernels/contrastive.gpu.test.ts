// Sentence-level training ops against their float64 references: the pooling backward
// (poolBackwardRef) and the symmetric InfoNCE loss with its gradients (infoNceRef). Max relative error
// (norm-wise, src/reference/compare.ts) <= 1e-4 for the loss and <= 1e-3 for gradients.

import { afterAll, describe, expect, it } from 'vitest';
import type { Batch } from '../gpu/batch';
import type { GpuContext } from '../gpu/runtime';
import { compare } from '../reference/compare';
import { infoNceRef } from '../reference/contrastive';
import { poolBackwardRef, type Pooling } from '../reference/pooling';
import { randomArray } from '../reference/random';
import { testRuntime } from '../test/gpu';
import { infoNce } from './contrastive';
import { poolBackward } from './pooling';
import { readTensor, uploadTensor, uploadU32, type GpuTensor } from './tensor';

const rt = testRuntime();
afterAll(() => rt.destroy());

const LOSS_TOL = 1e-4;
const GRAD_TOL = 1e-3;

/** Records with `build`, submits once, reads every returned tensor. */
function gpu(build: (ctx: GpuContext, batch: Batch) => Promise<GpuTensor[]>): Promise<Float32Array[]> {
  return rt.run(async (ctx) => {
    const batch = ctx.batch();
    const outs = await build(ctx, batch);
    await batch.submit();
    return Promise.all(outs.map((t) => readTensor(ctx, t)));
  });
}

function expectClose(got: ArrayLike<number>, ref: ArrayLike<number>, what: string, tol: number) {
  const d = compare(got, ref);
  console.log(`${what}: max rel ${d.maxRel.toExponential(2)}`);
  expect(d.maxRel).toBeLessThanOrEqual(tol);
}

describe('pooling backward vs float64 reference', () => {
  const [B, T, C] = [3, 7, 40];
  const lengths = [2, 7, 5];
  for (const mode of ['mean', 'last'] as Pooling[]) {
    it(`${mode}: dh, zero on padding`, async () => {
      const dPooled = randomArray(B * C, mode === 'mean' ? 21 : 22);
      const [dh] = await gpu(async (ctx, b) => [
        await poolBackward(ctx, b, uploadTensor(ctx, dPooled, [B, C], 'dPooled'), uploadU32(ctx, Uint32Array.from(lengths), [B], 'lengths'), B, T, C, mode),
      ]);
      const ref = poolBackwardRef(dPooled, lengths, B, T, C, mode);
      expectClose(dh, ref, `pool ${mode} backward`, GRAD_TOL);
      // Padding (and, for last, every earlier token) is exactly zero, not merely small.
      ref.forEach((v, i) => v === 0 && expect(dh[i]).toBe(0));
    });
  }
});

interface Case {
  n: number;
  C: number;
  temperature: number;
  x: Float32Array;
  y: Float32Array;
  label: string;
}

async function checkInfoNce({ n, C, temperature, x, y, label }: Case) {
  const [loss, dx, dy] = await gpu(async (ctx, b) => {
    const r = await infoNce(ctx, b, uploadTensor(ctx, x, [n, C], 'x'), uploadTensor(ctx, y, [n, C], 'y'), temperature);
    return [r.loss, r.dx, r.dy];
  });
  const ref = infoNceRef(x, y, n, C, temperature);
  const dl = compare(loss, [ref.loss]);
  const ex = compare(dx, ref.dx);
  const ey = compare(dy, ref.dy);
  console.log(`info_nce ${label}: loss ${ref.loss.toExponential(3)} rel ${dl.maxRel.toExponential(2)}, dx rel ${ex.maxRel.toExponential(2)}, dy rel ${ey.maxRel.toExponential(2)}`);
  expect(dl.maxRel).toBeLessThanOrEqual(LOSS_TOL);
  expect(ex.maxRel).toBeLessThanOrEqual(GRAD_TOL);
  expect(ey.maxRel).toBeLessThanOrEqual(GRAD_TOL);
  return { loss: loss[0], dx, dy, ref };
}

describe('infoNce vs float64 reference', () => {
  let seed = 100;
  for (const n of [1, 4, 13]) {
    for (const C of [16, 130]) {
      for (const temperature of [0.1, 1]) {
        it(`n=${n} C=${C} τ=${temperature}: translation pairs`, async () => {
          const x = randomArray(n * C, ++seed).map((v) => 3 * v);
          // y: x plus noise, so the pairs score higher than the negatives but not perfectly.
          const y = randomArray(n * C, ++seed).map((v, i) => x[i] / 3 + 0.5 * v);
          await checkInfoNce({ n, C, temperature, x, y, label: `n=${n} C=${C} τ=${temperature} x≠y` });
        });
        it(`n=${n} C=${C} τ=${temperature}: x = y`, async () => {
          const x = randomArray(n * C, ++seed);
          const r = await checkInfoNce({ n, C, temperature, x, y: x.slice(), label: `n=${n} C=${C} τ=${temperature} x=y` });
          if (temperature === 0.1 && C === 130) expect(r.ref.loss).toBeLessThan(0.05); // near-zero loss, kept to 1e-4 relative
        });
      }
    }
  }

  it('rows at and below the normalisation floor (|x| <= 1e-12): gradient dx̂ / 1e-12', async () => {
    const [n, C, temperature] = [4, 16, 0.1];
    const x = randomArray(n * C, 7);
    const y = randomArray(n * C, 8);
    x.fill(0, 0, C); // a zero row
    for (let c = 0; c < C; c++) y[C + c] *= 1e-14; // |y_1| ~ 2e-14, below the floor
    const r = await checkInfoNce({ n, C, temperature, x, y, label: 'floor rows' });
    // The huge floor rows set the scale of the norm-wise error above; check the ordinary rows alone too.
    const rows = (a: ArrayLike<number>, keep: number[]) => keep.flatMap((i) => Array.from({ length: C }, (_, c) => a[i * C + c]));
    expectClose(rows(r.dx, [1, 2, 3]), rows(r.ref.dx, [1, 2, 3]), 'floor case, ordinary rows of dx', GRAD_TOL);
    expectClose(rows(r.dy, [0, 2, 3]), rows(r.ref.dy, [0, 2, 3]), 'floor case, ordinary rows of dy', GRAD_TOL);
  });

  it('a full in-batch shape: n=64, C=4096, τ=0.05', async () => {
    const [n, C] = [64, 4096];
    const x = randomArray(n * C, 9);
    const y = randomArray(n * C, 10).map((v, i) => x[i] + 0.3 * v);
    await checkInfoNce({ n, C, temperature: 0.05, x, y, label: 'n=64 C=4096 τ=0.05' });
  });
});
