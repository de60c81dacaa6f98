// onnxruntime-web as a peer of our engine: the same random model, exported by us to ONNX (q4
// MatMulNBits), run by both. Used for the parity check (GPU panel, GPU-tier test with the WASM EP,
// e2e with the WebGPU EP) and for the model benchmark. onnxruntime-web is imported on demand: the
// engine's own bundle does not carry it.

import type { GpuRuntime } from '../gpu/runtime';
import { exportDecoderOnnx } from '../export/onnx';
import type { OrtProvider } from '../export/ort-session';
import { byteLevelTokenizerJson } from '../model/byte-tokenizer';
import type { DecoderConfig } from '../model/config';
import { readModelFolder } from '../model/load';
import { Model } from '../model/model';
import { randomWeights } from '../model/random-model';
import { RANDOM_MODEL_SPECIALS, randomModelConfig } from '../model/random-source';
import { memoryFiles } from '../model/source';
import { compare } from '../reference/compare';
import { randomArray } from '../reference/random';

export interface ParityResult {
  provider: OrtProvider;
  /** max |ours − onnxruntime| over real tokens: logits, then hidden_states.0..L. */
  maxAbsLogits: number;
  maxAbsHidden: number[];
  greedyOurs: number[];
  greedyTheirs: number[];
  greedyEqual: boolean;
}

/** The random model with weights of `seed`, as an ONNX folder our loader reads (`kvCache`: the export with past/present inputs and outputs). */
export async function exportedRandomModel(rt: GpuRuntime, seed: number, config: DecoderConfig = randomModelConfig(), kvCache = false): Promise<{ model: Model; onnx: Uint8Array }> {
  const onnx = exportDecoderOnnx(config, randomWeights(config, seed), { quant: 'q4', kvCache });
  const json = (v: unknown) => new TextEncoder().encode(JSON.stringify(v));
  const files = memoryFiles(
    new Map([
      ['model.onnx', onnx],
      ['tokenizer.json', json(byteLevelTokenizerJson(RANDOM_MODEL_SPECIALS))],
      ['tokenizer_config.json', json({ bos_token: '<s>', eos_token: '</s>', add_bos_token: true })],
    ]),
    `exported-random-seed${seed}`,
  );
  const host = await readModelFolder(files);
  return { model: await Model.load(rt, host, 'q4', files.label, () => readModelFolder(files)), onnx };
}

export async function onnxParity(rt: GpuRuntime, provider: OrtProvider, seed = 22): Promise<ParityResult> {
  const { createOrtSession, greedyOnnx, runDecoderOnnx } = await import('../export/ort-session');
  const { model, onnx } = await exportedRandomModel(rt, seed);
  try {
    const c = model.config;
    const seqs = [7, 12].map((n, i) => Array.from(randomArray(n, i + 1), (v) => Math.floor(((v + 1) / 2) * 256)));
    const layers = Array.from({ length: c.numLayers + 1 }, (_, i) => i);
    const ours = await model.forward(seqs, { hiddenLayers: layers });
    const session = await createOrtSession(onnx, provider);
    const theirs = await runDecoderOnnx(session, seqs);
    const T = Math.max(...seqs.map((s) => s.length));
    const diff = (got: Float32Array[], ref: Float32Array, w: number) => Math.max(...seqs.map((s, b) => compare(got[b], ref.subarray(b * T * w, (b * T + s.length) * w)).maxAbs));
    const maxAbsLogits = diff(ours.logits, theirs.logits, c.vocabSize);
    const maxAbsHidden = layers.map((l) => diff(ours.hidden.get(l)!, theirs[`hidden_states.${l}`], c.hiddenSize));

    const prompt = 'The cat';
    const greedyOurs = (await model.generate(prompt, { maxNewTokens: 32 })).tokens;
    const ids = model.tokenizer.encode(prompt, { addBos: true });
    const greedyTheirs = await greedyOnnx(session, ids, greedyOurs.length, c.vocabSize);
    await session.release();
    return { provider, maxAbsLogits, maxAbsHidden, greedyOurs, greedyTheirs, greedyEqual: greedyOurs.join() === greedyTheirs.join() };
  } finally {
    await model.release();
  }
}
