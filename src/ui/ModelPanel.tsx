// The Model panel: load a model, read its card, and try it with a prompt.

import { useEffect } from 'react';
import { useModelStore } from '../store/model';
import type { EngineApi, EngineEvent } from '../worker/engine';
import { ModelCard } from './ModelCard';
import { ModelLoader } from './ModelLoader';
import { PromptBox } from './PromptBox';
import { ErrorBox } from './ErrorBox';

type Engine = EngineApi & { onEvent(l: (e: EngineEvent) => void): unknown };

export function ModelPanel({ engine }: { engine: Engine }) {
  const { loading, info, error, generation, connect, load, generate } = useModelStore();
  useEffect(() => connect(engine), [connect, engine]);
  return (
    <section className="panel" aria-labelledby="model-title">
      <h2 id="model-title">Model</h2>
      <div className="grid">
        <div className="stack">
          <ModelLoader loading={loading} onLoad={(source, quant) => void load(engine, source, quant)} />
          {error && (
            <ErrorBox error={error} testId="model-error">
              {info && <p className="hint">The model loaded before ({info.name}) is still loaded.</p>}
            </ErrorBox>
          )}
          {info && <PromptBox generation={generation} onGenerate={(p, n) => void generate(engine, p, n)} />}
        </div>
        {info ? <ModelCard info={info} /> : <p className="hint">No model loaded yet. Pick a model folder, give a URL, or try the random tiny model.</p>}
      </div>
    </section>
  );
}
