import { MessageChannel } from 'node:worker_threads';
import { afterAll, describe, expect, it } from 'vitest';
import { WebGpuUnavailableError } from '../errors';
import { nodeGpu } from '../gpu/node-gpu';
import { WorkerEngine, type WorkerLike } from './client';
import { Engine, type EngineEvent } from './engine';
import { handleCall } from './handler';
import type { CallMessage } from './protocol';

/** Wires a WorkerEngine to an Engine through a real MessageChannel (structured clone included). */
function connect(engine: Engine): { client: WorkerEngine; close(): void } {
  const { port1, port2 } = new MessageChannel();
  engine.onEvent((event) => port2.postMessage({ kind: 'event', event }));
  port2.on('message', (msg: CallMessage) => void handleCall(engine, msg, (reply) => port2.postMessage(reply)));
  const worker: WorkerLike = {
    postMessage: (m) => port1.postMessage(m),
    addEventListener: (type: string, l: (e: never) => void) => {
      if (type === 'message') port1.on('message', (data) => (l as (e: { data: unknown }) => void)({ data }));
    },
  };
  return { client: new WorkerEngine(worker), close: () => (port1.close(), port2.close()) };
}

const engines: Engine[] = [];
const closers: (() => void)[] = [];
afterAll(() => {
  closers.forEach((c) => c());
  engines.forEach((e) => e.dispose());
});

describe('engine over the worker protocol', () => {
  it('initialises, self-tests the f32 and q4 kernels against the CPU, and streams progress', async () => {
    const engine = new Engine(() => nodeGpu());
    engines.push(engine);
    const { client, close } = connect(engine);
    closers.push(close);
    const events: EngineEvent[] = [];
    client.onEvent((e) => events.push(e));

    const report = await client.init();
    expect(report.limits.maxBufferSize).toBeGreaterThan(0);

    const result = await client.selfTest();
    console.table(result.checks);
    expect(result.checks.map((c) => c.name)).toEqual(['f32 256x256x256', 'q4 256x256x256', 'q4 1x256x256 (decode)']);
    for (const c of result.checks) {
      expect(c.maxRelError).toBeLessThanOrEqual(c.tolerance);
      expect(c.gflops).toBeGreaterThan(0);
    }
    expect(result.passed).toBe(true);
    const progress = events.filter((e) => e.kind === 'progress');
    expect(progress.map((e) => e.kind === 'progress' && e.done)).toEqual([0, 1, 2, 3]);

    const stats = await client.poolStats();
    expect(stats.liveBytes).toBe(0); // the self-test released everything it allocated
    expect(stats.peakBytes).toBeGreaterThan(256 * 256 * 4);
  });

  it('rebuilds WebGpuUnavailableError on the client when there is no WebGPU', async () => {
    const { client, close } = connect(new Engine(() => undefined));
    closers.push(close);
    const err = await client.init().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WebGpuUnavailableError);
    expect((err as Error).message).toMatch(/--enable-unsafe-webgpu/);
  });

  it('rejects an unknown method with an error, not silence', async () => {
    const replies: unknown[] = [];
    await handleCall(new Engine(() => undefined), { kind: 'call', id: 7, method: 'format' as never, args: [] as never }, (r) => replies.push(r));
    expect(replies).toEqual([{ kind: 'throw', id: 7, error: expect.objectContaining({ message: expect.stringMatching(/Unknown engine request/) }) }]);
  });
});
