// Profiler: GPU time per dispatch from timestamp queries, or wall-clock time per batch where the
// device lacks `timestamp-query` (then one entry per batch, labelled with its dispatches).
// Browsers may quantize timestamps (Chrome rounds to 100 us unless started with
// --enable-webgpu-developer-features), so per-dispatch numbers are for proportions, not records.

import type { BufferPool } from './buffer-pool';

export interface ProfileEntry {
  label: string;
  ms: number;
  source: 'timestamp' | 'wall-clock';
}

export interface BatchTiming {
  /** Present only with timestamp queries: the writes for dispatch i's compute pass. */
  timestampWrites?: (i: number) => GPUComputePassTimestampWrites;
  /** Records the query resolve into the batch's encoder. */
  resolve(encoder: GPUCommandEncoder): void;
  /** Resolves once the timings of this batch have been added to the profiler. */
  finish(): Promise<void>;
}

export class Profiler {
  readonly entries: ProfileEntry[] = [];
  readonly useTimestamps: boolean;

  constructor(
    private readonly device: GPUDevice,
    private readonly pool: BufferPool,
  ) {
    this.useTimestamps = device.features.has('timestamp-query');
  }

  clear(): void {
    this.entries.length = 0;
  }

  /** Total milliseconds recorded per label. */
  totals(): Map<string, number> {
    const m = new Map<string, number>();
    for (const e of this.entries) m.set(e.label, (m.get(e.label) ?? 0) + e.ms);
    return m;
  }

  begin(labels: string[]): BatchTiming {
    if (!this.useTimestamps || labels.length === 0) return this.wallClock(labels);
    const n = labels.length;
    const querySet = this.device.createQuerySet({ type: 'timestamp', count: 2 * n, label: 'profiler' });
    const bytes = 16 * n; // 2n u64 values
    const resolved = this.pool.acquire(bytes, GPUBufferUsage.QUERY_RESOLVE | GPUBufferUsage.COPY_SRC, 'timestamps');
    const staging = this.pool.acquire(bytes, GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST, 'timestamps-read');
    return {
      timestampWrites: (i) => ({ querySet, beginningOfPassWriteIndex: 2 * i, endOfPassWriteIndex: 2 * i + 1 }),
      resolve: (encoder) => {
        encoder.resolveQuerySet(querySet, 0, 2 * n, resolved.buffer, 0);
        encoder.copyBufferToBuffer(resolved.buffer, 0, staging.buffer, 0, bytes);
      },
      finish: async () => {
        try {
          await staging.buffer.mapAsync(GPUMapMode.READ, 0, bytes);
          const t = new BigUint64Array(staging.buffer.getMappedRange(0, bytes).slice(0));
          staging.buffer.unmap();
          labels.forEach((label, i) => this.entries.push({ label, ms: Number(t[2 * i + 1] - t[2 * i]) / 1e6, source: 'timestamp' }));
        } finally {
          querySet.destroy();
          this.pool.release(resolved);
          this.pool.release(staging);
        }
      },
    };
  }

  private wallClock(labels: string[]): BatchTiming {
    const start = performance.now();
    return {
      resolve: () => {},
      finish: async () => {
        await this.device.queue.onSubmittedWorkDone();
        this.entries.push({ label: labels.join('+') || 'batch', ms: performance.now() - start, source: 'wall-clock' });
      },
    };
  }
}
