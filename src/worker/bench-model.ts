// Model benchmark: prefill tokens/s (one sequence of 128) and decode tokens/s of our engine, and of
// onnxruntime-web on the same exported q4 model on the same adapter, with the ratios.
// Both decode through a KV cache: the model is exported with { kvCache: true } (past/present
// key-value inputs and outputs), our engine loads that file and onnxruntime runs it, and each side's
// decode rate is measured the same way: (prefill + N greedy steps) minus prefill.
//
// The roofline (issue 16), measured in the same run on the same adapter and counted as the page
// counts it (roofline.ts): the copy bandwidth (kernels/bandwidth.ts) and the matmuls on this model's
// own shapes (the autotuner, run as the engine runs it at load, so our side also races with the
// kernels a user's load would pick).
// - prefill GFLOP/s = 2·(the layers' linear weights·P + the LM head for the last row) ÷ prefill
//   time (attention's P² terms not counted), beside the fastest matmul the tuner measured;
// - decode bandwidth fraction = bytes a step reads (decode-traffic.ts: every weight as stored, q4
//   codes + scales + zero points, f32 norms and biases, the LM head; the embedding only where it is
//   the tied head; plus the f32 KV cache at the mean context of the timed steps) × tokens/s ÷ the
//   copy bandwidth.
// The peer is credited the same FLOPs and bytes: what the task needs, not what its graph does (it
// computes logits for every prompt position and keeps a tied head as f32).

import type { AdapterReport } from '../gpu/adapter-report';
import type { GpuRuntime } from '../gpu/runtime';
import type { OrtProvider } from '../export/ort-session';
import { measureBandwidth, type BandwidthResult } from '../kernels/bandwidth';
import { fastestMatmul, tuneKernels, type TuneReport } from '../kernels/tuner';
import { parseHfConfig, type DecoderConfig } from '../model/config';
import { QWEN25_05B_INSTRUCT } from '../model/published-configs';
import type { DecodeTiming } from '../model/generation';
import { randomModelConfig } from '../model/random-source';
import { decoderTuneShapes } from '../model/tune-shapes';
import { parameterCount } from '../model/weights';
import { exportedRandomModel } from './peer';
import { decodeRoofline, type DecodeRoofline } from './roofline';

/** The shape fields of a published config (its token ids stay the random model's byte-level ones). */
function shapeOf(published: Record<string, unknown>, maxPositions: number): Partial<DecoderConfig> {
  const c = parseHfConfig(published);
  const keys = ['architecture', 'hiddenSize', 'numLayers', 'numHeads', 'numKvHeads', 'headDim', 'intermediateSize', 'vocabSize', 'tieWordEmbeddings', 'attentionBias', 'rmsNormEps', 'ropeTheta'] as const;
  return { ...Object.fromEntries(keys.map((k) => [k, c[k]])), maxPositions };
}

/** Qwen2.5-0.5B-Instruct's shapes: 0.49 B parameters with the tied embedding; 512 positions are all a bench needs. */
const QWEN25_05B = shapeOf(QWEN25_05B_INSTRUCT, 512);

interface BenchRun {
  prefillLength: number;
  decodeTokens: number;
  repeats: number;
  /** 'race': time the peer as ours; 'load': only create its session (a software adapter cannot run it in useful time). */
  peer: 'race' | 'load';
}

const FULL_RUN: BenchRun = { prefillLength: 128, decodeTokens: 32, repeats: 3, peer: 'race' };

export const BENCH_PRESETS = {
  // ~7 M parameters: minutes on a software adapter.
  small: { config: { hiddenSize: 256, numLayers: 4, numHeads: 8, numKvHeads: 4, headDim: 32, intermediateSize: 768, vocabSize: 8192, maxPositions: 512 }, run: FULL_RUN },
  // ~0.2 B parameters, Llama-3.2-1B-like proportions: for real GPUs.
  medium: { config: { hiddenSize: 1024, numLayers: 12, numHeads: 16, numKvHeads: 4, headDim: 64, intermediateSize: 4096, vocabSize: 32000, maxPositions: 512 }, run: FULL_RUN },
  // Qwen2.5-0.5B-shaped, random weights: for real GPUs.
  qwen05b: { config: QWEN25_05B, run: FULL_RUN },
  // The same model on a software adapter: one timed repeat, 8 decode steps, and the peer only loaded
  // (onnxruntime-web's workgroup-memory kernels run this prefill at a fraction of a GFLOP/s there).
  'qwen05b-quick': { config: QWEN25_05B, run: { prefillLength: 128, decodeTokens: 8, repeats: 1, peer: 'load' } },
  // Both sides on a software adapter after an 8-token prompt: the peer's decode rate in minutes (the
  // KV cache at 8 or 128 positions is ~1% of the 0.3 GB a step reads, so decode barely changes).
  'qwen05b-short': { config: QWEN25_05B, run: { prefillLength: 8, decodeTokens: 4, repeats: 1, peer: 'race' } },
} satisfies Record<string, { config: Partial<DecoderConfig>; run: BenchRun }>;

export interface ModelBenchOptions {
  preset?: keyof typeof BENCH_PRESETS;
  /** Overrides of the preset's run. */
  prefillLength?: number;
  decodeTokens?: number;
  repeats?: number;
  provider?: OrtProvider;
}

