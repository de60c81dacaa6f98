// The run's curves as small multiples (loss, gradient norm, tokens/s, learning rate), drawn from the
// store's step and evaluation series; above MAX_POINTS steps every k-th is drawn (and the last).

import { useMemo } from 'react';
import { useTrainStore } from '../store/train';
import type { EvalEvent, StepEvent } from '../train/trainer';
import { TrainChart } from './TrainChart';
import { CHART_SPECS, type ChartRow, type ChartSpec } from './TrainChartSpecs';

/** Points per series drawn at most. */
export const MAX_POINTS = 2000;

/** Every k-th item so at most `max` remain, always keeping the last. */
export function downsample<T>(items: readonly T[], max: number): T[] {
  if (items.length <= max) return [...items];
  const k = Math.ceil(items.length / max);
  const out = items.filter((_, i) => i % k === 0);
  if ((items.length - 1) % k !== 0) out.push(items[items.length - 1]);
  return out;
}

/** Step rows with the evaluations merged in by step (step 0 has only held-out values). */
function chartRows(steps: readonly StepEvent[], evals: readonly EvalEvent[]): ChartRow[] {
  const rows = new Map<number, ChartRow>();
  for (const s of downsample(steps, MAX_POINTS)) {
    rows.set(s.step, { step: s.step, loss: s.loss, lossNtp: s.lossNtp, lossMap: s.lossMap, lossCon: s.lossCon, gradNorm: s.gradNorm, lr: s.lr, tokensPerSecond: s.tokensPerSecond, gflops: s.gflops });
  }
  for (const e of evals) {
    const row = rows.get(e.step) ?? { step: e.step };
    if (Number.isFinite(e.lossNtp)) row.evalNtp = e.lossNtp;
    if (Number.isFinite(e.lossMap)) row.evalMap = e.lossMap;
    rows.set(e.step, row);
  }
  return [...rows.values()].sort((a, b) => a.step - b.step);
}

/** "a → b (step i → j)", or "a at step i" when both ends are one step (never "step 0 → 0"). */
function span(values: [number, number], steps: [number, number]): string {
  const f = (v: number) => (Number.isFinite(v) ? v.toFixed(2) : '—');
  return steps[0] === steps[1] ? `${f(values[1])} at step ${steps[1]}` : `${f(values[0])} → ${f(values[1])} (step ${steps[0]} → ${steps[1]})`;
}

/** `only`: draw just these charts (the workshop preset shows the loss alone). */
export function TrainCharts({ only }: { only?: ChartSpec['id'][] } = {}) {
  const steps = useTrainStore((s) => s.steps);
  const evals = useTrainStore((s) => s.evals);
  const planned = useTrainStore((s) => s.status?.steps ?? 0);
  const rows = useMemo(() => chartRows(steps, evals), [steps, evals]);
  if (steps.length === 0 && evals.length === 0) return null;
  const first = steps[0];
  const last = steps[steps.length - 1];
  const heldOut = evals.filter((e) => Number.isFinite(e.lossNtp) || Number.isFinite(e.lossMap));
  const h0 = heldOut[0];
  const h1 = heldOut[heldOut.length - 1];
  const lastStep = Math.max(planned, last?.step ?? 0);
  return (
    <div className="train-charts">
      {CHART_SPECS.filter((spec) => !only || only.includes(spec.id)).map((spec) => (
        <TrainChart key={spec.id} spec={spec} rows={rows} lastStep={lastStep}>
          {spec.id === 'loss' && (
            <>
              {first && (
                <p className="chart-summary" data-testid="loss-summary">
                  loss {span([first.loss, last.loss], [first.step, last.step])}
                </p>
              )}
              {h0 && (
                <p className="chart-summary" data-testid="heldout-summary">
                  held-out NTP {span([h0.lossNtp, h1.lossNtp], [h0.step, h1.step])}; mapping {span([h0.lossMap, h1.lossMap], [h0.step, h1.step])}
                </p>
              )}
              {steps.length > MAX_POINTS && <p className="hint">Drawing every {Math.ceil(steps.length / MAX_POINTS)}th of {steps.length} steps.</p>}
            </>
          )}
        </TrainChart>
      ))}
    </div>
  );
}
