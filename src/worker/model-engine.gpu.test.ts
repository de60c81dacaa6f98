import { afterAll, describe, expect, it } from 'vitest';
import { GpuLimitError, ModelFormatError, NoModelError, UnsupportedModelError } from '../errors';
import { nodeGpu } from '../gpu/node-gpu';
import { compare } from '../reference/compare';
import { decoderForwardRef } from '../reference/decoder';
import { poolRef } from '../reference/pooling';
import { randomWeights, roundTripQuantized } from '../model/random-model';
import { randomModelConfig, randomModelFiles } from '../model/random-source';
import { memoryFiles, type ModelFiles } from '../model/source';
import { LOSS_ROWS } from '../ops/vocab-shards';
import { Engine, type EngineEvent, type ModelSourceSpec } from './engine';
import { dirname } from 'node:path';
import { writeModelFolder } from '../test/model-folder';
import { serveFolder } from '../test/static-server';

/** An engine whose `dir` sources resolve to in-memory folders (tests stand in for disk). */
function engineWith(folders: Record<string, ModelFiles>, limitOverrides = {}) {
  const e = new Engine(() => nodeGpu(), { resolveSource: (s: ModelSourceSpec) => (s.kind === 'dir' ? folders[s.path] : null), limitOverrides });
  engines.push(e);
  return e;
}
const engines: Engine[] = [];
afterAll(() => engines.forEach((e) => e.dispose()));

/** The random model's files with one of them replaced. */
async function withFile(name: string, bytes: Uint8Array | ((old: Uint8Array) => Uint8Array)): Promise<ModelFiles> {
  const base = randomModelFiles(1);
  const names = ['config.json', 'tokenizer.json', 'tokenizer_config.json', 'model.safetensors'];
  const map = new Map<string, Uint8Array>();
  for (const n of names) map.set(n, await base.read(n));
  map.set(name, typeof bytes === 'function' ? bytes(map.get(name)!) : bytes);
  return memoryFiles(map, `broken-${name}`);
}

