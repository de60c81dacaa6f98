// The app shell: header, then the panels. Before the engine answers it shows a starting state;
// without WebGPU a banner says so and the app runs on the CPU route; a line under the title says
// where the loaded model runs, why, and how fast one forward went. On start it opens the embedded default
// model (store/default-model.ts): Inspect opens at once on the base analysis shipped beside the model
// while the weights load. A tab the user picks is never switched away from. `?model=none` starts
// empty (tests of other models use it); the Model panel can still load the default model.

import { lazy, Suspense, useEffect, useRef, useState } from 'react';
import { useEngineBusy } from '../store/busy';
import { DEFAULT_MODEL_URL, openDefaultModel } from '../store/default-model';
import { useGpuStore } from '../store/gpu';
import { SPEED_TOKENS, useModelStore } from '../store/model';
import { GpuPanel } from '../ui/GpuPanel';
import { ModelPanel } from '../ui/ModelPanel';
import { NoWebGpu } from '../ui/NoWebGpu';
import { useInspectStore } from '../store/inspect';
import { engine } from './engine';

const autoload = new URLSearchParams(location.search).get('model') !== 'none';

// Loaded with the first model (it brings the charting library), not with the page.
const TrainPanel = lazy(() => import('../ui/TrainPanel').then((m) => ({ default: m.TrainPanel })));
const loadInspectPanel = () => import('../ui/InspectPanel').then((m) => ({ default: m.InspectPanel }));
const InspectPanel = lazy(loadInspectPanel);
const TranslatePanel = lazy(() => import('../ui/TranslatePanel').then((m) => ({ default: m.TranslatePanel })));

type Tab = 'model' | 'inspect' | 'train' | 'translate' | 'gpu';
const TAB_TITLES: Record<Tab, string> = { model: 'Model', inspect: 'Inspect', train: 'Train', translate: 'Translate', gpu: 'GPU' };
/** The panels that need a loaded model, in tab order (Inspect can also show a shipped analysis without one). */
const MODEL_PANELS = [
  { tab: 'train', Panel: TrainPanel },
  { tab: 'translate', Panel: TranslatePanel },
] as const;

export function App() {
  const status = useGpuStore((s) => s.status);
  const error = useGpuStore((s) => s.error);
  const start = useGpuStore((s) => s.start);
  const info = useModelStore((s) => s.info);
  const speed = useModelStore((s) => s.speed);
  // No adapter is no reason to stop: the engine runs models on the CPU route.
  const usable = status === 'ready' || status === 'unavailable';
  // Inspect can show a shipped analysis before its model has loaded.
  const analysisShown = useInspectStore((s) => s.result !== null);
  const busy = useEngineBusy();
  const [tab, setTab] = useState<Tab>('model');
  const picked = useRef(false);
  const pick = (t: Tab) => {
    picked.current = true;
    setTab(t);
  };
  useEffect(() => {
    void start(engine);
    if (!autoload) return;
    // While the engine starts: fetch the shipped analysis and the Inspect panel's code, so the first chart is drawn as soon as the engine answers.
    void useInspectStore.getState().loadShipped(DEFAULT_MODEL_URL);
    void loadInspectPanel();
  }, [start]);
  const loaded = useRef(false);
  useEffect(() => {
    if (!usable || !autoload || loaded.current) return;
    loaded.current = true;
    void openDefaultModel(engine);
  }, [status]);
  // The first analysis to appear opens Inspect, unless the user has already chosen a tab.
  useEffect(() => {
    if (analysisShown && !picked.current) setTab('inspect');
  }, [analysisShown]);
  const tabs: readonly Tab[] = info ? ['model', 'inspect', 'train', 'translate', 'gpu'] : analysisShown ? ['model', 'inspect', 'gpu'] : ['model', 'gpu'];

  return (
    <div className="app">
      <header className="top">
        <h1>AlignScope</h1>
        <p className="tagline">How languages line up inside a language model — on your GPU, in the page.</p>
        {info && (
          <p className="backend-line" data-testid="backend-line" data-backend={info.backend}>
            {info.backendNote}
            {speed !== null && ` · ${speed >= 100 ? speed.toFixed(0) : speed.toFixed(1)} tokens/s (one forward of ${SPEED_TOKENS} tokens)`}
          </p>
        )}
        {busy && (
          <p className="engine-busy" role="status" data-testid="engine-busy">
            Engine: {busy}. Other requests wait their turn.
          </p>
        )}
      </header>
      <main>
        {status === 'unavailable' && <NoWebGpu reason={error?.message ?? 'no adapter'} />}
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
        {/* A shipped analysis can be read while the engine still starts: the panels come with it. */}
        {(usable || (status === 'starting' && analysisShown)) && (
          <>
            <nav className="tabs" role="tablist">
              {/* Train and Translate need a loaded model, so their tabs appear with the first one; Inspect with the first analysis. */}
              {tabs.map((t) => (
                <button key={t} role="tab" aria-selected={tab === t} onClick={() => pick(t)}>
                  {TAB_TITLES[t]}
                </button>
              ))}
            </nav>
            {/* Panels stay mounted so their state survives switching tabs. */}
            <div hidden={tab !== 'model'}>
              <ModelPanel engine={engine} />
            </div>
            {(info || analysisShown) && (
              <div hidden={tab !== 'inspect'}>
                <Suspense fallback={<p className="status">Loading the Inspect panel…</p>}>
                  <InspectPanel engine={engine} info={info} />
                </Suspense>
              </div>
            )}
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
