import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { CorpusFormatError } from '../errors';
import { readCorpusBytes } from './read';

describe('readCorpusBytes', () => {
  it('gunzips .tsv.gz and reads plain .tsv bytes alike; bad gzip and bad UTF-8 throw CorpusFormatError', async () => {
    const text = 'en\tde\nGood morning to you.\tGuten Morgen.\nbroken line\n';
    const plain = await readCorpusBytes('c.tsv', new TextEncoder().encode(text));
    const gz = await readCorpusBytes('c.tsv.gz', new Uint8Array(gzipSync(text)));
    expect(gz).toEqual({ ...plain, problems: plain.problems.map((p) => ({ ...p, file: 'c.tsv.gz' })) });
    expect(gz.problems[0].line).toBe(3);
    await expect(readCorpusBytes('c.tsv.gz', new TextEncoder().encode(text))).rejects.toThrow(CorpusFormatError);
    await expect(readCorpusBytes('c.tsv', new Uint8Array([0x65, 0x6e, 0xff]))).rejects.toThrow(/not UTF-8/);
  });
});
