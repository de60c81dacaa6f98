// Buffer pool: GPU buffers bucketed by size and usage, reference counted, with a cap on idle bytes.
//
// Sizes round up to a bucket: powers of two up to 64 KiB, then eight steps per doubling (at most
// 12.5% slack), so a freed buffer is reused by any later request of the same bucket and usage.
//
// Uploads are special: queue.writeBuffer runs ahead of every command buffer not yet submitted, so a
// buffer released while a batch is still being recorded (that batch may still read it) must not be
// handed to an upload. Free buffers remember the submit epoch they were released in; `acquire` with
// `forUpload` takes only buffers released before the latest submit (Batch.submit advances it).
// `liveBytes` counts buffers handed out, `idleBytes` those waiting in free lists, `peakBytes` the
// highest liveBytes seen: the number the UI shows as "GPU memory taken".

import { GpuLimitError } from '../errors';
import { formatBytes, type DeviceLimits } from './adapter-report';

export interface PooledBuffer {
  readonly buffer: GPUBuffer;
  /** Bytes requested by the caller (the buffer itself may be larger: its bucket size). */
  readonly byteLength: number;
  readonly bucketBytes: number;
  readonly usage: GPUBufferUsageFlags;
  /** Owners holding the buffer; it returns to the pool when this reaches zero. */
  refs: number;
}

export interface PoolStats {
  liveBytes: number;
  peakBytes: number;
  idleBytes: number;
  liveBuffers: number;
  idleBuffers: number;
}

const MIN_BUCKET = 256;
const POW2_UNTIL = 64 * 1024;

export function bucketBytes(n: number): number {
  const need = Math.max(MIN_BUCKET, Math.ceil(n / 4) * 4);
  const p = 2 ** Math.ceil(Math.log2(need));
  if (p <= POW2_UNTIL) return p;
  const step = p / 2 / 8; // eight steps between p/2 and p
  return Math.ceil(need / step) * step;
}

interface FreeBuffer {
  buffer: GPUBuffer;
  /** Submit epoch in which it was released. */
  epoch: number;
}

export class BufferPool {
  private readonly free = new Map<string, FreeBuffer[]>();
  private epoch = 0;
  /** Released past the idle cap: destroyed at the next submit, since the batch being recorded may still use them. */
  private doomed: GPUBuffer[] = [];
  private live = 0;
  private peak = 0;
  private idle = 0;
  private liveCount = 0;
  private idleCount = 0;

  constructor(
    private readonly device: GPUDevice,
    private readonly limits: DeviceLimits,
    /** Idle bytes kept for reuse; beyond this, released buffers are destroyed. */
    private readonly maxIdleBytes = 256 * 1024 * 1024,
  ) {}

  /** Called by Batch.submit: buffers released until now may take uploads again, and doomed ones go. */
  markSubmitted(): void {
    this.epoch++;
    for (const b of this.doomed) b.destroy(); // work already submitted still completes
    this.doomed = [];
  }

  /**
   * A buffer of at least `byteLength` bytes; `label` names the tensor in limit errors. `forUpload`:
   * the caller writes it with queue.writeBuffer before the next submit (see the file comment).
   */
  acquire(byteLength: number, usage: GPUBufferUsageFlags, label = 'buffer', forUpload = false): PooledBuffer {
    this.checkLimits(byteLength, usage, label);
    // A bucket never exceeds the limit the request itself was checked against.
    const cap = usage & GPUBufferUsage.STORAGE ? this.limits.maxStorageBufferBindingSize : this.limits.maxBufferSize;
    const size = Math.min(bucketBytes(byteLength), cap);
    const key = `${usage}:${size}`;
    const list = this.free.get(key);
    const at = list ? (forUpload ? list.findIndex((f) => f.epoch < this.epoch) : list.length - 1) : -1;
    let buffer = at >= 0 ? list!.splice(at, 1)[0].buffer : undefined;
    if (buffer) {
      this.idle -= size;
      this.idleCount--;
    } else {
      buffer = this.device.createBuffer({ size, usage, label });
    }
    this.live += size;
    this.liveCount++;
    this.peak = Math.max(this.peak, this.live);
    return { buffer, byteLength, bucketBytes: size, usage, refs: 1 };
  }

  retain(b: PooledBuffer): PooledBuffer {
    if (b.refs <= 0) throw new Error(`retain of a released buffer (${b.buffer.label})`);
    b.refs++;
    return b;
  }

  release(b: PooledBuffer): void {
    if (b.refs <= 0) throw new Error(`double release of buffer ${b.buffer.label}`);
    if (--b.refs > 0) return;
    this.live -= b.bucketBytes;
    this.liveCount--;
    if (this.idle + b.bucketBytes > this.maxIdleBytes) {
      this.doomed.push(b.buffer);
      return;
    }
    const key = `${b.usage}:${b.bucketBytes}`;
    const list = this.free.get(key) ?? [];
    list.push({ buffer: b.buffer, epoch: this.epoch });
    this.free.set(key, list);
    this.idle += b.bucketBytes;
    this.idleCount++;
  }

  stats(): PoolStats {
    return { liveBytes: this.live, peakBytes: this.peak, idleBytes: this.idle, liveBuffers: this.liveCount, idleBuffers: this.idleCount };
  }

  resetPeak(): void {
    this.peak = this.live;
  }

  /** Destroys idle buffers (live ones belong to their owners). */
  trim(): void {
    for (const list of this.free.values()) for (const f of list) f.buffer.destroy();
    this.free.clear();
    this.idle = 0;
    this.idleCount = 0;
  }

  private checkLimits(byteLength: number, usage: GPUBufferUsageFlags, label: string): void {
    const { maxBufferSize, maxStorageBufferBindingSize } = this.limits;
    if (byteLength > maxBufferSize) {
      throw new GpuLimitError(
        `"${label}" needs ${formatBytes(byteLength)}, but this GPU allows at most ${formatBytes(maxBufferSize)} in one buffer (maxBufferSize). ` +
          'Use a smaller model or a stronger quantization (q4), or a device with larger limits.',
        { label, limit: 'maxBufferSize', needed: byteLength, allowed: maxBufferSize },
      );
    }
    if (usage & GPUBufferUsage.STORAGE && byteLength > maxStorageBufferBindingSize) {
      throw new GpuLimitError(
        `"${label}" needs ${formatBytes(byteLength)}, but a shader may bind at most ${formatBytes(maxStorageBufferBindingSize)} (maxStorageBufferBindingSize). ` +
          'Use a smaller model or a stronger quantization (q4), or a device with larger limits.',
        { label, limit: 'maxStorageBufferBindingSize', needed: byteLength, allowed: maxStorageBufferBindingSize },
      );
    }
  }
}
