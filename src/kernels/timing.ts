// Timing of kernels for the self-test and benchmarks: wall clock of a batch of repeated dispatches,
// from submit to completion, median of several batches. Includes submit overhead, which is why a
// batch repeats the kernel; compare figures only on the same adapter.

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
