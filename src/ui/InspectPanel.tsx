// The Inspect panel: how the chosen languages line up inside the loaded model, layer by layer — a
// map of sentence embeddings, LAC per layer with bootstrap bands, a language × language heatmap and
// a retrieval table at the chosen layer, each with its baselines. Shown while a model is loaded, or
// while the default model loads with the base analysis shipped beside it (marked as precomputed).
// While the engine works the last result stays on screen (dimmed) under a progress line; before the
// first result the views are stand-ins that say what is coming.

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

export function InspectPanel({ engine, info }: { engine: Engine; info: ModelInfo | null }) {
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
  const source = useInspectStore((s) => s.resultSource);
  const shipped = useInspectStore((s) => s.shipped);
  useEffect(() => connect(engine), [connect, engine]);
  useEffect(() => useTrainStore.getState().connect(engine), [engine]);
  useEffect(() => void useInspectStore.getState().loadCorpus(), []);
  // A new model: results of the old one no longer describe what is loaded.
  useEffect(() => {
    if (info) useInspectStore.getState().resetForModel(info);
  }, [info]);
  // A model the presets can train: let the engine measure the paper preset's starting point while the user reads.
  useEffect(() => {
    if (info?.quant === 'f32' && corpus) useInspectStore.getState().preparePreset(engine, info.config.numLayers);
  }, [info, corpus, engine]);
  // The app opened on its default model: show the base model's alignment without a click.
  useEffect(() => {
    if (!autoAnalyze || !corpus) return;
    useInspectStore.setState({ autoAnalyze: false });
    void useInspectStore.getState().analyze(engine);
  }, [autoAnalyze, corpus, engine]);
  const shown = view === 'baseline' && baseline ? baseline : result;
  const numLayers = info?.config.numLayers ?? (result ? result.layers[result.layers.length - 1] : 0);
  return (
    <section className="panel inspect" aria-labelledby="inspect-title">
      <h2 id="inspect-title">Inspect</h2>
      <p className="hint">
        Embeds the same sentences in several languages with {info ? shortName(info.name) : 'the default model'}, pools each layer's hidden states, and measures how close translations sit
        compared with unrelated sentences — and with what chance and shared spelling alone would give.
      </p>
      <InspectControls engine={engine} numLayers={numLayers} />
      <InspectPreset engine={engine} info={info} />
      {error && (
        <ErrorBox error={error} testId="inspect-error" />
      )}
      {shown && (
        <p className="analysis-source" data-testid="analysis-source" data-source={source ?? ''} data-adopted={shipped?.adopted ? 'true' : 'false'}>
          {source === 'shipped' ? (
            <>
              <span className="badge">precomputed</span>
              <span className="hint">
                Measured by the model build on these weights with these settings ({shown.n} {shipped?.analysis.split} tuples, {shown.pooling} pooling{shown.centre ? ', centred' : ''}).{' '}
                {info ? 'Change a setting and press Analyze to measure live.' : 'The model is loading; you can already read every view.'}
              </span>
            </>
          ) : (
            <>
              <span className="badge live">measured live</span>
              <span className="hint">On the loaded weights, in this page{shipped?.refused ? ` (the shipped analysis was not used: ${shipped.refused})` : ''}.</span>
            </>
          )}
        </p>
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
