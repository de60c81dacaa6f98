// GGUF files as a model source, on files our own writer (src/test/gguf-writer.ts) makes the way
// llama.cpp's converter would: a random tiny decoder in F32, F16, BF16, Q8_0 and Q4_0 (Llama q/k
// rows permuted), the shipped tokenizer's vocabulary and merges in the metadata. Checked: weights
// against the source (exact, f16/bf16 rounding, block bounds), CPU-route logits against the same
// model loaded from safetensors, the tokenizer's ids against tokenizer.json, typed refusals, and
// damaged files ending in a typed error.

import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AlignScopeError, ModelFormatError, UnsupportedModelError } from '../errors';
import { createCpuCaches, cpuDecoderStep, loadCpuDecoder, releaseCaches, releaseCpuDecoder } from '../cpu/decoder';
import { CpuRuntime } from '../cpu/runtime';
import { dirFiles } from '../cli/dir-source';
import { serveFolder } from '../test/static-server';
import { compare } from '../reference/compare';
import { decoderGguf, encodeGgml, ggufName, writeGguf, type GgufValue, type TokenizerSource } from '../test/gguf-writer';
import { llama3TokenizerFiles } from '../test/tokenizer';
import { toHfConfig, type DecoderConfig } from './config';
import { readGguf } from './gguf';
import { GGML } from './gguf-quant';
import { readModelFolder, type HostModel } from './load';
import { dequantize } from './quant';
import { randomWeights, tinyConfig } from './random-model';
import { writeSafetensors } from './safetensors';
import { memoryFiles, urlFolder } from './source';
import { Tokenizer } from './tokenizer';
import { mapSource, readAllWeights, storedWeights } from './weight-source';
import { expectedWeights, type WeightMap } from './weights';

const dir = new URL('../../public/models/alignscope-tiny/', import.meta.url);
const tokenizerJson = JSON.parse(readFileSync(new URL('tokenizer.json', dir), 'utf8')) as Record<string, unknown>;
const tokenizerConfig = JSON.parse(readFileSync(new URL('tokenizer_config.json', dir), 'utf8')) as Record<string, unknown>;
const shipped = Tokenizer.fromJson(tokenizerJson, tokenizerConfig);
const BOS = shipped.tokenToId('<s>')!;
const EOS = shipped.tokenToId('</s>')!;
const TOKENIZER: TokenizerSource = { json: tokenizerJson, bos: BOS, eos: EOS, addBos: true, pre: 'alignscope' };

// V follows the shipped tokenizer (its size is not fixed while the model is rebuilt).
const LLAMA = tinyConfig({ vocabSize: shipped.vocabSize, tieWordEmbeddings: false, bosTokenId: BOS, eosTokenIds: [EOS] });
const weights = randomWeights(LLAMA, 4);

const SENTENCES = [
  'The children are playing in the garden.',
  '孩子们在花园里玩。',
  'Děti si hrají na zahradě.',
  'お茶を一杯ください',
  'Дети играют в саду, 2024 год!',
  'الأطفال يلعبون في الحديقة',
  "Don't stop — 12345 😀\n\tend",
];

async function loadGguf(bytes: Uint8Array, name = 'model.gguf'): Promise<HostModel> {
  return readModelFolder(memoryFiles(new Map([[name, bytes]]), 'gguf-test'));
}

function safetensorsFolder(c: DecoderConfig, w: WeightMap) {
  const json = (v: unknown) => new TextEncoder().encode(JSON.stringify(v));
  return memoryFiles(
    new Map([
      ['config.json', json(toHfConfig(c))],
      ['tokenizer.json', json(tokenizerJson)],
      ['tokenizer_config.json', json(tokenizerConfig)],
      ['model.safetensors', writeSafetensors(w)],
    ]),
    'safetensors-test',
  );
}

