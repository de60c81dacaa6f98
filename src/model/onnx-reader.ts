// Reads a decoder back from an ONNX file written by exportDecoderOnnx (src/export/onnx.ts).
//
// The config comes from metadata_props['alignscope.config'] (DecoderConfig as JSON). Linear weights
// are found the way real exports must be read: by walking the nodes named
// `/model/layers.{i}/{self_attn|mlp}/{x}_proj/MatMul_Q4` (MatMulNBits: B uint8 [N, nBlocks, 16],
// scales f32 [N, nBlocks], optional zero_points uint8 [N, ceil(nBlocks/2)]) or `.../MatMul` (f32,
// B = Wᵀ [K, N]) and taking their inputs, never by initializer name. Embeddings, norms and biases are
// the initializers with their Hugging Face names. Tensor data may be raw_data, float_data /
// int32_data, or external (data_location EXTERNAL, read through `resolveExternal`).

import { ModelFormatError, UnsupportedModelError } from '../errors';
import { ExternalData } from './onnx-external';
import { ONNX, ProtoMessage } from './protobuf';
import { SIZE_LIMITS, type DecoderConfig } from './config';
import { blocksFor, dequantize, q4ZeroPointRowBytes, QBLOCK, type Q4Weight } from './quant';
import { expectedWeights, type WeightMap, type WeightSpec } from './weights';

export const CONFIG_METADATA_KEY = 'alignscope.config';

/** Scope of the node that applies a linear weight: 'model.layers.3.mlp.up_proj.weight' -> '/model/layers.3/mlp/up_proj'. */
export function linearNodeScope(weightName: string): string {
  if (weightName === 'lm_head.weight') return '/lm_head';
  const m = /^model\.layers\.(\d+)\.(self_attn|mlp)\.(\w+_proj)\.weight$/.exec(weightName);
  if (!m) throw new Error(`linearNodeScope: ${weightName} is not a linear weight`);
  return `/model/layers.${m[1]}/${m[2]}/${m[3]}`;
}

export interface OnnxDecoder {
  config: DecoderConfig;
  /** Every weight of expectedWeights(config) in f32; q4 linears dequantized. */
  weights: WeightMap;
  /** The q4 linears as stored, by Hugging Face weight name. */
  quantized: Map<string, Q4Weight>;
}

export interface ReadOnnxOptions {
  /** Bytes of an external data file, by the `location` a tensor names (relative to the model file). */
  resolveExternal?: (location: string) => Uint8Array;
}

interface Node {
  name: string;
  opType: string;
  domain: string;
  inputs: string[];
  attrs: Map<string, ProtoMessage>;
}

const DAMAGED = 'The file is truncated or damaged; export it again.';

export function readDecoderOnnx(bytes: Uint8Array, file = 'model.onnx', opts: ReadOnnxOptions = {}): OnnxDecoder {
  try {
    return new OnnxFile(bytes, file, opts).read();
  } catch (e) {
    // The protobuf layer knows offsets, not files: name the file here.
    if (e instanceof ModelFormatError && e.data.file === undefined) throw new ModelFormatError(`${file}: ${e.message}. ${DAMAGED}`, { file, ...e.data });
    throw e;
  }
}

class OnnxFile {
  private readonly model: ProtoMessage;
  private readonly externalData: ExternalData;

  constructor(
    bytes: Uint8Array,
    readonly file: string,
    readonly opts: ReadOnnxOptions,
  ) {
    this.externalData = new ExternalData(file, opts.resolveExternal, (problem, data) => this.fail(problem, data));
    this.model = new ProtoMessage(bytes);
    if (!this.model.has(ONNX.Model.irVersion) || !this.model.has(ONNX.Model.graph)) this.fail('not an ONNX ModelProto (no ir_version or graph)', {});
  }

  private fail(problem: string, data: Record<string, unknown>): never {
    throw new ModelFormatError(`${this.file}: ${problem}. ${DAMAGED}`, { file: this.file, ...data });
  }

