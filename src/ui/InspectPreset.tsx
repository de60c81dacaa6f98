// The workshop presets, side by side: "Reproduce the paper in miniature" fine-tunes the loaded model
// with the mapping arm of the experiment (src/experiment/arms.ts), "…with contrastive alignment" with
// its contrastive arm (InfoNCE at the middle layer), on the shipped corpus's train split, while the
// engine re-measures alignment on the held-out test split every k steps — the views below move as it
// trains. Step 0 reuses the analysis on screen when it measured these sentences on these weights.
// The loss chart sits here so loss and alignment are seen together; the toggle switches every view
// between the model before training (step 0) and now. Both presets fine-tune every weight, so a
// model loaded quantized gets a button that reloads it as f32.

import { DEFAULT_EXPERIMENT, englishCentricPairs, WORKSHOP_PRESET } from '../experiment/arms';
import { useInspectStore, type PresetArm } from '../store/inspect';
import { useModelStore } from '../store/model';
import { useTrainStore } from '../store/train';
import type { ModelInfo } from '../model/model';
import { shortName } from '../model/source';
import type { EngineApi, EngineEvent } from '../worker/engine';
import { TrainCharts } from './TrainCharts';
import { usePresetExpectation } from './usePresetExpectation';
import { ErrorBox } from './ErrorBox';

type Engine = EngineApi & { onEvent(l: (e: EngineEvent) => void): unknown };

const RUNNING = new Set(['running', 'paused']);
const PRESETS: { arm: PresetArm; label: string }[] = [
  { arm: 'mapping', label: 'Reproduce the paper in miniature' },
  { arm: 'contrastive', label: '…with contrastive alignment' },
];

export function InspectPreset({ engine, info }: { engine: Engine; info: ModelInfo | null }) {
  const preset = useInspectStore((s) => s.preset);
  const setPreset = useInspectStore((s) => s.setPreset);
  const start = useInspectStore((s) => s.startPreset);
  const baseline = useInspectStore((s) => s.baseline);
  const history = useInspectStore((s) => s.history);
  const view = useInspectStore((s) => s.view);
  const setView = useInspectStore((s) => s.setView);
  const corpus = useInspectStore((s) => s.corpus);
  const arm = useInspectStore((s) => s.presetArm);
  const source = useModelStore((s) => s.source);
  const expectation = usePresetExpectation(source);
  const reloading = useModelStore((s) => s.loading !== null);
  // Runs started in the Train panel show there; this card follows the preset's own runs.
  const status = useTrainStore((s) => (s.origin === 'preset' ? s.status : null));
  const pending = useTrainStore((s) => s.pending);
  const anyRun = useTrainStore((s) => s.status);
  const running = anyRun !== null && RUNNING.has(anyRun.state);
  const full = info?.quant === 'f32';
  const pairs = corpus ? englishCentricPairs(corpus.languages).map(([a, b]) => `${a}–${b}`).join(', ') : 'EN–X';
  const lastStep = history[history.length - 1]?.step ?? 0;
  const mid = info ? Math.max(1, Math.round(info.config.numLayers / 2)) : null;
  return (
    <section className="card preset" aria-labelledby="preset-title" data-testid="preset">
      <h3 id="preset-title">Reproduce the paper in miniature</h3>
      <p className="hint">
        Fine-tunes every weight of {info ? shortName(info.name) : 'the model'} ({DEFAULT_EXPERIMENT.batchSize} examples a step, lr {DEFAULT_EXPERIMENT.lr}, seed {DEFAULT_EXPERIMENT.seed})
        on next-token prediction plus either the paper's translation-mapping task (half of each batch are translation pairs {pairs}, both directions — the mapping arm of{' '}
        <code>npm run experiment</code>) or, for comparison, contrastive alignment (InfoNCE on mean-pooled states of layer {mid ?? 'L/2'}, temperature {DEFAULT_EXPERIMENT.temperature} — the
        contrastive arm). Before the first step and every k steps it measures the held-out test sentences again and redraws the map and the LAC lines. The paper's claim: the
        mapping task raises alignment between languages in the middle layers, without hurting fluency in each language.
      </p>
      {expectation && (
        <p className="hint" data-testid="preset-expectation">
          <strong>What to expect.</strong> {expectation.join(' ')} The preset trains on the everyday corpus alone for {WORKSHOP_PRESET.steps} steps by default (about 5 minutes on a 2-core laptop without a GPU), so its numbers differ from the experiment's; its direction is the one to expect.
        </p>
      )}
      {!info && <p className="hint">The model is still loading; the presets start once it has.</p>}
      {info && !full && (
        <p className="error">
          This model is loaded as {info.quant}; the presets fine-tune every weight, which needs f32.{' '}
          {source && (
            <button type="button" className="secondary small" disabled={reloading || running} onClick={() => void useModelStore.getState().load(engine, source, 'f32')}>
              Reload it as f32
            </button>
          )}
        </p>
      )}
      <div className="preset-form">
        <label>
          Steps{' '}
          <input type="number" min={1} value={preset.steps} onChange={(e) => setPreset({ steps: e.target.value })} disabled={running} aria-label="Preset steps" />
        </label>
        <label>
          Re-analyse every{' '}
          <input type="number" min={1} value={preset.every} onChange={(e) => setPreset({ every: e.target.value })} disabled={running} aria-label="Re-analyse every k steps" /> steps
        </label>
      </div>
      <div className="preset-actions">
        {PRESETS.map((p) => (
          <button key={p.arm} type="button" className={p.arm === 'mapping' ? 'primary' : undefined} disabled={running || !full || !corpus || pending !== null || !info} onClick={() => info && void start(engine, info.config.numLayers, p.arm)}>
            {p.label}
          </button>
        ))}
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
        <p role="status" data-testid="preset-status" data-arm={arm ?? undefined}>
          {arm === 'contrastive' ? 'Contrastive alignment' : 'Mapping task'}: training {status.state}, step {status.step} of {status.steps}
          {history.length > 0 && ` · alignment last measured ${lastStep === 0 ? 'before the first step' : `at step ${lastStep}`}`}
        </p>
      )}
      {status?.error && <ErrorBox error={status.error} testId="preset-failure" />}
      {baseline && (
        <div className="segmented" role="radiogroup" aria-label="Which model the views show">
          <label>
            <input type="radio" name="preset-view" checked={view === 'baseline'} onChange={() => setView(engine, 'baseline')} /> Before training (step 0)
          </label>
          <label>
            <input type="radio" name="preset-view" checked={view === 'latest'} disabled={lastStep === 0} onChange={() => setView(engine, 'latest')} />{' '}
            {lastStep === 0 ? 'Now (not measured since step 0)' : `Now (step ${lastStep})`}
          </label>
        </div>
      )}
      {status && <TrainCharts only={['loss']} />}
    </section>
  );
}