/** Largest |a - b| over a tensor, and the bound per 32-block given the block's amax. */
function blockErrors(got: Float32Array, want: Float32Array, bound: (amax: number) => number): { worst: number; allowed: number; over: number } {
  let worst = 0;
  let over = 0;
  let allowed = 0;
  for (let b = 0; b < want.length / 32; b++) {
    let amax = 0;
    for (let j = 0; j < 32; j++) amax = Math.max(amax, Math.abs(want[b * 32 + j]));
    const lim = bound(amax);
    for (let j = 0; j < 32; j++) {
      const e = Math.abs(got[b * 32 + j] - want[b * 32 + j]);
      if (e > worst) (worst = e), (allowed = lim);
      if (e > lim) over++;
    }
  }
  return { worst, allowed, over };
}

describe('a Llama GGUF (F32) against the same model from safetensors', () => {
  let gguf: HostModel;
  let st: HostModel;
  let rt: CpuRuntime;
  beforeAll(async () => {
    gguf = await loadGguf(decoderGguf(LLAMA, weights, { type: GGML.F32, tokenizer: TOKENIZER }));
    st = await readModelFolder(safetensorsFolder(LLAMA, weights));
    rt = await CpuRuntime.create({ threads: 1 });
  });
  afterAll(async () => rt?.dispose());

  it('config from the llama.* keys', () => {
    expect(gguf.weightsFormat).toBe('gguf');
    expect(gguf.weightsFile).toBe('model.gguf');
    const { rmsNormEps, ...rest } = gguf.config;
    const { rmsNormEps: eps, ...want } = LLAMA;
    expect(rest).toEqual(want);
    expect(rmsNormEps).toBe(Math.fround(eps)); // stored as f32
  });

  it('every weight equals the source exactly, q/k rows un-permuted', async () => {
    for (const spec of expectedWeights(LLAMA)) {
      expect(gguf.weights.shapes.get(spec.name), spec.name).toEqual(spec.shape);
      expect(compare(await gguf.weights.read(spec.name), weights.get(spec.name)!.data).maxAbs, spec.name).toBe(0);
    }
    expect((await storedWeights(gguf.weights, 'q4')).size + (await storedWeights(gguf.weights, 'q8')).size).toBe(0);
  });

  const ids = shipped.encode(SENTENCES[0]).slice(0, 12);
  const logitsOf = async (h: HostModel, quant: 'f32' | 'q4' = 'f32') => {
    const m = await loadCpuDecoder(rt, h.config, h.weights, quant);
    const caches = createCpuCaches(rt, m, 1, ids.length);
    const out = cpuDecoderStep(rt, m, caches, { tokens: Uint32Array.from(ids), B: 1, Tq: ids.length, past: [0], qLen: [ids.length] }, {});
    const r = rt.read(out.logits!);
    rt.release(out.logits!);
    releaseCaches(rt, caches);
    releaseCpuDecoder(rt, m);
    return r;
  };

  it('a Q4_0 file run as q4 computes with its own codes: logits equal f32 over its dequantized weights within 1e-4', async () => {
    const q = await loadGguf(decoderGguf(LLAMA, weights, { type: GGML.Q4_0, tokenizer: TOKENIZER }));
    const dense = { ...q, weights: mapSource(await readAllWeights(q.weights)) };
    const d = compare(await logitsOf(q, 'q4'), await logitsOf(dense));
    console.log(`GGUF Q4_0 as q4 vs f32 of its values: max abs ${d.maxAbs.toExponential(2)}`);
    expect(d.maxAbs).toBeLessThanOrEqual(1e-4);
  });

  it('CPU-route logits equal the safetensors-loaded model within 1e-4', async () => {
    const a = await logitsOf(gguf);
    const b = await logitsOf(st);
    expect(a.length).toBe(ids.length * LLAMA.vocabSize);
    const d = compare(a, b);
    console.log(`GGUF F32 vs safetensors logits: max abs ${d.maxAbs.toExponential(2)}`);
    expect(d.maxAbs).toBeLessThanOrEqual(1e-4);
  });

  it('the tokenizer from metadata encodes like tokenizer.json, in several scripts', () => {
    const t = gguf.tokenizer;
    expect(t.vocabSize).toBe(shipped.vocabSize);
    expect(t.bosId).toBe(BOS);
    expect(t.eosIds[0]).toBe(EOS);
    expect([...t.specialTokens].sort()).toEqual([...shipped.specialTokens].sort());
    for (const s of [...SENTENCES, `<s>${SENTENCES[0]}</s>`]) {
      const ids = t.encode(s);
      expect(ids, s).toEqual(shipped.encode(s));
      expect(ids.length).toBeGreaterThan(1);
      expect(t.decode(ids, { skipSpecial: true })).toBe(s.replace(/<\/?s>/g, ''));
    }
  });
});

