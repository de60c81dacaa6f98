// Shared setup for GPU-tier tests: a runtime on Dawn (SwiftShader without a GPU). A test that finds
// no adapter fails loudly with the reason (WebGpuUnavailableError); it never passes silently.

import { nodeGpu } from '../gpu/node-gpu';
import { GpuRuntime, type RuntimeOptions } from '../gpu/runtime';

export function testRuntime(opts: RuntimeOptions = {}): GpuRuntime {
  return new GpuRuntime(() => nodeGpu(), opts);
}
