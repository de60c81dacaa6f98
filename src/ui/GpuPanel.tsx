// The GPU panel: what the adapter is and can do, a self-test of our kernels on it, and a parity
// check of the whole decoder against onnxruntime-web.

import { useGpuStore } from '../store/gpu';
import type { EngineApi } from '../worker/engine';
import { AdapterReportView } from './AdapterReportView';
import { ParityView } from './ParityView';
import { SelfTestView } from './SelfTestView';

export function GpuPanel({ engine }: { engine: EngineApi }) {
  const report = useGpuStore((s) => s.report);
  const selfTest = useGpuStore((s) => s.selfTest);
  const deviceLost = useGpuStore((s) => s.deviceLost);
  const runSelfTest = useGpuStore((s) => s.runSelfTest);
  if (!report) return null;
  return (
    <section className="panel" aria-labelledby="gpu-title">
      <h2 id="gpu-title">GPU</h2>
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