describe('other tensor types', () => {
  it('F16: every matrix within f16 rounding of the source, norms exact (F32)', async () => {
    const g = await loadGguf(decoderGguf(LLAMA, weights, { type: GGML.F16, tokenizer: TOKENIZER }));
    const gw = await readAllWeights(g.weights);
    for (const spec of expectedWeights(LLAMA)) {
      const got = gw.get(spec.name)!.data;
      const want = weights.get(spec.name)!.data;
      let over = 0;
      for (let i = 0; i < want.length; i++) if (Math.abs(got[i] - want[i]) > Math.abs(want[i]) * 2 ** -11 + 2 ** -25) over++;
      expect(over, spec.name).toBe(0);
      if (spec.role === 'norm') expect(compare(got, want).maxAbs).toBe(0);
      else expect(compare(got, want).maxAbs).toBeGreaterThan(0);
    }
  });

  it('BF16: within bf16 truncation of the source', async () => {
    const g = await loadGguf(decoderGguf(LLAMA, weights, { type: GGML.BF16, tokenizer: TOKENIZER }));
    const gw = await readAllWeights(g.weights);
    for (const spec of expectedWeights(LLAMA)) {
      const got = gw.get(spec.name)!.data;
      const want = weights.get(spec.name)!.data;
      for (let i = 0; i < want.length; i += 7) expect(Math.abs(got[i] - want[i])).toBeLessThanOrEqual(Math.abs(want[i]) * 2 ** -7);
    }
  });

  for (const [type, name, kind, bound] of [
    // q8: amax/254 for the codes, plus 127 * |d - f16(d)| <= amax * 2^-11 for the f16 scale.
    [GGML.Q8_0, 'Q8_0', 'q8', (amax: number) => amax / 254 + amax * 2 ** -11 + 1e-7],
    // ggml's q4_0 maps the largest-magnitude value to -8: the opposite end clamps at 7, so |d| = amax/8, plus f16 rounding of d.
    [GGML.Q4_0, 'Q4_0', 'q4', (amax: number) => (amax / 8) * (1 + 2 ** -8) + 1e-7],
  ] as const) {
    it(`${name}: every matrix within the block bound; linears and the embedding kept as ${kind} with the file's codes`, async () => {
      const g = await loadGguf(decoderGguf(LLAMA, weights, { type, tokenizer: TOKENIZER }));
      const gw = await readAllWeights(g.weights);
      for (const spec of expectedWeights(LLAMA)) {
        const got = gw.get(spec.name)!.data;
        const want = weights.get(spec.name)!.data;
        if (spec.role === 'norm') {
          expect(compare(got, want).maxAbs, spec.name).toBe(0);
          continue;
        }
        const e = blockErrors(got, want, bound);
        expect(e.over, `${spec.name}: worst ${e.worst} (bound ${e.allowed})`).toBe(0);
        expect(e.worst).toBeGreaterThan(0);
        if (spec.role === 'linear' || spec.role === 'embedding') {
          const q = (await g.weights.stored(spec.name, kind))!;
          expect(q.kind, spec.name).toBe(kind);
          expect(Array.from(dequantize(q)), spec.name).toEqual(Array.from(got));
        }
      }
      expect(await g.weights.stored('model.norm.weight', kind)).toBeUndefined();
    });
  }
});

