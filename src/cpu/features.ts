// What the host's WebAssembly offers the CPU route: relaxed SIMD (fused multiply-add) and threads.

/**
 * The smallest module using f32x4.relaxed_madd:
 *   (func (param v128 v128 v128) (result v128) local.get 0 local.get 1 local.get 2 f32x4.relaxed_madd)
 * Node 20 (V8 11.3) rejects it unless started with --experimental-wasm-relaxed-simd; Chrome >= 114 accepts it.
 */
const RELAXED_MADD_PROBE = Uint8Array.from([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x01, 0x60, 0x03, 0x7b, 0x7b, 0x7b, 0x01, 0x7b, 0x03, 0x02, 0x01, 0x00, 0x0a, 0x0d, 0x01,
  0x0b, 0x00, 0x20, 0x00, 0x20, 0x01, 0x20, 0x02, 0xfd, 0x85, 0x02, 0x0b,
]);

export function relaxedSimdSupported(): boolean {
  return WebAssembly.validate(RELAXED_MADD_PROBE);
}

export interface ThreadSupport {
  available: boolean;
  /** Why threads are unavailable, in one line for the page; empty when available. */
  reason: string;
}

/** Threads need SharedArrayBuffer, which a page only gets when cross-origin isolated (COOP + COEP). */
export function threadSupport(): ThreadSupport {
  if (typeof SharedArrayBuffer === 'undefined') return { available: false, reason: 'single-threaded: SharedArrayBuffer is unavailable in this runtime' };
  if (typeof crossOriginIsolated !== 'undefined' && !crossOriginIsolated) {
    return { available: false, reason: 'single-threaded: the page is not cross-origin isolated (the server must send COOP same-origin and COEP require-corp)' };
  }
  return { available: true, reason: '' };
}

/** Logical processors of this machine (navigator.hardwareConcurrency, or Node's os.availableParallelism). */
export async function hardwareThreads(): Promise<number> {
  if (typeof navigator !== 'undefined' && navigator.hardwareConcurrency) return navigator.hardwareConcurrency;
  const os = await import('node:os');
  return os.availableParallelism();
}
