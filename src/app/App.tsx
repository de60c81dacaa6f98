// The app shell: header, then the panels that work today. Before the engine answers it shows a
// starting state; without WebGPU it shows the page that says how to get it.

import { lazy, Suspense, useEffect, useState } from 'react';
import { useGpuStore } from '../store/gpu';
import { useModelStore } from '../store/model';
import { GpuPanel } from '../ui/GpuPanel';
import { ModelPanel } from '../ui/ModelPanel';
import { NoWebGpu } from '../ui/NoWebGpu';
import { engine } from './engine';

// Loaded with the first model (it brings the charting library), not with the page.
const TrainPanel = lazy(() => import('../ui/TrainPanel').then((m) => ({ default: m.TrainPanel })));
const InspectPanel = lazy(() => import('../ui/InspectPanel').then((m) => ({ default: m.InspectPanel })));

type Tab = 'model' | 'inspect' | 'train' | 'gpu';
const TAB_TITLES: Record<Tab, string> = { model: 'Model', inspect: 'Inspect', train: 'Train', gpu: 'GPU' };

export function App() {
  const status = useGpuStore((s) => s.status);
  const error = useGpuStore((s) => s.error);
  const start = useGpuStore((s) => s.start);
  const info = useModelStore((s) => s.info);
  const [tab, setTab] = useState<Tab>('model');
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
              {/* Inspect and Train need a loaded model, so their tabs appear with the first one. */}
              {(info ? (['model', 'inspect', 'train', 'gpu'] as const) : (['model', 'gpu'] as const)).map((t) => (
                <button key={t} role="tab" aria-selected={tab === t} onClick={() => setTab(t)}>
                  {TAB_TITLES[t]}
                </button>
              ))}
            </nav>
            {/* Panels stay mounted so their state survives switching tabs. */}
            <div hidden={tab !== 'model'}>
              <ModelPanel engine={engine} />
            </div>
            {info && (
              <div hidden={tab !== 'inspect'}>
                <Suspense fallback={<p className="status">Loading the Inspect panel…</p>}>
                  <InspectPanel engine={engine} info={info} />
                </Suspense>
              </div>
            )}
            {info && (
              <div hidden={tab !== 'train'}>
                <Suspense fallback={<p className="status">Loading the Train panel…</p>}>
                  <TrainPanel engine={engine} info={info} />
                </Suspense>
              </div>
            )}
            <div hidden={tab !== 'gpu'}>
              <GpuPanel engine={engine} />
            </div>
          </>
        )}
      </main>
    </div>
  );
}
