// The Train panel: pick a corpus and language pairs, set up a run, start/pause/resume/stop it, watch
// its curves, and keep checkpoints. Shown only while a model is loaded (App hides the tab before).

import { useEffect, useMemo } from 'react';
import type { ModelInfo } from '../model/model';
import { formToSettings, useTrainStore } from '../store/train';
import type { EngineApi, EngineEvent } from '../worker/engine';
import { TrainCharts } from './TrainCharts';
import { TrainCheckpoints } from './TrainCheckpoints';
import { TrainControls } from './TrainControls';
import { TrainDataCard } from './TrainDataCard';
import { TrainSettingsForm } from './TrainSettingsForm';

type Engine = EngineApi & { onEvent(l: (e: EngineEvent) => void): unknown };

export function TrainPanel({ engine, info }: { engine: Engine; info: ModelInfo }) {
  const connect = useTrainStore((s) => s.connect);
  const form = useTrainStore((s) => s.form);
  const pairs = useTrainStore((s) => s.pairs);
  const corpus = useTrainStore((s) => s.corpus);
  useEffect(() => connect(engine), [connect, engine]);
  useEffect(() => useTrainStore.getState().fitToModel(info.config.numLayers), [info]);
  const limits = useMemo(() => ({ quant: info.quant, maxPositions: info.config.maxPositions, numLayers: info.config.numLayers }), [info]);
  const { settings, errors } = useMemo(() => formToSettings(form, pairs, limits), [form, pairs, limits]);
  const blocker = !corpus ? 'Choose a corpus first.' : corpus.train.length === 0 ? 'The corpus has no training tuples.' : settings ? null : 'Fix the settings marked in red first.';
  return (
    <section className="panel train" aria-labelledby="train-title">
      <h2 id="train-title">Train</h2>
      <p className="hint">
        Fine-tunes {info.name} in this page with next-token prediction on single sentences plus the mapping task (translate a sentence into another language of
        the pair), after arXiv 2604.10590 — and, if its weight is above 0, contrastive alignment (InfoNCE on translation pairs at one layer) to compare with.
      </p>
      <div className="grid">
        <div className="stack">
          <TrainDataCard pairError={errors.pairs} />
          <TrainControls blocker={blocker} onStart={() => settings && void useTrainStore.getState().start(engine, settings)} engine={engine} />
          <TrainCheckpoints engine={engine} />
        </div>
        <TrainSettingsForm quant={info.quant} errors={errors} />
      </div>
      <TrainCharts />
    </section>
  );
}
