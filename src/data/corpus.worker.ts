// Reads a corpus file off the UI thread: fetch, gunzip, decode and parse (about a second of work for
// the software corpus's 26k tuples), then posts it back as columns (corpus-columns.ts).

import { serializeError } from '../errors';
import { toColumns } from './corpus-columns';
import { readCorpusBytes } from './read';

const scope = self as unknown as { postMessage(m: unknown): void; onmessage: ((e: MessageEvent<{ url: string }>) => void) | null };

scope.onmessage = async (e) => {
  const { url } = e.data;
  try {
    const res = await fetch(url);
    if (!res.ok) throw new Error(`Could not fetch ${url}: HTTP ${res.status}.`);
    scope.postMessage({ ok: true, columns: toColumns(await readCorpusBytes(url, new Uint8Array(await res.arrayBuffer()))) });
  } catch (err) {
    scope.postMessage({ ok: false, error: serializeError(err) });
  }
};
