// The loop every pool thread runs (plain JavaScript: Node's worker_threads load it without a build step).
// It instantiates the kernels on the shared memory, then waits for jobs on the control block
// (layout in pool.ts): a job is "call kernel `index` with these int arguments plus (tid, nthreads)".

/** Loads of the generation word before sleeping in Atomics.wait: back-to-back kernels skip the wake-up. */
const SPIN = 20000;

/**
 * @typedef {{ module: WebAssembly.Module, memory: WebAssembly.Memory, control: SharedArrayBuffer, kernels: string[], tid: number, nthreads: number }} PoolThreadInit
 */

/**
 * Runs jobs until the quit job (kernel index -1); `ready` is called once the instance exists.
 * @param {PoolThreadInit} init
 * @param {() => void} ready
 */
export function serve(init, ready) {
  const instance = new WebAssembly.Instance(init.module, { env: { memory: init.memory } });
  const kernels = init.kernels.map((name) => /** @type {(...args: number[]) => void} */ (instance.exports[name]));
  const ctl = new Int32Array(init.control);
  let seen = Atomics.load(ctl, 0);
  ready();
  for (;;) {
    let generation = Atomics.load(ctl, 0);
    for (let i = 0; generation === seen; i++) {
      if (i >= SPIN) Atomics.wait(ctl, 0, seen);
      generation = Atomics.load(ctl, 0);
    }
    seen = generation;
    const index = ctl[2];
    if (index < 0) return;
    try {
      kernels[index](...ctl.subarray(5, 5 + ctl[3]), init.tid, init.nthreads);
    } catch {
      Atomics.store(ctl, 4, 1);
    }
    if (Atomics.add(ctl, 1, 1) === init.nthreads - 2) Atomics.notify(ctl, 1);
  }
}
