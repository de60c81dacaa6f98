// Runs one fuzz case in this process and measures it: the outcome (src/fuzz/outcome.ts), the time it
// took, and the memory it added: the peak growth of the resident set during the case (PeakMeter,
// src/fuzz/memory.ts), and the bytes of ArrayBuffers this thread holds when the loader returns
// (process.memoryUsage().arrayBuffers, the result still referenced) above the start of the case.
// The V8 heap is also capped as a whole by the process's --max-old-space-size (set by the
// supervisor): a case past it kills the process.

import type { Format } from './formats';
import type { PeakMeter } from './memory';
import { classifyError, type Outcome } from './outcome';
import { Rng } from './prng';

export interface CaseLimits {
  /** A case that takes longer fails ('slow'); the supervisor's watchdog kills one that never returns. */
  timeMs: number;
  /** Bytes a case may add at its peak (resident set) or hold at its end (array buffers). */
  memoryBytes: number;
}

export interface CaseResult {
  index: number;
  seed: string;
  what: string;
  outcome: Outcome;
  ms: number;
  /** Peak growth of the resident set during the case. */
  peakBytes: number;
  /** Array-buffer bytes held when the load returned, above the start of the case. */
  heldBytes: number;
}

const mib = (b: number) => `${(b / 2 ** 20).toFixed(0)} MiB`;

export async function runCase(format: Format, seed: number, index: number, limits: CaseLimits, meter: PeakMeter): Promise<CaseResult> {
  const c = format.make(Rng.forCase(seed, format.name, index), index);
  const before = process.memoryUsage().arrayBuffers;
  meter.begin();
  const t0 = performance.now();
  let outcome: Outcome;
  let heldBytes = 0;
  try {
    const problem = await c.run();
    heldBytes = process.memoryUsage().arrayBuffers - before;
    outcome = problem === null ? { kind: 'loaded' } : { kind: 'failure', failure: 'inconsistent', detail: problem };
  } catch (e) {
    heldBytes = process.memoryUsage().arrayBuffers - before;
    outcome = classifyError(e);
  }
  const ms = performance.now() - t0;
  const peakBytes = meter.peakGrowth();
  if (outcome.kind !== 'failure') {
    if (ms > limits.timeMs) outcome = { kind: 'failure', failure: 'slow', detail: `took ${ms.toFixed(0)} ms (limit ${limits.timeMs})` };
    else if (peakBytes > limits.memoryBytes) outcome = { kind: 'failure', failure: 'memory', detail: `resident set rose ${mib(peakBytes)} during the case (cap ${mib(limits.memoryBytes)})` };
    else if (heldBytes > limits.memoryBytes) outcome = { kind: 'failure', failure: 'memory', detail: `held ${mib(heldBytes)} of array buffers at the end (cap ${mib(limits.memoryBytes)})` };
  }
  return { index, seed: c.seed, what: c.what, outcome, ms, peakBytes, heldBytes };
}
