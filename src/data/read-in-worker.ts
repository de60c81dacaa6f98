// The page's way to read a shipped corpus: in a short-lived worker (corpus.worker.ts), so fetching,
// gunzipping and parsing never block the UI thread; typed errors (CorpusFormatError with file and
// line) come back rebuilt.

import { deserializeError, type SerializedError } from '../errors';
import type { ReadReport } from './corpus';
import { fromColumns, type CorpusColumns } from './corpus-columns';

type Reply = { ok: true; columns: CorpusColumns } | { ok: false; error: SerializedError };

/** Tuples rebuilt between yields to the event loop. */
const SLICE = 2000;

export function readCorpusUrlInWorker(url: string): Promise<ReadReport> {
  const worker = new Worker(new URL('./corpus.worker.ts', import.meta.url), { type: 'module', name: 'alignscope-corpus' });
  return new Promise<ReadReport>((resolve, reject) => {
    worker.onmessage = (e: MessageEvent<Reply>) => (e.data.ok ? resolve(fromColumns(e.data.columns, SLICE)) : reject(deserializeError(e.data.error)));
    worker.onerror = (e) => reject(new Error(`The corpus reader stopped: ${e.message || 'unknown error'}.`));
    worker.postMessage({ url: new URL(url, location.href).toString() });
  }).finally(() => worker.terminate());
}
