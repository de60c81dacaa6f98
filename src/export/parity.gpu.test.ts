// Parity of our engine with onnxruntime-web (WASM EP in Node) on the same exported file: our engine
// loads model.onnx through the real loader (MatMulNBits blocks uploaded as they are), onnxruntime
// runs it as a standard ONNX graph.

import { afterAll, describe, expect, it } from 'vitest';
import * as ort from 'onnxruntime-web';
import { nodeGpu } from '../gpu/node-gpu';
import { byteLevelTokenizerJson } from '../model/byte-tokenizer';
import { randomWeights } from '../model/random-model';
import { RANDOM_MODEL_SPECIALS, randomModelConfig } from '../model/random-source';
import { memoryFiles } from '../model/source';
import { compare } from '../reference/compare';
import { randomArray } from '../reference/random';
import { Engine } from '../worker/engine';
import { exportDecoderOnnx } from './onnx';
import { createOrtSession, greedyOnnx, runDecoderOnnx } from './ort-session';

ort.env.wasm.numThreads = 1;

const config = randomModelConfig();
const onnx = exportDecoderOnnx(config, randomWeights(config, 22), { quant: 'q4' });
const json = (v: unknown) => new TextEncoder().encode(JSON.stringify(v));
const folder = memoryFiles(
  new Map([
    ['model.onnx', onnx],
    ['tokenizer.json', json(byteLevelTokenizerJson(RANDOM_MODEL_SPECIALS))],
    ['tokenizer_config.json', json({ bos_token: '<s>', eos_token: '</s>', add_bos_token: true })],
  ]),
  'exported',
);
const engine = new Engine(() => nodeGpu(), { resolveSource: (s) => (s.kind === 'dir' ? folder : null) });
afterAll(() => engine.dispose());

const tokens = (n: number, seed: number) => Array.from(randomArray(n, seed), (v) => Math.floor(((v + 1) / 2) * 256));

describe('our engine vs onnxruntime-web on one exported q4 model', () => {
  it('logits and every hidden state agree within 1e-3 on a padded batch', async () => {
    const info = await engine.loadModel({ kind: 'dir', path: 'exported' }, { quant: 'q4' });
    expect(info.weightsFormat).toBe('onnx');
    const seqs = [tokens(7, 1), tokens(12, 2)];
    const layers = Array.from({ length: config.numLayers + 1 }, (_, i) => i);
    const ours = await engine.forward(seqs, { hiddenLayers: layers });
    const theirs = await runDecoderOnnx(await createOrtSession(onnx, 'wasm'), seqs);
    const T = 12;
    const real = (a: Float32Array, b: number, len: number, w: number) => a.subarray(b * T * w, (b * T + len) * w);
    seqs.forEach((s, b) => {
      const d = compare(ours.logits[b], real(theirs.logits, b, s.length, config.vocabSize));
      console.log(`sequence ${b} logits: max abs ${d.maxAbs.toExponential(2)}`);
      expect(d.maxAbs).toBeLessThanOrEqual(1e-3);
      for (const l of layers) {
        const dh = compare(ours.hidden.get(l)![b], real(theirs[`hidden_states.${l}`], b, s.length, config.hiddenSize));
        console.log(`sequence ${b} hidden_states.${l}: max abs ${dh.maxAbs.toExponential(2)}`);
        expect(dh.maxAbs).toBeLessThanOrEqual(1e-3);
      }
    });
  });

  it('the same greedy continuation for 32 tokens', async () => {
    await engine.loadModel({ kind: 'dir', path: 'exported' }, { quant: 'q4' });
    const prompt = 'The cat';
    const ours = await engine.generate(prompt, { maxNewTokens: 32 });
    const ids = [256, ...new TextEncoder().encode(prompt)]; // BOS + bytes
    const theirs = await greedyOnnx(await createOrtSession(onnx, 'wasm'), ids, ours.tokens.length, config.vocabSize);
    console.log('greedy:', ours.tokens.join(' '));
    expect(ours.stopped).toBe('length');
    expect(ours.tokens).toHaveLength(32);
    expect(new Set(ours.tokens).size).toBeGreaterThan(2);
    expect(ours.tokens).toEqual(theirs);
  });
});
