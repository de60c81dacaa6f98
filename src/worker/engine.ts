// EngineApi: what the UI (and the CLI) can ask of the engine. `Engine` runs it in the current
// thread (Node, tests, the worker itself); `WorkerEngine` (client.ts) runs the same calls in a
// dedicated worker so the UI thread never touches the GPU. Events (progress, device loss) reach
// listeners registered with `onEvent` on either.

import { GpuRuntime, type RuntimeOptions } from '../gpu/runtime';
import type { AdapterReport } from '../gpu/adapter-report';
import type { PoolStats } from '../gpu/buffer-pool';
import { benchKernels, type KernelBenchOptions, type KernelBenchResult } from './bench-kernels';
import { runSelfTest, type SelfTestResult } from './self-test';

export type EngineEvent =
  | { kind: 'progress'; task: 'self-test' | 'bench-kernels'; done: number; total: number; label: string }
  | { kind: 'device-lost'; reason: string; message: string; generation: number };

export interface EngineApi {
  /** Acquires the GPU; rejects with WebGpuUnavailableError where there is none. */
  init(): Promise<AdapterReport>;
  selfTest(): Promise<SelfTestResult>;
  benchKernels(opts?: KernelBenchOptions): Promise<KernelBenchResult>;
  poolStats(): Promise<PoolStats>;
}

/** Method names of EngineApi, checked exhaustive at compile time: the RPC layer is built from it. */
export const ENGINE_METHODS = ['init', 'selfTest', 'benchKernels', 'poolStats'] as const satisfies readonly (keyof EngineApi)[];
type Missing = Exclude<keyof EngineApi, (typeof ENGINE_METHODS)[number]>;
const _exhaustive: Missing extends never ? true : never = true;
void _exhaustive;

export type EngineListener = (e: EngineEvent) => void;

export class Engine implements EngineApi {
  private readonly runtime: GpuRuntime;
  private readonly listeners = new Set<EngineListener>();

  constructor(gpu: () => GPU | undefined, opts: RuntimeOptions = {}) {
    this.runtime = new GpuRuntime(gpu, {
      ...opts,
      onDeviceLost: (info) => {
        opts.onDeviceLost?.(info);
        this.emit({ kind: 'device-lost', ...info });
      },
    });
  }

  onEvent(listener: EngineListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async init(): Promise<AdapterReport> {
    return (await this.runtime.context()).report;
  }

  selfTest(): Promise<SelfTestResult> {
    return this.runtime.run((ctx) => runSelfTest(ctx, (done, total, label) => this.emit({ kind: 'progress', task: 'self-test', done, total, label })));
  }

  benchKernels(opts: KernelBenchOptions = {}): Promise<KernelBenchResult> {
    return this.runtime.run((ctx) => benchKernels(ctx, opts, (done, total, label) => this.emit({ kind: 'progress', task: 'bench-kernels', done, total, label })));
  }

  async poolStats(): Promise<PoolStats> {
    return (await this.runtime.context()).pool.stats();
  }

  /** Releases the GPU device (tests, page unload). */
  dispose(): void {
    this.runtime.destroy();
  }

  private emit(e: EngineEvent): void {
    for (const l of this.listeners) l(e);
  }
}
