// Reads the decoder weights out of an onnx-community ONNX file (exported by Optimum or by the
// onnxruntime-genai builder, as Transformers.js uses them). The config is the folder's config.json;
// the graph only gives weights, found by ROLE: we walk the residual stream from `input_ids`, never
// trusting initializer names (`onnx::MatMul_1234` is common).
//
//   input_ids -> Gather(E)                                   embed_tokens  (f32/f16 [V, C])
//   per layer: norm(x) -> a                                  input_layernorm
//              linears reading a: q, k, v (or one fused qkv [(H + 2 Hkv) D], split q|k|v by rows)
//              q / k / v told apart by where they end: GroupQueryAttention/MultiHeadAttention inputs
//              0/1/2, or the plain scores MatMul (q slot 0, k slot 1) and the context MatMul (v slot 1)
//              o = first linear downstream of v;  x + o -> norm -> m  post_attention_layernorm
//              linears reading m: gate (its output feeds a Sigmoid: SiLU) and up; down = first
//              linear downstream of up;  x + down -> next layer
//   final norm -> lm_head: MatMul(Wᵀ) / MatMulNBits, or MatMul(Transpose(E)) = tied
// Qwen3's q_norm / k_norm: the first norm on the q / k path (after the Split of a fused qkv) whose
// weight is [D]: SimplifiedLayerNormalization, or a Mul by a [D] initializer.
// A norm is SimplifiedLayerNormalization, SkipSimplifiedLayerNormalization (which also adds the
// residual: its output 3 is the sum) or a Pow/ReduceMean/Add/Sqrt/(Div|Reciprocal,Mul)/Mul chain whose
// last Mul takes an initializer of [C]. A residual Add is x + delta.
// Linears: MatMul with B = Wᵀ [K, N] f32/f16 (an initializer, maybe behind Cast), bias as a following
// Add of an [N] initializer; or com.microsoft MatMulNBits bits 4 with scales f32/f16 and optional zero
// points (uint8 packed, or float of integral 0..15). block_size 32 is read as is; a multiple of 32 is
// repacked losslessly (every 32-sub-block keeps its block's scale and zero point); others are refused.
// A graph lm_head that is not the embedding makes the model untied (lm_head.weight from the graph).
// Anything off these paths is refused with UnsupportedModelError naming the node (op type and name).

import { ModelFormatError, UnsupportedModelError } from '../errors';
import { hasQkNorm, type DecoderConfig } from './config';
import { ExternalData } from './onnx-external';
import { ONNX, ProtoMessage } from './protobuf';
import { blocksFor, dequantize, q4ZeroPointRowBytes, QBLOCK, type Q4Weight } from './quant';
import { expectedWeights, layerPrefix, linearShape, linearWeightName, qkNormName, type WeightMap } from './weights';
import type { OnnxDecoder, ReadOnnxOptions } from './onnx-reader';
import { f16ToF32 } from './safetensors';

const { FLOAT, UINT8 } = ONNX.TensorDataType;
export const FLOAT16 = 10;

interface Node {
  name: string;
  opType: string;
  domain: string;
  inputs: string[];
  outputs: string[];
  attrs: Map<string, ProtoMessage>;
}

/** Ops that reshape, rotate, mask or attend: a path may pass through them without touching a weight. */
const PASS = new Set([
  'Reshape', 'Transpose', 'Unsqueeze', 'Squeeze', 'Cast', 'Identity', 'Slice', 'Split', 'Concat', 'Neg', 'Mul', 'Add', 'Sub', 'Div',
  'Softmax', 'Where', 'Expand', 'RotaryEmbedding', 'GroupQueryAttention', 'MultiHeadAttention', 'Attention', 'MatMul', 'Sigmoid',
  'Gather', 'Shape', 'Tile', 'Pow', 'ReduceMean', 'Sqrt', 'Reciprocal', 'SimplifiedLayerNormalization', 'Equal', 'ConstantOfShape',
]);
const ATTENTION_OPS = new Set(['GroupQueryAttention', 'MultiHeadAttention']);

/** True when the file is not our own export (it has no alignscope.config metadata). */
export function isCommunityOnnx(bytes: Uint8Array): boolean {
  try {
    return !new ProtoMessage(bytes).messages(ONNX.Model.metadataProps).some((e) => e.string(ONNX.StringStringEntry.key) === 'alignscope.config');
  } catch {
    return false;
  }
}

