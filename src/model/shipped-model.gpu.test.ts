// The embedded default model as shipped in public/models/alignscope-tiny: both copies load through
// our readers and agree with each other, and onnxruntime-web runs the ONNX copy with our results.

import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import * as ort from 'onnxruntime-web';
import { dirFiles } from '../cli/dir-source';
import { createOrtSession, runDecoderOnnx } from '../export/ort-session';
import { nodeGpu } from '../gpu/node-gpu';
import { compare } from '../reference/compare';
import { Engine } from '../worker/engine';
import { memoryFiles } from './source';

ort.env.wasm.numThreads = 1;
const DIR = new URL('../../public/models/alignscope-tiny/', import.meta.url).pathname;
const engines: Engine[] = [];
afterAll(() => engines.forEach((e) => e.dispose()));

/** The shipped folder with only the weights file of one format, so the loader must use it. */
async function folderWith(weights: 'model.safetensors' | 'model.onnx') {
  const all = dirFiles(DIR);
  const names = ['tokenizer.json', 'tokenizer_config.json', weights, ...(weights === 'model.safetensors' ? ['config.json'] : [])];
  return memoryFiles(new Map(await Promise.all(names.map(async (n) => [n, await all.read(n)] as [string, Uint8Array]))), `shipped-${weights}`);
}

const sentences = ['The children are playing outside.', '孩子们在外面玩。', 'Děti si hrají venku.'];

describe('the shipped default model', () => {
  it('safetensors (quantized to q4 on load) and ONNX (q4 as shipped) give the same logits, and onnxruntime-web agrees', async () => {
    const folders = { st: await folderWith('model.safetensors'), onnx: await folderWith('model.onnx') };
    const e = new Engine(() => nodeGpu(), { resolveSource: (s) => (s.kind === 'dir' ? folders[s.path as 'st' | 'onnx'] : null) });
    engines.push(e);
    const ids = await (async () => {
      await e.loadModel({ kind: 'dir', path: 'onnx' }, { quant: 'q4' });
      return Promise.all(sentences.map(async (s) => (await e.tokenize(s)).ids));
    })();
    const fromOnnx = await e.forward(ids);
    const info = await e.loadModel({ kind: 'dir', path: 'st' }, { quant: 'q4' });
    expect(info.weightsFormat).toBe('safetensors');
    const fromSt = await e.forward(ids);
    fromOnnx.logits.forEach((l, b) => expect(compare(fromSt.logits[b], l).maxAbs).toBeLessThanOrEqual(1e-5));

    const ort = await runDecoderOnnx(await createOrtSession(readFileSync(`${DIR}model.onnx`), 'wasm'), ids);
    const T = Math.max(...ids.map((x) => x.length));
    const V = info.config.vocabSize;
    ids.forEach((s, b) => {
      const d = compare(fromOnnx.logits[b], ort.logits.subarray(b * T * V, (b * T + s.length) * V));
      console.log(`sentence ${b}: max |ours - onnxruntime| ${d.maxAbs.toExponential(2)}`);
      expect(d.maxAbs).toBeLessThanOrEqual(1e-3);
    });
  });
});
