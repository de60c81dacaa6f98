// Export of a decoder as an ONNX model with the semantics of decoderForwardRef
// (src/reference/decoder.ts), checked against it on onnxruntime-web's WASM EP (onnx.test.ts).
//
// Inputs:  input_ids int64 [batch, seq], attention_mask int64 [batch, seq] (1 = token, right padding).
// Outputs: logits f32 [batch, seq, V]; hidden_states.{i} f32 [batch, seq, C], i = 0..L (0 = embeddings,
//          i = residual stream after layer i, before any norm).
// No KV cache by default: every call runs the whole sequence (positions 0..seq-1).
//
// With { kvCache: true } (Transformers.js / Optimum naming, so their decoding loops can drive it):
// Inputs:  input_ids int64 [batch, seq]; attention_mask int64 [batch, past_seq + seq] (past and new);
//          position_ids int64 [batch, seq] (RoPE positions of the new tokens);
//          past_key_values.{i}.key / .value f32 [batch, Hkv, past_seq, D] for each layer i (past_seq may
//          be 0: the prefill call).
// Outputs: logits and hidden_states.{i} of the new tokens as above; present.{i}.key / .value f32
//          [batch, Hkv, past_seq + seq, D] (past then new keys, after RoPE; values as projected).
// Query t of the new tokens sits at absolute index past_seq + t and may attend to keys s <= that.
//
// Graph, per layer i (B batch, T seq, H heads, Hkv kv heads, D head dim):
//   RMSNorm as Pow/ReduceMean/Add/Sqrt/Div/Mul (plain opset-21 ops, which every EP has);
//   linears as com.microsoft MatMulNBits (q4: bits 4, block 32, B uint8 [N, nBlocks, 16], scales f32
//   [N, nBlocks], optional zero points) or MatMul on Wᵀ [K, N] (f32); q/k/v biases as Add;
//   Qwen3's q/k norm as the same RMSNorm over the last axis of [B, T, h, D] (weights q_norm/k_norm [D]);
//   RoPE rotate-half with cos/sin tables [maxPositions, D/2] gathered at positions 0..T-1 (position_ids
//   with the cache); attention on [B, H, T, S] scores (S = past_seq + T), kv heads repeated for GQA
//   after the cache concat (the cache keeps Hkv heads), masked by causal AND attention_mask;
//   SiLU as x * Sigmoid(x). A tied lm_head multiplies by Transpose(embed_tokens).
// The config travels as metadata_props['alignscope.config'] (JSON) for readDecoderOnnx.

import { ShapeError } from '../errors';
import { hasQkNorm, type DecoderConfig } from '../model/config';
import { CONFIG_METADATA_KEY, linearNodeScope } from '../model/onnx-reader';
import { blocksFor, q4ZeroPointRowBytes, QBLOCK, quantizeQ4, type Q4Weight } from '../model/quant';
import { layerPrefix, linearShape, linearWeightName, qkNormName, type LinearName, type WeightMap } from '../model/weights';
import { ropeInvFreq, ropeTables } from '../reference/rope';
import { ONNX, ProtoWriter } from '../model/protobuf';

export interface ExportOnnxOptions {
  quant: 'q4' | 'f32';
  /** q4 linears already quantized (e.g. read from a q4 file), by weight name: used as they are. */
  quantized?: Map<string, Q4Weight>;
  /** quantizeQ4 with per-block zero points for linears not in `quantized`. */
  zeroPoints?: boolean;
  /** Past/present key-value inputs and outputs and position_ids (see the top of this file). */
  kvCache?: boolean;
}

/** onnxruntime-web 1.30 runs opset 21 (ir_version 10) models; MatMulNBits is com.microsoft v1. */
const IR_VERSION = 10;
const OPSET = 21;
const { FLOAT, UINT8, INT64, BOOL } = ONNX.TensorDataType;

type Attrs = Record<string, number | number[]>;

