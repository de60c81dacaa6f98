// The ONNX export run by the real onnxruntime-web (WASM EP in Node) against decoderForwardRef, and
// read back by readDecoderOnnx. The reference gets the dequantized q4 weights, so both sides compute
// with exactly the same weights and differ only by f32 vs f64 arithmetic.

import * as ort from 'onnxruntime-web';
import { describe, expect, it } from 'vitest';
import { ModelFormatError } from '../errors';
import type { DecoderConfig } from '../model/config';
import { readDecoderOnnx } from '../model/onnx-reader';
import { dequantize, quantizeQ4, type Q4Weight } from '../model/quant';
import { expectedWeights, type WeightMap } from '../model/weights';
import { decoderForwardRef } from '../reference/decoder';
import { randomArray } from '../reference/random';
import { exportDecoderOnnx } from './onnx';
import { ONNX, ProtoMessage, ProtoWriter } from '../model/protobuf';
import { tinyConfig } from '../model/random-model';
import { createOrtSession, greedyOnnx, runDecoderOnnx } from './ort-session';

ort.env.wasm.numThreads = 1;

const TIMEOUT = 120_000;

const BASE: DecoderConfig = tinyConfig({ maxPositions: 64 });

// Biases, untied lm_head and llama3 scaling; with originalMaxPositions 32 the 8 frequencies of D = 16
// fall in all three bands (kept, blended, divided by factor).
const VARIANT: DecoderConfig = {
  ...BASE,
  architecture: 'qwen2',
  attentionBias: true,
  tieWordEmbeddings: false,
  ropeScaling: { type: 'llama3', factor: 8, lowFreqFactor: 1, highFreqFactor: 4, originalMaxPositions: 32 },
};

// Qwen3: per-head q/k norm, head_dim 24 != C / H, untied, no biases.
const QWEN3: DecoderConfig = { ...BASE, architecture: 'qwen3', headDim: 24, tieWordEmbeddings: false };

interface Fixture {
  config: DecoderConfig;
  /** f32 weights, linears already q4-dequantized. */
  weights: WeightMap;
  quantized: Map<string, Q4Weight>;
}

/** Seeded weights: linears ~0.1 (quantized to q4, then dequantized), norms ~1, biases ~0.1, embeddings ~1. */
function fixture(config: DecoderConfig, seed: number, zeroPoints: boolean): Fixture {
  const weights: WeightMap = new Map();
  const quantized = new Map<string, Q4Weight>();
  expectedWeights(config).forEach((spec, idx) => {
    const r = randomArray(spec.shape.reduce((a, b) => a * b, 1), seed * 1000 + idx);
    let data: Float32Array;
    if (spec.role === 'linear') {
      const q = quantizeQ4(r.map((v) => v * 0.1), spec.shape[0], spec.shape[1], { zeroPoints });
      quantized.set(spec.name, q);
      data = dequantize(q);
    } else if (spec.role === 'norm') data = r.map((v) => 1 + 0.1 * v);
    else if (spec.role === 'bias') data = r.map((v) => 0.1 * v);
    else data = r;
    weights.set(spec.name, { shape: spec.shape, data });
  });
  return { config, weights, quantized };
}

const exportQ4 = (f: Fixture) => exportDecoderOnnx(f.config, f.weights, { quant: 'q4', quantized: f.quantized });

// ---- onnxruntime-web -------------------------------------------------------------------------

function tokens(n: number, seed: number, V: number): number[] {
  return Array.from(randomArray(n, seed), (v) => Math.floor(((v + 1) / 2) * V));
}