/** The .onnx file to load from a listed folder, best first: f32, then q4 (f32 / f16 scales), then fp16. */
export const COMMUNITY_ONNX_ORDER = ['onnx/model.onnx', 'onnx/model_q4.onnx', 'onnx/model_q4f16.onnx', 'onnx/model_fp16.onnx'];

export function readCommunityOnnx(bytes: Uint8Array, config: DecoderConfig, file = 'model.onnx', opts: ReadOnnxOptions = {}): OnnxDecoder {
  try {
    return new CommunityGraph(bytes, config, file, opts).read();
  } catch (e) {
    if (e instanceof ModelFormatError && e.data.file === undefined) throw new ModelFormatError(`${file}: ${e.message}`, { file, ...e.data });
    throw e;
  }
}

interface Linear {
  node: Node;
  /** The output after the optional bias Add. */
  out: string;
  biasInit?: string;
}

class CommunityGraph {
  private readonly nodes: Node[] = [];
  private readonly inits = new Map<string, ProtoMessage>();
  private readonly producer = new Map<string, Node>();
  private readonly consumers = new Map<string, Node[]>();
  private readonly externalData: ExternalData;
  private readonly weights: WeightMap = new Map();
  private readonly quantized = new Map<string, Q4Weight>();
  private config: DecoderConfig;

  constructor(
    bytes: Uint8Array,
    config: DecoderConfig,
    readonly file: string,
    readonly opts: ReadOnnxOptions,
  ) {
    this.config = { ...config };
    this.externalData = new ExternalData(file, opts.resolveExternal, (problem, data) => this.damaged(problem, data));
    const model = new ProtoMessage(bytes);
    const graph = model.message(ONNX.Model.graph);
    if (!model.has(ONNX.Model.irVersion) || !graph) this.damaged('not an ONNX ModelProto (no ir_version or graph)', {});
    for (const t of graph.messages(ONNX.Graph.initializer)) this.inits.set(t.string(ONNX.Tensor.name), t);
    for (const n of graph.messages(ONNX.Graph.node)) {
      const attrs = new Map(n.messages(ONNX.Node.attribute).map((a) => [a.string(ONNX.Attribute.name), a]));
      const node: Node = { name: n.string(ONNX.Node.name), opType: n.string(ONNX.Node.opType), domain: n.string(ONNX.Node.domain), inputs: n.strings(ONNX.Node.input), outputs: n.strings(ONNX.Node.output), attrs };
      this.nodes.push(node);
      for (const y of node.outputs) this.producer.set(y, node);
      for (const x of node.inputs) if (x) (this.consumers.get(x) ?? this.consumers.set(x, []).get(x)!).push(node);
    }
  }

  private damaged(problem: string, data: Record<string, unknown>): never {
    throw new ModelFormatError(`${this.file}: ${problem}. The file is truncated or damaged; download it again.`, { file: this.file, ...data });
  }

  /** `node` may be missing where a damaged graph leaves a tensor without a producer (the fuzz tier removed one). */
  private unsupported(node: Node | undefined, why: string): never {
    if (!node) return this.damaged(`a tensor on the decoder's path has no node producing it, where one ${why}`, {});
    throw new UnsupportedModelError(`${this.file}: node ${node.opType} "${node.name}" ${why}. Use the model's f32 (model.onnx) or q4 (model_q4.onnx) export, or its safetensors checkpoint.`, {
      file: this.file,
      node: node.name,
      opType: node.opType,
    });
  }

  private users(x: string): Node[] {
    return this.consumers.get(x) ?? [];
  }

  /** `x` after the Casts that are its only reader (q4f16 graphs cast around every MatMulNBits). */
  private through(x: string): string {
    for (let u = this.users(x); u.length === 1 && u[0].opType === 'Cast'; u = this.users(x)) x = u[0].outputs[0];
    return x;
  }

  /** An initializer, seen through Cast / Identity nodes. */
  private constant(x: string): ProtoMessage | undefined {
    for (let i = 0; i < 4; i++) {
      const t = this.inits.get(x);
      if (t) return t;
      const p = this.producer.get(x);
      if (!p || (p.opType !== 'Cast' && p.opType !== 'Identity')) return undefined;
      x = p.inputs[0];
    }
    return undefined;
  }