/** Appends nodes and initializers to one GraphProto; names nodes `{scope}/{Op}` (`_1`, `_2` when repeated). */
class GraphBuilder {
  readonly graph = new ProtoWriter();
  private readonly nodeNames = new Set<string>();
  private readonly consts = new Set<string>();

  node(name: string, op: string, inputs: string[], outputs: string[], attrs: Attrs = {}, domain = ''): void {
    if (this.nodeNames.has(name)) throw new Error(`onnx export: duplicate node name ${name}`);
    this.nodeNames.add(name);
    const n = new ProtoWriter();
    for (const x of inputs) n.string(ONNX.Node.input, x);
    for (const y of outputs) n.string(ONNX.Node.output, y);
    n.string(ONNX.Node.name, name).string(ONNX.Node.opType, op);
    if (domain) n.string(ONNX.Node.domain, domain);
    for (const [key, v] of Object.entries(attrs)) {
      const a = new ProtoWriter().string(ONNX.Attribute.name, key);
      if (Array.isArray(v)) a.packedInts(ONNX.Attribute.ints, v).int(ONNX.Attribute.type, ONNX.AttributeType.INTS);
      else a.int(ONNX.Attribute.i, v).int(ONNX.Attribute.type, ONNX.AttributeType.INT);
      n.message(ONNX.Node.attribute, a);
    }
    this.graph.message(ONNX.Graph.node, n);
  }

  /** One-output op with an automatic node name; the output is `out` or `{node name}_output_0`. */
  op(scope: string, op: string, inputs: string[], out?: string, attrs: Attrs = {}, domain = ''): string {
    let name = `${scope}/${op}`;
    for (let i = 1; this.nodeNames.has(name); i++) name = `${scope}/${op}_${i}`;
    const y = out ?? `${name}_output_0`;
    this.node(name, op, inputs, [y], attrs, domain);
    return y;
  }

  initializer(name: string, dataType: number, dims: number[], raw: Uint8Array): string {
    const t = new ProtoWriter().packedInts(ONNX.Tensor.dims, dims).int(ONNX.Tensor.dataType, dataType).string(ONNX.Tensor.name, name).bytes(ONNX.Tensor.rawData, raw);
    this.graph.message(ONNX.Graph.initializer, t);
    return name;
  }

  f32(name: string, dims: number[], data: Float32Array): string {
    return this.initializer(name, FLOAT, dims, new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  }

  /** Shared int64 constant, named by its value; `scalar` gives it dims []. */
  i64(values: number[], scalar = false): string {
    const name = scalar ? `const.i64.${values[0]}` : `const.i64[${values.join(',')}]`;
    if (!this.consts.has(name)) this.initializer(name, INT64, scalar ? [] : [values.length], new Uint8Array(BigInt64Array.from(values, BigInt).buffer));
    this.consts.add(name);
    return name;
  }

  /** Shared f32 scalar constant. */
  scalar(v: number): string {
    const name = `const.f32.${v}`;
    if (!this.consts.has(name)) this.f32(name, [], Float32Array.of(v));
    this.consts.add(name);
    return name;
  }
}

/** Lowest f32: masked scores become this, so exp() is exactly 0 and a fully masked row stays finite. */
const MASKED = -3.4028234663852886e38;

/** Builds the graph of one decoder; tensor names are documented where they are made. */
class DecoderGraph {
  private readonly b = new GraphBuilder();
  private readonly written = new Set<string>();

  constructor(
    readonly c: DecoderConfig,
    readonly weights: WeightMap,
    readonly opts: ExportOnnxOptions,
  ) {}