  read(): OnnxDecoder {
    const config = this.readConfig();
    const graph = this.model.message(ONNX.Model.graph)!;
    const inits = new Map(graph.messages(ONNX.Graph.initializer).map((t) => [t.string(ONNX.Tensor.name), t]));
    const nodes = new Map<string, Node>();
    for (const n of graph.messages(ONNX.Graph.node)) {
      const attrs = new Map(n.messages(ONNX.Node.attribute).map((a) => [a.string(ONNX.Attribute.name), a]));
      const node = { name: n.string(ONNX.Node.name), opType: n.string(ONNX.Node.opType), domain: n.string(ONNX.Node.domain), inputs: n.strings(ONNX.Node.input), attrs };
      nodes.set(node.name, node);
    }
    const init = (name: string, user: string): ProtoMessage => inits.get(name) ?? this.fail(`initializer "${name}" (input of ${user}) is not in the graph`, { tensor: name });

    const weights: WeightMap = new Map();
    const quantized = new Map<string, Q4Weight>();
    for (const spec of expectedWeights(config)) {
      if (spec.role !== 'linear') {
        weights.set(spec.name, { shape: spec.shape, data: this.floats(init(spec.name, 'the decoder'), spec.name, spec.shape) });
        continue;
      }
      const scope = linearNodeScope(spec.name);
      const node = nodes.get(`${scope}/MatMul_Q4`) ?? nodes.get(`${scope}/MatMul`) ?? this.fail(`no node ${scope}/MatMul_Q4 or ${scope}/MatMul applies ${spec.name}`, { tensor: spec.name });
      const [N, K] = spec.shape;
      if (node.opType === 'MatMulNBits') {
        const q = this.q4(node, spec, (name) => init(name, node.name));
        quantized.set(spec.name, q);
        weights.set(spec.name, { shape: spec.shape, data: dequantize(q) });
      } else if (node.opType === 'MatMul') {
        const wt = this.floats(init(node.inputs[1] ?? '', node.name), spec.name, [K, N]); // Wᵀ [K, N]
        const w = new Float32Array(N * K);
        for (let k = 0; k < K; k++) for (let n = 0; n < N; n++) w[n * K + k] = wt[k * N + n];
        weights.set(spec.name, { shape: spec.shape, data: w });
      } else this.fail(`node ${node.name} is a ${node.opType}, expected MatMulNBits or MatMul`, { node: node.name });
    }
    return { config, weights, quantized };
  }

  private readConfig(): DecoderConfig {
    const entry = this.model.messages(ONNX.Model.metadataProps).find((e) => e.string(ONNX.StringStringEntry.key) === CONFIG_METADATA_KEY);
    if (!entry) this.fail(`metadata "${CONFIG_METADATA_KEY}" is missing, so this is not a model exported by AlignScope`, { key: CONFIG_METADATA_KEY });
    let json: unknown;
    try {
      json = JSON.parse(entry.string(ONNX.StringStringEntry.value));
    } catch {
      this.fail(`metadata "${CONFIG_METADATA_KEY}" is not JSON`, { key: CONFIG_METADATA_KEY });
    }
    return this.checkConfig(json);
  }

  /** Shape-checks the stored DecoderConfig; it was written by us, so any deviation is damage. */
  private checkConfig(json: unknown): DecoderConfig {
    const c = json as DecoderConfig;
    const bad = (key: string): never => this.fail(`metadata "${CONFIG_METADATA_KEY}" has a bad "${key}"`, { key });
    if (typeof json !== 'object' || json === null) bad('(top level)');
    // past SIZE_LIMITS, listing the weights alone (numLayers 10^15) would never end
    for (const k of Object.keys(SIZE_LIMITS) as (keyof typeof SIZE_LIMITS)[]) if (!(Number.isSafeInteger(c[k]) && c[k] > 0 && c[k] <= SIZE_LIMITS[k])) bad(k);
    for (const k of ['rmsNormEps', 'ropeTheta'] as const) if (!(typeof c[k] === 'number' && c[k] > 0)) bad(k);
    for (const k of ['tieWordEmbeddings', 'attentionBias'] as const) if (typeof c[k] !== 'boolean') bad(k);
    if (c.architecture !== 'llama' && c.architecture !== 'qwen2' && c.architecture !== 'qwen3') bad('architecture');
    if (c.numHeads % c.numKvHeads !== 0 || c.headDim % 2 !== 0) bad('numKvHeads');
    if (c.bosTokenId !== null && !Number.isSafeInteger(c.bosTokenId)) bad('bosTokenId');
    if (!Array.isArray(c.eosTokenIds) || !c.eosTokenIds.every(Number.isSafeInteger)) bad('eosTokenIds');
    const s = c.ropeScaling;
    if (s !== null && (typeof s !== 'object' || s.type !== 'llama3' || ![s.factor, s.lowFreqFactor, s.highFreqFactor, s.originalMaxPositions].every((v) => typeof v === 'number' && v > 0))) bad('ropeScaling');
    return c;
  }

