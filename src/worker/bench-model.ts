// Model benchmark: prefill tokens/s (one sequence of 128) and decode tokens/s of our engine, and of
// onnxruntime-web on the same exported q4 model on the same adapter, with the ratios.
// Both decode through a KV cache: the model is exported with { kvCache: true } (past/present
// key-value inputs and outputs), our engine loads that file and onnxruntime runs it, and each side's
// decode rate is measured the same way: (prefill + N greedy steps) minus prefill.

import type { AdapterReport } from '../gpu/adapter-report';
import type { GpuRuntime } from '../gpu/runtime';
import type { OrtProvider } from '../export/ort-session';
import type { DecoderConfig } from '../model/config';
import { randomModelConfig } from '../model/random-source';
import { parameterCount } from '../model/weights';
import { exportedRandomModel } from './peer';

export const BENCH_PRESETS = {
  // ~7 M parameters: minutes on a software adapter.
  small: { hiddenSize: 256, numLayers: 4, numHeads: 8, numKvHeads: 4, headDim: 32, intermediateSize: 768, vocabSize: 8192, maxPositions: 512 },
  // ~0.2 B parameters, Llama-3.2-1B-like proportions: for real GPUs.
  medium: { hiddenSize: 1024, numLayers: 12, numHeads: 16, numKvHeads: 4, headDim: 64, intermediateSize: 4096, vocabSize: 32000, maxPositions: 512 },
} satisfies Record<string, Partial<DecoderConfig>>;

export interface ModelBenchOptions {
  preset?: keyof typeof BENCH_PRESETS;
  prefillLength?: number;
  decodeTokens?: number;
  provider?: OrtProvider;
  repeats?: number;
}

export interface ModelBenchResult {
  when: string;
  adapter: AdapterReport;
  preset: string;
  parameters: number;
  prefillLength: number;
  decodeTokens: number;
  ours: { prefillTokensPerSecond: number; decodeTokensPerSecond: number; peakGpuBytes: number };
  peer: { runtime: string; provider: OrtProvider; prefillTokensPerSecond: number; decodeTokensPerSecond: number; decodeNote: string };
  /** ours / peer: above 1 means we are faster. */
  ratio: { prefill: number; decode: number };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

async function timeIt(fn: () => Promise<unknown>, repeats: number): Promise<number> {
  await fn(); // warm-up: pipelines, buffers
  const ms: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const t0 = performance.now();
    await fn();
    ms.push(performance.now() - t0);
  }
  return median(ms);
}

export async function benchModel(rt: GpuRuntime, opts: ModelBenchOptions = {}, onStep?: (done: number, total: number, label: string) => void): Promise<ModelBenchResult> {
  const { createOrtSession, greedyOnnx } = await import('../export/ort-session');
  const preset = opts.preset ?? 'small';
  const P = opts.prefillLength ?? 128;
  const N = opts.decodeTokens ?? 32;
  const repeats = opts.repeats ?? 3;
  const provider = opts.provider ?? 'webgpu';
  const config = randomModelConfig(BENCH_PRESETS[preset]);
  onStep?.(0, 4, `building the ${preset} model`);
  const { model, onnx } = await exportedRandomModel(rt, 5, config, true);
  try {
    // The random model's tokenizer is byte-level: P - 1 ASCII characters + BOS = P tokens.
    const text = 'The quick brown fox jumps over the lazy dog. '.repeat(Math.ceil(P / 45)).slice(0, P - 1);
    const ids = model.tokenizer.encode(text, { addBos: true });
    (await rt.context()).pool.resetPeak();
    onStep?.(1, 4, 'our prefill');
    const prefillMs = await timeIt(() => model.generate(text, { maxNewTokens: 1 }), repeats);
    onStep?.(2, 4, 'our decode');
    const withDecodeMs = await timeIt(() => model.generate(text, { maxNewTokens: N + 1 }), repeats);
    const peakGpuBytes = (await rt.context()).pool.stats().peakBytes;

    onStep?.(3, 4, `onnxruntime-web (${provider})`);
    const session = await createOrtSession(onnx, provider);
    const ortPrefillMs = await timeIt(() => greedyOnnx(session, ids, 1, config.vocabSize), repeats);
    const ortWithDecodeMs = await timeIt(() => greedyOnnx(session, ids, N + 1, config.vocabSize), repeats);
    await session.release();
    onStep?.(4, 4, 'done');

    const ours = { prefillTokensPerSecond: (P / prefillMs) * 1000, decodeTokensPerSecond: (N / (withDecodeMs - prefillMs)) * 1000, peakGpuBytes };
    const peer = {
      runtime: 'onnxruntime-web 1.30',
      provider,
      prefillTokensPerSecond: (P / ortPrefillMs) * 1000,
      decodeTokensPerSecond: (N / (ortWithDecodeMs - ortPrefillMs)) * 1000,
      decodeNote: 'KV cache in the exported graph (past/present inputs and outputs): one token per call, as ours',
    };
    return {
      when: new Date().toISOString(),
      adapter: (await rt.context()).report,
      preset,
      parameters: parameterCount(config),
      prefillLength: P,
      decodeTokens: N,
      ours,
      peer,
      ratio: { prefill: ours.prefillTokensPerSecond / peer.prefillTokensPerSecond, decode: ours.decodeTokensPerSecond / peer.decodeTokensPerSecond },
    };
  } finally {
    await model.release();
  }
}
