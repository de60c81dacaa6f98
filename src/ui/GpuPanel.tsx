// The GPU panel: where models run (WebGPU or the CPU route), what the adapter is and can do, a
// self-test of our kernels on it, and a parity check of the whole decoder against onnxruntime-web.

import { useGpuStore } from '../store/gpu';
import type { EngineApi, EngineEvent } from '../worker/engine';
import { AdapterReportView } from './AdapterReportView';
import { BackendChoice } from './BackendChoice';
import { ParityView } from './ParityView';
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
          <SelfTestView state={selfTest} onRun={() => void runSelfTest(engine)} />
          <ParityView engine={engine} />
        </div>
      </div>
    </section>
  );
}