  build(): ProtoWriter {
    const { b, c } = this;
    // hidden_states.0 [B, T, C]
    let x = 'hidden_states.0';
    b.node('/model/embed_tokens/Gather', 'Gather', [this.weight('model.embed_tokens.weight', [c.vocabSize, c.hiddenSize]), 'input_ids'], [x], { axis: 0 });
    this.positionsAndMask();
    for (let i = 0; i < c.numLayers; i++) x = this.layer(i, x);
    const final = this.rmsNorm('/model/norm', x, 'model.norm.weight', 'final_norm');
    if (c.tieWordEmbeddings) {
      b.node('/lm_head/Transpose', 'Transpose', ['model.embed_tokens.weight'], ['lm_head.weight_T'], { perm: [1, 0] }); // Eᵀ [C, V]
      b.node('/lm_head/MatMul', 'MatMul', [final, 'lm_head.weight_T'], ['logits']);
    } else this.linear(final, 'lm_head.weight', [c.vocabSize, c.hiddenSize], 'logits');
    return b.graph;
  }

  /** f32 initializer under its Hugging Face name, written once, shape-checked. */
  private weight(name: string, shape: number[]): string {
    if (!this.written.has(name)) this.b.f32(name, shape, this.data(name, shape));
    this.written.add(name);
    return name;
  }

  private data(name: string, shape: number[]): Float32Array {
    const t = this.weights.get(name);
    const n = shape.reduce((a, b) => a * b, 1);
    if (!t) throw new ShapeError(`ONNX export: weight ${name} is missing.`, { tensor: name });
    if (t.shape.join() !== shape.join() || t.data.length !== n) throw new ShapeError(`ONNX export: weight ${name} is [${t.shape}], the config calls for [${shape}].`, { tensor: name, shape: t.shape, expected: shape });
    return t.data;
  }

  /**
   * positions: int64 [T] = 0..T-1, or position_ids [B, T] with the cache; rope.cos, rope.sin f32
   * [T, 1, D] or [B, T, 1, D] (each half-table repeated for both halves of a head);
   * attn.mask bool [B, 1, T, S] = key s <= query (S - T + t) AND attention_mask[b, s], S = attention_mask's length.
   */
  private positionsAndMask(): void {
    const { b, c } = this;
    const s = '/model/positions';
    const dim = (x: string, axis: number) => b.op(s, 'Gather', [b.op(s, 'Shape', [x]), b.i64([axis], true)], undefined, { axis: 0 });
    const T = dim('input_ids', 1);
    const S = this.opts.kvCache ? dim('attention_mask', 1) : T;
    const positions = this.opts.kvCache ? 'position_ids' : b.op(s, 'Range', [b.i64([0], true), T, b.i64([1], true)], 'positions');

    const P = c.maxPositions;
    const half = c.headDim / 2;
    const { cos, sin } = ropeTables(ropeInvFreq(c), P);
    for (const [kind, table] of [['cos', cos], ['sin', sin]] as const) {
      const r = '/model/rotary_emb';
      const g = b.op(r, 'Gather', [b.f32(`rope.${kind}_cache`, [P, half], table), positions], undefined, { axis: 0 }); // [(B,) T, D/2]
      b.op(r, 'Unsqueeze', [b.op(r, 'Concat', [g, g], undefined, { axis: -1 }), b.i64([-2])], `rope.${kind}`);
    }

    const m = '/model/attn_mask';
    const pad = b.op(m, 'Unsqueeze', [b.op(m, 'Cast', ['attention_mask'], undefined, { to: BOOL }), b.i64([1, 2])]); // [B, 1, 1, S]
    const keyIdx = this.opts.kvCache ? b.op(m, 'Range', [b.i64([0], true), S, b.i64([1], true)]) : positions; // [S]
    const queryIdx = this.opts.kvCache ? b.op(m, 'Range', [b.op(m, 'Sub', [S, T]), S, b.i64([1], true)]) : positions; // [T]: past_seq .. S-1
    const keys = b.op(m, 'Unsqueeze', [keyIdx, b.i64([0])]); // [1, S]
    const queries = b.op(m, 'Unsqueeze', [queryIdx, b.i64([1])]); // [T, 1]
    b.op(m, 'And', [b.op(m, 'LessOrEqual', [keys, queries]), pad], 'attn.mask');
  }

