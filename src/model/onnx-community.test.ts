// onnx-community-style ONNX files (Optimum f32, genai-builder q4 with f16 scales) built from a random
// tiny model by src/test/onnx-community-fixtures.ts, read back by role (readCommunityOnnx /
// readModelFolder), compared with the source weights, with the CPU route on the safetensors source,
// and (Optimum graphs) with onnxruntime-web running the fixture file itself.

import * as ort from 'onnxruntime-web';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ModelFormatError, UnsupportedModelError } from '../errors';
import { CpuModel } from '../cpu/model';
import { CpuRuntime } from '../cpu/runtime';
import { compare } from '../reference/compare';
import { decoderForwardRef } from '../reference/decoder';
import { randomArray } from '../reference/random';
import { genaiQ4, optimumF32 } from '../test/onnx-community-fixtures';
import { byteLevelTokenizerJson } from './byte-tokenizer';
import { toHfConfig, type DecoderConfig } from './config';
import { readModelFolder, type HostModel } from './load';
import { readCommunityOnnx } from './onnx-community';
import { f16ToF32 } from './safetensors';
import { f32ToF16 } from '../test/gguf-writer';
import { dequantize, quantizeQ4, type Q4Weight } from './quant';
import { randomModelConfig, randomModelFiles, RANDOM_MODEL_SPECIALS } from './random-source';
import { randomWeights } from './random-model';
import { memoryFiles } from './source';
import { ONNX, ProtoWriter } from './protobuf';
import { parseTree, walkTree, writeTree } from '../fuzz/proto-tree';
import { mapSource, readAllWeights, storedWeights } from './weight-source';
import { expectedWeights, type WeightMap } from './weights';

ort.env.wasm.numThreads = 1;
ort.env.logLevel = 'error';
const TIMEOUT = 60_000;

const SEED = 3;
/** V 258, C 64, 4 heads over 2 kv heads (GQA), untied: the random model folder's config. */
const CONFIG = randomModelConfig();

let rt: CpuRuntime;
beforeAll(async () => {
  rt = await CpuRuntime.create({ threads: 1, simd: 'simd' });
});
afterAll(async () => {
  await rt.dispose();
});

function tokens(n: number, seed: number, V: number): number[] {
  return Array.from(randomArray(n, seed), (v) => Math.floor((v + 1) * 1000) % V);
}
const PROMPT = tokens(9, 5, 256);

/** The folder an onnx-community repo has: config.json, tokenizer.json, onnx/<file> (+ its external data). */
function communityFolder(config: DecoderConfig, onnx: Record<string, Uint8Array>) {
  const json = (v: unknown) => new TextEncoder().encode(JSON.stringify(v));
  const files = new Map<string, Uint8Array>([
    ['config.json', json(toHfConfig(config))],
    ['tokenizer.json', json(byteLevelTokenizerJson(RANDOM_MODEL_SPECIALS))],
  ]);
  for (const [name, bytes] of Object.entries(onnx)) files.set(`onnx/${name}`, bytes);
  return memoryFiles(files, 'onnx-community/tiny');
}

async function cpuLogits(host: HostModel, quant: 'f32' | 'q4', ids: number[]): Promise<Float32Array> {
  const m = await CpuModel.load(rt, host, quant, 'test', async () => host);
  try {
    const out = await m.forward([ids]);
    return out.logits[0];
  } finally {
    await m.release();
  }
}

function expectSameWeights(got: WeightMap, want: WeightMap): void {
  expect([...got.keys()]).toEqual([...want.keys()]);
  for (const [name, t] of want) {
    expect(got.get(name)!.shape, name).toEqual(t.shape);
    expect(got.get(name)!.data, name).toEqual(t.data);
  }
}

