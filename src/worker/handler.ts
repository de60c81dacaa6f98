// The worker side of the RPC on plain objects: takes a call, runs it on an EngineApi, posts the
// reply. No Worker is needed, so tests drive it directly.

import { serializeError } from '../errors';
import { ENGINE_METHODS, type EngineApi } from './engine';
import type { CallMessage, ReplyMessage } from './protocol';

export async function handleCall(engine: EngineApi, msg: CallMessage, post: (reply: ReplyMessage) => void): Promise<void> {
  try {
    if (msg.kind !== 'call' || !(ENGINE_METHODS as readonly string[]).includes(msg.method)) {
      throw new Error(`Unknown engine request ${JSON.stringify({ kind: msg.kind, method: msg.method })}`);
    }
    const fn = engine[msg.method] as (...args: unknown[]) => Promise<unknown>;
    const value = await fn.apply(engine, msg.args as unknown[]);
    post({ kind: 'return', id: msg.id, value });
  } catch (e) {
    post({ kind: 'throw', id: msg.id, error: serializeError(e) });
  }
}
