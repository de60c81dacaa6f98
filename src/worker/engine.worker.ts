// Entry of the engine worker: one Engine on navigator.gpu, driven by messages from client.ts.

import { Engine } from './engine';
import { handleCall } from './handler';
import type { CallMessage, ReplyMessage } from './protocol';

const scope = self as unknown as { navigator: { gpu?: GPU }; postMessage(m: ReplyMessage): void; onmessage: ((e: MessageEvent<CallMessage>) => void) | null };
const engine = new Engine(() => scope.navigator.gpu);
engine.onEvent((event) => scope.postMessage({ kind: 'event', event }));
scope.onmessage = (e) => void handleCall(engine, e.data, (reply) => scope.postMessage(reply));
