// npm run bench:cpu — GFLOP/s of the CPU route's matmuls (src/cpu) next to onnxruntime-web's WebAssembly
// backend in the same Node process, on the kernel-bench shapes (M = N = K in 256, 512, 1024, and the
// decode shape M = 1, N = K = 1024) with the same thread count. The peer runs single-op ONNX models:
// MatMul for f32 (B = Wᵀ [K, N] as an initializer) and com.microsoft MatMulNBits for q4 and q8 (bits 8:
// our symmetric int8 codes + 128, zero point 128, the same weights). Writes bench-results/cpu.json.
// Benchmarks are not tests: nothing here asserts speed.
//
//   npm run bench:cpu -- [--threads N] [--sizes 256,512,1024] [--simd auto|simd|relaxed]

import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus } from 'node:os';
import * as ort from 'onnxruntime-web';
import { matmul, matmulQ } from '../src/cpu/matmul';
import { CpuRuntime, type CpuQWeight, type CpuTensor } from '../src/cpu/runtime';
import { QBLOCK, quantizeQ4, quantizeQ8, type QWeight } from '../src/model/quant';
import { ONNX, ProtoWriter } from '../src/model/protobuf';
import { randomArray } from '../src/reference/random';
import { medianMs } from './median-time';

const args = process.argv.slice(2);
const opt = (name: string, dflt: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : dflt;
};
const threads = Number(opt('threads', String(Math.min(4, availableParallelism()))));
const sizes = opt('sizes', '256,512,1024').split(',').map(Number);
const simd = opt('simd', 'auto') as 'auto' | 'simd' | 'relaxed';
type Kind = 'f32' | 'q4' | 'q8';
const cases: { kind: Kind; M: number; N: number; K: number }[] = [];
for (const kind of ['f32', 'q4', 'q8'] as Kind[]) {
  for (const s of sizes) cases.push({ kind, M: s, N: s, K: s });
  cases.push({ kind, M: 1, N: 1024, K: 1024 });
}

const time = (fn: () => unknown) => medianMs(fn, 500, 200);

// --- single-op ONNX models (the writer of src/model/protobuf.ts, as src/export/onnx.ts uses it) ---
const { FLOAT, UINT8 } = ONNX.TensorDataType;

function valueInfo(name: string, dims: number[]): ProtoWriter {
  const shape = new ProtoWriter();
  for (const d of dims) shape.message(ONNX.TensorShape.dim, new ProtoWriter().int(ONNX.Dimension.value, d));
  const tensor = new ProtoWriter().int(ONNX.TypeTensor.elemType, FLOAT).message(ONNX.TypeTensor.shape, shape);
  return new ProtoWriter().string(ONNX.ValueInfo.name, name).message(ONNX.ValueInfo.type, new ProtoWriter().message(ONNX.Type.tensorType, tensor));
}

function initializer(name: string, dataType: number, dims: number[], data: ArrayBufferView): ProtoWriter {
  const raw = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  return new ProtoWriter().packedInts(ONNX.Tensor.dims, dims).int(ONNX.Tensor.dataType, dataType).string(ONNX.Tensor.name, name).bytes(ONNX.Tensor.rawData, raw);
}