  private isLinear(n: Node): boolean {
    return n.opType === 'MatMulNBits' || (n.opType === 'MatMul' && (this.constant(n.inputs[1]) !== undefined || this.tiedSource(n) !== undefined));
  }

  /** For MatMul(x, Transpose(E)): E's initializer name. */
  private tiedSource(n: Node): string | undefined {
    const p = this.producer.get(n.inputs[1]);
    if (p?.opType !== 'Transpose') return undefined;
    const t = this.constant(p.inputs[0]);
    return t ? t.string(ONNX.Tensor.name) : undefined;
  }

  /** The linears reading `x` directly (through Cast); any other consumer must be a known pass-through op. */
  private linearsOf(x: string): Node[] {
    const out: Node[] = [];
    const visit = (t: string) => {
      for (const n of this.users(t)) {
        if (this.isLinear(n)) out.push(n);
        else if (n.opType === 'Cast') visit(n.outputs[0]);
        else if (!PASS.has(n.opType) && !n.opType.endsWith('LayerNormalization')) this.unsupported(n, `reads the normed activations ${t}, where a MatMul or MatMulNBits weight was expected`);
      }
    };
    visit(x);
    return out;
  }

  /** The linear's output after a bias Add of an [N] initializer, if there is one. */
  private withBias(node: Node, N: number): Linear {
    const y = this.through(node.outputs[0]);
    const users = this.users(y);
    if (users.length === 1 && users[0].opType === 'Add') {
      const other = users[0].inputs.find((i) => i !== y)!;
      const t = this.constant(other);
      if (t && t.ints(ONNX.Tensor.dims).reduce((a, b) => a * b, 1) === N) return { node, out: users[0].outputs[0], biasInit: other };
    }
    return { node, out: y };
  }

  /** Every node reachable forward from `x` (breadth first), not crossing linears; linears reached are returned too. */
  private downstream(x: string, limit = 200): Node[] {
    const seen = new Set<Node>();
    const queue = [x];
    const out: Node[] = [];
    while (queue.length && out.length < limit) {
      for (const n of this.users(queue.shift()!)) {
        if (seen.has(n)) continue;
        seen.add(n);
        out.push(n);
        if (!this.isLinear(n)) queue.push(...n.outputs.filter(Boolean));
      }
    }
    return out;
  }

  private firstLinearAfter(x: string, what: string, from: Node): Node {
    const n = this.downstream(x).find((d) => this.isLinear(d));
    if (!n) this.unsupported(from, `is followed by no MatMul / MatMulNBits, so the ${what} projection cannot be found`);
    return n;
  }

  // ---- norms and the residual stream ----

  /** x [.., C] normed: the output and the weight [C]; with `delta`, the residual x + delta is formed first. */
  private norm(base: string, delta: string | null, what: string, from: Node | undefined): { out: string; weight: string; resid: string } {
    if (delta) {
      delta = this.through(delta);
      const skip = this.users(delta).find((n) => n.opType === 'SkipSimplifiedLayerNormalization' && n.inputs.slice(0, 2).includes(base));
      if (skip) {
        if (skip.inputs[3]) this.unsupported(skip, 'has a bias input, which is not supported');
        return { out: skip.outputs[0], weight: skip.inputs[2], resid: skip.outputs[3] ?? '' };
      }
      const add = this.users(delta).find((n) => n.opType === 'Add' && n.inputs.includes(base));
      if (!add) this.unsupported(from ?? this.producer.get(delta)!, `gives ${delta}, which is added to the residual stream by no Add or SkipSimplifiedLayerNormalization`);
      base = add.outputs[0];
    }
    const users = this.users(base);
    // (a SkipSimplifiedLayerNormalization reading `base` here adds the next delta: it is not this norm)
    const simple = users.find((n) => n.opType === 'SimplifiedLayerNormalization');
    if (simple) return { out: simple.outputs[0], weight: simple.inputs[1], resid: base };
    // Pow/ReduceMean/... chain: search forward through the chain's ops for Mul(·, w [C]).
    const chain = new Set(['Pow', 'ReduceMean', 'Add', 'Sqrt', 'Div', 'Reciprocal', 'Mul', 'Cast']);
    const queue = [base];
    const seen = new Set<Node>();
    while (queue.length) {
      for (const n of this.users(queue.shift()!)) {
        if (seen.has(n) || !chain.has(n.opType)) continue;
        seen.add(n);
        const consts = n.inputs.filter((i) => this.constant(i));
        if (n.opType === 'Mul' && consts.length === 1) {
          const w = this.constant(consts[0])!;
          if (w.ints(ONNX.Tensor.dims).join() === String(this.config.hiddenSize)) return { out: n.outputs[0], weight: consts[0], resid: base };
        }
        // an Add with two computed inputs is the next residual, not part of the norm
        if (n.opType === 'Add' && consts.length === 0) continue;
        queue.push(...n.outputs);
      }
    }
    const first = users[0];
    if (!first) this.damaged(`${base} (before the ${what}) is read by no node`, { tensor: base });
    return this.unsupported(first, `reads the residual stream ${base}, where the ${what} (SimplifiedLayerNormalization or a Pow/ReduceMean chain) was expected`);
  }