  /** x [B, T, C] -> hidden_states.{i+1}; intermediate names `layer{i}.*`. */
  private layer(i: number, x: string): string {
    const { b, c } = this;
    const { numHeads: H, numKvHeads: Hkv, headDim: D } = c;
    const p = layerPrefix(i);
    const s = `/model/layers.${i}`;
    const at = `${s}/self_attn`;
    const t = `layer${i}`;
    const a = this.rmsNorm(`${s}/input_layernorm`, x, `${p}.input_layernorm.weight`, `${t}.attn_norm`);
    // [B, T, h*D] -> [B, h, T, D], normed per head (Qwen3) and rotated for q and k
    const heads = (which: 'q' | 'k' | 'v', h: number): string => {
      const bias = c.attentionBias ? this.weight(`${p}.self_attn.${which}_proj.bias`, [h * D]) : undefined;
      let y = b.op(at, 'Reshape', [this.linear(a, linearWeightName(i, which), linearShape(c, which), `${t}.${which}`, bias), b.i64([0, 0, h, D])]);
      if (which !== 'v' && hasQkNorm(c)) y = this.rmsNorm(`${at}/${which}_norm`, y, qkNormName(i, which), `${t}.attn.${which}_norm`, D);
      if (which !== 'v') y = this.rope(`${at}/${which}_rotary`, y);
      return b.op(at, 'Transpose', [y], undefined, { perm: [0, 2, 1, 3] });
    };
    // with the cache: present.{i}.key/value [B, Hkv, S, D] = past then new, before the GQA repeat
    const cached = (which: 'key' | 'value', x: string) => (this.opts.kvCache ? b.op(at, 'Concat', [`past_key_values.${i}.${which}`, x], `present.${i}.${which}`, { axis: 2 }) : x);
    const q = heads('q', H);
    const k = this.repeatKv(at, cached('key', heads('k', Hkv)));
    const v = this.repeatKv(at, cached('value', heads('v', Hkv)));
    const kT = b.op(at, 'Transpose', [k], undefined, { perm: [0, 1, 3, 2] }); // [B, H, D, S]
    const scores = b.op(at, 'Mul', [b.op(at, 'MatMul', [q, kT]), b.scalar(1 / Math.sqrt(D))]); // [B, H, T, S]
    const probs = b.op(at, 'Softmax', [b.op(at, 'Where', ['attn.mask', scores, b.scalar(MASKED)])], `${t}.attn.probs`, { axis: -1 });
    const ctx = b.op(at, 'Transpose', [b.op(at, 'MatMul', [probs, v])], undefined, { perm: [0, 2, 1, 3] }); // [B, T, H, D]
    const merged = b.op(at, 'Reshape', [ctx, b.i64([0, 0, H * D])], `${t}.attn.ctx`);
    const attnOut = this.linear(merged, linearWeightName(i, 'o'), linearShape(c, 'o'), `${t}.attn.out`);
    const resid = b.op(s, 'Add', [x, attnOut], `${t}.resid`);

    const m = this.rmsNorm(`${s}/post_attention_layernorm`, resid, `${p}.post_attention_layernorm.weight`, `${t}.mlp_norm`);
    const mlp = (which: LinearName, input: string) => this.linear(input, linearWeightName(i, which), linearShape(c, which), `${t}.mlp.${which}`);
    const gate = mlp('gate', m);
    const up = mlp('up', m);
    const ms = `${s}/mlp`;
    const act = b.op(ms, 'Mul', [b.op(ms, 'Mul', [gate, b.op(ms, 'Sigmoid', [gate])]), up], `${t}.mlp.act`); // silu(gate) * up [B, T, F]
    return b.op(s, 'Add', [resid, mlp('down', act)], `hidden_states.${i + 1}`);
  }

