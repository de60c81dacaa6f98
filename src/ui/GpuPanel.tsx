// The GPU panel: where models run (WebGPU or the CPU route), what the adapter is and can do, a
// self-test of our kernels on it, the kernel variants the autotuner chose, a parity check of the whole decoder against onnxruntime-web, and
// the buffer pool's memory (live and peak since the device was created), read on demand.

import { useState } from 'react';
import { formatBytes } from '../gpu/adapter-report';
import type { PoolStats } from '../gpu/buffer-pool';
import { useGpuStore } from '../store/gpu';
import type { EngineApi, EngineEvent } from '../worker/engine';
import { AdapterReportView } from './AdapterReportView';
import { BackendChoice } from './BackendChoice';
import { ParityView } from './ParityView';
import { KernelTuningView } from './KernelTuningView';
import { SelfTestView } from './SelfTestView';

export function GpuPanel({ engine }: { engine: EngineApi & { onEvent(l: (e: EngineEvent) => void): unknown } }) {
  const report = useGpuStore((s) => s.report);
  const selfTest = useGpuStore((s) => s.selfTest);
  const deviceLost = useGpuStore((s) => s.deviceLost);
  const runSelfTest = useGpuStore((s) => s.runSelfTest);
  const starting = useGpuStore((s) => s.status === 'starting');
  if (!report) {
    return (
      <section className="panel" aria-labelledby="gpu-title">
        <h2 id="gpu-title">GPU</h2>
        <p className="hint">{starting ? 'Asking the browser for a WebGPU adapter…' : 'This browser gives no WebGPU adapter: models run on the CPU route.'}</p>
        <BackendChoice engine={engine} />
      </section>
    );
  }
  return (
    <section className="panel" aria-labelledby="gpu-title">
      <h2 id="gpu-title">GPU</h2>
      <BackendChoice engine={engine} />
      {deviceLost && (
        <p className="warning" role="alert">
          The GPU device was lost ({deviceLost}). The next action acquires a new one.
        </p>
      )}
      <div className="grid">
        <section className="card">
          <h3>Adapter</h3>
          <AdapterReportView report={report} />
        </section>
        <div className="stack">
          <PoolStatsView engine={engine} />
          <KernelTuningView engine={engine} />
          <SelfTestView state={selfTest} onRun={() => void runSelfTest(engine)} />
          <ParityView engine={engine} />
        </div>
      </div>
    </section>
  );
}

/** GPU memory taken through the pool: live now and the peak so far (what the full-size tier asserts on). */
function PoolStatsView({ engine }: { engine: Pick<EngineApi, 'poolStats'> }) {
  const [stats, setStats] = useState<PoolStats | null>(null);
  const [error, setError] = useState<string | null>(null);
  const refresh = () =>
    void engine.poolStats().then(
      (s) => (setStats(s), setError(null)),
      (e: Error) => setError(`${e.name}: ${e.message}`),
    );
  return (
    <section className="card" aria-labelledby="pool-title">
      <h3 id="pool-title">GPU memory</h3>
      {stats && (
        <p data-testid="pool-stats" data-live-bytes={stats.liveBytes} data-peak-bytes={stats.peakBytes}>
          {formatBytes(stats.liveBytes)} in use, peak {formatBytes(stats.peakBytes)} ({formatBytes(stats.idleBytes)} idle in the pool)
        </p>
      )}
      {error && <p className="error">{error}</p>}
      <button type="button" className="secondary" onClick={refresh}>
        {stats ? 'Refresh' : 'Show GPU memory'}
      </button>
    </section>
  );
}
