// "Reproduce the paper in miniature": one button that fine-tunes the loaded model with the mapping
// arm of the experiment (src/experiment/arms.ts) on the shipped corpus's train split, while the
// engine re-measures alignment on the held-out test split every k steps — the views below move as it
// trains. The loss chart sits here so loss and alignment are seen together; the toggle switches every
// view between the model before training (step 0) and now.

import { DEFAULT_EXPERIMENT, englishCentricPairs } from '../experiment/arms';
import { useInspectStore } from '../store/inspect';
import { useTrainStore } from '../store/train';
import type { ModelInfo } from '../model/model';
import { shortName } from '../model/source';
import type { EngineApi } from '../worker/engine';
import { TrainCharts } from './TrainCharts';
import { ErrorBox } from './ErrorBox';

const RUNNING = new Set(['running', 'paused']);

export function InspectPreset({ engine, info }: { engine: EngineApi; info: ModelInfo }) {
  const preset = useInspectStore((s) => s.preset);
  const setPreset = useInspectStore((s) => s.setPreset);
  const start = useInspectStore((s) => s.startPreset);
  const baseline = useInspectStore((s) => s.baseline);
  const history = useInspectStore((s) => s.history);
  const view = useInspectStore((s) => s.view);
  const setView = useInspectStore((s) => s.setView);
  const corpus = useInspectStore((s) => s.corpus);
  // Runs started in the Train panel show there; this card follows the preset's own runs.
  const status = useTrainStore((s) => (s.origin === 'preset' ? s.status : null));
  const pending = useTrainStore((s) => s.pending);
  const anyRun = useTrainStore((s) => s.status);
  const running = anyRun !== null && RUNNING.has(anyRun.state);
  const full = info.quant === 'f32';
  const pairs = corpus ? englishCentricPairs(corpus.languages).map(([a, b]) => `${a}–${b}`).join(', ') : 'EN–X';
  const lastStep = history[history.length - 1]?.step ?? 0;
  return (
    <section className="card preset" aria-labelledby="preset-title" data-testid="preset">
      <h3 id="preset-title">Reproduce the paper in miniature</h3>
      <p className="hint">
        Fine-tunes every weight of {shortName(info.name)} on next-token prediction plus the translation-mapping task (half of each batch are translation pairs {pairs}, both
        directions; lr {DEFAULT_EXPERIMENT.lr}, {DEFAULT_EXPERIMENT.batchSize} examples a step, seed {DEFAULT_EXPERIMENT.seed}) — the mapping arm of <code>npm run experiment</code>.
        Before the first step and every k steps it re-embeds the held-out test sentences and redraws the map and the LAC lines. The paper's claim: the mapping task
        raises alignment between languages in the middle layers, without hurting fluency in each language.
      </p>
      {!full && <p className="error">This model is loaded as {info.quant}; the preset fine-tunes every weight, so reload it as f32 in the Model tab.</p>}
      <div className="preset-form">
        <label>
          Steps{' '}
          <input type="number" min={1} value={preset.steps} onChange={(e) => setPreset({ steps: e.target.value })} disabled={running} aria-label="Preset steps" />
        </label>
        <label>
          Re-analyse every{' '}
          <input type="number" min={1} value={preset.every} onChange={(e) => setPreset({ every: e.target.value })} disabled={running} aria-label="Re-analyse every k steps" /> steps
        </label>
        <button type="button" className="primary" disabled={running || !full || !corpus || pending !== null} onClick={() => void start(engine, info.config.numLayers)}>
          Reproduce the paper in miniature
        </button>
        {running && !status && <span className="hint">A run from the Train panel is in progress; stop it there first.</span>}
        {running && status && (
          <>
            {status.state === 'running' ? (
              <button type="button" disabled={pending !== null} onClick={() => void useTrainStore.getState().pause(engine)}>
                Pause
              </button>
            ) : (
              <button type="button" disabled={pending !== null} onClick={() => void useTrainStore.getState().resume(engine)}>
                Resume
              </button>
            )}
            <button type="button" disabled={pending !== null} onClick={() => void useTrainStore.getState().stop(engine)}>
              Stop
            </button>
          </>
        )}
      </div>
      {status && (
        <p role="status" data-testid="preset-status">
          Training {status.state}: step {status.step} of {status.steps}
          {history.length > 0 && ` · alignment last measured at step ${lastStep}`}
        </p>
      )}
      {status?.error && (
        <ErrorBox error={status.error} testId="preset-failure" />
      )}
      {baseline && (
        <div className="segmented" role="radiogroup" aria-label="Which model the views show">
          <label>
            <input type="radio" name="preset-view" checked={view === 'baseline'} onChange={() => setView(engine, 'baseline')} /> Before training (step 0)
          </label>
          <label>
            <input type="radio" name="preset-view" checked={view === 'latest'} onChange={() => setView(engine, 'latest')} /> Now (step {lastStep})
          </label>
        </div>
      )}
      {status && <TrainCharts only={['loss']} />}
    </section>
  );
}
