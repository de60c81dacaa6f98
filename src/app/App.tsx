// The app shell: header, then the panels. Before the engine answers it shows a starting state;
// without WebGPU it shows the page that says how to get it. On start it loads the embedded default
// model (f32, so the workshop preset can fine-tune every weight) and opens Inspect on it, which
// analyses the base model at once; `?model=none` starts empty (tests of other models use it).

import { lazy, Suspense, useEffect, useRef, useState } from 'react';
import { useGpuStore } from '../store/gpu';
import { useModelStore } from '../store/model';
import { GpuPanel } from '../ui/GpuPanel';
import { ModelPanel } from '../ui/ModelPanel';
import { NoWebGpu } from '../ui/NoWebGpu';
import { useInspectStore } from '../store/inspect';
import { engine } from './engine';

/** The model the app ships and opens on (public/models/alignscope-tiny, built by `npm run build:model`). */
export const DEFAULT_MODEL_URL = '/models/alignscope-tiny/';
const autoload = new URLSearchParams(location.search).get('model') !== 'none';

// Loaded with the first model (it brings the charting library), not with the page.
const TrainPanel = lazy(() => import('../ui/TrainPanel').then((m) => ({ default: m.TrainPanel })));
const InspectPanel = lazy(() => import('../ui/InspectPanel').then((m) => ({ default: m.InspectPanel })));
const TranslatePanel = lazy(() => import('../ui/TranslatePanel').then((m) => ({ default: m.TranslatePanel })));

type Tab = 'model' | 'inspect' | 'train' | 'translate' | 'gpu';
const TAB_TITLES: Record<Tab, string> = { model: 'Model', inspect: 'Inspect', train: 'Train', translate: 'Translate', gpu: 'GPU' };
/** The panels that need a loaded model, in tab order. */
const MODEL_PANELS = [
  { tab: 'inspect', Panel: InspectPanel },
  { tab: 'train', Panel: TrainPanel },
  { tab: 'translate', Panel: TranslatePanel },
] as const;

export function App() {
  const status = useGpuStore((s) => s.status);
  const error = useGpuStore((s) => s.error);
  const start = useGpuStore((s) => s.start);
  const info = useModelStore((s) => s.info);
  const [tab, setTab] = useState<Tab>('model');
  useEffect(() => {
    void start(engine);
  }, [start]);
  const loaded = useRef(false);
  useEffect(() => {
    if (status !== 'ready' || !autoload || loaded.current) return;
    loaded.current = true;
    const models = useModelStore.getState();
    models.connect(engine);
    void models.load(engine, { kind: 'url', url: DEFAULT_MODEL_URL }, 'f32').then(() => {
      if (!useModelStore.getState().info) return; // the Model panel shows the error
      useInspectStore.getState().requestAutoAnalyze();
      setTab('inspect');
    });
  }, [status]);

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
              {(info ? (['model', 'inspect', 'train', 'translate', 'gpu'] as const) : (['model', 'gpu'] as const)).map((t) => (
                <button key={t} role="tab" aria-selected={tab === t} onClick={() => setTab(t)}>
                  {TAB_TITLES[t]}
                </button>
              ))}
            </nav>
            {/* Panels stay mounted so their state survives switching tabs. */}
            <div hidden={tab !== 'model'}>
              <ModelPanel engine={engine} />
            </div>
            {info &&
              MODEL_PANELS.map(({ tab: t, Panel }) => (
                <div key={t} hidden={tab !== t}>
                  <Suspense fallback={<p className="status">Loading the {TAB_TITLES[t]} panel…</p>}>
                    <Panel engine={engine} info={info} />
                  </Suspense>
                </div>
              ))}
            <div hidden={tab !== 'gpu'}>
              <GpuPanel engine={engine} />
            </div>
          </>
        )}
      </main>
    </div>
  );
}
