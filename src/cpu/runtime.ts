// The CPU route's runtime: the WebAssembly SIMD kernels (src/cpu/kernels, built by npm run build:wasm)
// instantiated on one memory, an allocator over that memory, and the thread pool that runs a kernel on
// every thread. It knows nothing of models; ops (matmul.ts, attention.ts) take tensors living in it.
//
//   const rt = await CpuRuntime.create({ threads: 4 });
//   const y = matmul(rt, rt.upload(x, [M, K], 'x'), rt.upload(w, [N, K], 'w'), { transB: true });
//   rt.read(y); rt.release(y); await rt.dispose();
//
// Build picked at creation: relaxed SIMD (fused multiply-add) where WebAssembly.validate accepts it,
// else plain SIMD; the -mt build on a shared memory when threads > 1, else the unshared one (a page
// without cross-origin isolation cannot create a shared memory). `describe()` says which and why.

import { ShapeError } from '../errors';
import type { QWeight } from '../model/quant';
import { Arena } from './arena';
import { hardwareThreads, relaxedSimdSupported, threadSupport } from './features';
import { ThreadPool, type Kernel } from './pool';

/** Exported kernels, in the order the pool's workers index them. */
export const KERNELS = ['gemm', 'gemv_f32', 'gemv_q8', 'gemv_q4', 'attention_fwd', 'attention_bwd_q', 'attention_bwd_kv'] as const;
export type KernelName = (typeof KERNELS)[number];

export type SimdFlavor = 'relaxed' | 'simd';

export interface CpuRuntimeOptions {
  /** Threads including the caller (default: the machine's logical processors, at most 8). */
  threads?: number;
  /** 'auto' (default) takes relaxed SIMD where the runtime validates it. */
  simd?: 'auto' | SimdFlavor;
  /** Cap of the wasm memory (default 1 GiB, at most 4 GiB). */
  maxMemoryBytes?: number;
  /**
   * Jobs of fewer multiply-adds run on the calling thread alone (default SERIAL_WORK); 0 sends every
   * job to the pool (tests of the split). The bits are the same either way: the split never changes
   * how one output is summed.
   */
  serialBelow?: number;
}

/** Waking the pool costs tens of µs per thread: a decoding step's gemv of a small model (~100k
 * multiply-adds) is done sooner by one thread. Measured with npm run bench:cpu:model. */
export const SERIAL_WORK = 1 << 18;

/** An f32 (or u32, for `seq`) tensor in the wasm memory: `ptr` is its byte offset. */
export interface CpuTensor {
  ptr: number;
  shape: number[];
  name: string;
}

/** A q4/q8 weight W [N, K] kept packed in the wasm memory (layouts in src/model/quant.ts). */
export interface CpuQWeight {
  kind: QWeight['kind'];
  N: number;
  K: number;
  nBlocks: number;
  data: number;
  scales: number;
  /** 0 when the q4 weight has no zero points (all 8), and always for q8. */
  zeroPoints: number;
  name: string;
}

