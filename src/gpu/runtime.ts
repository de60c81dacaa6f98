// GpuRuntime: the one door to WebGPU for the rest of AlignScope.
//
// Contract
//   const rt = new GpuRuntime(() => navigator.gpu);   // or nodeGpu() from ./node-gpu
//   await rt.run(async (ctx) => {                      // acquires a device on first use
//     const b = ctx.batch();                           // record dispatches and readbacks
//     b.dispatch({ label, pipeline: await ctx.pipeline('matmul', 'main', {...}), uniforms, buffers, grid });
//     const out = b.read(buf, bytes);
//     await b.submit();                                // one command buffer, one submit
//     return out;
//   });
// - ctx.pool hands out GPU buffers (bucketed, refcounted, live/peak bytes); ctx.pipelines caches
//   pipelines by kernel+entry+source hash+constants.
// - A device loss during `run` (driver reset, destroy()) rejects with DeviceLostError; the next
//   `run` acquires a fresh device. Buffers of the old context are gone: callers re-upload.
// - `run` calls execute one at a time, in order (see `run`).
// - Nothing here knows about models or tensors' meaning; kernels live in src/kernels/.

import { DeviceLostError, GpuValidationError } from '../errors';
import type { AdapterReport, DeviceLimits } from './adapter-report';
import { Batch } from './batch';
import { BufferPool } from './buffer-pool';
import { acquireDevice, type AcquireOptions } from './device';
import { PipelineCache } from './pipeline-cache';
import { Profiler } from './profiler';
import { loadShader, type ShaderSource } from './shaders';

export interface RuntimeOptions extends AcquireOptions {
  shaders?: ShaderSource;
  /** Record per-dispatch GPU time (timestamp queries where offered, else wall clock per batch). */
  profile?: boolean;
  onDeviceLost?: (info: { reason: string; message: string; generation: number }) => void;
}

export class GpuContext {
  readonly pool: BufferPool;
  readonly pipelines: PipelineCache;
  readonly profiler: Profiler | null;
  /** Set once the device is lost; the runtime then replaces this context. */
  lostInfo: { reason: string; message: string } | null = null;
  /** WebGPU validation errors not yet reported (a bug of ours: `run` turns them into an exception). */
  readonly validationErrors: string[] = [];
  readonly lost: Promise<void>;

  constructor(
    readonly device: GPUDevice,
    readonly report: AdapterReport,
    readonly limits: DeviceLimits,
    /** Increments with each acquired device, so stale handles can be recognised. */
    readonly generation: number,
    private readonly shaders: ShaderSource,
    profile: boolean,
  ) {
    this.pool = new BufferPool(device, limits);
    this.pipelines = new PipelineCache(device);
    this.profiler = profile ? new Profiler(device, this.pool) : null;
    device.addEventListener('uncapturederror', (e) => this.validationErrors.push((e as GPUUncapturedErrorEvent).error.message));
    this.lost = device.lost.then((info) => {
      this.lostInfo = { reason: info.reason, message: info.message };
    });
  }

  batch(): Batch {
    return new Batch(this.device, this.pool, this.limits, this.profiler);
  }

  /** The compute pipeline for `entryPoint` of shaders/<kernel>.wgsl with the given override constants. */
  async pipeline(kernel: string, entryPoint: string, constants?: Record<string, number>): Promise<GPUComputePipeline> {
    const code = await this.shaders(kernel);
    return this.pipelines.get({ kernel, code, entryPoint, constants });
  }

  /**
   * A pooled storage buffer holding `data` (padded to 4 bytes). The write is queued at once, ahead of
   * any batch not yet submitted, so the pool gives it no buffer released since the last submit.
   */
  upload(data: ArrayBufferView, label: string, extraUsage: GPUBufferUsageFlags = 0) {
    const bytes = Math.max(4, Math.ceil(data.byteLength / 4) * 4);
    const b = this.pool.acquire(bytes, GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST | GPUBufferUsage.COPY_SRC | extraUsage, label, true);
    const src = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    if (src.byteLength % 4 === 0) this.device.queue.writeBuffer(b.buffer, 0, src);
    else {
      const padded = new Uint8Array(bytes);
      padded.set(src);
      this.device.queue.writeBuffer(b.buffer, 0, padded);
    }
    return b;
  }