  /**
   * Rotate-half RoPE of x [B, T, h, D]: x * cos + [-x2, x1] * sin. The halves come from Slice, not
   * Split: onnxruntime-web's WebGPU EP (1.30) mis-shapes Split with `num_outputs`.
   */
  private rope(scope: string, x: string): string {
    const b = this.b;
    const half = this.c.headDim / 2;
    const slice = (from: number, to: number) => b.op(scope, 'Slice', [x, b.i64([from]), b.i64([to]), b.i64([-1])]);
    const rotated = b.op(scope, 'Concat', [b.op(scope, 'Neg', [slice(half, 2 * half)]), slice(0, half)], undefined, { axis: -1 });
    return b.op(scope, 'Add', [b.op(scope, 'Mul', [x, 'rope.cos']), b.op(scope, 'Mul', [rotated, 'rope.sin'])]);
  }

  /** GQA: [B, Hkv, S, D] -> [B, H, S, D], kv head j serving query heads j*group .. (j+1)*group-1. */
  private repeatKv(scope: string, x: string): string {
    const { b, c } = this;
    const group = c.numHeads / c.numKvHeads;
    if (group === 1) return x;
    const expanded = b.op(scope, 'Expand', [b.op(scope, 'Unsqueeze', [x, b.i64([2])]), b.i64([1, 1, group, 1, 1])]); // [B, Hkv, group, S, D]
    return b.op(scope, 'Reshape', [expanded, b.i64([0, c.numHeads, -1, c.headDim])]);
  }

  /** x / sqrt(mean(x²) + eps) * w over the last axis, of `width` (C, or D for Qwen3's q/k norm). */
  private rmsNorm(scope: string, x: string, weight: string, out: string, width = this.c.hiddenSize): string {
    const b = this.b;
    const ms = b.op(scope, 'ReduceMean', [b.op(scope, 'Pow', [x, b.scalar(2)]), b.i64([-1])], undefined, { keepdims: 1 });
    const rms = b.op(scope, 'Sqrt', [b.op(scope, 'Add', [ms, b.scalar(this.c.rmsNormEps)])]);
    return b.op(scope, 'Mul', [b.op(scope, 'Div', [x, rms]), this.weight(weight, [width])], out);
  }

