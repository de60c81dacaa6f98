// onnx-community-style ONNX graphs built from our own weights (no network), for the community reader's
// tests (src/model/onnx-community.test.ts). Two exporters' shapes:
//   optimumF32: Optimum-like plain ops, every initializer and node anonymous (`onnx::MatMul_17`,
//     `node_42`), RMSNorm as Pow/ReduceMean/Add/Sqrt/Reciprocal/Mul/Mul(w, ·), fused qkv MatMul + Split,
//     attention as MatMul/Mul/Where/Softmax/MatMul, optional external data (`model.onnx_data`).
//     Inputs: input_ids int64 [1, T]; output logits f32 [1, T, V]. Runs in onnxruntime-web.
//   genaiQ4: onnxruntime-genai-builder-like: SimplifiedLayerNormalization then
//     SkipSimplifiedLayerNormalization, fused qkv as com.microsoft MatMulNBits (bits 4, block 32, f16
//     scales, uint8 zero points; activations cast to f16 around it, as its T1 must match the scales),
//     GroupQueryAttention (packed qkv, rotary from cos/sin caches), untied q4 lm_head.
//     Inputs: input_ids, attention_mask int64, past_key_values.{i}.key/value f32 [B, Hkv, past, D].

import { hasQkNorm, type DecoderConfig } from '../model/config';
import { FLOAT16 } from '../model/onnx-community';
import { f16ToF32 } from '../model/safetensors';
import { f32ToF16 } from './gguf-writer';
import { ONNX, ProtoWriter } from '../model/protobuf';
import { q4ZeroPointRowBytes, quantizeQ4, type Q4Weight } from '../model/quant';
import { linearWeightName, qkNormName, type WeightMap } from '../model/weights';
import { ropeInvFreq, ropeTables } from '../reference/rope';

const { FLOAT, UINT8, INT64 } = ONNX.TensorDataType;
const INT32 = 6;

type Attr = number | number[] | { f: number };

/** A graph with anonymous names; initializers may go to one external file. */
export class CommunityGraph {
  readonly graph = new ProtoWriter();
  private n = 0;
  private readonly ext: Uint8Array[] = [];
  private extSize = 0;

  constructor(readonly opts: { external?: string; anonymous?: boolean } = {}) {}

  fresh(hint: string): string {
    return this.opts.anonymous ? `onnx::${hint}_${++this.n}` : `${hint}_${++this.n}`;
  }

  node(op: string, inputs: string[], nOut = 1, attrs: Record<string, Attr> = {}, domain = '', name?: string): string[] {
    const nodeName = this.opts.anonymous || !name ? `node_${++this.n}` : name;
    const outs = Array.from({ length: nOut }, (_, i) => `${nodeName}_out${i}`);
    const w = new ProtoWriter();
    for (const x of inputs) w.string(ONNX.Node.input, x);
    for (const y of outs) w.string(ONNX.Node.output, y);
    w.string(ONNX.Node.name, nodeName).string(ONNX.Node.opType, op);
    if (domain) w.string(ONNX.Node.domain, domain);
    for (const [key, v] of Object.entries(attrs)) {
      const a = new ProtoWriter().string(ONNX.Attribute.name, key);
      if (Array.isArray(v)) a.packedInts(ONNX.Attribute.ints, v).int(ONNX.Attribute.type, ONNX.AttributeType.INTS);
      else if (typeof v === 'object') a.float(ONNX.Attribute.f, v.f).int(ONNX.Attribute.type, ONNX.AttributeType.FLOAT);
      else a.int(ONNX.Attribute.i, v).int(ONNX.Attribute.type, ONNX.AttributeType.INT);
      w.message(ONNX.Node.attribute, a);
    }
    this.graph.message(ONNX.Graph.node, w);
    return outs;
  }

  op(op: string, inputs: string[], attrs: Record<string, Attr> = {}, domain = '', name?: string): string {
    return this.node(op, inputs, 1, attrs, domain, name)[0];
  }

