// Runs a range of fuzz cases in a child process (src/fuzz/child.ts, or any script that speaks its
// protocol) under a watchdog, so that neither a synchronous infinite loop nor a process killed by
// V8's heap limit can stop the run. The case running is always the one after the last result:
//   - no result within the time limit (+ a grace for the message) -> the child is killed (SIGKILL),
//     the case is a 'hang' failure, and a fresh child resumes at the next case;
//   - the child exits before its 'end' (V8 out of memory aborts it) -> a 'crash' failure with the
//     exit code and the last lines of its stderr, and a fresh child resumes at the next case.
// Children run with --max-old-space-size=heapMiB, so an over-cap heap fails loudly.

import { fork } from 'node:child_process';
import type { ChildJob, ChildMessage } from './child';
import type { CaseResult } from './run-case';

export interface SuperviseOptions {
  /** The child script and the node flags it needs (the tsx loader, for a .ts script). */
  script: string;
  execArgv: string[];
  /** V8 old-space limit of each child, MiB. */
  heapMiB: number;
  /** Extra time a case may run before the watchdog kills it, for the result's trip over IPC. */
  graceMs?: number;
  /** Time allowed for a child to start and build its seeds. */
  startMs?: number;
  onReady?: (m: Extract<ChildMessage, { type: 'ready' }>) => void;
}

function failed(index: number, failure: 'hang' | 'crash', detail: string, ms: number): CaseResult {
  return { index, seed: '?', what: '(see the reproduction command)', outcome: { kind: 'failure', failure, detail }, ms, peakBytes: 0, heldBytes: 0 };
}

/** Runs cases [job.from, job.to), calling `onResult` once per case in order (restarting children as needed). */
export async function supervise(job: ChildJob, opts: SuperviseOptions, onResult: (r: CaseResult) => void): Promise<void> {
  let next = job.from;
  while (next < job.to) {
    next = await new Promise<number>((resolve, reject) => {
      const child = fork(opts.script, [JSON.stringify({ ...job, from: next })], {
        execArgv: [...opts.execArgv, `--max-old-space-size=${opts.heapMiB}`],
        stdio: ['ignore', 'inherit', 'pipe', 'ipc'],
      });
      let running = next;
      let since = performance.now();
      let deadline = opts.startMs ?? 120_000;
      let done = false;
      let ready = false;
      let stderr = '';
      child.stderr!.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
      const finish = (resume: number) => {
        if (done) return;
        done = true;
        clearInterval(timer);
        resolve(resume);
      };
      // A child that cannot start is a broken fuzzer, not a finding: stop the run.
      const fail = (message: string) => {
        done = true;
        clearInterval(timer);
        reject(new Error(message));
      };
      const timer = setInterval(() => {
        const ms = performance.now() - since;
        if (ms <= deadline) return;
        child.kill('SIGKILL');
        if (!ready) return fail(`the fuzz child for ${job.format} did not start within ${deadline} ms`);
        onResult(failed(running, 'hang', `no result after ${ms.toFixed(0)} ms: killed by the watchdog`, ms));
        finish(running + 1);
      }, 50);
      child.on('message', (m: ChildMessage) => {
        if (m.type === 'ready') {
          ready = true;
          opts.onReady?.(m);
        }
        else if (m.type === 'result') {
          onResult(m.result);
          running = m.result.index + 1;
        } else if (m.type === 'end') {
          running = job.to;
          finish(job.to);
          return;
        }
        since = performance.now();
        deadline = job.timeMs + (opts.graceMs ?? 500);
      });
      child.on('exit', (code, signal) => {
        if (done) return;
        if (!ready) return fail(`the fuzz child for ${job.format} exited (${code ?? signal}) before it was ready: ${stderr.slice(-2000)}`);
        const last = stderr.trim().split('\n').filter(Boolean).slice(-3).join(' | ');
        onResult(failed(running, 'crash', `the process died (exit ${code ?? signal}) in this case: ${last.slice(0, 400)}`, performance.now() - since));
        finish(running + 1);
      });
    });
  }
}