async function ortLogits(model: Uint8Array, ids: number[], external?: { location: string; data: Uint8Array }): Promise<Float32Array> {
  const session = await ort.InferenceSession.create(model, { executionProviders: ['wasm'], ...(external ? { externalData: [{ path: external.location, data: external.data }] } : {}) });
  const out = await session.run({ input_ids: new ort.Tensor('int64', BigInt64Array.from(ids, BigInt), [1, ids.length]) });
  return out.logits.data as Float32Array;
}

describe('Optimum-style f32 graph (anonymous names, fused qkv + Split, Pow/ReduceMean norms)', () => {
  const weights = randomWeights(CONFIG, SEED);

  it('loads from a folder with external data (onnx/model.onnx + model.onnx_data) into the source weights exactly; CPU logits equal the safetensors source; onnxruntime-web agrees', async () => {
    const { model, external } = optimumF32(CONFIG, weights, { external: 'model.onnx_data' });
    expect(external!.data.length).toBeGreaterThan(100_000);
    const host = await readModelFolder(communityFolder(CONFIG, { 'model.onnx': model, 'model.onnx_data': external!.data }));
    expect(host.weightsFile).toBe('onnx/model.onnx');
    expect(host.config).toEqual(CONFIG);
    expectSameWeights(await readAllWeights(host.weights), weights);
    // GQA split of the fused qkv: q [H·D, C] = [64, 64], k and v [Hkv·D, C] = [32, 64]
    expect(host.weights.shapes.get('model.layers.1.self_attn.k_proj.weight')).toEqual([32, 64]);

    const source = await readModelFolder(randomModelFiles(SEED));
    const ours = await cpuLogits(host, 'f32', PROMPT);
    expect(ours).toEqual(await cpuLogits(source, 'f32', PROMPT));
    const d = compare(await ortLogits(model, PROMPT, external), ours);
    console.log(`optimum f32: max |onnxruntime-web - CPU route| logits ${d.maxAbs.toExponential(2)}`);
    expect(d.maxAbs).toBeLessThanOrEqual(1e-4);
  }, TIMEOUT);

  it('three separate q/k/v MatMuls (emitted v, k, q) with Qwen2 biases and a tied lm_head are told apart by the graph', async () => {
    const c = { ...CONFIG, architecture: 'qwen2' as const, attentionBias: true, tieWordEmbeddings: true };
    const w = randomWeights(c, SEED + 1);
    const { model } = optimumF32(c, w, { fusedQkv: false });
    const got = readCommunityOnnx(model, c);
    expect(got.config).toEqual(c);
    expectSameWeights(got.weights, w);
    const ref = decoderForwardRef(c, w, PROMPT, 1, PROMPT.length).logits;
    const d = compare(await ortLogits(model, PROMPT), ref);
    console.log(`optimum f32 qwen2 tied: max |onnxruntime-web - reference| logits ${d.maxAbs.toExponential(2)}`);
    expect(d.maxAbs).toBeLessThanOrEqual(1e-4);
  }, TIMEOUT);

  for (const fused of [true, false]) {
    it(`Qwen3 (q/k norm found by its [D] weight, head_dim 24 != C / H), ${fused ? 'fused qkv' : 'separate q/k/v'}`, async () => {
      const c = { ...CONFIG, architecture: 'qwen3' as const, headDim: 24 };
      const w = randomWeights(c, SEED + 2);
      const { model } = optimumF32(c, w, { fusedQkv: fused });
      const got = readCommunityOnnx(model, c);
      expectSameWeights(got.weights, w);
      const d = compare(await ortLogits(model, PROMPT), decoderForwardRef(c, w, PROMPT, 1, PROMPT.length).logits);
      console.log(`optimum f32 qwen3 ${fused ? 'fused' : 'separate'}: max |onnxruntime-web - reference| logits ${d.maxAbs.toExponential(2)}`);
      expect(d.maxAbs).toBeLessThanOrEqual(1e-4);
    }, TIMEOUT);
  }

  it('external data without a resolver is a ModelFormatError naming the tensor', () => {
    const { model } = optimumF32(CONFIG, weights, { external: 'model.onnx_data' });
    expect(() => readCommunityOnnx(model, CONFIG)).toThrow(ModelFormatError);
  });

  it('an unknown op in a weight path is an UnsupportedModelError naming the node', () => {
    const { model } = optimumF32(CONFIG, weights, { unknownUpOp: 'FancyMatMul' });
    const err = (() => {
      try {
        readCommunityOnnx(model, CONFIG, 'model.onnx');
      } catch (e) {
        return e as UnsupportedModelError;
      }
    })();
    expect(err).toBeInstanceOf(UnsupportedModelError);
    expect(err!.message).toMatch(/node FancyMatMul "node_\d+"/);
    expect(err!.data).toMatchObject({ opType: 'FancyMatMul', file: 'model.onnx' });
  });

  it('quantized embeddings (GatherBlockQuantized) are refused naming the node', () => {
    const { model } = optimumF32(CONFIG, weights, { quantizedEmbeddings: true });
    expect(() => readCommunityOnnx(model, CONFIG)).toThrow(/node GatherBlockQuantized "node_\d+" holds the token embeddings/);
  });
});

