// The Model panel: load a model, read its card, and try it with a prompt.

import { useEffect } from 'react';
import { openDefaultModel } from '../store/default-model';
import { useModelStore } from '../store/model';
import type { EngineApi, EngineEvent } from '../worker/engine';
import { ModelCard } from './ModelCard';
import { ModelLoader } from './ModelLoader';
import { PromptBox } from './PromptBox';
import { ErrorBox } from './ErrorBox';

type Engine = EngineApi & { onEvent(l: (e: EngineEvent) => void): unknown };

export function ModelPanel({ engine }: { engine: Engine }) {
  const { loading, info, error, generation, quant, connect, load, generate, setQuant } = useModelStore();
  useEffect(() => connect(engine), [connect, engine]);
  return (
    <section className="panel" aria-labelledby="model-title">
      <h2 id="model-title">Model</h2>
      <div className="grid">
        <div className="stack">
          <ModelLoader loading={loading} quant={quant} setQuant={setQuant} onLoad={(source, q) => void load(engine, source, q)} onLoadDefault={() => void openDefaultModel(engine)} />
          {error && (
            <ErrorBox error={error} testId="model-error">
              {info && <p className="hint">The model loaded before ({info.name}) is still loaded.</p>}
            </ErrorBox>
          )}
          {info && <PromptBox generation={generation} onGenerate={(p, n) => void generate(engine, p, n)} />}
        </div>
        {info ? <ModelCard info={info} /> : <p className="hint">No model loaded yet. Load the default model, pick a model folder, give a URL, or try the random tiny model.</p>}
      </div>
    </section>
  );
}
