// Timing of kernels. timeKernel (self-test, benchmarks): wall clock of a batch of repeated
// dispatches, from submit to completion, median of several batches; includes submit overhead, which
// is why a batch repeats the kernel; compare figures only on the same adapter. resolvedTime (the
// autotuner, the bandwidth measurement): GPU time from timestamps, with enough runs per batch that
// their quantization averages out.

import type { Batch } from '../gpu/batch';
import type { GpuContext } from '../gpu/runtime';

export interface KernelTiming {
  /** Median milliseconds of one kernel run. */
  ms: number;
  gflops: number;
  reps: number;
}

/**
 * `record` adds one run of the kernel to a batch and returns what must be released afterwards.
 * One warm-up batch compiles pipelines and touches memory; then `batches` timed batches of `reps`.
 */
export async function timeKernel(
  ctx: GpuContext,
  flops: number,
  record: (batch: Batch) => Promise<() => void>,
  opts: { reps?: number; batches?: number } = {},
): Promise<KernelTiming> {
  const reps = opts.reps ?? 3;
  const batches = opts.batches ?? 3;
  const runBatch = async (n: number) => {
    const batch = ctx.batch();
    const cleanups: (() => void)[] = [];
    for (let i = 0; i < n; i++) cleanups.push(await record(batch));
    const t0 = performance.now();
    await batch.submit();
    await ctx.device.queue.onSubmittedWorkDone();
    const ms = performance.now() - t0;
    cleanups.forEach((c) => c());
    return ms / n;
  };
  await runBatch(1);
  const times: number[] = [];
  for (let b = 0; b < batches; b++) times.push(await runBatch(reps));
  times.sort((a, b) => a - b);
  const ms = times[Math.floor(times.length / 2)];
  return { ms, gflops: flops / (ms * 1e6), reps };
}

/** One timed batch: GPU milliseconds by the profiler (0 when quantized away), and its wall clock. */
export interface BatchTime {
  gpu: number;
  wall: number;
  source: 'timestamp' | 'wall-clock';
}

/**
 * Milliseconds of one run, from batches of `runs` runs timed by `time`. Timestamps are quantized
 * (Dawn: 65.5 us, Chrome: 100 us), so a pass shorter than the quantum reads 0 or one quantum; summed
 * over runs the error averages out, but only once the batch spans many quanta. A batch that measured
 * less than `minMs` is therefore retimed with more runs (up to `maxRuns`); if the timestamps still
 * read nothing, the batch's wall clock is used. Returns the runs of the batch that counted.
 */
export async function resolvedTime(time: (runs: number) => Promise<BatchTime>, runs: number, minMs: number, maxRuns: number): Promise<{ ms: number; runs: number; source: 'timestamp' | 'wall-clock' }> {
  for (;;) {
    const t = await time(runs);
    if (t.gpu >= minMs || runs >= maxRuns) return t.gpu > 0 ? { ms: t.gpu / runs, runs, source: t.source } : { ms: t.wall / runs, runs, source: 'wall-clock' };
    runs = Math.min(maxRuns, t.gpu > 0 ? Math.ceil((runs * minMs * 1.2) / t.gpu) : 8 * runs);
  }
}