describe('genai-builder-style q4 graph (MatMulNBits f16 scales + zero points, fused qkv, GroupQueryAttention, SkipSimplifiedLayerNormalization)', () => {
  const weights = randomWeights(CONFIG, SEED);

  function expectQ4(got: Map<string, Q4Weight>, want: Map<string, Q4Weight>): void {
    expect([...got.keys()].sort()).toEqual([...want.keys()].sort());
    for (const [name, q] of want) expect(got.get(name), name).toEqual(q);
  }

  it('loads codes, f16 scales and zero points as stored; dequantized weights within f16 scale rounding of the source q4 round trip; CPU logits near the source', async () => {
    const { model, quantized } = genaiQ4(CONFIG, weights);
    const host = await readModelFolder(communityFolder(CONFIG, { 'model_q4.onnx': model }));
    expect(host.weightsFile).toBe('onnx/model_q4.onnx');
    expect(host.config).toEqual(CONFIG);
    expectQ4((await storedWeights(host.weights, 'q4')) as Map<string, Q4Weight>, quantized);
    const hostWeights = await readAllWeights(host.weights);
    // non-linears exact; linears: |ŵ16 - ŵ32| = |q - zp| · |s16 - s32| <= 15 |s16 - s32| per block
    const sourceQ = new Map<string, Q4Weight>();
    let worst = 0;
    for (const spec of expectedWeights(CONFIG)) {
      const src = weights.get(spec.name)!;
      const got = hostWeights.get(spec.name)!;
      expect(got.shape, spec.name).toEqual(spec.shape);
      if (spec.role !== 'linear') {
        expect(got.data, spec.name).toEqual(src.data);
        continue;
      }
      const [N, K] = spec.shape;
      const q32 = quantizeQ4(src.data, N, K, { zeroPoints: true });
      sourceQ.set(spec.name, q32);
      const ref = dequantize(q32);
      for (let n = 0; n < N; n++)
        for (let k = 0; k < K; k++) {
          const s = q32.scales[n * q32.nBlocks + (k >> 5)];
          const bound = 15 * Math.abs(f16ToF32(f32ToF16(s)) - s) + 1e-7;
          const d = Math.abs(got.data[n * K + k] - ref[n * K + k]);
          worst = Math.max(worst, d / Math.max(s, 1e-12));
          expect(d, `${spec.name}[${n}, ${k}]`).toBeLessThanOrEqual(bound);
        }
    }
    console.log(`genai q4: max |ŵ(f16 scales) - ŵ(f32 scales)| / scale = ${worst.toExponential(2)} (bound 15 · 2^-11 = 7.3e-3)`);

    // CPU route, q4: the file vs the safetensors source with its f32-scale q4 round trip (same codes)
    const source = await readModelFolder(randomModelFiles(SEED));
    const ours = await cpuLogits(host, 'q4', PROMPT);
    const theirs = await cpuLogits({ ...source, weights: mapSource(await readAllWeights(source.weights), sourceQ) }, 'q4', PROMPT);
    const d = compare(ours, theirs);
    console.log(`genai q4: max |logits(f16 scales) - logits(f32 scales)| ${d.maxAbs.toExponential(2)}`);
    expect(d.maxAbs).toBeGreaterThan(0);
    expect(d.maxAbs).toBeLessThanOrEqual(5e-3);

    // onnxruntime-web runs the fixture itself (GroupQueryAttention, MatMulNBits on f16 activations)
    const H = CONFIG.numKvHeads;
    const feeds: Record<string, ort.Tensor> = {
      input_ids: new ort.Tensor('int64', BigInt64Array.from(PROMPT, BigInt), [1, PROMPT.length]),
      attention_mask: new ort.Tensor('int64', new BigInt64Array(PROMPT.length).fill(1n), [1, PROMPT.length]),
    };
    for (let i = 0; i < CONFIG.numLayers; i++) for (const kv of ['key', 'value']) feeds[`past_key_values.${i}.${kv}`] = new ort.Tensor('float32', new Float32Array(0), [1, H, 0, CONFIG.headDim]);
    const session = await ort.InferenceSession.create(model, { executionProviders: ['wasm'] });
    const od = compare((await session.run(feeds)).logits.data as Float32Array, ours);
    console.log(`genai q4: max |onnxruntime-web (f16 activations in MatMulNBits) - CPU route| logits ${od.maxAbs.toExponential(2)}`);
    expect(od.maxAbs).toBeLessThanOrEqual(1e-2);
  }, TIMEOUT);

  it('block_size 64 is repacked into 32-blocks without re-quantizing', () => {
    const { model, quantized } = genaiQ4(CONFIG, weights, { blockSize: 64 });
    const got = readCommunityOnnx(model, CONFIG);
    expectQ4(got.quantized, quantized);
    for (const [name, q] of quantized) expect(got.weights.get(name)!.data, name).toEqual(dequantize(q));
  });

  for (const [attrs, why] of [
    [{ block_size: 16 }, /block_size 16; only multiples of 32/],
    [{ bits: 8 }, /8-bit weights/],
  ] as const) {
    it(`MatMulNBits with ${JSON.stringify(attrs)} is an UnsupportedModelError naming the node`, () => {
      const { model } = genaiQ4(CONFIG, weights, { overrideAttrs: attrs });
      expect(() => readCommunityOnnx(model, CONFIG)).toThrow(UnsupportedModelError);
      expect(() => readCommunityOnnx(model, CONFIG)).toThrow(new RegExp(`node MatMulNBits "/model/layers.0/attn/qkv_proj/MatMul_Q4" .*${why.source}`));
    });
  }

  it('a folder without config.json next to a community file is a ModelFormatError', async () => {
    const { model } = genaiQ4(CONFIG, weights);
    const folder = communityFolder(CONFIG, { 'model_q4.onnx': model });
    const bare = { ...folder, has: async (n: string) => n !== 'config.json' && (await folder.has(n)) };
    await expect(readModelFolder(bare)).rejects.toThrow(/no config.json next to onnx\/model_q4.onnx/);
  });

  it('a tied config with a separate q4 lm_head in the graph loads as untied (the file quantized the head)', () => {
    const tied = { ...CONFIG, tieWordEmbeddings: true };
    const { model } = genaiQ4(tied, weights);
    const got = readCommunityOnnx(model, tied);
    expect(got.config.tieWordEmbeddings).toBe(false);
    expect(got.quantized.has('lm_head.weight')).toBe(true);
  });
});

