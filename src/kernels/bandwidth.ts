// The adapter's practical memory bandwidth (issue 16's roofline): shaders/copy.wgsl copies a large
// buffer (256 MiB by default, less where the device's binding or buffer limit is lower) several
// times; GB/s = (bytes read + bytes written) ÷ time of one copy. Decode reads every weight once per
// token, so this is the ceiling its tokens/s is compared with (bench-model.ts).
//
// Timing as the tuner does it: a Batch with its own Profiler, so timestamp queries where the device
// has them (one pass per copy), else wall clock from submit to completion. Timestamps are quantized
// (Dawn 65.5 us, Chrome 100 us) and a copy on a fast GPU takes ~0.1-0.3 ms, so a batch holds enough
// copies to span `minBatchMs` of GPU time (it is retimed with more when it did not), which averages
// the quantization out; the median of the timed batches is reported.

import { ShapeError } from '../errors';
import { Batch } from '../gpu/batch';
import { Profiler } from '../gpu/profiler';
import { resolvedTime, type BatchTime } from './timing';
import type { GpuContext } from '../gpu/runtime';

export interface BandwidthOptions {
  /** Bytes of the copied buffer (rounded down to 16; default 256 MiB, capped by the device's limits). */
  bytes?: number;
  /** Timed batches (default 3); the median is reported. */
  batches?: number;
  /** GPU time a timed batch must span (default 10 ms). */
  minBatchMs?: number;
}

export interface BandwidthResult {
  /** (read + written bytes) ÷ milliseconds of one copy ÷ 1e6. */
  gbps: number;
  /** Bytes of the copied buffer (each copy reads and writes this many). */
  bytes: number;
  /** Milliseconds of one copy (median batch). */
  ms: number;
  /** Copies per timed batch. */
  copiesPerBatch: number;
  source: 'timestamp' | 'wall-clock';
}

const DEFAULT_BYTES = 256 * 2 ** 20;
/** Copies per batch at most (two timestamp queries each, far under a query set's 4096). */
const MAX_COPIES = 256;
const WORKGROUP = 256;
/** vec4s each invocation copies (the grid-stride loop's trip count when the grid is not capped). */
const PER_INVOCATION = 4;

/** Records dst[0 .. n4) = src[0 .. n4) in vec4<f32>: both buffers hold at least 16·n4 bytes. */
export async function recordCopy(ctx: GpuContext, batch: Batch, src: GPUBuffer, dst: GPUBuffer, n4: number, label = 'copy'): Promise<void> {
  if (!Number.isInteger(n4) || n4 < 0 || src.size < 16 * n4 || dst.size < 16 * n4) {
    throw new ShapeError(`copy: ${n4} vec4s do not fit buffers of ${src.size} and ${dst.size} bytes.`, { n4, src: src.size, dst: dst.size });
  }
  const groups = Math.min(Math.ceil(n4 / (WORKGROUP * PER_INVOCATION)), ctx.limits.maxComputeWorkgroupsPerDimension);
  batch.dispatch({
    label,
    pipeline: await ctx.pipeline('copy', 'main'),
    uniforms: new Uint32Array([n4, 0, 0, 0]),
    buffers: [src, dst],
    grid: [groups, 1, 1],
  });
}

/** The buffer size measured on this device: `wanted` bounded by the binding and buffer limits, a multiple of 16. */
export function bandwidthBytes(ctx: GpuContext, wanted = DEFAULT_BYTES): number {
  const cap = Math.min(wanted, ctx.limits.maxStorageBufferBindingSize, ctx.limits.maxBufferSize);
  return Math.floor(cap / 16) * 16;
}

/** Measures copy bandwidth on `ctx`'s adapter; the two buffers live only for the measurement. */
export async function measureBandwidth(ctx: GpuContext, opts: BandwidthOptions = {}): Promise<BandwidthResult> {
  const bytes = bandwidthBytes(ctx, opts.bytes);
  if (bytes < 16) throw new ShapeError(`measureBandwidth: ${opts.bytes} bytes is less than one vec4.`, { bytes: opts.bytes });
  const n4 = bytes / 16;
  const minBatchMs = opts.minBatchMs ?? 10;
  const usage = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST;
  const src = ctx.device.createBuffer({ size: bytes, usage, label: 'bandwidth.src' });
  const dst = ctx.device.createBuffer({ size: bytes, usage, label: 'bandwidth.dst' });
  try {
    // Non-zero contents (a pattern written in chunks, no buffer-sized host array).
    const chunk = new Float32Array(Math.min(bytes, 4 * 2 ** 20) / 4).map((_, i) => (i % 251) - 125);
    for (let at = 0; at < bytes; at += chunk.byteLength) ctx.device.queue.writeBuffer(src, at, chunk, 0, Math.min(chunk.length, (bytes - at) / 4));

    const timeBatch = async (copies: number) => {
      const profiler = new Profiler(ctx.device, ctx.pool);
      const batch = new Batch(ctx.device, ctx.pool, ctx.limits, profiler);
      for (let i = 0; i < copies; i++) await recordCopy(ctx, batch, src, dst, n4, 'bandwidth.copy');
      const t0 = performance.now();
      await batch.submit();
      const wall = performance.now() - t0;
      const gpu = profiler.entries.reduce((s, e) => s + e.ms, 0);
      return { gpu, wall, source: profiler.useTimestamps ? ('timestamp' as const) : ('wall-clock' as const) } satisfies BatchTime;
    };
    // Batches long enough for the timestamps' quantum (timing.ts).
    const measure = (copies: number) => resolvedTime(timeBatch, copies, minBatchMs, MAX_COPIES);

    const warm = await measure(1); // compiles the pipeline, touches both buffers; sets the batch size
    const timed = [];
    for (let b = 0; b < (opts.batches ?? 3); b++) timed.push(await measure(warm.runs));
    timed.sort((a, b) => a.ms - b.ms);
    const mid = timed[Math.floor(timed.length / 2)];
    return { gbps: (2 * bytes) / (mid.ms * 1e6), bytes, ms: mid.ms, copiesPerBatch: mid.runs, source: mid.source };
  } finally {
    src.destroy();
    dst.destroy();
  }
}
