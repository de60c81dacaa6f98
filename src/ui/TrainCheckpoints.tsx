// Checkpoints of the run: trainable weights, AdamW moments, step and sampler state, kept in the
// browser (IndexedDB) so they survive a reload. Restore rewinds the current run to one and pauses it.

import { formatBytes } from '../gpu/adapter-report';
import { useTrainStore } from '../store/train';
import type { EngineApi } from '../worker/engine';

function formatTime(iso: string): string {
  const d = new Date(iso);
  const today = new Date().toDateString() === d.toDateString();
  return today ? d.toLocaleTimeString() : d.toLocaleString();
}

export function TrainCheckpoints({ engine }: { engine: EngineApi }) {
  const checkpoints = useTrainStore((s) => s.checkpoints);
  const hasRun = useTrainStore((s) => s.status !== null);
  const busy = useTrainStore((s) => s.pending !== null);
  const { saveCheckpoint, restoreCheckpoint } = useTrainStore.getState();
  return (
    <section className="card" aria-labelledby="train-ck-title">
      <div className="card-head">
        <h3 id="train-ck-title">Checkpoints</h3>
        <button type="button" className="secondary" disabled={!hasRun || busy} onClick={() => void saveCheckpoint(engine)}>
          Save checkpoint
        </button>
      </div>
      {checkpoints.length === 0 ? (
        <p className="hint">None yet. A checkpoint holds the trained weights and the optimizer state of the current run; restoring one continues that run from its step.</p>
      ) : (
        <table className="checkpoints" data-testid="checkpoints">
          <thead>
            <tr>
              <th>Step</th>
              <th>Saved</th>
              <th>Size</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {[...checkpoints].reverse().map((c) => (
              <tr key={c.id} title={c.label}>
                <td>{c.step}</td>
                <td>{formatTime(c.savedAt)}</td>
                <td>{formatBytes(c.bytes)}</td>
                <td>
                  <button type="button" className="secondary small" disabled={!hasRun || busy} onClick={() => void restoreCheckpoint(engine, c.id)} aria-label={`Restore step ${c.step}`}>
                    Restore
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {checkpoints.length > 0 && <p className="hint">Restore needs a run with the same model, mode and data; it pauses there.</p>}
    </section>
  );
}
