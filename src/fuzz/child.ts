// A fuzz worker process: runs cases [from, to) of one format and reports each result to the
// supervisor over the IPC channel, waiting for each message to be written before the next case, so
// the supervisor always knows which case is running (the one after the last result) when this
// process hangs or dies. Started by src/fuzz/supervisor.ts with the job as JSON in argv[2].

import { loadFormat, type FormatName } from './formats';
import { PeakMeter } from './memory';
import { runCase, type CaseLimits } from './run-case';

export interface ChildJob extends CaseLimits {
  format: FormatName;
  seed: number;
  from: number;
  to: number;
}

export type ChildMessage =
  | { type: 'ready'; meter: PeakMeter['method']; heapUsed: number }
  | { type: 'result'; result: Awaited<ReturnType<typeof runCase>> }
  | { type: 'end' };

const send = (m: ChildMessage) => new Promise<void>((resolve, reject) => process.send!(m, undefined, {}, (e) => (e ? reject(e) : resolve())));

async function main(job: ChildJob): Promise<void> {
  const format = await loadFormat(job.format);
  const meter = new PeakMeter();
  // Warm-up: load each seed once, so lazy imports (@huggingface/gguf) and JIT are not charged to case `from`.
  for (let i = 0; i < format.seedCount; i++) await runCase(format, job.seed, i, job, meter);
  await send({ type: 'ready', meter: meter.method, heapUsed: process.memoryUsage().heapUsed });
  for (let i = job.from; i < job.to; i++) await send({ type: 'result', result: await runCase(format, job.seed, i, job, meter) });
  await send({ type: 'end' });
  process.disconnect();
}

main(JSON.parse(process.argv[2]) as ChildJob).catch((e) => {
  console.error(e);
  process.exit(2);
});
