// Batch: record many dispatches and readbacks, then encode them into ONE command buffer and submit.
//
// Binding convention for every kernel: @group(0) @binding(0) is the uniform block (shape params),
// bindings 1..n are storage buffers in the order given (null skips a binding the entry point does not
// use: backward entries share a file with their forward and number their extra buffers after it). All uniforms of a batch are packed into one
// pooled buffer at aligned offsets, written once. Readbacks are copies into pooled MAP_READ staging
// buffers recorded after the dispatches, mapped once the single submit completes.
//
// With a profiler that has timestamp queries, each dispatch gets its own compute pass with
// begin/end timestamps; otherwise all dispatches share one pass.

import { GpuLimitError } from '../errors';
import type { DeviceLimits } from './adapter-report';
import type { BufferPool, PooledBuffer } from './buffer-pool';
import type { Profiler } from './profiler';

export interface Dispatch {
  label: string;
  pipeline: GPUComputePipeline;
  /** Contents of the uniform block at binding 0 (padded to 16 bytes here); null if the kernel has none. */
  uniforms: ArrayBufferView | null;
  /** Storage buffers for bindings 1..n; null where the entry point does not use that binding. */
  buffers: (GPUBuffer | null)[];
  /** Workgroup counts in x, y, z. */
  grid: [number, number, number];
}

interface PendingRead {
  src: GPUBuffer;
  srcOffset: number;
  byteLength: number;
  staging?: PooledBuffer;
  resolve: (data: ArrayBuffer) => void;
  reject: (e: unknown) => void;
}

export class Batch {
  private readonly dispatches: Dispatch[] = [];
  private readonly reads: PendingRead[] = [];
  private submitted = false;

  constructor(
    private readonly device: GPUDevice,
    private readonly pool: BufferPool,
    private readonly limits: DeviceLimits,
    private readonly profiler: Profiler | null,
  ) {}

  get dispatchCount(): number {
    return this.dispatches.length;
  }

  dispatch(d: Dispatch): void {
    this.assertOpen();
    const max = this.limits.maxComputeWorkgroupsPerDimension;
    if (d.grid.some((g) => g > max)) {
      throw new GpuLimitError(`Dispatch "${d.label}" asks for ${d.grid.join('x')} workgroups; this GPU allows ${max} per dimension (maxComputeWorkgroupsPerDimension).`, {
        label: d.label,
        limit: 'maxComputeWorkgroupsPerDimension',
        needed: Math.max(...d.grid),
        allowed: max,
      });
    }
    if (d.grid.some((g) => g === 0)) return; // empty tensor: nothing to compute
    this.dispatches.push(d);
  }

  /** Copies `byteLength` bytes of `src` back to the CPU when the batch completes. */
  read(src: GPUBuffer, byteLength: number, srcOffset = 0): Promise<ArrayBuffer> {
    this.assertOpen();
    const p = new Promise<ArrayBuffer>((resolve, reject) => this.reads.push({ src, srcOffset, byteLength, resolve, reject }));
    // A failed batch rejects `submit()`; callers who never await this promise must not see it twice.
    p.catch(() => {});
    return p;
  }

  /** Encodes everything into one command buffer, submits it, and waits for readbacks and timings. */
  async submit(): Promise<void> {
    this.assertOpen();
    this.submitted = true;
    const { device, pool } = this;
    const uniformBuf = this.packUniforms();
    const encoder = device.createCommandEncoder({ label: 'batch' });
    const timing = this.profiler?.begin(this.dispatches.map((d) => d.label)) ?? null;

    const bindGroups = this.dispatches.map((d, i) => {
      const entries: GPUBindGroupEntry[] = [];
      d.buffers.forEach((buffer, j) => buffer && entries.push({ binding: j + 1, resource: { buffer } }));
      if (d.uniforms && uniformBuf) entries.unshift({ binding: 0, resource: { buffer: uniformBuf.buffer.buffer, offset: uniformBuf.offsets[i], size: paddedSize(d.uniforms) } });
      return device.createBindGroup({ label: d.label, layout: d.pipeline.getBindGroupLayout(0), entries });
    });

    if (timing?.timestampWrites) {
      this.dispatches.forEach((d, i) => {
        const pass = encoder.beginComputePass({ label: d.label, timestampWrites: timing.timestampWrites!(i) });
        pass.setPipeline(d.pipeline);
        pass.setBindGroup(0, bindGroups[i]);
        pass.dispatchWorkgroups(...d.grid);
        pass.end();
      });
    } else if (this.dispatches.length > 0) {
      const pass = encoder.beginComputePass({ label: 'batch' });
      this.dispatches.forEach((d, i) => {
        pass.setPipeline(d.pipeline);
        pass.setBindGroup(0, bindGroups[i]);
        pass.dispatchWorkgroups(...d.grid);
      });
      pass.end();
    }

    timing?.resolve(encoder);
    for (const r of this.reads) {
      const size = Math.ceil(r.byteLength / 4) * 4;
      r.staging = pool.acquire(size, GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST, 'readback');
      encoder.copyBufferToBuffer(r.src, r.srcOffset, r.staging.buffer, 0, size);
    }
    device.queue.submit([encoder.finish()]);
    pool.markSubmitted();
    if (uniformBuf) pool.release(uniformBuf.buffer); // later writes are queued after this submit

    try {
      await Promise.all([
        timing?.finish() ?? Promise.resolve(),
        ...this.reads.map(async (r) => {
          const staging = r.staging!;
          await staging.buffer.mapAsync(GPUMapMode.READ, 0, Math.ceil(r.byteLength / 4) * 4);
          const data = staging.buffer.getMappedRange(0, Math.ceil(r.byteLength / 4) * 4).slice(0, r.byteLength);
          staging.buffer.unmap();
          r.resolve(data);
        }),
      ]);
    } catch (e) {
      for (const r of this.reads) r.reject(e);
      throw e;
    } finally {
      for (const r of this.reads) if (r.staging) pool.release(r.staging);
    }
  }

  private packUniforms(): { buffer: PooledBuffer; offsets: number[] } | null {
    const align = this.limits.minUniformBufferOffsetAlignment;
    const offsets: number[] = [];
    let total = 0;
    for (const d of this.dispatches) {
      offsets.push(total);
      if (d.uniforms) total = Math.ceil((total + paddedSize(d.uniforms)) / align) * align;
    }
    if (total === 0) return null;
    const host = new Uint8Array(total);
    this.dispatches.forEach((d, i) => {
      if (d.uniforms) host.set(new Uint8Array(d.uniforms.buffer, d.uniforms.byteOffset, d.uniforms.byteLength), offsets[i]);
    });
    const buffer = this.pool.acquire(total, GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST, 'uniforms', true);
    this.device.queue.writeBuffer(buffer.buffer, 0, host);
    return { buffer, offsets };
  }

  private assertOpen(): void {
    if (this.submitted) throw new Error('Batch already submitted; start a new one');
  }
}

function paddedSize(v: ArrayBufferView): number {
  return Math.ceil(v.byteLength / 16) * 16;
}
