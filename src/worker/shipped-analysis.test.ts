// The base analysis shipped beside the default model must describe the shipped weights and corpus:
// rebuilding either without `npx tsx scripts/precompute-analysis.ts` fails here, not in a workshop.

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readCorpusFile } from '../data/read';
import { defaultForm, inspectCorpus, requestOf } from '../store/inspect-request';
import { embeddingsFromBytes, embeddingsToBytes, parseShippedAnalysis, sha256Hex } from './shipped-analysis';

const DIR = new URL('../../public/models/alignscope-tiny/', import.meta.url);
const read = (name: string) => readFileSync(new URL(name, DIR));
const shipped = parseShippedAnalysis(JSON.parse(read('base-analysis.json').toString('utf8')), 'alignscope-tiny');

describe('the shipped base analysis', () => {
  it('was measured on the shipped weights, in f32', async () => {
    expect(shipped.quant).toBe('f32');
    expect(await sha256Hex(read(shipped.weightsFile))).toBe(shipped.weightsSha256);
  });

  it("answers the app's default request: every language, the test split's sentences, mean pooling, centred, 1000 resamples", () => {
    const corpus = inspectCorpus('everyday', readCorpusFile('corpus.tsv', readFileSync(new URL('../../public/data/corpus.tsv', import.meta.url), 'utf8')));
    const { request } = requestOf(corpus, defaultForm(corpus.languages));
    const r = shipped.result;
    expect(r.languages).toEqual(request!.languages);
    expect([r.pooling, r.centre, r.resamples, r.seed]).toEqual([request!.pooling, request!.centre, request!.resamples, request!.seed]);
    for (const l of r.languages) expect(r.sentences[l]).toEqual(request!.tuples.map((t) => t[l]));
    expect(r.layers).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(r.chanceP1).toBe(1 / r.n);
    expect(r.surface).toHaveLength((r.languages.length * (r.languages.length - 1)) / 2);
    for (const row of r.rows) expect(row.nullLow < row.nullHigh && Number.isFinite(row.lac)).toBe(true);
  });

  it('ships vectors of the right size, and they round-trip', () => {
    const vectors = embeddingsFromBytes(read('base-embeddings.bin'), shipped.result, 'alignscope-tiny');
    expect(vectors.get('zh')).toHaveLength(shipped.result.layers.length);
    expect(vectors.get('zh')![2]).toHaveLength(shipped.result.n * shipped.result.dim);
    expect(Buffer.from(embeddingsToBytes(shipped.result, vectors)).equals(read('base-embeddings.bin'))).toBe(true);
  });
});

describe('parseShippedAnalysis', () => {
  it('names what is wrong with a malformed file', () => {
    const json = JSON.parse(read('base-analysis.json').toString('utf8'));
    expect(() => parseShippedAnalysis({ ...json, format: 'other/9' }, 'm')).toThrow(/format is "other\/9"/);
    expect(() => parseShippedAnalysis({ ...json, result: { ...json.result, rows: json.result.rows.slice(1) } }, 'm')).toThrow(/195 rows for 7 layers × 28 pairs/);
    expect(() => parseShippedAnalysis({ ...json, maps: {} }, 'm')).toThrow(/map of layer 0/);
    let error: unknown = null;
    try {
      parseShippedAnalysis(null, 'm');
    } catch (e) {
      error = e;
    }
    expect((error as Error | null)?.name).toBe('ModelFormatError');
    expect((error as Error).message).toMatch(/not a JSON object.*precompute-analysis/);
  });

  it('puts back the NaN that JSON stored as null', () => {
    const json = JSON.parse(read('base-analysis.json').toString('utf8'));
    json.result.rows[0].lacLow = null;
    expect(parseShippedAnalysis(json, 'm').result.rows[0].lacLow).toBeNaN();
  });

  it('refuses vectors of the wrong size', () => {
    expect(() => embeddingsFromBytes(new Uint8Array(12), shipped.result, 'm')).toThrow(/has 12 bytes/);
  });
});
