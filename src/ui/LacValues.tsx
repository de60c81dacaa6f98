// The numbers behind a LAC chart, folded under "Values": one row per (x, pair) with LAC, its 95%
// interval, the band of LAC under shuffled pairs and (where given) the pair's surface baseline. `x`
// is the layer (LAC per layer) or the training step (LAC during training); each row carries data-x,
// data-a, data-b, data-lac, data-lac-low/-high, data-null-low/-high and data-surface for tests and scripts.

import type { AlignmentRow } from '../align/analyze';
import { pairLabel } from './InspectSpecs';

export const f3 = (v: number) => (Number.isFinite(v) ? v.toFixed(3) : '—');

interface Props {
  rows: readonly AlignmentRow[];
  x: (r: AlignmentRow, i: number) => number;
  xName: 'layer' | 'step';
  testId: string;
  current?: number;
  /** Surface-baseline LAC by pair label ('a–b'). */
  surface?: ReadonlyMap<string, number>;
}

export function LacValues({ rows, x, xName, testId, current, surface }: Props) {
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
            <th title="LAC of the same vectors with the pairs shuffled (1000 times): 95% band">shuffled pairs</th>
            {surface && <th title="LAC of character 1–3-gram vectors of the same sentences (no model)">surface</th>}
          </tr>
        </thead>
        <tbody>
          {rows.map((r, i) => (
            <tr key={`${x(r, i)}:${r.a}:${r.b}`} data-testid={testId} {...{ [`data-${xName}`]: x(r, i) }} data-a={r.a} data-b={r.b} data-lac={r.lac} data-lac-low={r.lacLow} data-lac-high={r.lacHigh} data-null-low={r.nullLow} data-null-high={r.nullHigh} data-surface={surface?.get(pairLabel(r))} className={x(r, i) === current ? 'current' : undefined}>
              <td>{x(r, i)}</td>
              <td>{pairLabel(r)}</td>
              <td>{f3(r.lac)}</td>
              <td>
                [{f3(r.lacLow)}, {f3(r.lacHigh)}]
              </td>
              <td>
                [{f3(r.nullLow)}, {f3(r.nullHigh)}]
              </td>
              {surface && <td>{f3(surface.get(pairLabel(r)) ?? NaN)}</td>}
            </tr>
          ))}
        </tbody>
      </table>
    </details>
  );
}
