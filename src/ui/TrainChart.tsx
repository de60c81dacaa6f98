// One small chart of the training run, with its explanation beside it (from CHART_SPECS). No
// animation: the data grows several times a second and each update should be one plain redraw.

import type { ReactNode } from 'react';
import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { ChartRow, ChartSpec } from './TrainChartSpecs';

export function TrainChart({ spec, rows, lastStep, children }: { spec: ChartSpec; rows: ChartRow[]; lastStep: number; children?: ReactNode }) {
  const many = spec.series.length > 1;
  return (
    <section className={spec.wide ? 'card train-chart wide' : 'card train-chart'} aria-labelledby={`chart-${spec.id}`} data-testid={`chart-${spec.id}`}>
      <h3 id={`chart-${spec.id}`}>{spec.title}</h3>
      <div className="chart-body">
        <div className="chart-plot">
          <ResponsiveContainer width="100%" height={spec.wide ? 240 : 170}>
            <LineChart data={rows} margin={{ top: 4, right: 8, bottom: 0, left: 0 }}>
              <CartesianGrid stroke="#ecebe6" vertical={false} />
              <XAxis dataKey="step" type="number" domain={[0, Math.max(1, lastStep)]} allowDecimals={false} tick={{ fontSize: 11 }} />
              <YAxis width={56} domain={['auto', 'auto']} tickFormatter={spec.format} tick={{ fontSize: 11 }} />
              <Tooltip isAnimationActive={false} labelFormatter={(s) => `step ${s}`} formatter={(v) => (typeof v === 'number' ? spec.format(v) : String(v))} />
              {many && <Legend wrapperStyle={{ fontSize: 12 }} itemSorter={null} />}
              {spec.series.map((s) => (
                <Line
                  key={s.key}
                  dataKey={s.key}
                  name={s.label}
                  stroke={s.color}
                  strokeWidth={s.evaluation ? 1.5 : s.key === 'loss' ? 2 : 1.25}
                  strokeDasharray={s.evaluation ? '4 3' : undefined}
                  dot={s.evaluation ? { r: 3, fill: s.color } : false}
                  connectNulls
                  isAnimationActive={false}
                  type="linear"
                />
              ))}
            </LineChart>
          </ResponsiveContainer>
          {children}
        </div>
        <aside className="chart-explain">
          <p>{spec.explain.shows}</p>
          <p className="hint">{spec.explain.read}</p>
        </aside>
      </div>
    </section>
  );
}