describe('Qwen2 and Qwen3 files (not permuted)', () => {
  const QWEN2 = tinyConfig({ architecture: 'qwen2', attentionBias: true, vocabSize: shipped.vocabSize, bosTokenId: BOS, eosTokenIds: [EOS] });
  const QWEN3 = tinyConfig({ architecture: 'qwen3', headDim: 32, vocabSize: shipped.vocabSize, bosTokenId: BOS, eosTokenIds: [EOS] });
  for (const c of [QWEN2, QWEN3]) {
    it(`${c.architecture}: config from ${c.architecture}.* keys, every weight (biases, q/k norms) exact, tied output`, async () => {
      const w = randomWeights(c, 9);
      const g = await loadGguf(decoderGguf(c, w, { type: GGML.F32, tokenizer: TOKENIZER }));
      const gw = await readAllWeights(g.weights);
      expect({ ...g.config, rmsNormEps: 0 }).toEqual({ ...c, rmsNormEps: 0 });
      for (const spec of expectedWeights(c)) expect(compare(gw.get(spec.name)!.data, w.get(spec.name)!.data).maxAbs, spec.name).toBe(0);
    });
  }
});

describe("Llama 3's tokenizer through GGUF metadata (pre-tokenizer llama-bpe)", () => {
  it('128k tokens and 280k merges come back as the same tokenizer', { timeout: 60_000 }, async () => {
    const files = llama3TokenizerFiles();
    const ref = Tokenizer.fromJson(files.json, files.config);
    const t = { json: files.json, bos: ref.bosId, eos: ref.tokenToId('<|end_of_text|>'), addBos: ref.addBosByDefault, pre: 'llama-bpe' };
    const c = tinyConfig({ vocabSize: ref.vocabSize, numLayers: 1, hiddenSize: 32, numHeads: 2, numKvHeads: 1, headDim: 16, intermediateSize: 32 });
    const g = await loadGguf(decoderGguf(c, randomWeights(c, 1), { type: GGML.F32, tokenizer: t }));
    expect(g.tokenizer.vocabSize).toBe(ref.vocabSize);
    // The same tokenizer over a 64-row embedding: its ids would index past the matrix.
    const few = tinyConfig({ vocabSize: 64, numLayers: 1 });
    await expectError(loadGguf(decoderGguf(few, randomWeights(few, 1), { type: GGML.F32, tokenizer: t })), ModelFormatError, { tokenizerVocab: ref.vocabSize, vocabSize: 64 });
    expect(g.tokenizer.bosId).toBe(ref.bosId);
    for (const s of [...SENTENCES, '<|begin_of_text|>Hello<|eot_id|>', '   leading spaces and 1234567 digits']) expect(g.tokenizer.encode(s), s).toEqual(ref.encode(s));
  });
});

// ---- Refusals and damage ----------------------------------------------------------------------

const small = tinyConfig({ vocabSize: shipped.vocabSize, numLayers: 1 });
const smallWeights = randomWeights(small, 2);
const good = (metadata: Record<string, GgufValue> = {}, type: number = GGML.Q8_0) => decoderGguf(small, smallWeights, { type, tokenizer: TOKENIZER, metadata });

async function expectError<E extends AlignScopeError>(p: Promise<unknown>, Kind: new (...a: never[]) => E, data: Record<string, unknown>): Promise<E> {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(Kind);
  expect((e as E).data).toMatchObject(data);
  return e as E;
}

