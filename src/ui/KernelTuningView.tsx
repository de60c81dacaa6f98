// The autotuner's table in the GPU panel (issue 16, decision 45): for each matmul, attention and loss shape
// class of the loaded model, the kernel variants timed on this adapter, their time and throughput, and which one
// the ops now dispatch; or that the choices came from the cache of an earlier load, or that tuning
// is off (?tune=off).

import { useState } from 'react';
import type { TuneReport } from '../kernels/tuner';
import type { EngineApi } from '../worker/engine';

const fmt = (v: number | null, digits: number) => (v === null ? '—' : v.toFixed(digits));

function summary(t: TuneReport): string {
  if (t.mode === 'off') return 'Tuning is off (?tune=off): every matmul and attention runs its default kernel.';
  if (t.fromCache) return 'Choices from the cache: tuned on an earlier load on this adapter and browser, nothing timed now.';
  return `Tuned at load in ${(t.spentMs / 1000).toFixed(1)} s (${t.timingBatches} timing batches); kept for the next load.`;
}

export function KernelTuningView({ engine }: { engine: Pick<EngineApi, 'kernelTuning'> }) {
  const [tuning, setTuning] = useState<TuneReport | null | undefined>(undefined);
  const [error, setError] = useState<string | null>(null);
  const refresh = () =>
    void engine.kernelTuning().then(
      (t) => (setTuning(t), setError(null)),
      (e: Error) => setError(`${e.name}: ${e.message}`),
    );
  return (
    <section className="card" aria-labelledby="tuning-title">
      <h3 id="tuning-title">Kernels</h3>
      {tuning === null && <p className="hint">No model is loaded on WebGPU yet: kernels are chosen when one loads.</p>}
      {tuning && (
        <>
          <p data-testid="tuning-summary" data-from-cache={String(tuning.fromCache)} data-mode={tuning.mode}>
            {summary(tuning)}
          </p>
          <table className="results" data-testid="tuning-table">
            <thead>
              <tr>
                <th title="matmul: M×N×K; attention: queries × keys × head dim">Op (shape)</th>
                <th>Weights</th>
                <th>Variant</th>
                <th>ms</th>
                <th>GFLOP/s</th>
                <th>GB/s</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {tuning.rows.map((r) => (
                <tr key={`${r.key}/${r.variant}`} data-chosen={r.chosen}>
                  <td>
                    {r.op} {r.shape}
                  </td>
                  <td>{r.label}</td>
                  <td>{r.variant}</td>
                  <td>{fmt(r.ms, 3)}</td>
                  <td>{fmt(r.gflops, 2)}</td>
                  {/* Bandwidth is what bounds decoding (M or Tq <= 4); prefill is compute-bound. */}
                  <td>{r.shape.startsWith('1x') || /^[234]x/.test(r.shape) ? fmt(r.gbps, 2) : ''}</td>
                  <td>{r.chosen ? 'chosen' : r.source === 'skipped' ? 'not timed (budget)' : ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
      {error && <p className="error">{error}</p>}
      <button type="button" className="secondary" onClick={refresh}>
        {tuning === undefined ? 'Show kernel choices' : 'Refresh'}
      </button>
    </section>
  );
}
