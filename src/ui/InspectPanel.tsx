// The Inspect panel: how the chosen languages line up inside the loaded model, layer by layer — a
// map of sentence embeddings, LAC per layer with bootstrap bands, a language × language heatmap and
// a retrieval table at the chosen layer. Shown only while a model is loaded. While the engine works
// the last result stays on screen (dimmed) under a progress line; before the first result the views
// are stand-ins that say what is coming.

import { useEffect } from 'react';
import type { ModelInfo } from '../model/model';
import { useInspectStore } from '../store/inspect';
import type { EngineApi, EngineEvent } from '../worker/engine';
import { InspectControls } from './InspectControls';
import { InspectHeatmap } from './InspectHeatmap';
import { InspectLacChart } from './InspectLacChart';
import { InspectMap } from './InspectMap';
import { InspectRetrievalTable } from './InspectRetrievalTable';

type Engine = EngineApi & { onEvent(l: (e: EngineEvent) => void): unknown };

export function InspectPanel({ engine, info }: { engine: Engine; info: ModelInfo }) {
  const connect = useInspectStore((s) => s.connect);
  const result = useInspectStore((s) => s.result);
  const projection = useInspectStore((s) => s.projection);
  const analyzing = useInspectStore((s) => s.analyzing);
  const error = useInspectStore((s) => s.error);
  useEffect(() => connect(engine), [connect, engine]);
  useEffect(() => void useInspectStore.getState().loadCorpus(), []);
  // A new model: results of the old one no longer describe what is loaded.
  useEffect(() => useInspectStore.getState().resetForModel(info.config.numLayers), [info]);
  return (
    <section className="panel inspect" aria-labelledby="inspect-title">
      <h2 id="inspect-title">Inspect</h2>
      <p className="hint">
        Embeds the same sentences in several languages with {info.name}, pools each layer's hidden states, and measures how close translations sit compared
        with unrelated sentences.
      </p>
      <InspectControls engine={engine} numLayers={info.config.numLayers} />
      {error && (
        <div className="error-box" role="alert" data-testid="inspect-error">
          <strong>{error.name}</strong>: {error.message}
        </div>
      )}
      {result ? (
        <div className={analyzing ? 'inspect-views stale' : 'inspect-views'} aria-busy={analyzing} data-testid="inspect-views">
          <InspectMap engine={engine} result={result} projection={projection} />
          <InspectLacChart engine={engine} result={result} />
          <InspectHeatmap result={result} />
          <InspectRetrievalTable result={result} />
        </div>
      ) : (
        <div className="card inspect-empty" data-testid="inspect-empty">
          {analyzing ? (
            <p role="status">Embedding the sentences and measuring every layer (progress above). The map, LAC per layer, the heatmap and the retrieval table appear here when done.</p>
          ) : (
            <p className="hint">Choose languages and a split, then Analyze: the map, LAC per layer, a language × language heatmap and a retrieval table appear here.</p>
          )}
        </div>
      )}
    </section>
  );
}