  // ---- reading ----

  read(): OnnxDecoder {
    const c = this.config;
    const gather = this.users('input_ids').find((n) => n.opType === 'Gather' || n.opType === 'GatherBlockQuantized');
    if (!gather) this.damaged('no Gather reads input_ids, so the token embeddings cannot be found', { tensor: 'input_ids' });
    if (gather.opType !== 'Gather' || gather.inputs[1] !== 'input_ids' || !this.constant(gather.inputs[0])) this.unsupported(gather, 'holds the token embeddings in a form we cannot read (quantized or computed)');
    const embedName = this.constant(gather.inputs[0])!.string(ONNX.Tensor.name);
    this.set('model.embed_tokens.weight', this.floats(embedName, [c.vocabSize, c.hiddenSize], gather));

    let base = gather.outputs[0];
    let delta: string | null = null;
    let last: Node = gather;
    for (let i = 0; i < c.numLayers; i++) {
      const p = layerPrefix(i);
      const an = this.norm(base, delta, `layer ${i} input_layernorm`, last);
      this.set(`${p}.input_layernorm.weight`, this.floats(an.weight, [c.hiddenSize], last));
      base = an.resid;
      const { v } = this.attention(i, an.out);
      const oNode = this.firstLinearAfter(v, `layer ${i} o_proj`, v === an.out ? last : this.producer.get(v)!);
      const o = this.readLinear(oNode, linearWeightName(i, 'o'), linearShape(c, 'o'));
      const mn = this.norm(base, o.out, `layer ${i} post_attention_layernorm`, oNode);
      this.set(`${p}.post_attention_layernorm.weight`, this.floats(mn.weight, [c.hiddenSize], oNode));
      base = mn.resid;
      const down = this.mlp(i, mn.out);
      delta = down.out;
      last = down.node;
    }
    const fn = this.norm(base, delta, 'final norm', last);
    this.set('model.norm.weight', this.floats(fn.weight, [c.hiddenSize], last));
    const heads = this.linearsOf(fn.out);
    if (heads.length !== 1) this.unsupported(this.producer.get(fn.out) ?? last, `gives the final normed activations to ${heads.length} linears, expected one lm_head`);
    const head = heads[0];
    const tied = head.opType === 'MatMul' && this.tiedSource(head) === embedName;
    if (!tied) {
      this.config = { ...c, tieWordEmbeddings: false };
      this.readLinear(head, 'lm_head.weight', [c.vocabSize, c.hiddenSize]);
    } else this.config = { ...c, tieWordEmbeddings: true };
    return { config: this.config, weights: this.ordered(), quantized: this.quantized };
  }

