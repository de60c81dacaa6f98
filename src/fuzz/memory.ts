// Peak resident memory of one fuzz case. On Linux, writing "5" to /proc/self/clear_refs resets the
// kernel's high-water mark of this process's resident set (VmHWM) to its current size; after the
// case, VmHWM minus the resident size at its start is the most the case added at any instant:
// buffers, V8 heap pages and native allocations alike, even those freed before it returned, as long
// as they were touched (an allocation never written stays virtual and costs nothing). Elsewhere the
// meter falls back to the growth of getrusage's lifetime peak (resourceUsage().maxRSS), which misses
// a case whose peak stays under an earlier one.

import { readFileSync, writeFileSync } from 'node:fs';

function statusKiB(field: 'VmRSS' | 'VmHWM'): number {
  const m = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync('/proc/self/status', 'utf8'));
  if (!m) throw new Error(`no ${field} in /proc/self/status`);
  return Number(m[1]);
}

function canReset(): boolean {
  try {
    writeFileSync('/proc/self/clear_refs', '5');
    statusKiB('VmHWM');
    return true;
  } catch {
    return false;
  }
}

export class PeakMeter {
  /** 'hwm-reset' (per-case peak, Linux) or 'maxrss-growth' (the fallback). */
  readonly method = canReset() ? ('hwm-reset' as const) : ('maxrss-growth' as const);
  private start = 0;

  /** Marks the start of a case. */
  begin(): void {
    if (this.method === 'hwm-reset') {
      writeFileSync('/proc/self/clear_refs', '5');
      this.start = statusKiB('VmRSS') * 1024;
    } else this.start = process.resourceUsage().maxRSS * 1024;
  }

  /** Bytes by which the resident set rose above its size at begin(), at its highest since. */
  peakGrowth(): number {
    const peak = this.method === 'hwm-reset' ? statusKiB('VmHWM') * 1024 : process.resourceUsage().maxRSS * 1024;
    return Math.max(0, peak - this.start);
  }
}