export interface ModelBenchResult {
  when: string;
  adapter: AdapterReport;
  preset: string;
  parameters: number;
  prefillLength: number;
  decodeTokens: number;
  repeats: number;
  bandwidth: BandwidthResult;
  /** The autotuner on this model's shapes (as at load); its fastest row is the matmul roofline. */
  tuning: TuneReport;
  /** The fastest matmul row of `tuning` (attention rows left out). */
  bestMatmul: { gflops: number; op: string; shape: string; variant: string } | null;
  /** What the roofline counts (see the file comment). */
  counted: string;
  ours: DecodeRoofline & { peakGpuBytes: number };
  /** Absent figures: the peer was only loaded, or failed (`error`). */
  peer: Partial<DecodeRoofline> & { runtime: string; provider: OrtProvider; mode: BenchRun['peer']; loadMs?: number; error?: string; decodeNote: string };
  /** ours / peer: above 1 means we are faster; null where the peer was not timed. */
  ratio: { prefill: number; decode: number } | null;
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
  const { config: shape, run } = BENCH_PRESETS[preset];
  const P = opts.prefillLength ?? run.prefillLength;
  const N = opts.decodeTokens ?? run.decodeTokens;
  const repeats = opts.repeats ?? run.repeats;
  const provider = opts.provider ?? 'webgpu';
  const config = randomModelConfig(shape);
  onStep?.(0, 6, 'copy bandwidth');
  const bandwidth = await rt.run((ctx) => measureBandwidth(ctx));
  onStep?.(1, 6, `building the ${preset} model`);
  const { model, onnx } = await exportedRandomModel(rt, 5, config, true);
  try {
    const dec = await model.gpuDecoder();
    onStep?.(2, 6, 'autotuning the kernels');
    const tuning = await rt.run((ctx) => tuneKernels(ctx, decoderTuneShapes(dec)));
    const best = fastestMatmul(tuning);
    const bestMatmul = best && { gflops: best.gflops!, op: best.op, shape: best.shape, variant: best.variant };
    // Medians of whole generations: prefill = one new token; N decode steps = (N + 1 new tokens) − that.
    const roofline = (prefillMs: number, withDecodeMs: number) => {
      const t: DecodeTiming = { promptTokens: P, prefillMs, decodeSteps: N, decodeMs: withDecodeMs - prefillMs, finalPast: P + N };
      const r = decodeRoofline(model.info, t, bandwidth.gbps, bestMatmul?.gflops ?? null);
      if (!r) throw new Error(`bench-model: no decode time left after the prefill (${prefillMs} ms, ${withDecodeMs} ms with decode)`);
      return r;
    };

    // The random model's tokenizer is byte-level: P - 1 ASCII characters + BOS = P tokens.
    const text = 'The quick brown fox jumps over the lazy dog. '.repeat(Math.ceil(P / 45)).slice(0, P - 1);
    const ids = model.tokenizer.encode(text, { addBos: true });
    (await rt.context()).pool.resetPeak();
    onStep?.(3, 6, 'our prefill');
    const prefillMs = await timeIt(() => model.generate(text, { maxNewTokens: 1 }), repeats);
    onStep?.(4, 6, 'our decode');
    const withDecodeMs = await timeIt(() => model.generate(text, { maxNewTokens: N + 1 }), repeats);
    const peakGpuBytes = (await rt.context()).pool.stats().peakBytes;
    const ours = { ...roofline(prefillMs, withDecodeMs), peakGpuBytes };

    onStep?.(5, 6, `onnxruntime-web (${provider})`);
    const peer: ModelBenchResult['peer'] = {
      runtime: 'onnxruntime-web 1.30',
      provider,
      mode: run.peer,
      decodeNote: 'KV cache in the exported graph (past/present inputs and outputs): one token per call, as ours',
    };
    try {
      const t0 = performance.now();
      const session = await createOrtSession(onnx, provider);
      peer.loadMs = performance.now() - t0;
      try {
        if (run.peer === 'race') {
          const ortPrefillMs = await timeIt(() => greedyOnnx(session, ids, 1, config.vocabSize), repeats);
          const ortWithDecodeMs = await timeIt(() => greedyOnnx(session, ids, N + 1, config.vocabSize), repeats);
          Object.assign(peer, roofline(ortPrefillMs, ortWithDecodeMs));
        }
      } finally {
        await session.release();
      }
    } catch (e) {
      peer.error = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
    }
    onStep?.(6, 6, 'done');
    const timed = peer.prefillTokensPerSecond !== undefined && peer.decodeTokensPerSecond !== undefined;
    return {
      when: new Date().toISOString(),
      adapter: (await rt.context()).report,
      preset,
      parameters: parameterCount(config),
      prefillLength: P,
      decodeTokens: N,
      repeats,
      bandwidth,
      tuning,
      bestMatmul,
      counted:
        'prefill: 2·(layer linear weights·P + LM head) FLOPs, attention not counted; decode: bytes a step reads = weights as stored on our GPU (q4 codes, scales, zero points; f32 norms, biases; the LM head; the embedding only as a tied head) + f32 KV cache at the mean context P + (N+1)/2; the peer credited the same',
      ours,
      peer,
      ratio: timed ? { prefill: ours.prefillTokensPerSecond / peer.prefillTokensPerSecond!, decode: ours.decodeTokensPerSecond / peer.decodeTokensPerSecond! } : null,
    };
  } finally {
    await model.release();
  }
}
