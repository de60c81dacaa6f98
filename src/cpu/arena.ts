// Allocator of the wasm memory the kernels share: first fit over a free list sorted by address,
// neighbours coalesced, then a bump pointer that grows the memory page-wise up to its maximum.
// Blocks are 64-byte aligned (a cache line; v128 loads need 16). Addresses are byte offsets into
// the memory, what the kernels take as pointers.

import { CpuMemoryError } from '../errors';

const ALIGN = 64;
const PAGE = 65536;

interface Block {
  ptr: number;
  bytes: number;
}

export class Arena {
  private readonly free: Block[] = [];
  private readonly live = new Map<number, number>();
  private top: number;
  private liveBytes = 0;
  private peak = 0;

  /** Manages [base, maximumPages * 64 KiB) of `memory`; below base lie the module's own data and stack. */
  constructor(
    private readonly memory: WebAssembly.Memory,
    base: number,
    private readonly maximumPages: number,
  ) {
    this.top = Math.ceil(base / ALIGN) * ALIGN;
  }

  alloc(bytes: number, what: string): number {
    const size = Math.max(ALIGN, Math.ceil(bytes / ALIGN) * ALIGN);
    const i = this.free.findIndex((b) => b.bytes >= size);
    let ptr: number;
    if (i >= 0) {
      const b = this.free[i];
      ptr = b.ptr;
      if (b.bytes === size) this.free.splice(i, 1);
      else this.free[i] = { ptr: b.ptr + size, bytes: b.bytes - size };
    } else {
      ptr = this.top;
      this.ensure(ptr + size, what, bytes);
      this.top += size;
    }
    this.live.set(ptr, size);
    this.liveBytes += size;
    this.peak = Math.max(this.peak, this.liveBytes);
    return ptr;
  }

  release(ptr: number): void {
    const size = this.live.get(ptr);
    if (size === undefined) throw new Error(`arena: ${ptr} is not a live allocation`);
    this.live.delete(ptr);
    this.liveBytes -= size;
    let at = this.free.findIndex((b) => b.ptr > ptr);
    if (at < 0) at = this.free.length;
    this.free.splice(at, 0, { ptr, bytes: size });
    // Coalesce with the next block, then with the previous one.
    const next = this.free[at + 1];
    if (next && ptr + size === next.ptr) {
      this.free[at].bytes += next.bytes;
      this.free.splice(at + 1, 1);
    }
    const prev = this.free[at - 1];
    if (prev && prev.ptr + prev.bytes === ptr) {
      prev.bytes += this.free[at].bytes;
      this.free.splice(at, 1);
      at--;
    }
    // A free block ending at the bump pointer goes back to it.
    const last = this.free[this.free.length - 1];
    if (last && last.ptr + last.bytes === this.top) {
      this.top = last.ptr;
      this.free.pop();
    }
  }

  stats(): { liveBytes: number; peakBytes: number; memoryBytes: number; maxBytes: number } {
    return { liveBytes: this.liveBytes, peakBytes: this.peak, memoryBytes: this.memory.buffer.byteLength, maxBytes: this.maximumPages * PAGE };
  }

  /** Grows the memory to hold `end` bytes, or says which allocation did not fit. */
  private ensure(end: number, what: string, bytes: number): void {
    const have = this.memory.buffer.byteLength;
    if (end <= have) return;
    const pages = Math.ceil((end - have) / PAGE);
    const fail = (why: string) =>
      new CpuMemoryError(`CPU memory: ${what} needs ${bytes} bytes but ${why} (live ${this.liveBytes} bytes, cap ${this.maximumPages * PAGE}). Release tensors no longer needed or create the runtime with a larger maxMemoryBytes.`, {
        tensor: what,
        need: bytes,
        live: this.liveBytes,
        cap: this.maximumPages * PAGE,
      });
    if (have / PAGE + pages > this.maximumPages) throw fail('the wasm memory is at its maximum');
    try {
      this.memory.grow(pages);
    } catch {
      throw fail('the host refused to grow the wasm memory');
    }
  }
}
