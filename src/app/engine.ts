// The app's one engine: a WorkerEngine on a module worker, so GPU work never runs on the UI thread.

import { WorkerEngine } from '../worker/client';

export const engine = new WorkerEngine(new Worker(new URL('../worker/engine.worker.ts', import.meta.url), { type: 'module', name: 'alignscope-engine' }));
