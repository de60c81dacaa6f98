// Messages between the UI thread and the engine worker, a discriminated union on `kind`.
//   UI -> worker:  call     { id, method, args }
//   worker -> UI:  return   { id, value }
//                  throw    { id, error: { name, message, data } }   rebuilt as the typed error
//                  event    { event }                                progress, device loss

import type { SerializedError } from '../errors';
import type { EngineApi, EngineEvent } from './engine';

export type Method = keyof EngineApi;

export type CallMessage<M extends Method = Method> = { kind: 'call'; id: number; method: M; args: Parameters<EngineApi[M]> };

export type ReplyMessage =
  | { kind: 'return'; id: number; value: unknown }
  | { kind: 'throw'; id: number; error: SerializedError }
  | { kind: 'event'; event: EngineEvent };
