// ?bench=kernels | ?bench=model: a benchmark in this browser; the JSON result is shown and kept on
// window.__benchResult for scripts (npm run bench drives it in headless Chromium).

import { useEffect, useRef, useState } from 'react';
import type { EngineApi, EngineEvent } from '../worker/engine';

type Engine = EngineApi & { onEvent(l: (e: EngineEvent) => void): unknown };

export function BenchPage({ engine, title, run }: { engine: Engine; title: string; run: () => Promise<unknown> }) {
  const [progress, setProgress] = useState('starting…');
  const [result, setResult] = useState<unknown>(null);
  const [error, setError] = useState<string | null>(null);
  const started = useRef(false);
  useEffect(() => {
    if (started.current) return; // StrictMode mounts effects twice in development
    started.current = true;
    engine.onEvent((e) => e.kind === 'progress' && setProgress(`${e.label} (${e.done}/${e.total})`));
    run()
      .then((r) => {
        (window as { __benchResult?: unknown }).__benchResult = r;
        setResult(r);
      })
      .catch((e: Error) => {
        (window as { __benchResult?: unknown }).__benchResult = { error: `${e.name}: ${e.message}` };
        setError(`${e.name}: ${e.message}`);
      });
  }, [engine, run]);
  return (
    <main className="bench">
      <h1>{title}</h1>
      {!result && !error && <p role="status">Running: {progress}</p>}
      {error && <p className="error">{error}</p>}
      {result !== null && <pre id="bench-json">{JSON.stringify(result, null, 2)}</pre>}
    </main>
  );
}
