// The numbers behind a LAC chart, folded under "Values": one row per (x, pair) with LAC and its 95%
// interval. `x` is the layer (LAC per layer) or the training step (LAC during training); each row
// carries data-x, data-a, data-b and data-lac for tests and scripts.

import type { AlignmentRow } from '../align/analyze';
import { pairLabel } from './InspectSpecs';

export const f3 = (v: number) => (Number.isFinite(v) ? v.toFixed(3) : '—');

export function LacValues({ rows, x, xName, testId, current }: { rows: readonly AlignmentRow[]; x: (r: AlignmentRow, i: number) => number; xName: 'layer' | 'step'; testId: string; current?: number }) {
  return (
    <details className="values">
      <summary>Values ({rows.length} rows)</summary>
      <table>
        <thead>
          <tr>
            <th>{xName}</th>
            <th>pair</th>
            <th>LAC</th>
            <th>95% interval</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r, i) => (
            <tr key={`${x(r, i)}:${r.a}:${r.b}`} data-testid={testId} {...{ [`data-${xName}`]: x(r, i) }} data-a={r.a} data-b={r.b} data-lac={r.lac} className={x(r, i) === current ? 'current' : undefined}>
              <td>{x(r, i)}</td>
              <td>{pairLabel(r)}</td>
              <td>{f3(r.lac)}</td>
              <td>
                [{f3(r.lacLow)}, {f3(r.lacHigh)}]
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </details>
  );
}
