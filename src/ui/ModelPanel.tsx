// The Model panel: load a model (a folder, a URL, or a Hub repo through its plan), see the Hub
// models cached in this browser, read the loaded model's card, and try it with a prompt.

import { useEffect } from 'react';
import { openDefaultModel } from '../store/default-model';
import { useModelStore } from '../store/model';
import type { EngineApi, EngineEvent, ModelSourceSpec } from '../worker/engine';
import { ModelCard } from './ModelCard';
import { LoadProgressLine, ModelLoader } from './ModelLoader';
import { HubCache } from './HubCache';
import { HubLoader } from './HubLoader';
import { useHubSettings } from './HubSettings';
import { PromptBox } from './PromptBox';
import { ErrorBox } from './ErrorBox';

type Engine = EngineApi & { onEvent(l: (e: EngineEvent) => void): unknown };

export function ModelPanel({ engine }: { engine: Engine }) {
  const { loading, info, error, generation, quant, connect, load, generate, setQuant } = useModelStore();
  const hub = useHubSettings();
  useEffect(() => connect(engine), [connect, engine]);
  const busy = loading !== null;
  // The store shows a failed load's error; the Hub cards only need to know whether it worked, as soon
  // as the load ends (the store's promise also waits for the speed measurement that follows).
  const loadHub = (source: ModelSourceSpec) =>
    new Promise<boolean>((resolve) => {
      void load(engine, source, quant);
      const stop = useModelStore.subscribe((s) => {
        if (s.loading !== null) return;
        stop();
        resolve(s.error === null);
      });
    });
  return (
    <section className="panel" aria-labelledby="model-title">
      <h2 id="model-title">Model</h2>
      <div className="grid">
        <div className="stack">
          {loading && <LoadProgressLine loading={loading} />}
          <ModelLoader loading={loading} quant={quant} setQuant={setQuant} onLoad={(source, q) => void load(engine, source, q)} onLoadDefault={() => void openDefaultModel(engine)} />
          {error && (
            <ErrorBox error={error} testId="model-error">
              {info && <p className="hint">The model loaded before ({info.name}) is still loaded.</p>}
            </ErrorBox>
          )}
          {info && <PromptBox generation={generation} onGenerate={(p, n) => void generate(engine, p, n)} />}
          <HubLoader engine={engine} settings={hub} busy={busy} quant={quant} onLoad={loadHub} />
          <HubCache engine={engine} settings={hub} busy={busy} loadedName={info?.name ?? null} onLoad={loadHub} />
        </div>
        {info ? <ModelCard info={info} /> : <p className="hint">No model loaded yet. Load the default model, pick a model folder, give a URL or a Hugging Face repo, or try the random tiny model.</p>}
      </div>
    </section>
  );
}
