// Safetensors weights streamed from their files (decision 42): each shard's header is read with two
// byte ranges (the 8-byte length, then the JSON), and each tensor, or a block of its rows, with one
// more range when the loader stores it. The header checks (spans, dtypes, sizes) all run first, so a
// damaged file fails before anything is uploaded.

import type { ModelFiles } from './source';
import { checkReadable, DTYPE_BYTES, parseSafetensorsHeader, readTensor, type SafetensorsEntry } from './safetensors';
import { rowRange, rowSize, type WeightSource } from './weight-source';

/** The tensors of one or more safetensors shards of `files`, read when asked; `fileBytes` is their total size. */
export async function safetensorsSource(files: ModelFiles, shards: readonly string[]): Promise<{ source: WeightSource; fileBytes: number }> {
  const where = new Map<string, { shard: string; entry: SafetensorsEntry }>();
  let fileBytes = 0;
  for (const shard of shards) {
    const size = await files.size(shard);
    fileBytes += size;
    const first = await files.readRange(shard, 0, Math.min(8, size));
    // A length past the file's end is left for the parser to reject with its message.
    const n = first.length === 8 ? new DataView(first.buffer, first.byteOffset, 8).getBigUint64(0, true) : 0n;
    const header = n <= BigInt(size - 8) ? await files.readRange(shard, 0, 8 + Number(n)) : first;
    const file = `${files.label}/${shard}`;
    for (const entry of parseSafetensorsHeader(header, size, file).entries) {
      checkReadable(entry, file);
      where.set(entry.name, { shard, entry });
    }
  }
  const source: WeightSource = {
    shapes: new Map([...where].map(([name, w]) => [name, w.entry.shape])),
    async read(name, rows) {
      const w = where.get(name);
      if (!w) throw new RangeError(`safetensorsSource: no tensor ${name}`);
      const { entry, shard } = w;
      const [r0, r1] = rowRange(name, entry.shape, rows);
      const rowBytes = rowSize(entry.shape) * DTYPE_BYTES[entry.dtype];
      const begin = entry.begin + r0 * rowBytes;
      const end = entry.begin + r1 * rowBytes;
      const part = { ...entry, shape: rows ? [r1 - r0, ...entry.shape.slice(1)] : entry.shape, begin, end };
      return readTensor(part, await files.readRange(shard, begin, end), `${files.label}/${shard}`).data;
    },
    stored: async () => undefined,
  };
  return { source, fileBytes };
}