// Minimal forms of what the fuzz tier (npm run test:fuzz) found.
describe('damaged onnx-community graphs are typed errors', () => {
  const tensor = (name: string, dims: number[], type: number) => new ProtoWriter().packedInts(ONNX.Tensor.dims, dims).int(ONNX.Tensor.dataType, type).string(ONNX.Tensor.name, name);

  it('float_data listing fewer values than the dims call for (the weight loaded with 1 value)', () => {
    const embed = tensor('E', [CONFIG.vocabSize, CONFIG.hiddenSize], ONNX.TensorDataType.FLOAT).bytes(ONNX.Tensor.floatData, new Uint8Array(4));
    const gather = new ProtoWriter().string(ONNX.Node.input, 'E').string(ONNX.Node.input, 'input_ids').string(ONNX.Node.output, 'x').string(ONNX.Node.name, 'gather').string(ONNX.Node.opType, 'Gather');
    const graph = new ProtoWriter().message(ONNX.Graph.node, gather).message(ONNX.Graph.initializer, embed);
    const model = new ProtoWriter().int(ONNX.Model.irVersion, 10).message(ONNX.Model.graph, graph).finish();
    expect(() => readCommunityOnnx(model, CONFIG, 'model.onnx')).toThrow(/^model\.onnx: tensor "E" lists 1 values, its dims \[258,64\] call for 16512/);
  });

  it('a norm whose output was removed, leaving the attention input without a producer (it was a TypeError)', () => {
    const { vocabSize: V, hiddenSize: C } = CONFIG;
    const f32 = (name: string, dims: number[]) => tensor(name, dims, ONNX.TensorDataType.FLOAT).bytes(ONNX.Tensor.rawData, new Uint8Array(4 * dims.reduce((a, b) => a * b)));
    const node = (op: string, inputs: string[], outputs: string[]) => {
      const w = new ProtoWriter();
      for (const x of inputs) w.string(ONNX.Node.input, x);
      for (const y of outputs) w.string(ONNX.Node.output, y);
      return w.string(ONNX.Node.name, op).string(ONNX.Node.opType, op);
    };
    const graph = new ProtoWriter()
      .message(ONNX.Graph.node, node('Gather', ['E', 'input_ids'], ['x']))
      .message(ONNX.Graph.node, node('SimplifiedLayerNormalization', ['x', 'W'], []))
      .message(ONNX.Graph.initializer, f32('E', [V, C]))
      .message(ONNX.Graph.initializer, f32('W', [C]));
    const model = new ProtoWriter().int(ONNX.Model.irVersion, 10).message(ONNX.Model.graph, graph).finish();
    expect(() => readCommunityOnnx(model, CONFIG, 'model.onnx')).toThrow(/^model\.onnx: a tensor on the decoder's path has no node producing it, where one gives the layer 0 attention input to 0 linears/);
  });

  it('split sizes whose raw_data is not whole int64 values (it was a RangeError)', () => {
    const { model } = optimumF32(CONFIG, randomWeights(CONFIG, SEED));
    const tree = parseTree(model);
    const sites = walkTree(tree);
    const split = sites.find((s) => s.in === 'Node' && s.field.no === ONNX.Node.opType && new TextDecoder().decode(s.field.value as Uint8Array) === 'Split')!;
    const sizes = new TextDecoder().decode(split.parent.filter((f) => f.no === ONNX.Node.input)[1].value as Uint8Array);
    const init = sites.find((s) => s.field.type === 'Tensor' && s.field.children!.some((f) => f.no === ONNX.Tensor.name && new TextDecoder().decode(f.value as Uint8Array) === sizes))!;
    const raw = init.field.children!.find((f) => f.no === ONNX.Tensor.rawData)!;
    raw.value = (raw.value as Uint8Array).subarray(0, 5);
    expect(() => readCommunityOnnx(writeTree(tree), CONFIG, 'model.onnx')).toThrow(new RegExp(`int64 tensor "${sizes.replace(/[:.]/g, '\\$&')}" holds 5 bytes, not a whole number of 8-byte values`));
  });
});
