// How a fuzz case ended. Allowed: the loader returned a self-consistent result ('loaded'), or it
// threw one of our typed errors ('typed', by class name: ModelFormatError, UnsupportedModelError,
// CorpusFormatError, ...). Everything else is a failure: an uncaught TypeError/RangeError/plain
// Error, a result that does not hold together, a case over the time limit, one killed by the
// watchdog, or one past the memory cap.

import { AlignScopeError } from '../errors';

export type FailureKind = 'untyped-error' | 'inconsistent' | 'slow' | 'hang' | 'memory' | 'crash';

export type Outcome =
  | { kind: 'loaded' }
  | { kind: 'typed'; name: string; message: string }
  | { kind: 'failure'; failure: FailureKind; detail: string };

/** A thrown value as an outcome: typed when it is an AlignScopeError (its literal name), else a failure with the top of its stack. */
export function classifyError(e: unknown): Outcome {
  if (e instanceof AlignScopeError) return { kind: 'typed', name: e.name, message: e.message.slice(0, 500) };
  if (e instanceof Error) {
    const frames = (e.stack ?? '').split('\n').filter((l) => l.trim().startsWith('at ')).slice(0, 3).map((l) => l.trim());
    return { kind: 'failure', failure: 'untyped-error', detail: `${e.name}: ${e.message.slice(0, 300)} ${frames.join(' | ')}` };
  }
  return { kind: 'failure', failure: 'untyped-error', detail: `threw a non-Error: ${String(e).slice(0, 200)}` };
}

/** The tally key of an outcome: 'loaded', the error class, or 'FAIL <kind>'. */
export function outcomeKey(o: Outcome): string {
  return o.kind === 'loaded' ? 'loaded' : o.kind === 'typed' ? o.name : `FAIL ${o.failure}`;
}
