// Parity of our engine with onnxruntime-web (WASM EP in Node) on one exported q4 model: our engine
// loads model.onnx through the real loader (MatMulNBits blocks uploaded as they are), onnxruntime
// runs the same file as a standard ONNX graph. The WebGPU EP is checked in e2e/ (Chromium).

import { afterAll, describe, expect, it } from 'vitest';
import * as ort from 'onnxruntime-web';
import { nodeGpu } from '../gpu/node-gpu';
import { Engine } from './engine';

ort.env.wasm.numThreads = 1;
const engine = new Engine(() => nodeGpu());
afterAll(() => engine.dispose());

describe('our engine vs onnxruntime-web on one exported q4 model', () => {
  it('logits and every hidden state agree within 1e-3; 32 greedy tokens are identical', async () => {
    const r = await engine.checkOnnxParity('wasm');
    console.log(`logits max abs ${r.maxAbsLogits.toExponential(2)}; hidden ${r.maxAbsHidden.map((d) => d.toExponential(2)).join(' ')}`);
    console.log(`greedy: ${r.greedyOurs.join(' ')}`);
    expect(r.maxAbsLogits).toBeLessThanOrEqual(1e-3);
    expect(r.maxAbsHidden).toHaveLength(3);
    for (const d of r.maxAbsHidden) expect(d).toBeLessThanOrEqual(1e-3);
    expect(r.greedyOurs).toHaveLength(32);
    expect(new Set(r.greedyOurs).size).toBeGreaterThan(2);
    expect(r.greedyOurs).toEqual(r.greedyTheirs);
    expect(r.greedyEqual).toBe(true);
    expect(await engine.modelInfo()).toBeNull(); // the check used a model of its own
  });
});
