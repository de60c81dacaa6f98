// Analysis through the engine: embeddings of every language, metrics for every layer and pair,
// a map of one layer, and nearest neighbours — on the random tiny model and the shipped corpus.

import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { readTsv } from '../data/tsv';
import { nodeGpu } from '../gpu/node-gpu';
import { Engine } from './engine';

const engine = new Engine(() => nodeGpu());
afterAll(() => engine.dispose());
const { corpus } = readTsv(readFileSync(new URL('../../public/data/corpus.tsv', import.meta.url), 'utf8'), 'corpus.tsv');

describe('analysis in the engine', () => {
  it('gives every metric for every layer and pair, a map of one layer, and neighbours', async () => {
    await engine.loadModel({ kind: 'random', seed: 1 }, { quant: 'q4' });
    const tuples = corpus.tuples.slice(0, 40);
    const r = await engine.analyze({ tuples, languages: ['en', 'zh', 'cs'], layers: 'all', pooling: 'mean', centre: true, resamples: 200, seed: 0 });
    expect(r).toMatchObject({ n: 40, skipped: 0, layers: [0, 1, 2], dim: 64 });
    expect(r.rows).toHaveLength(3 * 3);
    expect(r.rows.map((x) => `${x.layer}:${x.a}-${x.b}`)).toContain('2:en-cs');
    for (const x of r.rows) {
      expect(x.lac).toBeGreaterThan(-1);
      expect(x.lac).toBeLessThanOrEqual(1);
      expect(x.lacLow).toBeLessThanOrEqual(x.lac + 1e-9);
      expect(x.lacHigh).toBeGreaterThanOrEqual(x.lac - 1e-9);
    }
    expect(r.sentences.cs[3]).toBe(tuples[3].cs);

    const map = await engine.projectEmbeddings(1, 'pca', 1);
    expect(map.points).toHaveLength(3 * 40 * 2);
    expect(Array.from(map.points).every(Number.isFinite)).toBe(true);
    expect((await engine.projectEmbeddings(1, 'pca', 1)).points).toEqual(map.points); // deterministic

    const nn = await engine.nearestNeighbours(2, 'en', 5, 4);
    expect(nn).toHaveLength(4);
    expect(nn.some((x) => x.language === 'en' && x.index === 5)).toBe(false);
    for (let i = 1; i < nn.length; i++) expect(nn[i - 1].similarity).toBeGreaterThanOrEqual(nn[i].similarity);
    await expect(engine.projectEmbeddings(7, 'pca')).rejects.toThrow(/Layer 7 was not analysed/);
  });
});