  /** q, k, v of layer i from the normed input `a`; returns v's output (o_proj lies downstream of it). */
  private attention(i: number, a: string): { v: string } {
    const c = this.config;
    const qDim = c.numHeads * c.headDim;
    const kvDim = c.numKvHeads * c.headDim;
    const lins = this.linearsOf(a);
    const from = this.producer.get(a);
    if (lins.length === 1) {
      // fused q|k|v [(H + 2 Hkv) D, C]
      const node = lins[0];
      const N = qDim + 2 * kvDim;
      const w = this.linearWeight(node, [N, c.hiddenSize]);
      const lin = this.withBias(node, N);
      const split = this.users(node.outputs[0]).find((n) => n.opType === 'Split');
      if (split) {
        const sizes = split.inputs[1] ? this.ints64(split.inputs[1]) : [];
        if (sizes.length && sizes.join() !== [qDim, kvDim, kvDim].join()) this.unsupported(split, `splits the fused qkv into [${sizes}], expected q|k|v = [${qDim}, ${kvDim}, ${kvDim}]`);
      }
      if (hasQkNorm(c)) {
        if (!split) this.unsupported(node, 'gives a fused qkv that is not Split, so the q/k norms (qwen3) cannot be found');
        this.qkNorm(i, 'q', split.outputs[0], split);
        this.qkNorm(i, 'k', split.outputs[1], split);
      }
      const parts: ['q' | 'k' | 'v', number, number][] = [['q', 0, qDim], ['k', qDim, kvDim], ['v', qDim + kvDim, kvDim]];
      for (const [which, row0, rows] of parts) {
        const name = linearWeightName(i, which);
        if (w.q) {
          const nb = w.q.nBlocks;
          const zpRow = q4ZeroPointRowBytes(nb);
          const q: Q4Weight = {
            kind: 'q4', N: rows, K: w.q.K, nBlocks: nb,
            data: w.q.data.slice(row0 * nb * 16, (row0 + rows) * nb * 16),
            scales: w.q.scales.slice(row0 * nb, (row0 + rows) * nb),
            zeroPoints: w.q.zeroPoints ? w.q.zeroPoints.slice(row0 * zpRow, (row0 + rows) * zpRow) : null,
          };
          this.quantized.set(name, q);
        }
        this.set(name, w.data.slice(row0 * c.hiddenSize, (row0 + rows) * c.hiddenSize), [rows, c.hiddenSize]);
        if (c.attentionBias) {
          if (!lin.biasInit) this.unsupported(node, `has no bias Add, but the config has attention biases`);
          this.set(`${layerPrefix(i)}.self_attn.${which}_proj.bias`, this.floats(lin.biasInit, [N], node).slice(row0, row0 + rows), [rows]);
        }
      }
      return { v: lin.out };
    }
    if (lins.length !== 3) this.unsupported(from ?? lins[0], `gives the layer ${i} attention input to ${lins.length} linears, expected q, k, v (or one fused qkv)`);
    // roles by where each path enters attention
    const role = (lin: Node): 'q' | 'k' | 'v' => {
      for (const d of this.downstream(lin.outputs[0])) {
        if (ATTENTION_OPS.has(d.opType)) {
          const slot = d.inputs.findIndex((x) => this.reaches(lin.outputs[0], x));
          if (slot >= 0 && slot <= 2) return (['q', 'k', 'v'] as const)[slot];
        }
        if (d.opType === 'MatMul' && !this.isLinear(d)) {
          const slot = d.inputs.findIndex((x) => this.reaches(lin.outputs[0], x));
          // scores = q · kᵀ (its output goes through Softmax), context = probs · v
          const isScores = this.downstream(d.outputs[0], 12).some((n) => n.opType === 'Softmax');
          if (isScores) return slot === 0 ? 'q' : 'k';
          if (slot === 1) return 'v';
        }
      }
      return this.unsupported(lin, 'feeds no attention (GroupQueryAttention, MultiHeadAttention or MatMul/Softmax/MatMul)');
    };
    const byRole = new Map<string, Node>();
    for (const lin of lins) {
      const r = role(lin);
      if (byRole.has(r)) this.unsupported(lin, `and ${byRole.get(r)!.opType} "${byRole.get(r)!.name}" both look like the ${r} projection`);
      byRole.set(r, lin);
    }
    let v = '';
    for (const which of ['q', 'k', 'v'] as const) {
      const shape = linearShape(c, which);
      const lin = this.readLinear(byRole.get(which)!, linearWeightName(i, which), shape);
      if (c.attentionBias) {
        if (!lin.biasInit) this.unsupported(lin.node, 'has no bias Add, but the config has attention biases');
        this.set(`${layerPrefix(i)}.self_attn.${which}_proj.bias`, this.floats(lin.biasInit, [shape[0]], lin.node), [shape[0]]);
      }
      if (which !== 'v' && hasQkNorm(c)) this.qkNorm(i, which, lin.out, lin.node);
      if (which === 'v') v = lin.out;
    }
    return { v };
  }

