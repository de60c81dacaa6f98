// Picking the backend where there is no WebGPU at all (a plain Node process): 'auto' and 'cpu' load
// and run the model on the CPU route and say why; 'webgpu' fails before reading any file.
import { afterAll, describe, expect, it } from 'vitest';
import { WebGpuUnavailableError } from '../errors';
import { Engine } from './engine';

const engine = new Engine(() => undefined, { cpuThreads: 2 });
afterAll(() => engine.dispose());

describe('backend choice without WebGPU', () => {
  it("'webgpu' is refused with WebGpuUnavailableError; 'auto' takes the CPU route and says why; 'cpu' says nothing more", async () => {
    await expect(engine.loadModel({ kind: 'random', seed: 1 }, { quant: 'q4', backend: 'webgpu' })).rejects.toThrow(WebGpuUnavailableError);
    const auto = await engine.loadModel({ kind: 'random', seed: 1 }, { quant: 'q4', backend: 'auto' });
    expect(auto.backend).toBe('cpu');
    expect(auto.backendNote).toMatch(/^CPU route: WebAssembly (relaxed )?SIMD.*, 2 threads; auto: no WebGPU adapter$/);
    const viaAuto = await engine.forward([[256, 72, 105]]);
    const cpu = await engine.loadModel({ kind: 'random', seed: 1 }, { quant: 'q4', backend: 'cpu' });
    expect(cpu.backendNote).toMatch(/^CPU route: WebAssembly (relaxed )?SIMD.*, 2 threads$/);
    expect((await engine.forward([[256, 72, 105]])).logits).toEqual(viaAuto.logits);
    expect(viaAuto.logits[0]).toHaveLength(3 * cpu.vocabSize);
  });
});