describe('a model in the engine: load, forward, generate, embed', () => {
  const config = randomModelConfig();
  const ref = roundTripQuantized(config, randomWeights(config, 1), 'q4');

  it('loads the random model through the real readers, with progress and a model card', async () => {
    const engine = engineWith({});
    const events: EngineEvent[] = [];
    engine.onEvent((e) => events.push(e));
    await expect(engine.generate('x', { maxNewTokens: 1 })).rejects.toBeInstanceOf(NoModelError);
    const info = await engine.loadModel({ kind: 'random', seed: 1 }, { quant: 'q4' });
    expect(info).toMatchObject({ architecture: 'llama', quant: 'q4', weightsFormat: 'safetensors', vocabSize: 258 });
    expect(info.parameters).toBeGreaterThan(100_000);
    expect(info.gpuBytes).toBeGreaterThan(0);
    expect(info.gpuBytes).toBeLessThan(info.parameters * 4); // linears stay packed
    const stages = events.filter((e) => e.kind === 'load-progress').map((e) => e.kind === 'load-progress' && e.stage);
    expect(stages).toEqual(expect.arrayContaining(['tokenizer', 'config', 'weights', 'upload']));
  });

  it('forward gives the reference logits and hidden states for a batch of different lengths', async () => {
    const engine = engineWith({});
    await engine.loadModel({ kind: 'random', seed: 1 }, { quant: 'q4' });
    const seqs = [[256, 72, 105], [256, 10, 20, 30, 40, 50, 60]];
    const out = await engine.forward(seqs, { hiddenLayers: [0, 1, 2] });
    seqs.forEach((s, b) => {
      const r = decoderForwardRef(config, ref, s, 1, s.length);
      expect(compare(out.logits[b], r.logits).maxAbs).toBeLessThanOrEqual(1e-3);
      for (const l of [0, 1, 2]) expect(compare(out.hidden.get(l)![b], r.hidden[l]).maxAbs).toBeLessThanOrEqual(1e-3);
    });
  });

  it('generates greedily and deterministically, streaming the text it returns', async () => {
    const engine = engineWith({});
    await engine.loadModel({ kind: 'random', seed: 1 }, { quant: 'q4' });
    const pieces: string[] = [];
    engine.onEvent((e) => e.kind === 'generate-text' && pieces.push(e.piece));
    const a = await engine.generate('Hello', { maxNewTokens: 12 });
    expect(a.tokens.length).toBeGreaterThan(0);
    expect(pieces.join('')).toBe(a.text);
    const b = await engine.generate('Hello', { maxNewTokens: 12 });
    expect(b.tokens).toEqual(a.tokens);
    // The first greedy token is the reference argmax after the prompt (BOS + bytes of "Hello").
    const prompt = [256, ...new TextEncoder().encode('Hello')];
    const r = decoderForwardRef(config, ref, prompt, 1, prompt.length);
    const last = r.logits.subarray((prompt.length - 1) * config.vocabSize);
    expect(a.tokens[0]).toBe(last.indexOf(Math.max(...last)));
    // A stop string ends generation before it, and is not part of the text.
    const cut = a.text.slice(2, 4);
    const stopped = await engine.generate('Hello', { maxNewTokens: 12, stop: [cut] });
    expect(stopped.stopped).toBe('stop');
    expect(stopped.text).toBe(a.text.slice(0, a.text.indexOf(cut)));
    // Sampling with a seed is reproducible and differs from greedy somewhere over a few seeds.
    const s1 = await engine.generate('Hello', { maxNewTokens: 12, temperature: 1.5, topK: 40, seed: 3 });
    expect((await engine.generate('Hello', { maxNewTokens: 12, temperature: 1.5, topK: 40, seed: 3 })).tokens).toEqual(s1.tokens);
  });

  it('embeds sentences per layer as the reference pools them', async () => {
    const engine = engineWith({});
    await engine.loadModel({ kind: 'random', seed: 1 }, { quant: 'q4' });
    const sentences = ['The cat sleeps.', 'Kočka spí.', '猫が寝ている。'];
    const res = await engine.embed(sentences, { layers: [1, 2], pooling: 'mean' });
    expect(res.dim).toBe(config.hiddenSize);
    sentences.forEach((s, i) => {
      const ids = Array.from(new TextEncoder().encode(s));
      const r = decoderForwardRef(config, ref, ids, 1, ids.length);
      for (const [j, l] of [1, 2].entries()) {
        const got = res.vectors[j].subarray(i * config.hiddenSize, (i + 1) * config.hiddenSize);
        expect(compare(got, poolRef(r.hidden[l], [ids.length], 1, ids.length, config.hiddenSize, 'mean')).maxAbs).toBeLessThanOrEqual(1e-4);
      }
    });
  });
});

