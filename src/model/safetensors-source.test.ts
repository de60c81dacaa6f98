import { describe, expect, it } from 'vitest';
import { ModelFormatError, UnsupportedModelError } from '../errors';
import { randomWeights, tinyConfig } from './random-model';
import { readSafetensors, writeSafetensors } from './safetensors';
import { safetensorsSource } from './safetensors-source';
import { memoryFiles, type ModelFiles } from './source';
import { readAllWeights } from './weight-source';

/** `files`, counting the bytes each range read returns (what a streamed load pulls from the file). */
function counting(files: ModelFiles): ModelFiles & { rangeBytes: number[] } {
  const rangeBytes: number[] = [];
  return {
    ...files,
    rangeBytes,
    read: () => Promise.reject(new Error('a streamed load must not read whole files')),
    async readRange(name, begin, end) {
      const b = await files.readRange(name, begin, end);
      rangeBytes.push(b.byteLength);
      return b;
    },
  };
}

const config = tinyConfig({ vocabSize: 64 });
const weights = randomWeights(config, 3);

describe('safetensors weights streamed by range', () => {
  it('every tensor reads back as the whole-file reader decodes it, one range per tensor, none larger than the largest tensor', async () => {
    const file = writeSafetensors(weights);
    const files = counting(memoryFiles(new Map([['model.safetensors', file]]), 'tiny'));
    const { source, fileBytes } = await safetensorsSource(files, ['model.safetensors']);
    expect(fileBytes).toBe(file.byteLength);
    expect(files.rangeBytes.length).toBe(2); // the length field, then the header
    const eager = readSafetensors(file, 'model.safetensors');
    expect(await readAllWeights(source)).toEqual(eager);
    const tensorReads = files.rangeBytes.slice(2);
    expect(tensorReads.length).toBe(eager.size);
    expect(Math.max(...tensorReads)).toBe(Math.max(...[...eager.values()].map((t) => t.data.byteLength)));
  });

  it('a block of rows reads only its bytes and equals those rows of the tensor', async () => {
    const files = counting(memoryFiles(new Map([['model.safetensors', writeSafetensors(weights)]]), 'tiny'));
    const { source } = await safetensorsSource(files, ['model.safetensors']);
    const E = weights.get('model.embed_tokens.weight')!;
    const C = E.shape[1];
    const before = files.rangeBytes.length;
    expect(await source.read('model.embed_tokens.weight', [10, 13])).toEqual(E.data.subarray(10 * C, 13 * C));
    expect(files.rangeBytes.slice(before)).toEqual([3 * C * 4]);
    await expect(source.read('model.embed_tokens.weight', [60, 65])).rejects.toThrow(/out of range/);
  });

  it('shards are read together; a damaged shard fails when the header is read, before any tensor', async () => {
    const names = [...weights.keys()];
    const half = Math.floor(names.length / 2);
    const part = (ns: string[]) => writeSafetensors(new Map(ns.map((n) => [n, weights.get(n)!])));
    const a = part(names.slice(0, half));
    const b = part(names.slice(half));
    const { source } = await safetensorsSource(memoryFiles(new Map([['a.safetensors', a], ['b.safetensors', b]]), 'tiny'), ['a.safetensors', 'b.safetensors']);
    expect(await readAllWeights(source)).toEqual(new Map([...readSafetensors(a, 'a'), ...readSafetensors(b, 'b')]));
    const cut = memoryFiles(new Map([['a.safetensors', a], ['b.safetensors', b.subarray(0, b.length - 8)]]), 'tiny');
    await expect(safetensorsSource(cut, ['a.safetensors', 'b.safetensors'])).rejects.toThrow(ModelFormatError);
  });

  it('a dtype we cannot decode is refused when the header is read', async () => {
    const json = JSON.stringify({ w: { dtype: 'I8', shape: [2, 2], data_offsets: [0, 4] } });
    const file = new Uint8Array(8 + json.length + 4);
    new DataView(file.buffer).setBigUint64(0, BigInt(json.length), true);
    file.set(new TextEncoder().encode(json), 8);
    const e = await safetensorsSource(memoryFiles(new Map([['m.safetensors', file]]), 'x'), ['m.safetensors']).catch((err: unknown) => err);
    expect(e).toBeInstanceOf(UnsupportedModelError);
    expect((e as UnsupportedModelError).data).toMatchObject({ tensor: 'w', dtype: 'I8' });
  });

  it('a header length past the end of the file is a ModelFormatError, not a huge read', async () => {
    const file = new Uint8Array(16);
    new DataView(file.buffer).setBigUint64(0, 1n << 40n, true);
    const files = counting(memoryFiles(new Map([['m.safetensors', file]]), 'x'));
    await expect(safetensorsSource(files, ['m.safetensors'])).rejects.toThrow(ModelFormatError);
    expect(files.rangeBytes).toEqual([8]);
  });
});
