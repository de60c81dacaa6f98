// ?bench=kernels: the kernel benchmark in this browser; the JSON result is shown and kept on
// window.__benchResult for scripts (npm run bench:kernels drives it in headless Chromium).

import { useEffect, useRef, useState } from 'react';
import type { EngineApi, EngineEvent } from '../worker/engine';
import type { KernelBenchOptions, KernelBenchResult } from '../worker/bench-kernels';

type Engine = EngineApi & { onEvent(l: (e: EngineEvent) => void): unknown };

export function BenchPage({ engine, opts }: { engine: Engine; opts: KernelBenchOptions }) {
  const [progress, setProgress] = useState('starting…');
  const [result, setResult] = useState<KernelBenchResult | null>(null);
  const [error, setError] = useState<string | null>(null);
  const started = useRef(false);
  useEffect(() => {
    if (started.current) return; // StrictMode mounts effects twice in development
    started.current = true;
    engine.onEvent((e) => e.kind === 'progress' && setProgress(`${e.label} (${e.done}/${e.total})`));
    engine
      .benchKernels(opts)
      .then((r) => {
        (window as { __benchResult?: unknown }).__benchResult = r;
        setResult(r);
      })
      .catch((e: Error) => {
        (window as { __benchResult?: unknown }).__benchResult = { error: `${e.name}: ${e.message}` };
        setError(`${e.name}: ${e.message}`);
      });
  }, [engine, opts]);
  return (
    <main className="bench">
      <h1>Kernel benchmark</h1>
      {!result && !error && <p role="status">Running: {progress}</p>}
      {error && <p className="error">{error}</p>}
      {result && (
        <table className="results">
          <thead>
            <tr>
              <th>Kernel</th>
              <th>ms</th>
              <th>GFLOP/s</th>
            </tr>
          </thead>
          <tbody>
            {result.rows.map((r) => (
              <tr key={r.name}>
                <td>{r.name}</td>
                <td>{r.ms.toFixed(3)}</td>
                <td>{r.gflops.toFixed(2)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {result && <pre id="bench-json">{JSON.stringify(result, null, 2)}</pre>}
    </main>
  );
}