describe('refused with a typed error naming the key or tensor', () => {
  it('another architecture: UnsupportedModelError naming general.architecture', async () => {
    const e = await expectError(loadGguf(good({ 'general.architecture': { type: 'str', value: 'gemma2' } })), UnsupportedModelError, { key: 'general.architecture', value: 'gemma2' });
    expect(e.message).toContain('gemma2');
  });

  it('a SentencePiece tokenizer: UnsupportedModelError naming tokenizer.ggml.model', async () => {
    await expectError(loadGguf(good({ 'tokenizer.ggml.model': { type: 'str', value: 'llama' } })), UnsupportedModelError, { key: 'tokenizer.ggml.model', value: 'llama' });
  });

  it('an unknown pre-tokenizer: UnsupportedModelError naming tokenizer.ggml.pre', async () => {
    await expectError(loadGguf(good({ 'tokenizer.ggml.pre': { type: 'str', value: 'deepseek-coder' } })), UnsupportedModelError, { key: 'tokenizer.ggml.pre' });
  });

  it('a missing size key: UnsupportedModelError naming it', async () => {
    const bytes = decoderGguf(small, smallWeights, { type: GGML.F32, tokenizer: TOKENIZER, metadata: { 'general.name': { type: 'str', value: 'x' } } });
    // Rename the key in place (same length), as if the converter had not written it.
    const at = Buffer.from(bytes).indexOf('llama.block_count');
    bytes.set(new TextEncoder().encode('llama.block_xxxxx'), at);
    await expectError(loadGguf(bytes), UnsupportedModelError, { key: 'llama.block_count' });
  });

  it('a Q5_0 tensor: UnsupportedModelError naming the tensor and dtype', async () => {
    const bytes = writeGguf(
      { 'general.architecture': { type: 'str', value: 'llama' }, ...metadataOf(small) },
      expectedWeights(small).map((s) => {
        const data = s.name.endsWith('q_proj.weight') ? new Uint8Array((s.shape[0] * s.shape[1] * 22) / 32) : encodeGgml(GGML.F32, smallWeights.get(s.name)!.data);
        return { name: ggufName(s.name), type: s.name.endsWith('q_proj.weight') ? 6 : GGML.F32, dims: [...s.shape].reverse(), data };
      }),
    );
    const e = await expectError(loadGguf(bytes), UnsupportedModelError, { tensor: 'blk.0.attn_q.weight', dtype: 'Q5_0' });
    expect(e.message).toContain('Q5_0');
  });

  it('rope_freqs.weight (Llama 3.1 scaling): UnsupportedModelError naming the tensor', async () => {
    const bytes = writeGguf({ 'general.architecture': { type: 'str', value: 'llama' }, ...metadataOf(small) }, [{ name: 'rope_freqs.weight', type: GGML.F32, dims: [8], data: new Uint8Array(32) }]);
    await expectError(loadGguf(bytes), UnsupportedModelError, { tensor: 'rope_freqs.weight' });
  });

  it('several .gguf files in one folder: ModelFormatError listing them; a folder of one loads it by any name', async () => {
    const b = good();
    await expectError(readModelFolder(memoryFiles(new Map([['a.gguf', b], ['b.gguf', b]]), 'two')), ModelFormatError, { files: ['a.gguf', 'b.gguf'] });
    expect((await loadGguf(b, 'TinyModel-Q8_0.gguf')).weightsFile).toBe('TinyModel-Q8_0.gguf');
  });
});

describe('sources that hand over a .gguf file', () => {
  const bytes = good();
  const folder = mkdtempSync(join(tmpdir(), 'alignscope-gguf-'));
  writeFileSync(join(folder, 'tiny-Q8_0.gguf'), bytes);

  it('the CLI: a path to the file, or the folder that holds it', async () => {
    for (const path of [join(folder, 'tiny-Q8_0.gguf'), folder]) {
      const h = await readModelFolder(dirFiles(path));
      expect(h.weightsFormat).toBe('gguf');
      expect(h.weightsFile).toBe('tiny-Q8_0.gguf');
      expect(h.config.numLayers).toBe(1);
    }
  });

  it('the app: a URL ending in .gguf', async () => {
    const server = await serveFolder(folder);
    try {
      const h = await readModelFolder(urlFolder(`${server.url}tiny-Q8_0.gguf`));
      expect(h.fileBytes).toBe(bytes.length);
      expect((await storedWeights(h.weights, 'q8')).size).toBe(8); // 7 linears and the embedding
    } finally {
      await server.close();
    }
  });
});

