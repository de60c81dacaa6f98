// The Inspect panel: how the chosen languages line up inside the loaded model, layer by layer — a
// map of sentence embeddings, LAC per layer with bootstrap bands, a language × language heatmap and
// a retrieval table at the chosen layer. Shown only while a model is loaded. While the engine works
// the last result stays on screen (dimmed) under a progress line; before the first result the views
// are stand-ins that say what is coming.

import { useEffect } from 'react';
import type { ModelInfo } from '../model/model';
import { shortName } from '../model/source';
import { useInspectStore } from '../store/inspect';
import { useTrainStore } from '../store/train';
import type { EngineApi, EngineEvent } from '../worker/engine';
import { InspectControls } from './InspectControls';
import { InspectHeatmap } from './InspectHeatmap';
import { InspectLacChart } from './InspectLacChart';
import { InspectLacHistory } from './InspectLacHistory';
import { InspectPreset } from './InspectPreset';
import { InspectMap } from './InspectMap';
import { InspectRetrievalTable } from './InspectRetrievalTable';
import { ErrorBox } from './ErrorBox';

type Engine = EngineApi & { onEvent(l: (e: EngineEvent) => void): unknown };

export function InspectPanel({ engine, info }: { engine: Engine; info: ModelInfo }) {
  const connect = useInspectStore((s) => s.connect);
  const result = useInspectStore((s) => s.result);
  const projection = useInspectStore((s) => s.projection);
  const analyzing = useInspectStore((s) => s.analyzing);
  const error = useInspectStore((s) => s.error);
  const corpus = useInspectStore((s) => s.corpus);
  const autoAnalyze = useInspectStore((s) => s.autoAnalyze);
  const baseline = useInspectStore((s) => s.baseline);
  const view = useInspectStore((s) => s.view);
  const planned = useTrainStore((s) => s.status?.steps ?? 0);
  useEffect(() => connect(engine), [connect, engine]);
  useEffect(() => useTrainStore.getState().connect(engine), [engine]);
  useEffect(() => void useInspectStore.getState().loadCorpus(), []);
  // A new model: results of the old one no longer describe what is loaded.
  useEffect(() => useInspectStore.getState().resetForModel(info.config.numLayers), [info]);
  // The app opened on its default model: show the base model's alignment without a click.
  useEffect(() => {
    if (!autoAnalyze || !corpus) return;
    useInspectStore.setState({ autoAnalyze: false });
    void useInspectStore.getState().analyze(engine);
  }, [autoAnalyze, corpus, engine]);
  const shown = view === 'baseline' && baseline ? baseline : result;
  return (
    <section className="panel inspect" aria-labelledby="inspect-title">
      <h2 id="inspect-title">Inspect</h2>
      <p className="hint">
        Embeds the same sentences in several languages with {shortName(info.name)}, pools each layer's hidden states, and measures how close translations sit compared
        with unrelated sentences.
      </p>
      <InspectControls engine={engine} numLayers={info.config.numLayers} />
      <InspectPreset engine={engine} info={info} />
      {error && (
        <ErrorBox error={error} testId="inspect-error" />
      )}
      {shown ? (
        <div className={analyzing ? 'inspect-views stale' : 'inspect-views'} aria-busy={analyzing} data-testid="inspect-views" data-view={view}>
          <InspectMap engine={engine} result={shown} projection={projection} />
          <InspectLacChart engine={engine} result={shown} />
          <InspectLacHistory lastStep={planned} />
          <InspectHeatmap result={shown} />
          <InspectRetrievalTable result={shown} />
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