/** y [M, N] = x [M, K] · B, B an initializer: MatMul (f32 Wᵀ) or MatMulNBits (q4 / q8 W [N, K]). */
function singleOpModel(M: number, N: number, K: number, w: Float32Array, q: QWeight | null): Uint8Array {
  const graph = new ProtoWriter().string(ONNX.Graph.name, 'bench');
  const node = new ProtoWriter().string(ONNX.Node.input, 'x').string(ONNX.Node.input, 'B');
  const intAttr = (key: string, v: number) => new ProtoWriter().string(ONNX.Attribute.name, key).int(ONNX.Attribute.i, v).int(ONNX.Attribute.type, ONNX.AttributeType.INT);
  if (!q) {
    const wT = new Float32Array(K * N);
    for (let n = 0; n < N; n++) for (let k = 0; k < K; k++) wT[k * N + n] = w[n * K + k];
    graph.message(ONNX.Graph.initializer, initializer('B', FLOAT, [K, N], wT));
    node.string(ONNX.Node.output, 'y').string(ONNX.Node.name, 'matmul').string(ONNX.Node.opType, 'MatMul');
  } else {
    const bits = q.kind === 'q4' ? 4 : 8;
    // q8 as MatMulNBits bits 8: unsigned codes q + 128 with the default zero point 128.
    const codes = q.kind === 'q4' ? q.data : Uint8Array.from(q.data, (c) => c + 128);
    graph.message(ONNX.Graph.initializer, initializer('B', UINT8, [N, q.nBlocks, (QBLOCK * bits) / 8], codes));
    graph.message(ONNX.Graph.initializer, initializer('scales', FLOAT, [N, q.nBlocks], q.scales));
    node.string(ONNX.Node.input, 'scales').string(ONNX.Node.output, 'y').string(ONNX.Node.name, 'matmul').string(ONNX.Node.opType, 'MatMulNBits').string(ONNX.Node.domain, 'com.microsoft');
    for (const [key, v] of [['K', K], ['N', N], ['bits', bits], ['block_size', QBLOCK]] as const) node.message(ONNX.Node.attribute, intAttr(key, v));
  }
  graph.message(ONNX.Graph.node, node).message(ONNX.Graph.input, valueInfo('x', [M, K])).message(ONNX.Graph.output, valueInfo('y', [M, N]));
  const opset = (domain: string, version: number) => new ProtoWriter().string(ONNX.OperatorSetId.domain, domain).int(ONNX.OperatorSetId.version, version);
  return new ProtoWriter().int(ONNX.Model.irVersion, 10).message(ONNX.Model.graph, graph).message(ONNX.Model.opsetImport, opset('', 21)).message(ONNX.Model.opsetImport, opset('com.microsoft', 1)).finish();
}

ort.env.logLevel = 'error';
ort.env.wasm.numThreads = threads;
const rt = await CpuRuntime.create({ threads, simd });
const rows: { name: string; kind: Kind; M: number; N: number; K: number; ours: number; peer: number | null; ratio: number | null; peerError?: string }[] = [];
for (const { kind, M, N, K } of cases) {
  const name = `${kind} ${M}x${N}x${K}`;
  const x = randomArray(M * K, 1);
  const w = randomArray(N * K, 2);
  const q = kind === 'f32' ? null : kind === 'q4' ? quantizeQ4(w, N, K) : quantizeQ8(w, N, K);
  const flops = 2 * M * N * K;
  const xt = rt.upload(x, [M, K], 'x');
  const wt: CpuTensor | CpuQWeight = q ? rt.uploadQWeight(q, 'w') : rt.upload(w, [N, K], 'w');
  const oursMs = await time(() => rt.release('kind' in wt ? matmulQ(rt, xt, wt) : matmul(rt, xt, wt, { transB: true })));
  rt.release(xt);
  rt.release(wt);
  let peerMs: number | null = null;
  let peerError: string | undefined;
  try {
    const session = await ort.InferenceSession.create(singleOpModel(M, N, K, w, q), { executionProviders: ['wasm'] });
    const feeds = { x: new ort.Tensor('float32', x, [M, K]) };
    peerMs = await time(() => session.run(feeds));
    await session.release();
  } catch (e) {
    peerError = e instanceof Error ? e.message.split('\n')[0] : String(e);
  }
  const ours = flops / oursMs / 1e6;
  const peer = peerMs ? flops / peerMs / 1e6 : null;
  rows.push({ name, kind, M, N, K, ours, peer, ratio: peer ? ours / peer : null, ...(peerError ? { peerError } : {}) });
  console.error(`${name}: ours ${ours.toFixed(2)} GFLOP/s, onnxruntime-web ${peer?.toFixed(2) ?? peerError}`);
}
await rt.dispose();

const result = { when: new Date().toISOString(), cpu: cpus()[0]?.model, node: process.versions.node, threads, ours: rt.description, peer: `onnxruntime-web ${ort.env.versions.web} wasm, numThreads ${threads}`, rows };
mkdirSync('bench-results', { recursive: true });
writeFileSync('bench-results/cpu.json', JSON.stringify(result, null, 2));
console.log(`\n== CPU matmul GFLOP/s, ${threads} threads — ours: ${result.ours}; peer: ${result.peer}`);
console.log('case'.padEnd(20) + 'ours'.padStart(10) + 'onnxrt-web'.padStart(12) + 'ours/peer'.padStart(11));
for (const r of rows) console.log(r.name.padEnd(20) + r.ours.toFixed(2).padStart(10) + (r.peer?.toFixed(2) ?? 'n/a').padStart(12) + (r.ratio?.toFixed(2) ?? 'n/a').padStart(11));
console.log('written to bench-results/cpu.json');
process.exit(0);
