// The app shell: header, then the panels that work today. Before the engine answers it shows a
// starting state; without WebGPU it shows the page that says how to get it.

import { useEffect, useState } from 'react';
import { useGpuStore } from '../store/gpu';
import { GpuPanel } from '../ui/GpuPanel';
import { ModelPanel } from '../ui/ModelPanel';
import { NoWebGpu } from '../ui/NoWebGpu';
import { engine } from './engine';

export function App() {
  const status = useGpuStore((s) => s.status);
  const error = useGpuStore((s) => s.error);
  const start = useGpuStore((s) => s.start);
  const [tab, setTab] = useState<'model' | 'gpu'>('model');
  useEffect(() => {
    void start(engine);
  }, [start]);

  if (status === 'unavailable') return <NoWebGpu reason={error?.message ?? 'no adapter'} />;
  return (
    <div className="app">
      <header className="top">
        <h1>AlignScope</h1>
        <p className="tagline">How languages line up inside a language model — on your GPU, in the page.</p>
      </header>
      <main>
        {status === 'starting' && (
          <p className="status" role="status">
            Connecting to the GPU…
          </p>
        )}
        {status === 'error' && (
          <p className="error" role="alert">
            The engine failed to start: {error?.name}: {error?.message}
          </p>
        )}
        {status === 'ready' && (
          <>
            <nav className="tabs" role="tablist">
              {(['model', 'gpu'] as const).map((t) => (
                <button key={t} role="tab" aria-selected={tab === t} onClick={() => setTab(t)}>
                  {t === 'model' ? 'Model' : 'GPU'}
                </button>
              ))}
            </nav>
            {/* Panels stay mounted so their state survives switching tabs. */}
            <div hidden={tab !== 'model'}>
              <ModelPanel engine={engine} />
            </div>
            <div hidden={tab !== 'gpu'}>
              <GpuPanel engine={engine} />
            </div>
          </>
        )}
      </main>
    </div>
  );
}