  init(name: string, type: number, dims: number[], raw: Uint8Array): string {
    const t = new ProtoWriter().packedInts(ONNX.Tensor.dims, dims).int(ONNX.Tensor.dataType, type).string(ONNX.Tensor.name, name);
    if (this.opts.external && raw.length >= 256) {
      const kv = (k: string, v: string) => new ProtoWriter().string(ONNX.StringStringEntry.key, k).string(ONNX.StringStringEntry.value, v);
      t.int(ONNX.Tensor.dataLocation, ONNX.DataLocation.EXTERNAL)
        .message(ONNX.Tensor.externalData, kv('location', this.opts.external))
        .message(ONNX.Tensor.externalData, kv('offset', String(this.extSize)))
        .message(ONNX.Tensor.externalData, kv('length', String(raw.length)));
      this.ext.push(raw.slice());
      this.extSize += raw.length;
    } else t.bytes(ONNX.Tensor.rawData, raw);
    this.graph.message(ONNX.Graph.initializer, t);
    return name;
  }

  f32(dims: number[], data: ArrayLike<number>, hint = 'Constant'): string {
    const a = Float32Array.from(data);
    return this.init(this.fresh(hint), FLOAT, dims, new Uint8Array(a.buffer));
  }

  f16(dims: number[], data: ArrayLike<number>, hint = 'Constant'): string {
    const a = Uint16Array.from(Array.from(data, f32ToF16));
    return this.init(this.fresh(hint), FLOAT16, dims, new Uint8Array(a.buffer));
  }

  i64(values: number[], scalar = false): string {
    return this.init(this.fresh('Constant'), INT64, scalar ? [] : [values.length], new Uint8Array(BigInt64Array.from(values, BigInt).buffer));
  }

  input(name: string, type: number, dims: (number | string)[]): void {
    this.graph.message(ONNX.Graph.input, valueInfo(name, type, dims));
  }

  /** A graph output `name`, written by an Identity of `from`. */
  output(name: string, from: string, type: number, dims: (number | string)[]): void {
    const w = new ProtoWriter().string(ONNX.Node.input, from).string(ONNX.Node.output, name).string(ONNX.Node.name, `node_${++this.n}`).string(ONNX.Node.opType, 'Identity');
    this.graph.message(ONNX.Graph.node, w);
    this.graph.message(ONNX.Graph.output, valueInfo(name, type, dims));
  }

  finish(): { model: Uint8Array; external?: { location: string; data: Uint8Array } } {
    const opset = (domain: string, version: number) => new ProtoWriter().string(ONNX.OperatorSetId.domain, domain).int(ONNX.OperatorSetId.version, version);
    const model = new ProtoWriter()
      .int(ONNX.Model.irVersion, 10)
      .string(ONNX.Model.producerName, this.opts.anonymous ? 'pytorch' : 'onnxruntime-genai')
      .message(ONNX.Model.graph, this.graph)
      .message(ONNX.Model.opsetImport, opset('', 21))
      .message(ONNX.Model.opsetImport, opset('com.microsoft', 1))
      .finish();
    if (!this.opts.external) return { model };
    const data = new Uint8Array(this.extSize);
    let at = 0;
    for (const c of this.ext) {
      data.set(c, at);
      at += c.length;
    }
    return { model, external: { location: this.opts.external, data } };
  }
}

function valueInfo(name: string, elemType: number, dims: (number | string)[]): ProtoWriter {
  const shape = new ProtoWriter();
  for (const d of dims) shape.message(ONNX.TensorShape.dim, typeof d === 'number' ? new ProtoWriter().int(ONNX.Dimension.value, d) : new ProtoWriter().string(ONNX.Dimension.param, d));
  const tensor = new ProtoWriter().int(ONNX.TypeTensor.elemType, elemType).message(ONNX.TypeTensor.shape, shape);
  return new ProtoWriter().string(ONNX.ValueInfo.name, name).message(ONNX.ValueInfo.type, new ProtoWriter().message(ONNX.Type.tensorType, tensor));
}

/** Wᵀ [K, N] of W [N, K]. */
function transpose(w: Float32Array, N: number, K: number): Float32Array {
  const t = new Float32Array(N * K);
  for (let n = 0; n < N; n++) for (let k = 0; k < K; k++) t[k * N + n] = w[n * K + k];
  return t;
}

function get(weights: WeightMap, name: string): Float32Array {
  const t = weights.get(name);
  if (!t) throw new Error(`fixture: weight ${name} missing`);
  return t.data;
}