function metadataOf(c: DecoderConfig): Record<string, GgufValue> {
  // Enough llama.* and tokenizer keys for a hand-assembled file to reach the tensor checks.
  const u = (value: number): GgufValue => ({ type: 'u32', value });
  return {
    'llama.block_count': u(c.numLayers),
    'llama.context_length': u(c.maxPositions),
    'llama.embedding_length': u(c.hiddenSize),
    'llama.feed_forward_length': u(c.intermediateSize),
    'llama.attention.head_count': u(c.numHeads),
    'llama.attention.head_count_kv': u(c.numKvHeads),
    'llama.attention.layer_norm_rms_epsilon': { type: 'f32', value: c.rmsNormEps },
    'tokenizer.ggml.model': { type: 'str', value: 'gpt2' },
    'tokenizer.ggml.pre': { type: 'str', value: 'gpt-2' },
    'tokenizer.ggml.tokens': { type: 'strs', value: ['a', 'b', 'Ġ'] },
  };
}

describe('damaged files end in a typed error', () => {
  const bytes = good();

  it('truncated anywhere (header, tensor table, data): ModelFormatError', async () => {
    const cuts = [0, 3, 4, 12, 23, 30, 100, 1000, 5000, 20_000, bytes.length - 40_000, bytes.length - 1000, bytes.length - 1];
    for (let i = 1; i < 16; i++) cuts.push(Math.floor((bytes.length * i) / 16));
    for (const n of cuts) {
      const e = await loadGguf(bytes.subarray(0, n)).then(() => null, (err: unknown) => err);
      expect(e, `cut at ${n} of ${bytes.length}`).toBeInstanceOf(ModelFormatError);
    }
  });

  it('absurd counts and lengths: ModelFormatError, no huge allocation', async () => {
    const view = (b: Uint8Array) => new DataView(b.buffer, b.byteOffset, b.byteLength);
    const withU64 = (at: number, v: bigint) => {
      const b = bytes.slice();
      view(b).setBigUint64(at, v, true);
      return b;
    };
    for (const b of [withU64(8, 1n << 40n), withU64(16, 1n << 40n), withU64(24, 1n << 60n), withU64(24, 5_000_000n)]) {
      await expectError(loadGguf(b), ModelFormatError, {});
    }
    const wrongVersion = bytes.slice();
    view(wrongVersion).setUint32(4, 7, true);
    await expectError(loadGguf(wrongVersion), ModelFormatError, {});
  });

  it('random byte damage in the header: a typed AlignScopeError or a load, never another exception', async () => {
    let seed = 12345;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed / 2 ** 31);
    const headerEnd = Buffer.from(bytes).indexOf('token_embd.weight') + 400;
    let typed = 0;
    for (let trial = 0; trial < 60; trial++) {
      const b = bytes.slice();
      for (let k = 0; k < 3; k++) b[Math.floor(rand() * headerEnd)] = Math.floor(rand() * 256);
      const e = await loadGguf(b).then(() => null, (err: unknown) => err);
      if (e !== null) {
        expect(e, String(e)).toBeInstanceOf(AlignScopeError);
        expect(['ModelFormatError', 'UnsupportedModelError']).toContain((e as Error).name);
        typed++;
      }
    }
    expect(typed).toBeGreaterThan(0);
  });

  it('not a GGUF file at all (safetensors bytes): ModelFormatError', async () => {
    await expectError(readGguf(memoryFiles(new Map([['x.gguf', writeSafetensors(smallWeights)]]), 'x'), 'x.gguf', 'x.gguf'), ModelFormatError, { file: 'x.gguf' });
  });
});