  /** A MatMulNBits node of `spec` [N, K]: attributes and inputs checked against each other and the config. */
  private q4(node: Node, spec: WeightSpec, init: (name: string) => ProtoMessage): Q4Weight {
    const [N, K] = spec.shape;
    const attr = (name: string) => node.attrs.get(name)?.int(ONNX.Attribute.i);
    const data = { node: node.name, tensor: spec.name };
    if (node.domain !== 'com.microsoft') this.fail(`node ${node.name} is MatMulNBits in domain "${node.domain}", expected com.microsoft`, data);
    if (attr('bits') !== 4 || attr('block_size') !== QBLOCK) {
      throw new UnsupportedModelError(`${this.file}: node ${node.name} has bits ${attr('bits')}, block_size ${attr('block_size')}; only 4-bit weights in blocks of ${QBLOCK} are supported. Export with quant 'q4' or 'f32'.`, { file: this.file, ...data });
    }
    if (attr('K') !== K || attr('N') !== N) this.fail(`node ${node.name} has K ${attr('K')}, N ${attr('N')}, but ${spec.name} is [${N}, ${K}] (N, K) in the config`, data);
    if (node.inputs.slice(4).some((x) => x !== '')) throw new UnsupportedModelError(`${this.file}: node ${node.name} uses g_idx or bias inputs, which are not supported.`, { file: this.file, ...data });
    const nBlocks = blocksFor(K);
    const B = this.uint8(init(node.inputs[1] ?? ''), node.name, [N, nBlocks, 16]);
    // scales may be [N, nBlocks] or flat [N * nBlocks]: onnxruntime 1.30 accepts both, so do we.
    const scalesInit = init(node.inputs[2] ?? '');
    const scales = this.floats(scalesInit, node.name, scalesInit.ints(ONNX.Tensor.dims));
    if (scales.length !== N * nBlocks) this.fail(`node ${node.name}: scales hold ${scales.length} values, expected N * nBlocks = ${N} * ${nBlocks}`, data);
    const zpName = node.inputs[3] ?? '';
    const zeroPoints = zpName ? this.uint8(init(zpName), node.name, [N, q4ZeroPointRowBytes(nBlocks)]) : null;
    return { kind: 'q4', N, K, nBlocks, data: B, scales, zeroPoints };
  }

  /** Little-endian bytes of a tensor's data, wherever it is stored, checked against dims. */
  private tensorBytes(t: ProtoMessage, owner: string, elemBytes: number): Uint8Array {
    const name = t.string(ONNX.Tensor.name);
    const count = t.ints(ONNX.Tensor.dims).reduce((a, b) => a * b, 1);
    let bytes = t.bytes(ONNX.Tensor.rawData);
    if (t.int(ONNX.Tensor.dataLocation) === ONNX.DataLocation.EXTERNAL) bytes = this.externalData.bytes(t, name, count * elemBytes);
    const have = bytes?.length ?? 0;
    if (have !== count * elemBytes) this.fail(`${owner}: tensor "${name}" holds ${have} bytes, its dims call for ${count * elemBytes}`, { tensor: name });
    return bytes ?? new Uint8Array(0);
  }

  private checkTensor(t: ProtoMessage, owner: string, dataType: number, dims: number[]): void {
    const name = t.string(ONNX.Tensor.name);
    const type = t.int(ONNX.Tensor.dataType);
    if (type !== dataType) {
      throw new UnsupportedModelError(`${this.file}: ${owner}: tensor "${name}" has ONNX data type ${type}, expected ${dataType}. Export the model again with AlignScope.`, { file: this.file, tensor: name, type });
    }
    const got = t.ints(ONNX.Tensor.dims);
    if (got.join() !== dims.join()) this.fail(`${owner}: tensor "${name}" is [${got}], expected [${dims}]`, { tensor: name, shape: got });
  }

  /** An f32 tensor of shape `dims` (raw_data, float_data or external). */
  private floats(t: ProtoMessage, owner: string, dims: number[]): Float32Array {
    this.checkTensor(t, owner, ONNX.TensorDataType.FLOAT, dims);
    const count = dims.reduce((a, b) => a * b, 1);
    const listed = t.floats(ONNX.Tensor.floatData);
    if (listed.length) {
      if (listed.length !== count) this.fail(`${owner}: tensor "${t.string(ONNX.Tensor.name)}" lists ${listed.length} floats for ${count} elements`, {});
      return listed;
    }
    return new Float32Array(this.tensorBytes(t, owner, 4).slice().buffer); // copy: raw_data is unaligned
  }

  /** A uint8 tensor of shape `dims` (raw_data, int32_data or external). */
  private uint8(t: ProtoMessage, owner: string, dims: number[]): Uint8Array {
    this.checkTensor(t, owner, ONNX.TensorDataType.UINT8, dims);
    const count = dims.reduce((a, b) => a * b, 1);
    const listed = t.ints(ONNX.Tensor.int32Data);
    if (listed.length) {
      if (listed.length !== count) this.fail(`${owner}: tensor "${t.string(ONNX.Tensor.name)}" lists ${listed.length} values for ${count} elements`, {});
      return Uint8Array.from(listed);
    }
    return this.tensorBytes(t, owner, 1).slice();
  }
}

/**
 * The external data files (`location`s) the initializers of an ONNX model refer to, in order of first
 * use. A file too damaged to parse gives [] here; readDecoderOnnx then reports what is wrong.
 */
export function onnxExternalLocations(bytes: Uint8Array): string[] {
  const out = new Set<string>();
  try {
    for (const t of new ProtoMessage(bytes).message(ONNX.Model.graph)?.messages(ONNX.Graph.initializer) ?? []) {
      if (t.int(ONNX.Tensor.dataLocation) !== ONNX.DataLocation.EXTERNAL) continue;
      const loc = t.messages(ONNX.Tensor.externalData).find((e) => e.string(ONNX.StringStringEntry.key) === 'location');
      if (loc) out.add(loc.string(ONNX.StringStringEntry.value));
    }
  } catch {
    return [];
  }
  return [...out];
}