/** Rows of q, k, v stacked: the fused qkv W [(H + 2 Hkv) D, C]. */
export function fusedQkv(weights: WeightMap, i: number): Float32Array {
  const parts = (['q', 'k', 'v'] as const).map((w) => get(weights, linearWeightName(i, w)));
  const out = new Float32Array(parts.reduce((s, p) => s + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

// ---- Optimum-style f32 ----

export interface OptimumOptions {
  /** Store initializers of 256 bytes or more in this external file. */
  external?: string;
  /** q, k, v as one MatMul + Split (default) or three MatMuls. */
  fusedQkv?: boolean;
  /** Replace the layer-0 up_proj MatMul by this op type (an unknown op in a weight path). */
  unknownUpOp?: string;
  /** Embeddings as GatherBlockQuantized instead of Gather. */
  quantizedEmbeddings?: boolean;
}

export function optimumF32(c: DecoderConfig, weights: WeightMap, o: OptimumOptions = {}) {
  const g = new CommunityGraph({ external: o.external, anonymous: true });
  const { hiddenSize: C, numHeads: H, numKvHeads: Hkv, headDim: D } = c;
  g.input('input_ids', INT64, [1, 'seq']);
  const E = g.f32([c.vocabSize, C], get(weights, 'model.embed_tokens.weight'), 'model.embed_tokens.weight');
  let x = o.quantizedEmbeddings ? g.op('GatherBlockQuantized', [E, 'input_ids', E], {}, 'com.microsoft') : g.op('Gather', [E, 'input_ids'], { axis: 0 });
  const T = g.op('Gather', [g.op('Shape', ['input_ids']), g.i64([1], true)], { axis: 0 });
  const pos = g.op('Range', [g.i64([0], true), T, g.i64([1], true)]);
  const { cos, sin } = ropeTables(ropeInvFreq(c), c.maxPositions);
  const table = (t: Float32Array) => {
    const gathered = g.op('Gather', [g.f32([c.maxPositions, D / 2], t), pos], { axis: 0 });
    return g.op('Unsqueeze', [g.op('Concat', [gathered, gathered], { axis: -1 }), g.i64([-2])]); // [T, 1, D]
  };
  const cosT = table(cos);
  const sinT = table(sin);
  // causal mask [T, T]: key <= query
  const mask = g.op('LessOrEqual', [g.op('Unsqueeze', [pos, g.i64([0])]), g.op('Unsqueeze', [pos, g.i64([1])])]);

  const norm = (x: string, w: string, width = C) => {
    const ms = g.op('ReduceMean', [g.op('Pow', [x, g.f32([], [2])]), g.i64([-1])], { keepdims: 1 });
    const r = g.op('Reciprocal', [g.op('Sqrt', [g.op('Add', [ms, g.f32([], [c.rmsNormEps])])])]);
    return g.op('Mul', [g.f32([width], get(weights, w)), g.op('Mul', [x, r])]);
  };
  const matmul = (x: string, w: Float32Array, N: number, K: number) => g.op('MatMul', [x, g.f32([K, N], transpose(w, N, K), 'MatMul')]);
  const rope = (y: string) => {
    const half = D / 2;
    const sl = (a: number, b: number) => g.op('Slice', [y, g.i64([a]), g.i64([b]), g.i64([-1])]);
    const rot = g.op('Concat', [g.op('Neg', [sl(half, D)]), sl(0, half)], { axis: -1 });
    return g.op('Add', [g.op('Mul', [y, cosT]), g.op('Mul', [rot, sinT])]);
  };
  const bias = (y: string, name: string) => (c.attentionBias ? g.op('Add', [y, g.f32([weights.get(name)!.shape[0]], get(weights, name))]) : y);

  for (let i = 0; i < c.numLayers; i++) {
    const p = `model.layers.${i}`;
    const a = norm(x, `${p}.input_layernorm.weight`);
    let q: string, k: string, v: string;
    if (o.fusedQkv !== false) {
      const qkvN = (H + 2 * Hkv) * D;
      let qkv = matmul(a, fusedQkv(weights, i), qkvN, C);
      if (c.attentionBias) qkv = g.op('Add', [qkv, g.f32([qkvN], (['q', 'k', 'v'] as const).flatMap((w) => Array.from(get(weights, `${p}.self_attn.${w}_proj.bias`))))]);
      [q, k, v] = g.node('Split', [qkv, g.i64([H * D, Hkv * D, Hkv * D])], 3, { axis: -1 });
    } else {
      const lin = (w: 'q' | 'k' | 'v') => bias(matmul(a, get(weights, linearWeightName(i, w)), (w === 'q' ? H : Hkv) * D, C), `${p}.self_attn.${w}_proj.bias`);
      // emitted v, k, q: the reader must not rely on order
      v = lin('v');
      k = lin('k');
      q = lin('q');
    }
    const heads = (y: string, h: number, rotate: 'q' | 'k' | null) => {
      let r = g.op('Reshape', [y, g.i64([0, 0, h, D])]);
      if (rotate && hasQkNorm(c)) r = norm(r, qkNormName(i, rotate), D); // Qwen3: RMSNorm per head before RoPE
      if (rotate) r = rope(r);
      return g.op('Transpose', [r], { perm: [0, 2, 1, 3] }); // [1, h, T, D]
    };
    const repeat = (y: string) => (H === Hkv ? y : g.op('Reshape', [g.op('Expand', [g.op('Unsqueeze', [y, g.i64([2])]), g.i64([1, 1, H / Hkv, 1, 1])]), g.i64([0, H, -1, D])]));
    const qh = heads(q, H, 'q');
    const kh = repeat(heads(k, Hkv, 'k'));
    const vh = repeat(heads(v, Hkv, null));
    const scores = g.op('Mul', [g.op('MatMul', [qh, g.op('Transpose', [kh], { perm: [0, 1, 3, 2] })]), g.f32([], [1 / Math.sqrt(D)])]);
    const probs = g.op('Softmax', [g.op('Where', [mask, scores, g.f32([], [-3.4028234663852886e38])])], { axis: -1 });
    const ctx = g.op('Reshape', [g.op('Transpose', [g.op('MatMul', [probs, vh])], { perm: [0, 2, 1, 3] }), g.i64([0, 0, H * D])]);
    const resid = g.op('Add', [x, matmul(ctx, get(weights, linearWeightName(i, 'o')), C, H * D)]);
    const m = norm(resid, `${p}.post_attention_layernorm.weight`);
    const F = c.intermediateSize;
    const gate = matmul(m, get(weights, linearWeightName(i, 'gate')), F, C);
    const up =
      i === 0 && o.unknownUpOp ? g.op(o.unknownUpOp, [m, g.f32([C, F], transpose(get(weights, linearWeightName(i, 'up')), F, C))], {}, 'com.example') : matmul(m, get(weights, linearWeightName(i, 'up')), F, C);
    const act = g.op('Mul', [g.op('Mul', [gate, g.op('Sigmoid', [gate])]), up]);
    x = g.op('Add', [resid, matmul(act, get(weights, linearWeightName(i, 'down')), C, F)]);
  }
  const f = norm(x, 'model.norm.weight');
  const logits = c.tieWordEmbeddings ? g.op('MatMul', [f, g.op('Transpose', [E], { perm: [1, 0] })]) : matmul(f, get(weights, 'lm_head.weight'), c.vocabSize, C);
  g.output('logits', logits, FLOAT, [1, 'seq', c.vocabSize]);
  return g.finish();
}

// ---- genai-builder-style q4 ----

/** The q4 weights the genai fixture stores: quantizeQ4 with zero points, scales rounded to f16. */
export function q4f16(w: Float32Array, N: number, K: number): Q4Weight {
  const q = quantizeQ4(w, N, K, { zeroPoints: true });
  return { ...q, scales: q.scales.map((s) => f16ToF32(f32ToF16(s))) };
}

export interface GenaiOptions {
  /** MatMulNBits block_size written for every linear (default 32); 64 repacks two 32-blocks into one where their scales and zero points agree. */
  blockSize?: number;
  /** Attributes written over every MatMulNBits' own (an inconsistent file, for refusals). */
  overrideAttrs?: Record<string, number>;
}

/** Quantized linears of the fixture, by HF name (fused qkv split back into q, k, v): what the reader must give. */
export function genaiQ4(c: DecoderConfig, weights: WeightMap, o: GenaiOptions = {}) {
  const g = new CommunityGraph({});
  const { hiddenSize: C, numHeads: H, numKvHeads: Hkv, headDim: D, numLayers: L } = c;
  const quantized = new Map<string, Q4Weight>();
  g.input('input_ids', INT64, ['batch', 'seq']);
  g.input('attention_mask', INT64, ['batch', 'total']);
  for (let i = 0; i < L; i++) for (const kv of ['key', 'value']) g.input(`past_key_values.${i}.${kv}`, FLOAT, ['batch', Hkv, 'past', D]);
  const E = g.f32([c.vocabSize, C], get(weights, 'model.embed_tokens.weight'), 'model.embed_tokens.weight');
  const emb = g.op('Gather', [E, 'input_ids'], { axis: 0 }, '', '/model/embed_tokens/Gather');
  const s = '/model/attn_mask_reformat';
  const seqlens = g.op('Cast', [g.op('Sub', [g.op('ReduceSum', ['attention_mask', g.i64([1])], { keepdims: 0 }, '', `${s}/ReduceSum`), g.i64([1], true)], {}, '', `${s}/Sub`)], { to: INT32 }, '', `${s}/Cast`);
  const total = g.op('Cast', [g.op('Gather', [g.op('Shape', ['attention_mask'], {}, '', `${s}/Shape`), g.i64([1], true)], { axis: 0 }, '', `${s}/Gather`)], { to: INT32 }, '', `${s}/Cast_1`);
  const { cos, sin } = ropeTables(ropeInvFreq(c), c.maxPositions);
  const cosCache = g.f32([c.maxPositions, D / 2], cos, 'cos_cache');
  const sinCache = g.f32([c.maxPositions, D / 2], sin, 'sin_cache');

  /** MatMulNBits on f16 activations (Cast in and out), bits 4, f16 scales, uint8 zero points. */
  const linear = (x: string, w: Float32Array, N: number, K: number, scope: string, names: [string, number][]): string => {
    const bs = o.blockSize ?? 32;
    const sub = bs / 32;
    if (K % bs !== 0) throw new Error(`fixture: K ${K} is not a multiple of block_size ${bs}`);
    // With bs = 32·sub, block b of the file is 32-blocks b·sub .. b·sub+sub-1 sharing the first one's
    // scale and zero point: `stored` is that file's meaning in 32-blocks, what the reader must give.
    const q0 = q4f16(w, N, K);
    const stored: Q4Weight = { ...q0, scales: q0.scales.slice(), zeroPoints: new Uint8Array(q0.zeroPoints!.length) };
    const zr32 = q4ZeroPointRowBytes(q0.nBlocks);
    const zp32 = (n: number, b: number) => (q0.zeroPoints![n * zr32 + (b >> 1)] >> (b & 1 ? 4 : 0)) & 0xf;
    for (let n = 0; n < N; n++)
      for (let b = 0; b < q0.nBlocks; b++) {
        const first = b - (b % sub);
        stored.scales[n * q0.nBlocks + b] = q0.scales[n * q0.nBlocks + first];
        stored.zeroPoints![n * zr32 + (b >> 1)] |= zp32(n, first) << (b & 1 ? 4 : 0);
      }
    let row = 0;
    for (const [name, rows] of names) {
      const nb = stored.nBlocks;
      quantized.set(name, { kind: 'q4', N: rows, K, nBlocks: nb, data: stored.data.slice(row * nb * 16, (row + rows) * nb * 16), scales: stored.scales.slice(row * nb, (row + rows) * nb), zeroPoints: stored.zeroPoints!.slice(row * zr32, (row + rows) * zr32) });
      row += rows;
    }
    const nbFile = K / bs;
    const zrFile = Math.ceil(nbFile / 2);
    const data = stored.data; // [N, K/32, 16] is byte for byte [N, K/bs, bs/2]
    const scales = Array.from({ length: N * nbFile }, (_, j) => stored.scales[Math.floor(j / nbFile) * stored.nBlocks + (j % nbFile) * sub]);
    const zp = new Uint8Array(N * zrFile);
    for (let n = 0; n < N; n++) for (let b = 0; b < nbFile; b++) zp[n * zrFile + (b >> 1)] |= zp32(n, b * sub) << (b & 1 ? 4 : 0);
    const nb = Math.ceil(K / bs);
    const B = g.init(`${scope}.MatMul.weight_Q4`, UINT8, [N, nb, bs / 2], data);
    const S = g.f16([N * nb], scales, 'scales');
    const Z = g.init(`${scope}.MatMul.weight_zp`, UINT8, [N, Math.ceil(nb / 2)], zp);
    const x16 = g.op('Cast', [x], { to: FLOAT16 }, '', `${scope}/Cast_in`);
    const y16 = g.op('MatMulNBits', [x16, B, S, Z], { K, N, bits: 4, block_size: bs, accuracy_level: 4, ...o.overrideAttrs }, 'com.microsoft', `${scope}/MatMul_Q4`);
    return g.op('Cast', [y16], { to: FLOAT }, '', `${scope}/Cast_out`);
  };
  const skipNorm = (input: string, skip: string, w: string, scope: string): [string, string] => {
    const [out, , , sum] = g.node('SkipSimplifiedLayerNormalization', [input, skip, g.f32([C], get(weights, w), w)], 4, { epsilon: { f: c.rmsNormEps } }, 'com.microsoft', scope);
    return [out, sum];
  };

  let resid = emb;
  let normed = g.op('SimplifiedLayerNormalization', [emb, g.f32([C], get(weights, 'model.layers.0.input_layernorm.weight'), 'input_layernorm')], { axis: -1, epsilon: { f: c.rmsNormEps } }, '', '/model/layers.0/input_layernorm/LayerNorm');
  const presentNames: string[] = [];
  for (let i = 0; i < L; i++) {
    const s = `/model/layers.${i}`;
    const p = `model.layers.${i}`;
    const qkvN = (H + 2 * Hkv) * D;
    const qkv = linear(normed, fusedQkv(weights, i), qkvN, C, `${s}/attn/qkv_proj`, [[linearWeightName(i, 'q'), H * D], [linearWeightName(i, 'k'), Hkv * D], [linearWeightName(i, 'v'), Hkv * D]]);
    const [attn] = g.node(
      'GroupQueryAttention',
      [qkv, '', '', `past_key_values.${i}.key`, `past_key_values.${i}.value`, seqlens, total, cosCache, sinCache],
      3,
      { num_heads: H, kv_num_heads: Hkv, do_rotary: 1, rotary_interleaved: 0, local_window_size: -1 },
      'com.microsoft',
      `${s}/attn/GroupQueryAttention`,
    );
    presentNames.push(`${s}/attn/GroupQueryAttention_out1`, `${s}/attn/GroupQueryAttention_out2`);
    const o = linear(attn, get(weights, linearWeightName(i, 'o')), C, H * D, `${s}/attn/o_proj`, [[linearWeightName(i, 'o'), C]]);
    const [m, sum] = skipNorm(o, resid, `${p}.post_attention_layernorm.weight`, `${s}/post_attention_layernorm/SkipLayerNorm`);
    resid = sum;
    const F = c.intermediateSize;
    const gate = linear(m, get(weights, linearWeightName(i, 'gate')), F, C, `${s}/mlp/gate_proj`, [[linearWeightName(i, 'gate'), F]]);
    const up = linear(m, get(weights, linearWeightName(i, 'up')), F, C, `${s}/mlp/up_proj`, [[linearWeightName(i, 'up'), F]]);
    const act = g.op('Mul', [g.op('Mul', [gate, g.op('Sigmoid', [gate], {}, '', `${s}/mlp/act_fn/Sigmoid`)], {}, '', `${s}/mlp/act_fn/Mul`), up], {}, '', `${s}/mlp/Mul`);
    const down = linear(act, get(weights, linearWeightName(i, 'down')), C, F, `${s}/mlp/down_proj`, [[linearWeightName(i, 'down'), C]]);
    const next = i + 1 < L ? `model.layers.${i + 1}.input_layernorm.weight` : 'model.norm.weight';
    [normed, resid] = skipNorm(down, resid, next, i + 1 < L ? `/model/layers.${i + 1}/input_layernorm/SkipLayerNorm` : '/model/norm/SkipLayerNorm');
  }
  const head = c.tieWordEmbeddings ? get(weights, 'model.embed_tokens.weight') : get(weights, 'lm_head.weight');
  const logits = linear(normed, head, c.vocabSize, C, '/lm_head', [['lm_head.weight', c.vocabSize]]);
  g.output('logits', logits, FLOAT, ['batch', 'seq', c.vocabSize]);
  for (let i = 0; i < L; i++) {
    g.output(`present.${i}.key`, presentNames[2 * i], FLOAT, ['batch', Hkv, 'total', D]);
    g.output(`present.${i}.value`, presentNames[2 * i + 1], FLOAT, ['batch', Hkv, 'total', D]);
  }
  return { ...g.finish(), quantized };
}