  /** An uninitialised pooled storage buffer for kernel outputs. */
  output(byteLength: number, label: string) {
    return this.pool.acquire(Math.max(4, Math.ceil(byteLength / 4) * 4), GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST, label);
  }
}

export class GpuRuntime {
  private ctx: GpuContext | null = null;
  private acquiring: Promise<GpuContext> | null = null;
  private generation = 0;
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly gpu: () => GPU | undefined,
    private opts: RuntimeOptions = {},
  ) {}

  /**
   * Lowers limits below the adapter's before the first device is acquired (a page's
   * `?bindingLimit=`: what a smaller GPU would allow, e.g. to see the vocabulary sharded).
   */
  lowerLimits(overrides: AcquireOptions['limitOverrides']): void {
    if (this.ctx || this.acquiring) throw new Error('GpuRuntime.lowerLimits: call it before the first GPU work');
    this.opts = { ...this.opts, limitOverrides: { ...this.opts.limitOverrides, ...overrides } };
  }

  /** The live context, acquiring a device if there is none or the last one was lost. */
  async context(): Promise<GpuContext> {
    if (this.ctx && !this.ctx.lostInfo) return this.ctx;
    if (!this.acquiring) {
      this.acquiring = this.acquire().finally(() => (this.acquiring = null));
    }
    return this.acquiring;
  }

  /**
   * Runs GPU work, one piece at a time: work items are queued, never interleaved, so one item's
   * batches and readbacks never mix with another's half-recorded batch.
   * If the device is lost meanwhile, rejects with DeviceLostError (the next call re-acquires).
   */
  run<T>(work: (ctx: GpuContext) => Promise<T>): Promise<T> {
    const result = this.queue.then(() => this.runNow(work));
    this.queue = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }

  private async runNow<T>(work: (ctx: GpuContext) => Promise<T>): Promise<T> {
    const ctx = await this.context();
    try {
      const result = await work(ctx);
      if (ctx.lostInfo) throw this.lostError(ctx);
      if (ctx.validationErrors.length) {
        const messages = ctx.validationErrors.splice(0);
        throw new GpuValidationError(`WebGPU rejected our commands (a bug in AlignScope; please report it): ${messages.join(' | ')}`, { messages });
      }
      return result;
    } catch (e) {
      if (e instanceof DeviceLostError) throw e;
      // A lost device surfaces first as a failed mapAsync or validation error; the `lost` promise
      // may settle a moment later, so give it a short grace period before deciding.
      await Promise.race([ctx.lost, new Promise((r) => setTimeout(r, 250))]);
      if (ctx.lostInfo) throw this.lostError(ctx);
      throw e;
    }
  }

  /** Destroys the current device (for tests and for "release GPU" in the UI). */
  destroy(): void {
    this.ctx?.device.destroy();
  }

  private lostError(ctx: GpuContext): DeviceLostError {
    const info = ctx.lostInfo!;
    return new DeviceLostError(
      `The GPU device was lost (${info.reason || 'unknown'}${info.message ? `: ${info.message}` : ''}). ` +
        'Work in flight was discarded; the next action acquires a new device and reloads what it needs.',
      { reason: info.reason, generation: ctx.generation },
    );
  }

  private async acquire(): Promise<GpuContext> {
    const { device, report, limits } = await acquireDevice(this.gpu(), this.opts);
    const ctx = new GpuContext(device, report, limits, ++this.generation, this.opts.shaders ?? loadShader, this.opts.profile ?? false);
    void ctx.lost.then(() => this.opts.onDeviceLost?.({ ...ctx.lostInfo!, generation: ctx.generation }));
    this.ctx = ctx;
    return ctx;
  }
}
