// Host memory of streamed loading (decision 42): reads a model folder (safetensors or GGUF) through
// the real loader and stores every weight as the WebGPU backend would (q4 by default: read by range,
// decoded, quantized; the vocabulary in blocks of 16,384 rows), into a store that keeps only byte
// counts, so the host memory measured is the loading's own, not a backend's copy of the weights. Prints the peak resident set growth over the
// process before loading (VmHWM after a reset of the high-water mark where Linux allows it, else
// getrusage's maxRSS), the file size and the largest tensor, and writes bench-results/load.json.
//
//   npm run bench:load -- --model .cache/full-size/qwen2.5-0.5b-instruct [--quant q4|q8|f32]

import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { dirFiles } from '../src/cli/dir-source';
import { storeDecoderWeights, type TensorStore } from '../src/model/decoder-weights';
import type { WeightQuant } from '../src/model/loaded-model';
import { readModelFolder } from '../src/model/load';
import { expectedWeights } from '../src/model/weights';

const { values } = parseArgs({ options: { model: { type: 'string' }, quant: { type: 'string', default: 'q4' } } });
if (!values.model) throw new Error('Give --model <folder or .gguf file>.');
const quant = values.quant as WeightQuant;
const VOCAB_ROWS = 16384;

const kb = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync('/proc/self/status', 'utf8'))?.[1] ?? NaN) * 1024;
// Writing 5 to clear_refs resets VmHWM to the current RSS (Linux 4.0+), so the peak is this load's.
let method = 'VmHWM after reset';
try {
  writeFileSync('/proc/self/clear_refs', '5');
} catch {
  method = 'VmHWM (not reset: includes start-up)';
}
const before = kb('VmRSS');
const t0 = performance.now();

const host = await readModelFolder(dirFiles(values.model));
let stored = 0;
// Blocks of vocabulary rows as the WebGPU store keeps them under a 128 MiB binding limit (decision 44).
const store: TensorStore<number, number, number> = {
  tensor: (data) => (stored += data.byteLength),
  qweight: (q) => (stored += q.data.byteLength + q.scales.byteLength + (q.kind === 'q4' ? (q.zeroPoints?.byteLength ?? 0) : 0)),
  release: () => {},
  vocab: { rows: (V) => Math.min(V, VOCAB_ROWS), assemble: () => 0 },
};
await storeDecoderWeights(store, host.config, host.weights, quant);
const seconds = (performance.now() - t0) / 1000;
const peak = kb('VmHWM');
const largest = Math.max(...expectedWeights(host.config).map((w) => w.shape.reduce((a, b) => a * b, 1)));

const row = {
  model: values.model,
  quant,
  method,
  fileBytes: host.fileBytes,
  storedBytes: stored,
  largestTensorF32Bytes: largest * 4,
  peakRssGrowthBytes: peak - before,
  seconds,
};
const mb = (b: number) => `${(b / 2 ** 20).toFixed(0)} MiB`;
console.log(`${values.model} as ${quant}: file ${mb(row.fileBytes)}, stored ${mb(stored)}, largest tensor ${mb(row.largestTensorF32Bytes)} in f32`);
console.log(`peak host memory growth while loading: ${mb(row.peakRssGrowthBytes)} (${method}), ${seconds.toFixed(1)} s`);
mkdirSync('bench-results', { recursive: true });
writeFileSync('bench-results/load.json', `${JSON.stringify(row, null, 2)}\n`);