  /** Y = X · Wᵀ (+ bias) for W [N, K]: MatMulNBits in q4, MatMul on Wᵀ in f32. */
  private linear(x: string, name: string, [N, K]: [number, number], out: string, bias?: string): string {
    const b = this.b;
    const scope = linearNodeScope(name);
    const op = this.opts.quant === 'q4' ? 'MatMul_Q4' : 'MatMul';
    const y = bias ? `${scope}/${op}_output_0` : out;
    if (this.opts.quant === 'q4') {
      const q = this.opts.quantized?.get(name) ?? quantizeQ4(this.data(name, [N, K]), N, K, { zeroPoints: this.opts.zeroPoints });
      const nBlocks = blocksFor(K);
      const zpRow = q4ZeroPointRowBytes(nBlocks);
      if (q.N !== N || q.K !== K || q.data.length !== N * nBlocks * 16 || q.scales.length !== N * nBlocks || (q.zeroPoints && q.zeroPoints.length !== N * zpRow)) {
        throw new ShapeError(`ONNX export: quantized ${name} is [${q.N}, ${q.K}] with ${q.data.length} bytes and ${q.scales.length} scales; the config calls for [${N}, ${K}].`, { tensor: name });
      }
      const inputs = [x, b.initializer(`${name}.q4`, UINT8, [N, nBlocks, 16], q.data), b.f32(`${name}.scales`, [N, nBlocks], q.scales)];
      if (q.zeroPoints) inputs.push(b.initializer(`${name}.zero_points`, UINT8, [N, zpRow], q.zeroPoints));
      b.node(`${scope}/${op}`, 'MatMulNBits', inputs, [y], { K, N, bits: 4, block_size: QBLOCK }, 'com.microsoft');
    } else {
      const w = this.data(name, [N, K]);
      const wT = new Float32Array(K * N); // [K, N]
      for (let n = 0; n < N; n++) for (let k = 0; k < K; k++) wT[k * N + n] = w[n * K + k];
      b.node(`${scope}/${op}`, 'MatMul', [x, b.f32(`${name}.T`, [K, N], wT)], [y]);
    }
    if (bias) b.node(`${scope}/Add`, 'Add', [y, bias], [out]);
    return out;
  }
}

/** ValueInfoProto of a tensor; string dims are symbolic (dim_param). */
function valueInfo(name: string, elemType: number, dims: (number | string)[]): ProtoWriter {
  const shape = new ProtoWriter();
  for (const d of dims) shape.message(ONNX.TensorShape.dim, typeof d === 'number' ? new ProtoWriter().int(ONNX.Dimension.value, d) : new ProtoWriter().string(ONNX.Dimension.param, d));
  const tensor = new ProtoWriter().int(ONNX.TypeTensor.elemType, elemType).message(ONNX.TypeTensor.shape, shape);
  return new ProtoWriter().string(ONNX.ValueInfo.name, name).message(ONNX.ValueInfo.type, new ProtoWriter().message(ONNX.Type.tensorType, tensor));
}

/** The decoder as an ONNX ModelProto (see the top of this file for inputs, outputs and graph). */
export function exportDecoderOnnx(config: DecoderConfig, weights: WeightMap, opts: ExportOnnxOptions): Uint8Array {
  const graph = new DecoderGraph(config, weights, opts).build();
  graph.string(ONNX.Graph.name, 'alignscope_decoder');
  const { numLayers: L, numKvHeads: Hkv, headDim: D } = config;
  const kv = ['key', 'value'];
  const ints: [string, string[]][] = [['input_ids', ['batch', 'seq']], ['attention_mask', ['batch', opts.kvCache ? 'total_seq' : 'seq']]];
  if (opts.kvCache) ints.push(['position_ids', ['batch', 'seq']]);
  for (const [name, dims] of ints) graph.message(ONNX.Graph.input, valueInfo(name, INT64, dims));
  if (opts.kvCache) for (let i = 0; i < L; i++) for (const which of kv) graph.message(ONNX.Graph.input, valueInfo(`past_key_values.${i}.${which}`, FLOAT, ['batch', Hkv, 'past_seq', D]));
  graph.message(ONNX.Graph.output, valueInfo('logits', FLOAT, ['batch', 'seq', config.vocabSize]));
  for (let i = 0; i <= L; i++) graph.message(ONNX.Graph.output, valueInfo(`hidden_states.${i}`, FLOAT, ['batch', 'seq', config.hiddenSize]));
  if (opts.kvCache) for (let i = 0; i < L; i++) for (const which of kv) graph.message(ONNX.Graph.output, valueInfo(`present.${i}.${which}`, FLOAT, ['batch', Hkv, 'total_seq', D]));

  const opset = (domain: string, version: number) => new ProtoWriter().string(ONNX.OperatorSetId.domain, domain).int(ONNX.OperatorSetId.version, version);
  const meta = new ProtoWriter().string(ONNX.StringStringEntry.key, CONFIG_METADATA_KEY).string(ONNX.StringStringEntry.value, JSON.stringify(config));
  return new ProtoWriter()
    .int(ONNX.Model.irVersion, IR_VERSION)
    .string(ONNX.Model.producerName, 'alignscope')
    .message(ONNX.Model.graph, graph)
    .message(ONNX.Model.opsetImport, opset('', OPSET))
    .message(ONNX.Model.opsetImport, opset('com.microsoft', 1))
    .message(ONNX.Model.metadataProps, meta)
    .finish();
}
