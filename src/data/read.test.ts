import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { CorpusFormatError } from '../errors';
import { readCorpusBytes } from './read';

describe('readCorpusBytes', () => {
  it('gunzips .tsv.gz (or takes it as text when a server already gunzipped it) and reads plain .tsv bytes alike; bad gzip and bad UTF-8 throw CorpusFormatError', async () => {
    const text = 'en\tde\nGood morning to you.\tGuten Morgen.\nbroken line\n';
    const plain = await readCorpusBytes('c.tsv', new TextEncoder().encode(text));
    const gz = await readCorpusBytes('c.tsv.gz', new Uint8Array(gzipSync(text)));
    expect(gz).toEqual({ ...plain, problems: plain.problems.map((p) => ({ ...p, file: 'c.tsv.gz' })) });
    expect(gz.problems[0].line).toBe(3);
    // A server that sends a .gz file with Content-Encoding: gzip hands fetch the text already gunzipped.
    expect(await readCorpusBytes('c.tsv.gz', new TextEncoder().encode(text))).toEqual(gz);
    // ...also when the first 512 bytes end inside a character.
    const long = `en\tzh\na${'早上好。\t'.repeat(40)}x\n`; // byte 512 falls inside a character
    expect((await readCorpusBytes('l.tsv.gz', new TextEncoder().encode(long))).corpus.languages).toEqual(['en', 'zh']);
    // Neither gzip nor text: a broken download.
    await expect(readCorpusBytes('c.tsv.gz', new Uint8Array([0x1f, 0x8b, 0x08, 0x00, 0x01, 0x02]))).rejects.toThrow(/not a valid gzip file/);
    await expect(readCorpusBytes('c.tsv.gz', new Uint8Array([0x00, 0x01, 0x02, 0xfe, 0x03]))).rejects.toThrow(CorpusFormatError);
    await expect(readCorpusBytes('c.tsv', new Uint8Array([0x65, 0x6e, 0xff]))).rejects.toThrow(/not UTF-8/);
  });
});