  /** Qwen3's per-head RMSNorm weight [D] on the q or k path: the first norm downstream whose weight is [D]. */
  private qkNorm(i: number, which: 'q' | 'k', from: string, node: Node): void {
    const D = this.config.headDim;
    const isD = (x: string) => this.constant(x)?.ints(ONNX.Tensor.dims).join() === String(D);
    for (const d of this.downstream(from, 80)) {
      if (this.isLinear(d)) continue;
      const w = d.opType === 'SimplifiedLayerNormalization' ? d.inputs[1] : d.opType === 'Mul' && d.inputs.filter((x) => this.constant(x)).length === 1 ? d.inputs.find((x) => this.constant(x)) : undefined;
      if (w && isD(w)) return this.set(qkNormName(i, which), this.floats(w, [D], d), [D]);
    }
    this.unsupported(node, `is followed by no ${which}_norm over head_dim ${D} (SimplifiedLayerNormalization or Mul by a [${D}] weight), which the qwen3 config calls for`);
  }

  /** Whether tensor `to` is `from` or computed from it (backwards search, bounded). */
  private reaches(from: string, to: string): boolean {
    const stack = [to];
    const seen = new Set<string>();
    while (stack.length && seen.size < 400) {
      const t = stack.pop()!;
      if (t === from) return true;
      if (seen.has(t)) continue;
      seen.add(t);
      const p = this.producer.get(t);
      if (p && !this.isLinear(p)) stack.push(...p.inputs.filter(Boolean));
    }
    return false;
  }

  /** gate and up from the normed input `m`; returns down. */
  private mlp(i: number, m: string): Linear {
    const c = this.config;
    const lins = this.linearsOf(m);
    if (lins.length !== 2) this.unsupported(lins[0] ?? this.producer.get(m)!, `is one of ${lins.length} linears reading the layer ${i} MLP input, expected gate and up`);
    const isGate = (n: Node) => {
      const out = this.withBias(n, 0).out;
      return this.users(out).some((u) => u.opType === 'Sigmoid' || u.opType === 'QuickGelu');
    };
    const gates = lins.filter(isGate);
    if (gates.length !== 1) this.unsupported(lins[0], `cannot be told apart from ${lins[1].opType} "${lins[1].name}": exactly one of gate/up must feed a Sigmoid (SiLU)`);
    const gate = gates[0];
    const up = lins.find((n) => n !== gate)!;
    this.readLinear(gate, linearWeightName(i, 'gate'), linearShape(c, 'gate'));
    const upLin = this.readLinear(up, linearWeightName(i, 'up'), linearShape(c, 'up'));
    const downNode = this.firstLinearAfter(upLin.out, `layer ${i} down_proj`, up);
    return this.readLinear(downNode, linearWeightName(i, 'down'), linearShape(c, 'down'));
  }

  // ---- weights ----

  private set(name: string, data: Float32Array, shape?: number[]): void {
    this.weights.set(name, { shape: shape ?? this.shapeOf(name), data });
  }

  private shapeOf(name: string): number[] {
    const c = this.config;
    if (name === 'model.embed_tokens.weight') return [c.vocabSize, c.hiddenSize];
    return [c.hiddenSize];
  }

  /** The weights in expectedWeights' order, so the result looks like any other reader's. */
  private ordered(): WeightMap {
    const out: WeightMap = new Map();
    for (const spec of expectedWeights(this.config)) {
      const t = this.weights.get(spec.name);
      if (!t) throw new ModelFormatError(`${this.file}: the graph gives no ${spec.name}, which the config calls for.`, { file: this.file, tensor: spec.name });
      out.set(spec.name, t);
    }
    return out;
  }

  private readLinear(node: Node, name: string, shape: [number, number]): Linear {
    const w = this.linearWeight(node, shape);
    if (w.q) this.quantized.set(name, w.q);
    this.set(name, w.data, shape);
    return this.withBias(node, shape[0]);
  }