export function numel(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

async function moduleBytes(flavor: SimdFlavor, shared: boolean): Promise<ArrayBuffer | Uint8Array<ArrayBuffer>> {
  // Literal URLs, so Vite emits each .wasm as an asset; in Node they are file: URLs read with fs.
  const urls = {
    'relaxed-mt': new URL('./wasm/kernels-relaxed-mt.wasm', import.meta.url),
    relaxed: new URL('./wasm/kernels-relaxed.wasm', import.meta.url),
    'simd-mt': new URL('./wasm/kernels-simd-mt.wasm', import.meta.url),
    simd: new URL('./wasm/kernels-simd.wasm', import.meta.url),
  };
  const url = urls[`${flavor}${shared ? '-mt' : ''}` as keyof typeof urls];
  if (url.protocol === 'file:') {
    const { readFile } = await import('node:fs/promises');
    return new Uint8Array(await readFile(url));
  }
  const res = await fetch(url);
  if (!res.ok) throw new Error(`CPU kernels: fetching ${url} gave HTTP ${res.status}`);
  return res.arrayBuffer();
}

export class CpuRuntime {
  private readonly kernelIndex = new Map<string, number>(KERNELS.map((k, i) => [k, i]));
  private scratchPtr = 0;
  private scratchBytes = 0;

  private constructor(
    readonly memory: WebAssembly.Memory,
    readonly arena: Arena,
    private readonly pool: ThreadPool,
    readonly flavor: SimdFlavor,
    /** One line: build, threads, and why fewer threads than asked for. */
    readonly description: string,
    private readonly exports: WebAssembly.Exports,
    private readonly serialBelow: number,
  ) {}

  static async create(opts: CpuRuntimeOptions = {}): Promise<CpuRuntime> {
    const support = threadSupport();
    const wanted = opts.threads ?? Math.min(8, await hardwareThreads());
    if (!(Number.isInteger(wanted) && wanted >= 1)) throw new RangeError(`CpuRuntime: threads must be a positive integer, got ${wanted}`);
    const threads = support.available ? wanted : 1;
    const relaxedOk = relaxedSimdSupported();
    const flavor: SimdFlavor = opts.simd === 'simd' || (opts.simd !== 'relaxed' && !relaxedOk) ? 'simd' : 'relaxed';
    if (flavor === 'relaxed' && !relaxedOk) throw new Error('CpuRuntime: relaxed SIMD was asked for, but this WebAssembly runtime does not validate f32x4.relaxed_madd');
    const shared = threads > 1;
    const module = await WebAssembly.compile(await moduleBytes(flavor, shared));
    const maximumPages = Math.min(65536, Math.ceil((opts.maxMemoryBytes ?? 2 ** 30) / 65536));
    const memory = new WebAssembly.Memory({ initial: 32, maximum: maximumPages, shared });
    const instance = await WebAssembly.instantiate(module, { env: { memory } });
    const heapBase = (instance.exports.__heap_base as WebAssembly.Global).value as number;
    const kernels = KERNELS.map((k) => instance.exports[k] as Kernel);
    const pool = await ThreadPool.create(module, memory, KERNELS, kernels, threads);
    const why = threads < wanted ? ` (${support.reason})` : '';
    const description = `WebAssembly ${flavor === 'relaxed' ? 'relaxed SIMD (FMA)' : 'SIMD'}, ${threads} thread${threads > 1 ? 's' : ''}${why}`;
    return new CpuRuntime(memory, new Arena(memory, heapBase, maximumPages), pool, flavor, description, instance.exports, opts.serialBelow ?? SERIAL_WORK);
  }

  get threads(): number {
    return this.pool.size;
  }

  /**
   * Runs a kernel on every thread, or on this one alone when its `work` (multiply-adds) is below
   * serialBelow; `args` are its int arguments without (tid, nthreads).
   */
  run(kernel: KernelName, args: readonly number[], work = Infinity): void {
    this.pool.run(this.kernelIndex.get(kernel)!, args, work < this.serialBelow);
  }

  /** An int export of the module that is not a threaded kernel (e.g. gemm_scratch_floats). */
  query(name: string): number {
    return (this.exports[name] as () => number)();
  }

  /** Byte offset of at least `floatsPerThread` floats of scratch for each thread, kept between calls. */
  scratch(floatsPerThread: number): number {
    const bytes = floatsPerThread * 4 * this.threads;
    if (bytes > this.scratchBytes) {
      if (this.scratchPtr) this.arena.release(this.scratchPtr);
      this.scratchPtr = this.arena.alloc(bytes, 'kernel scratch');
      this.scratchBytes = bytes;
    }
    return this.scratchPtr;
  }

  empty(shape: number[], name: string): CpuTensor {
    const n = numel(shape);
    if (!(n > 0 && shape.every(Number.isInteger))) throw new ShapeError(`CPU tensor ${name}: shape [${shape}] is empty or not integral.`, { tensor: name, shape });
    return { ptr: this.arena.alloc(4 * n, name), shape: [...shape], name };
  }

  upload(data: ArrayLike<number>, shape: number[], name: string): CpuTensor {
    if (data.length !== numel(shape)) throw new ShapeError(`CPU tensor ${name}: ${data.length} values for shape [${shape}].`, { tensor: name, shape, length: data.length });
    const t = this.empty(shape, name);
    this.f32(t).set(data);
    return t;
  }

  /** A u32 tensor (sequence offsets, ids). */
  uploadU32(data: ArrayLike<number>, shape: number[], name: string): CpuTensor {
    if (data.length !== numel(shape)) throw new ShapeError(`CPU tensor ${name}: ${data.length} values for shape [${shape}].`, { tensor: name, shape, length: data.length });
    const t = this.empty(shape, name);
    new Uint32Array(this.memory.buffer, t.ptr, data.length).set(data);
    return t;
  }

  uploadQWeight(q: QWeight, name: string): CpuQWeight {
    const bytes = (src: Uint8Array | Int8Array | Float32Array, what: string) => {
      const ptr = this.arena.alloc(src.byteLength, `${name}.${what}`);
      new Uint8Array(this.memory.buffer, ptr, src.byteLength).set(new Uint8Array(src.buffer, src.byteOffset, src.byteLength));
      return ptr;
    };
    const zeroPoints = q.kind === 'q4' && q.zeroPoints ? bytes(q.zeroPoints, 'zero_points') : 0;
    return { kind: q.kind, N: q.N, K: q.K, nBlocks: q.nBlocks, data: bytes(q.data, 'data'), scales: bytes(q.scales, 'scales'), zeroPoints, name };
  }

  /** A live view of t; invalid once the memory grows (take a new one after any allocation). */
  f32(t: CpuTensor): Float32Array {
    return new Float32Array(this.memory.buffer, t.ptr, numel(t.shape));
  }

  /** A copy of t's values. */
  read(t: CpuTensor): Float32Array {
    return this.f32(t).slice();
  }

  release(t: CpuTensor | CpuQWeight): void {
    if ('ptr' in t) return this.arena.release(t.ptr);
    for (const p of [t.data, t.scales, t.zeroPoints]) if (p) this.arena.release(p);
  }

  async dispose(): Promise<void> {
    await this.pool.dispose();
  }
}
