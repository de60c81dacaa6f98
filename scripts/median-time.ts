// Timing for the CPU benchmarks (bench-cpu.ts, bench-cpu-model.ts): the median of repeated runs.

/** Median ms of fn over at least 3 runs and `minMs` (at most `maxRuns` runs), after one warm-up run. */
export async function medianMs(fn: () => unknown, minMs: number, maxRuns: number): Promise<number> {
  await fn();
  const ms: number[] = [];
  const start = performance.now();
  while (ms.length < 3 || (performance.now() - start < minMs && ms.length < maxRuns)) {
    const t0 = performance.now();
    await fn();
    ms.push(performance.now() - t0);
  }
  return ms.sort((a, b) => a - b)[Math.floor(ms.length / 2)];
}
