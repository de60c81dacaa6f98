import { afterAll, describe, expect, it } from 'vitest';
import { randomArray } from '../reference/random';
import { sampleRef } from '../reference/sample';
import { testRuntime } from '../test/gpu';
import { sample } from './sample';
import { uploadTensor } from './tensor';

const rt = testRuntime();
afterAll(() => rt.destroy());

async function gpuSample(logits: Float32Array, B: number, V: number, topK: number, temperature: number, u: Float32Array): Promise<number[]> {
  return rt.run(async (ctx) => {
    const batch = ctx.batch();
    const out = await sample(ctx, batch, uploadTensor(ctx, logits, [B, V], 'logits'), { topK, temperature, u: uploadTensor(ctx, u, [B], 'u') });
    const read = batch.read(out.buffer.buffer, B * 4);
    await batch.submit();
    return Array.from(new Uint32Array(await read));
  });
}

describe('GPU sampling vs reference', () => {
  const [B, V] = [6, 1000];
  const logits = randomArray(B * V, 3).map((v) => v * 4);
  const row = (b: number) => logits.subarray(b * V, (b + 1) * V);
  const u = randomArray(B, 9).map((v) => (v + 1) / 2);

  it('greedy picks the argmax, the lower id on ties', async () => {
    const ties = Float32Array.from(logits);
    ties[5 * V + 10] = 100;
    ties[5 * V + 900] = 100;
    const got = await gpuSample(ties, B, V, 1, 1, u);
    expect(got).toEqual(Array.from({ length: B }, (_, b) => sampleRef(ties.subarray(b * V, (b + 1) * V), 1, 1, 0)));
    expect(got[5]).toBe(10);
  });

  for (const [topK, temperature] of [
    [40, 0.8],
    [5, 2],
    [64, 1],
  ]) {
    it(`top-${topK} at temperature ${temperature} matches the reference draw for draw`, async () => {
      const got = await gpuSample(logits, B, V, topK, temperature, u);
      expect(got).toEqual(Array.from({ length: B }, (_, b) => sampleRef(row(b), topK, temperature, u[b])));
    });
  }

  it('temperature 0 is greedy whatever k', async () => {
    expect(await gpuSample(logits, B, V, 40, 0, u)).toEqual(await gpuSample(logits, B, V, 1, 1, u));
  });

  it('draws follow softmax(top-k / T): frequencies over many uniforms', async () => {
    const V2 = 8;
    const l = Float32Array.from([2, 1, 0, -1, 5, -3, 0.5, 1.5]);
    const n = 256;
    const many = new Float32Array(n * V2);
    for (let i = 0; i < n; i++) many.set(l, i * V2);
    const us = Float32Array.from({ length: n }, (_, i) => (i + 0.5) / n); // stratified draws
    const got = await gpuSample(many, n, V2, 3, 1, us);
    const w = [5, 2, 1.5].map((v) => Math.exp(v - 5));
    const z = w.reduce((a, b) => a + b, 0);
    const count = (id: number) => got.filter((g) => g === id).length / n;
    expect(count(4)).toBeCloseTo(w[0] / z, 1);
    expect(count(0)).toBeCloseTo(w[1] / z, 1);
    expect(count(7)).toBeCloseTo(w[2] / z, 1);
    expect(got.every((g) => [4, 0, 7].includes(g))).toBe(true);
  });
});