  /** W [N, K] in f32 (q4 dequantized) and the q4 weight as stored. */
  private linearWeight(node: Node, [N, K]: [number, number]): { data: Float32Array; q?: Q4Weight } {
    if (node.opType === 'MatMulNBits') {
      const q = this.q4(node, N, K);
      return { data: dequantize(q), q };
    }
    if (this.constant(node.inputs[1]) === undefined) this.unsupported(node, 'multiplies by a computed tensor, where a weight was expected');
    const wt = this.floats(this.constant(node.inputs[1])!.string(ONNX.Tensor.name), [K, N], node); // Wᵀ [K, N]
    const w = new Float32Array(N * K);
    for (let k = 0; k < K; k++) for (let n = 0; n < N; n++) w[n * K + k] = wt[k * N + n];
    return { data: w };
  }

  private q4(node: Node, N: number, K: number): Q4Weight {
    const attr = (name: string) => node.attrs.get(name)?.int(ONNX.Attribute.i);
    const bs = attr('block_size') ?? 0;
    if (node.domain !== 'com.microsoft') this.unsupported(node, `is in domain "${node.domain}", expected com.microsoft`);
    if (attr('bits') !== 4) this.unsupported(node, `has ${attr('bits')}-bit weights; only 4 bits are read`);
    if (!(bs >= QBLOCK && bs % QBLOCK === 0)) this.unsupported(node, `has block_size ${bs}; only multiples of ${QBLOCK} repack without re-quantizing`);
    if (attr('K') !== K || attr('N') !== N) this.unsupported(node, `has K ${attr('K')}, N ${attr('N')}, but the config calls for [${N}, ${K}] (N, K)`);
    if (node.inputs.slice(4).some(Boolean)) this.unsupported(node, 'uses g_idx or bias inputs, which are not supported');
    const nb = Math.ceil(K / bs);
    const sub = bs / QBLOCK;
    const B = this.tensor(node.inputs[1], node, UINT8, [N, nb, bs / 2]);
    const scalesT = this.inits.get(node.inputs[2]) ?? this.damaged(`scales "${node.inputs[2]}" of ${node.name} are not an initializer`, { node: node.name });
    const scales = this.floats(node.inputs[2], scalesT.ints(ONNX.Tensor.dims), node);
    if (scales.length !== N * nb) this.damaged(`node ${node.name}: scales hold ${scales.length} values, expected N * blocks = ${N} * ${nb}`, { node: node.name });
    // zero points per source block, unpacked
    let zps: Uint8Array | null = null;
    if (node.inputs[3]) {
      const zt = this.constant(node.inputs[3]) ?? this.unsupported(node, 'takes computed zero points');
      if (zt.int(ONNX.Tensor.dataType) === UINT8) {
        const packed = this.tensor(node.inputs[3], node, UINT8, [N, Math.ceil(nb / 2)]);
        zps = new Uint8Array(N * nb);
        for (let n = 0; n < N; n++) for (let b = 0; b < nb; b++) zps[n * nb + b] = (packed[n * Math.ceil(nb / 2) + (b >> 1)] >> (b & 1 ? 4 : 0)) & 0xf;
      } else {
        const f = this.floats(node.inputs[3], zt.ints(ONNX.Tensor.dims), node);
        if (f.length !== N * nb || !f.every((v) => Number.isInteger(v) && v >= 0 && v <= 15)) this.unsupported(node, 'has float zero points that are not integers 0..15');
        zps = Uint8Array.from(f);
      }
    }
    const nBlocks = blocksFor(K);
    if (sub === 1 && zps === null) return { kind: 'q4', N, K, nBlocks, data: B, scales, zeroPoints: null };
    const data = new Uint8Array(N * nBlocks * 16);
    const out = new Float32Array(N * nBlocks);
    const zpRow = q4ZeroPointRowBytes(nBlocks);
    const zeroPoints = zps ? new Uint8Array(N * zpRow) : null;
    for (let n = 0; n < N; n++) {
      for (let b = 0; b < nBlocks; b++) {
        const src = Math.floor(b / sub);
        const off = (b % sub) * 16;
        data.set(B.subarray((n * nb + src) * (bs / 2) + off, (n * nb + src) * (bs / 2) + off + 16), (n * nBlocks + b) * 16);
        out[n * nBlocks + b] = scales[n * nb + src];
        if (zeroPoints && zps) zeroPoints[n * zpRow + (b >> 1)] |= zps[n * nb + src] << (b & 1 ? 4 : 0);
      }
    }
    return { kind: 'q4', N, K, nBlocks, data, scales: out, zeroPoints };
  }