describe('perplexity on the GPU', () => {
  const config = randomModelConfig();
  const ref = roundTripQuantized(config, randomWeights(config, 1), 'q4');
  const sentences = ['The cat sleeps on the warm stone wall.', 'Kočka spí.', '猫が寝ている。', 'Hi', 'A longer sentence, so the padded batch is uneven.'];
  // [BOS] bytes [EOS], as the engine encodes a monolingual sentence; the reference NLL in float64.
  const ids = sentences.map((s) => [256, ...new TextEncoder().encode(s), 257]);
  const V = config.vocabSize;
  let sum = 0;
  for (const seq of ids) {
    const { logits } = decoderForwardRef(config, ref, seq, 1, seq.length);
    for (let t = 0; t + 1 < seq.length; t++) {
      const row = logits.subarray(t * V, (t + 1) * V);
      const max = Math.max(...row);
      sum += max + Math.log(row.reduce((z, x) => z + Math.exp(x - max), 0)) - row[seq[t + 1]];
    }
  }
  const tokens = ids.reduce((n, s) => n + s.length - 1, 0);

  it('is exp(mean NLL) of the float64 reference', async () => {
    const engine = engineWith({});
    await engine.loadModel({ kind: 'random', seed: 1 }, { quant: 'q4' });
    const r = await engine.perplexity(sentences, 'current');
    expect(r.tokens).toBe(tokens);
    expect(Math.abs(r.nll - sum / tokens)).toBeLessThanOrEqual(1e-4);
    expect(r.perplexity).toBeCloseTo(Math.exp(sum / tokens), 3);
  });

  it('splits the batch so every buffer of a step fits one storage binding; a sentence too long for one says so', async () => {
    // A binding of the MLP's 128-wide activations of 100 tokens: the vocabulary in shards of 6 rows
    // (decision 44), and groups of at most 100 tokens.
    const rows = 100;
    const engine = engineWith({}, { maxStorageBufferBindingSize: rows * config.intermediateSize * 4 });
    await engine.loadModel({ kind: 'random', seed: 1 }, { quant: 'q4' });
    const progress: number[] = [];
    engine.onEvent((e) => e.kind === 'progress' && e.task === 'perplexity' && progress.push(e.done));
    const r = await engine.perplexity(sentences, 'current'); // 5 sentences of 4 to 51 tokens, padded: three groups
    expect(progress).toEqual([2, 4, 5]);
    expect(r.tokens).toBe(tokens);
    expect(Math.abs(r.nll - sum / tokens)).toBeLessThanOrEqual(1e-4);
    const err = await engine.perplexity(['x'.repeat(rows)], 'current').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GpuLimitError);
    expect((err as Error).message).toMatch(new RegExp(`Sequence 1 has ${rows + 2} tokens, but this adapter holds the activations of at most ${rows} tokens`));
  });
});

describe('a vocabulary split into shards by a lowered binding limit (decision 44)', () => {
  // 100 rows of logits for LOSS_ROWS tokens fill the binding: the 258-row embedding in shards of 100, 100 and 58.
  const bindingLimit = 100 * 4 * LOSS_ROWS;
  const sentences = ['The cat sleeps on the warm stone wall.', 'Kočka spí.', '猫が寝ている。'];
  for (const quant of ['f32', 'q8'] as const) {
    it(`${quant}: logits, greedy tokens, perplexity and sentence embeddings equal one buffer's; the GPU memory is the same`, async () => {
      const whole = engineWith({});
      const split = engineWith({}, { maxStorageBufferBindingSize: bindingLimit });
      const [a, b] = [await whole.loadModel({ kind: 'random', seed: 1 }, { quant }), await split.loadModel({ kind: 'random', seed: 1 }, { quant })];
      expect(b.gpuBytes).toBeLessThanOrEqual(a.gpuBytes * 1.05); // shards round up to pool buckets, nothing more
      const seqs = [[256, 72, 105], [256, 10, 20, 30, 40, 50, 60]];
      const [fa, fb] = [await whole.forward(seqs), await split.forward(seqs)];
      seqs.forEach((_, i) => expect(compare(fb.logits[i], fa.logits[i]).maxAbs).toBeLessThanOrEqual(1e-5));
      expect((await split.generate('Hello', { maxNewTokens: 8 })).tokens).toEqual((await whole.generate('Hello', { maxNewTokens: 8 })).tokens);
      const [pa, pb] = [await whole.perplexity(sentences, 'current'), await split.perplexity(sentences, 'current')];
      expect(Math.abs(pb.nll - pa.nll)).toBeLessThanOrEqual(1e-5);
      const opts = { layers: [0, 2], pooling: 'mean' as const };
      const [ea, eb] = [await whole.embed(sentences, opts), await split.embed(sentences, opts)];
      ea.vectors.forEach((v, i) => expect(compare(eb.vectors[i], v).maxAbs).toBeLessThanOrEqual(1e-5));
    });
  }
});