/** max |a - b| over real tokens of [B, T, width] arrays. */
function maxDiffReal(a: ArrayLike<number>, b: ArrayLike<number>, lengths: number[], T: number, width: number): number {
  let worst = 0;
  lengths.forEach((len, bi) => {
    for (let i = bi * T * width; i < (bi * T + len) * width; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  });
  return worst;
}

const argmaxLastRow = (logits: ArrayLike<number>, T: number, V: number): number => {
  let best = 0;
  for (let v = 1; v < V; v++) if (logits[(T - 1) * V + v] > logits[(T - 1) * V + best]) best = v;
  return best;
};

describe('ONNX export run by onnxruntime-web (WASM) matches decoderForwardRef', () => {
  const cases = [
    ['q4, tied lm_head, GQA', fixture(BASE, 1, false)],
    ['q4 with zero points, q/k/v biases, untied lm_head, llama3 rope', fixture(VARIANT, 2, true)],
    ['q4, Qwen3 q/k norm, head_dim 24, untied', fixture(QWEN3, 3, false)],
  ] as const;
  for (const [label, f] of cases) {
    it(`${label}: logits and every hidden state on a padded batch (lengths 7, 12)`, async () => {
      const { config: c } = f;
      const seqs = [tokens(7, 11, c.vocabSize), tokens(12, 12, c.vocabSize)];
      const lengths = seqs.map((s) => s.length);
      const T = 12;
      const out = await runDecoderOnnx(await createOrtSession(exportQ4(f)), seqs);
      const ids = seqs.flatMap((s) => [...s, ...Array(T - s.length).fill(0)]);
      const ref = decoderForwardRef(c, f.weights, ids, 2, T, lengths);

      const diffs: Record<string, number> = { logits: maxDiffReal(out.logits, ref.logits, lengths, T, c.vocabSize) };
      ref.hidden.forEach((h, i) => (diffs[`hidden_states.${i}`] = maxDiffReal(out[`hidden_states.${i}`], h, lengths, T, c.hiddenSize)));
      console.log(`${label}: max |onnx - ref|`, diffs);
      expect(Object.keys(out).sort()).toEqual(Object.keys(diffs).sort());
      for (const d of Object.values(diffs)) expect(d).toBeLessThanOrEqual(1e-3);
    }, TIMEOUT);
  }

  it('greedy continuation of 32 tokens by rerunning the full model equals the reference', async () => {
    const f = cases[1][1];
    const V = f.config.vocabSize;
    const session = await createOrtSession(exportQ4(f));
    const prompt = tokens(8, 22, V); // this prompt does not collapse to one repeated token; smallest top-2 logit margin 0.03
    const refIds = [...prompt];
    for (let step = 0; step < 32; step++) refIds.push(argmaxLastRow(decoderForwardRef(f.config, f.weights, refIds, 1, refIds.length).logits, refIds.length, V));
    expect(await greedyOnnx(session, prompt, 32, V)).toEqual(refIds.slice(prompt.length));
  }, TIMEOUT);

  it('f32 export (MatMul on Wᵀ) matches too', async () => {
    const f = fixture(VARIANT, 3, false);
    const seqs = [tokens(7, 31, 256), tokens(12, 32, 256)];
    const out = await runDecoderOnnx(await createOrtSession(exportDecoderOnnx(f.config, f.weights, { quant: 'f32' })), seqs);
    const ref = decoderForwardRef(f.config, f.weights, seqs.flatMap((s) => [...s, ...Array(12 - s.length).fill(0)]), 2, 12, [7, 12]);
    const d = maxDiffReal(out.logits, ref.logits, [7, 12], 12, 256);
    console.log('f32 export: max |onnx - ref| logits', d);
    expect(d).toBeLessThanOrEqual(1e-3);
  }, TIMEOUT);
});

// ---- reading back ----------------------------------------------------------------------------

/** Re-encodes a message, passing the sub-messages at `path` (field numbers) through `edit`: undefined keeps, null drops. */
function rewrite(bytes: Uint8Array, path: number[], edit: (m: ProtoMessage) => ProtoWriter | null | undefined): Uint8Array {
  const out = new ProtoWriter();
  for (const f of new ProtoMessage(bytes).entries()) {
    if (f.no !== path[0]) out.field(f);
    else if (path.length > 1) out.bytes(f.no, rewrite(f.value as Uint8Array, path.slice(1), edit));
    else {
      const r = edit(new ProtoMessage(f.value as Uint8Array));
      if (r === undefined) out.field(f);
      else if (r) out.message(f.no, r);
    }
  }
  return out.finish();
}

const INITIALIZERS = [ONNX.Model.graph, ONNX.Graph.initializer];

function copyExcept(m: ProtoMessage, drop: number[]): ProtoWriter {
  const w = new ProtoWriter();
  for (const f of m.entries()) if (!drop.includes(f.no)) w.field(f);
  return w;
}

const entry = (key: string, value: string) => new ProtoWriter().string(ONNX.StringStringEntry.key, key).string(ONNX.StringStringEntry.value, value);

function expectSameWeights(got: ReturnType<typeof readDecoderOnnx>, f: Fixture): void {
  expect(got.config).toEqual(f.config);
  expect([...got.weights.keys()]).toEqual([...f.weights.keys()]);
  for (const [name, t] of f.weights) {
    expect(got.weights.get(name)!.shape, name).toEqual(t.shape);
    expect(got.weights.get(name)!.data, name).toEqual(t.data);
  }
}

describe('readDecoderOnnx', () => {
  const tied = fixture(BASE, 1, false);
  const untied = fixture(VARIANT, 2, true);

  it('round-trips config and weights exactly, q4 bytes identical', () => {
    for (const f of [tied, untied, fixture(QWEN3, 3, false)]) {
      const got = readDecoderOnnx(exportQ4(f));
      expectSameWeights(got, f);
      expect([...got.quantized.keys()]).toEqual([...f.quantized.keys()]);
      for (const [name, q] of f.quantized) expect(got.quantized.get(name), name).toEqual(q);
    }
  });

  it('round-trips an f32 export (MatMul on Wᵀ)', () => {
    const got = readDecoderOnnx(exportDecoderOnnx(untied.config, untied.weights, { quant: 'f32' }));
    expectSameWeights(got, untied);
    expect(got.quantized.size).toBe(0);
  });

  it('reads float_data tensors', () => {
    const model = rewrite(exportQ4(untied), INITIALIZERS, (t) => {
      const raw = t.bytes(ONNX.Tensor.rawData);
      if (t.int(ONNX.Tensor.dataType) !== ONNX.TensorDataType.FLOAT || !raw) return undefined;
      return copyExcept(t, [ONNX.Tensor.rawData]).bytes(ONNX.Tensor.floatData, raw); // packed repeated float = LE f32 bytes
    });
    expectSameWeights(readDecoderOnnx(model), untied);
  });

  it('reads external data, and onnxruntime-web runs the same file identically', async () => {
    const chunks: Uint8Array[] = [];
    let size = 0;
    const model = rewrite(exportQ4(untied), INITIALIZERS, (t) => {
      const raw = t.bytes(ONNX.Tensor.rawData);
      if (!raw || raw.length < 256) return undefined;
      const w = copyExcept(t, [ONNX.Tensor.rawData])
        .int(ONNX.Tensor.dataLocation, ONNX.DataLocation.EXTERNAL)
        .message(ONNX.Tensor.externalData, entry('location', 'model.onnx.data'))
        .message(ONNX.Tensor.externalData, entry('offset', String(size)))
        .message(ONNX.Tensor.externalData, entry('length', String(raw.length)));
      chunks.push(raw);
      size += raw.length;
      return w;
    });
    const data = new Uint8Array(size);
    let at = 0;
    for (const c of chunks) {
      data.set(c, at);
      at += c.length;
    }
    expect(() => readDecoderOnnx(model)).toThrow(/resolveExternal/);
    expectSameWeights(readDecoderOnnx(model, 'model.onnx', { resolveExternal: (loc) => (loc === 'model.onnx.data' ? data : new Uint8Array(0)) }), untied);
    expect(() => readDecoderOnnx(model, 'model.onnx', { resolveExternal: () => data.subarray(0, 100) })).toThrow(ModelFormatError);

    const seqs = [tokens(5, 41, 256)];
    const inline = await runDecoderOnnx(await createOrtSession(exportQ4(untied)), seqs);
    const external = await runDecoderOnnx(await createOrtSession(model, 'wasm', [{ path: 'model.onnx.data', data }]), seqs);
    expect(external.logits).toEqual(inline.logits);
  }, TIMEOUT);

  describe('corrupt files raise ModelFormatError', () => {
    const good = exportQ4(tied);
    const cases: [string, Uint8Array][] = [
      ['empty', new Uint8Array(0)],
      ['JSON text', new TextEncoder().encode('{"model_type": "llama"}')],
      ['random bytes', Uint8Array.from(randomArray(1000, 5), (v) => Math.floor((v + 1) * 128))],
      ...[10, 1000, good.length >> 1, good.length - 1].map((n): [string, Uint8Array] => [`truncated to ${n} bytes`, good.subarray(0, n)]),
      ['no metadata', rewrite(good, [ONNX.Model.metadataProps], () => null)],
      ['metadata not JSON', rewrite(good, [ONNX.Model.metadataProps], () => entry('alignscope.config', '{"vocab'))],
      ['config with a bad size', rewrite(good, [ONNX.Model.metadataProps], () => entry('alignscope.config', JSON.stringify({ ...BASE, hiddenSize: -1 })))],
      ['MatMulNBits K inconsistent', patchFirstAttribute(good, 'K', 64, 96)],
      ['MatMulNBits N inconsistent', patchFirstAttribute(good, 'N', 64, 65)],
      [
        'MatMulNBits scales one short',
        rewrite(good, INITIALIZERS, (t) => {
          if (t.string(ONNX.Tensor.name) !== 'model.layers.0.self_attn.q_proj.weight.scales') return undefined;
          const raw = t.bytes(ONNX.Tensor.rawData)!;
          return copyExcept(t, [ONNX.Tensor.dims, ONNX.Tensor.rawData]).packedInts(ONNX.Tensor.dims, [raw.length / 4 - 1]).bytes(ONNX.Tensor.rawData, raw.subarray(4));
        }),
      ],
      ['a norm weight missing', rewrite(good, INITIALIZERS, (t) => (t.string(ONNX.Tensor.name) === 'model.norm.weight' ? null : undefined))],
    ];
    for (const [label, bytes] of cases) {
      it(label, () => {
        expect(() => readDecoderOnnx(bytes, 'bad.onnx')).toThrow(ModelFormatError);
        try {
          readDecoderOnnx(bytes, 'bad.onnx');
        } catch (e) {
          expect((e as ModelFormatError).data.file).toBe('bad.onnx');
          expect((e as Error).message).toMatch(/^bad\.onnx: /);
        }
      });
    }
  });
});

/** Changes the int attribute `name` of the first node that has it from `from` to `to` (one-byte varints, so lengths stay). */
function patchFirstAttribute(model: Uint8Array, name: string, from: number, to: number): Uint8Array {
  // AttributeProto as the exporter writes it: name (field 1) then i (field 3).
  const pattern = [0x0a, name.length, ...new TextEncoder().encode(name), 0x18, from];
  const out = model.slice();
  for (let at = 0; at < out.length; at++) {
    if (pattern.every((b, j) => out[at + j] === b)) {
      out[at + pattern.length - 1] = to;
      return out;
    }
  }
  throw new Error(`attribute ${name} = ${from} not found`);
}