  // ---- tensors ----

  private ints64(name: string): number[] {
    const t = this.inits.get(name);
    if (!t) return [];
    const raw = t.bytes(ONNX.Tensor.rawData);
    if (raw && raw.length % 8 !== 0) this.damaged(`int64 tensor "${name}" holds ${raw.length} bytes, not a whole number of 8-byte values`, { tensor: name });
    if (raw) return Array.from(new BigInt64Array(raw.slice().buffer), Number);
    return t.ints(ONNX.Tensor.int64Data);
  }

  /** An f32 or f16 initializer (maybe behind Cast) of `dims`, as f32. */
  private floats(name: string, dims: number[], user: Node): Float32Array {
    const t = this.constant(name) ?? this.unsupported(user, `takes "${name}" where a weight initializer was expected`);
    const type = t.int(ONNX.Tensor.dataType);
    if (type === FLOAT) {
      const listed = t.floats(ONNX.Tensor.floatData);
      if (listed.length) return this.checkListed(t, dims, user, listed.length) ?? listed;
      return new Float32Array(this.tensor(t.string(ONNX.Tensor.name), user, FLOAT, dims, 4).slice().buffer);
    }
    if (type === FLOAT16) {
      const bits = t.ints(ONNX.Tensor.int32Data);
      if (bits.length) this.checkListed(t, dims, user, bits.length);
      const raw = bits.length ? new Uint16Array(bits) : new Uint16Array(this.tensor(t.string(ONNX.Tensor.name), user, FLOAT16, dims, 2).slice().buffer);
      return Float32Array.from(raw, f16ToF32);
    }
    return this.unsupported(user, `takes "${name}" of ONNX data type ${type}; weights must be float32 or float16`);
  }

  /** Dims as expected, and as many values listed (float_data / int32_data) as they call for. */
  private checkListed(t: ProtoMessage, dims: number[], user: Node, listed: number): undefined {
    this.checkDims(t, dims, user);
    const count = dims.reduce((a, b) => a * b, 1);
    if (listed !== count) this.damaged(`tensor "${t.string(ONNX.Tensor.name)}" lists ${listed} values, its dims [${dims}] call for ${count}`, { tensor: t.string(ONNX.Tensor.name) });
    return undefined;
  }

  private checkDims(t: ProtoMessage, dims: number[], user: Node): undefined {
    const got = t.ints(ONNX.Tensor.dims);
    if (got.join() !== dims.join()) this.unsupported(user, `takes "${t.string(ONNX.Tensor.name)}" of shape [${got}], expected [${dims}]`);
    return undefined;
  }

  /** Raw little-endian bytes of an initializer, type- and shape-checked. */
  private tensor(name: string, user: Node, type: number, dims: number[], elem = 1): Uint8Array {
    const t = this.constant(name) ?? this.unsupported(user, `takes "${name}" where an initializer was expected`);
    if (t.int(ONNX.Tensor.dataType) !== type) this.unsupported(user, `takes "${name}" of ONNX data type ${t.int(ONNX.Tensor.dataType)}, expected ${type}`);
    this.checkDims(t, dims, user);
    const need = dims.reduce((a, b) => a * b, 1) * elem;
    let bytes = t.bytes(ONNX.Tensor.rawData);
    if (t.int(ONNX.Tensor.dataLocation) === ONNX.DataLocation.EXTERNAL) bytes = this.externalData.bytes(t, t.string(ONNX.Tensor.name), need);
    if (!bytes && type === UINT8) {
      const listed = t.ints(ONNX.Tensor.int32Data);
      if (listed.length) bytes = Uint8Array.from(listed);
    }
    if ((bytes?.length ?? 0) !== need) this.damaged(`tensor "${name}" holds ${bytes?.length ?? 0} bytes, its dims call for ${need}`, { tensor: name });
    return bytes!;
  }
}