describe('loading by URL from a real local HTTP server', () => {
  it('reads config, tokenizer and weights over HTTP, tensor by tensor with progress', async () => {
    const server = await serveFolder(dirname(await writeModelFolder('served', 1)));
    try {
      const engine = engineWith({});
      const progress: { loaded: number; total: number }[] = [];
      engine.onEvent((e) => e.kind === 'load-progress' && e.stage === 'upload' && progress.push(e));
      const info = await engine.loadModel({ kind: 'url', url: `${server.url}served/` }, { quant: 'q8' });
      expect(info).toMatchObject({ name: `${server.url}served/`, quant: 'q8', weightsFormat: 'safetensors' });
      // Weights stream tensor by tensor (by HTTP Range): progress counts the tensors stored.
      const { total } = progress[progress.length - 1];
      expect(progress.map((p) => p.loaded)).toEqual(Array.from({ length: total + 1 }, (_, i) => i));
      const err = await engine.loadModel({ kind: 'url', url: `${server.url}missing/` }, { quant: 'q4' }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ModelFormatError);
      expect((err as Error).message).toMatch(/holds no weights/);
      expect((await engine.modelInfo())?.quant).toBe('q8');
    } finally {
      await server.close();
    }
  });
});

describe('bad model input: typed errors that name the file, and the loaded model survives', () => {
  it('a truncated safetensors file', async () => {
    const engine = engineWith({ bad: await withFile('model.safetensors', (old) => old.subarray(0, old.byteLength - 1000)) });
    const good = await engine.loadModel({ kind: 'random', seed: 1 }, { quant: 'q4' });
    const err = await engine.loadModel({ kind: 'dir', path: 'bad' }, { quant: 'q4' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ModelFormatError);
    expect((err as Error).message).toMatch(/model\.safetensors/);
    expect(await engine.modelInfo()).toEqual(good);
    expect((await engine.generate('ok', { maxNewTokens: 2 })).tokens.length).toBeGreaterThan(0);
  });

  it('a header offset beyond the end of the file', async () => {
    const files = await withFile('model.safetensors', (old) => {
      const n = Number(new DataView(old.buffer, old.byteOffset).getBigUint64(0, true));
      const header = JSON.parse(new TextDecoder().decode(old.subarray(8, 8 + n)));
      const first = Object.keys(header).find((k) => k !== '__metadata__')!;
      header[first].data_offsets[1] += 10_000_000;
      const text = new TextEncoder().encode(JSON.stringify(header));
      const out = new Uint8Array(8 + text.length + (old.byteLength - 8 - n));
      new DataView(out.buffer).setBigUint64(0, BigInt(text.length), true);
      out.set(text, 8);
      out.set(old.subarray(8 + n), 8 + text.length);
      return out;
    });
    const err = await engineWith({ bad: files }).loadModel({ kind: 'dir', path: 'bad' }, { quant: 'q4' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ModelFormatError);
    expect((err as Error).message).toMatch(/model\.embed_tokens\.weight|model\.layers/);
  });

  it('an unknown architecture', async () => {
    const files = await withFile('config.json', (old) => new TextEncoder().encode(new TextDecoder().decode(old).replace('"llama"', '"gemma"')));
    const err = await engineWith({ bad: files }).loadModel({ kind: 'dir', path: 'bad' }, { quant: 'q4' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnsupportedModelError);
    expect((err as Error).message).toMatch(/config\.json.*gemma.*Supported: Llama/s);
  });

  it('a model larger than the device allows (maxBufferSize lowered to 16 KiB): GpuLimitError naming the tensor, nothing leaked', async () => {
    const engine = engineWith({}, { maxBufferSize: 16 * 1024, maxStorageBufferBindingSize: 16 * 1024 });
    const before = await engine.poolStats();
    const err = await engine.loadModel({ kind: 'random', seed: 1 }, { quant: 'f32' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GpuLimitError);
    console.log((err as Error).message);
    // The first tensor over 16 KiB in upload order is layer 0's q_proj (64 x 64 f32 = 16 KiB fits; gate 128 x 64 does not).
    expect((err as Error).message).toMatch(/^"model\.layers\.0\.mlp\.gate_proj\.weight" needs 32\.0 KiB, but this GPU allows at most 16\.0 KiB in one buffer \(maxBufferSize\)/);
    expect((await engine.poolStats()).liveBytes).toBe(before.liveBytes);
    expect(await engine.modelInfo()).toBeNull();
  });
});
