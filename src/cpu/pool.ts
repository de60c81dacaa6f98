// Thread pool of the CPU route: the calling thread plus N - 1 workers (worker_threads in Node, module
// Web Workers in a browser), each with its own instance of the same module on one shared memory.
// A job runs on all N at once: every thread calls the same kernel with the same arguments plus
// (tid, nthreads), and the kernel picks its share of the output (see split() in kernels/simd.h).
//
// Control block, Int32Array over its own SharedArrayBuffer (never moved by memory.grow):
//   [0] generation: bumped (and notified) to post a job    [1] threads done with the current job
//   [2] kernel index (-1 = quit)   [3] argument count   [4] a worker trapped   [5..] arguments
// run() blocks in Atomics.wait, so it must not be called on a browser's main thread (the engine
// runs in a worker: ARCHITECTURE decision 1).

import { CpuKernelError } from '../errors';

const MAX_ARGS = 27;
/** Loads of the done counter before sleeping (as in worker-loop.js). */
const SPIN = 20000;

export type Kernel = (...args: number[]) => void;

interface PoolThread {
  stop(): Promise<unknown>;
}

async function spawn(init: object): Promise<PoolThread> {
  if (typeof process !== 'undefined' && process.versions?.node) {
    const { Worker } = await import('node:worker_threads');
    const w = new Worker(new URL('./worker-node.js', import.meta.url), { workerData: init });
    w.unref(); // a runtime that is never disposed must not keep Node alive
    await new Promise<void>((resolve, reject) => {
      w.once('message', () => resolve());
      w.once('error', reject);
    });
    return { stop: () => w.terminate() };
  }
  const w = new Worker(new URL('./worker-web.js', import.meta.url), { type: 'module' });
  await new Promise<void>((resolve, reject) => {
    w.onmessage = () => resolve();
    w.onerror = (e) => reject(new Error(`CPU pool worker failed to start: ${e.message}`));
    w.postMessage(init);
  });
  return {
    stop: async () => w.terminate(),
  };
}

export class ThreadPool {
  private readonly ctl = new Int32Array(new SharedArrayBuffer(4 * (5 + MAX_ARGS)));

  private constructor(
    private readonly kernels: Kernel[],
    private readonly names: readonly string[],
    private threads: PoolThread[],
  ) {}

  get size(): number {
    return this.threads.length + 1;
  }

  /** `kernels` are this thread's instance exports, by the names the workers look up. */
  static async create(module: WebAssembly.Module, memory: WebAssembly.Memory, names: readonly string[], kernels: Kernel[], nthreads: number): Promise<ThreadPool> {
    const pool = new ThreadPool(kernels, names, []);
    const init = (tid: number) => ({ module, memory, control: pool.ctl.buffer, kernels: names, tid, nthreads });
    pool.threads = await Promise.all(Array.from({ length: nthreads - 1 }, (_, i) => spawn(init(i + 1))));
    return pool;
  }

  /** Runs kernel `index` on every thread (on this one alone when `here`) and returns when all are done. */
  run(index: number, args: readonly number[], here = false): void {
    const n = this.size;
    if (n === 1 || here) return this.runHere(index, args);
    const ctl = this.ctl;
    if (args.length > MAX_ARGS) throw new Error(`pool: ${args.length} arguments, at most ${MAX_ARGS}`);
    ctl[1] = 0;
    ctl[2] = index;
    ctl[3] = args.length;
    ctl[4] = 0;
    ctl.set(args, 5);
    Atomics.add(ctl, 0, 1);
    Atomics.notify(ctl, 0);
    let failure: unknown = null;
    try {
      this.kernels[index](...args, 0, n);
    } catch (e) {
      failure = e;
    }
    for (let done = Atomics.load(ctl, 1), i = 0; done < n - 1; done = Atomics.load(ctl, 1), i++) if (i >= SPIN) Atomics.wait(ctl, 1, done);
    if (failure || ctl[4]) {
      throw new CpuKernelError(`CPU kernel ${this.names[index]} trapped${failure instanceof Error ? `: ${failure.message}` : ' on a worker thread'}.`, { kernel: this.names[index] });
    }
  }

  private runHere(index: number, args: readonly number[]): void {
    try {
      this.kernels[index](...args, 0, 1);
    } catch (e) {
      throw new CpuKernelError(`CPU kernel ${this.names[index]} trapped: ${e instanceof Error ? e.message : String(e)}.`, { kernel: this.names[index] });
    }
  }

  async dispose(): Promise<void> {
    if (this.threads.length) {
      this.ctl[2] = -1;
      Atomics.add(this.ctl, 0, 1);
      Atomics.notify(this.ctl, 0);
      await Promise.all(this.threads.map((t) => t.stop()));
      this.threads = [];
    }
  }
}
