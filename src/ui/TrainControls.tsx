// Start, pause, resume and stop a run, with where it stands: state, step x of y, and how many
// parameters it trains. A run that failed (e.g. TrainingDivergedError) and a call the engine refused
// (e.g. TrainConfigError) show the engine's own message.

import { useTrainStore } from '../store/train';
import type { TrainState } from '../worker/training';
import type { EngineApi } from '../worker/engine';
import { ErrorBox } from './ErrorBox';

const STATE_TEXT: Record<TrainState, string> = {
  idle: 'ready',
  running: 'running',
  paused: 'paused',
  stopped: 'stopped',
  finished: 'finished',
  failed: 'failed',
};

/** Shown while the step in flight finishes. */
const PENDING_TEXT = { pause: 'pausing…', stop: 'stopping…' };

function formatCount(n: number): string {
  return n >= 1e6 ? `${(n / 1e6).toFixed(2)} M` : n.toLocaleString('en-US');
}

export function TrainControls({ engine, blocker, onStart }: { engine: EngineApi; blocker: string | null; onStart: () => void }) {
  const status = useTrainStore((s) => s.status);
  const pending = useTrainStore((s) => s.pending);
  const busy = pending !== null;
  const error = useTrainStore((s) => s.error);
  const { pause, resume, stop } = useTrainStore.getState();
  const state = status?.state ?? null;
  const live = state === 'running' || state === 'paused';
  return (
    <section className="card" aria-labelledby="train-run-title">
      <h3 id="train-run-title">Run</h3>
      <div className="row">
        <button type="button" disabled={busy || state === 'running' || blocker !== null} onClick={onStart} title="Starts a new run (a paused one is dropped). Full fine-tuning goes on from the model's weights as they are now; LoRA starts fresh adapters.">
          Start
        </button>
        <button type="button" className="secondary" disabled={busy || state !== 'running'} onClick={() => void pause(engine)}>
          Pause
        </button>
        <button type="button" className="secondary" disabled={busy || state !== 'paused'} onClick={() => void resume(engine)}>
          Resume
        </button>
        <button type="button" className="secondary" disabled={busy || !live} onClick={() => void stop(engine)}>
          Stop
        </button>
      </div>
      {blocker && !live && <p className="hint">{blocker}</p>}
      {status ? (
        <p className="train-status" role="status">
          <span className={`state state-${status.state}`} data-testid="train-state">
            {pending === 'pause' || pending === 'stop' ? PENDING_TEXT[pending] : STATE_TEXT[status.state]}
          </span>{' '}
          — step{' '}
          <span data-testid="train-step">
            {status.step} of {status.steps}
          </span>{' '}
          — {formatCount(status.trainableParameters)} trainable parameters
        </p>
      ) : (
        <p className="hint">Not started. Start draws batches from the training tuples and evaluates on the held-out ones (at step 0 and every “Evaluate every” steps).</p>
      )}
      {status?.error && (
        <ErrorBox error={status.error} testId="train-failure" />
      )}
      {error && (
        <ErrorBox error={error} testId="train-error" />
      )}
    </section>
  );
}
