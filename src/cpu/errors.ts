// Typed errors of the CPU route. They extend AlignScopeError so they cross the worker boundary as
// { name, message, data }; phase 2 registers them in src/errors.ts with the engine's other errors.

import { AlignScopeError } from '../errors';

/** The wasm memory cannot hold an allocation: `data` names the tensor, the bytes asked for, the live bytes and the cap. */
export class CpuMemoryError extends AlignScopeError {
  override name = 'CpuMemoryError';
}

/** A kernel trapped on one of the pool's threads (out-of-bounds access: a bug of ours); `data.kernel` names it. */
export class CpuKernelError extends AlignScopeError {
  override name = 'CpuKernelError';
}
