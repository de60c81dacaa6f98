// One small chart of the training run, with its explanation beside it (from CHART_SPECS). Series
// marked `right` get their own y axis (so NTP and mapping losses of different sizes both read);
// `onDemand` series (the total loss) appear when their checkbox is ticked; a series with no value
// other than 0 in the run (mapping in a contrastive run) is left out. No animation: the data grows
// several times a second and each update should be one plain redraw.

import { useState, type ReactNode } from 'react';
import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { ChartRow, ChartSpec } from './TrainChartSpecs';

export function TrainChart({ spec, rows, lastStep, children }: { spec: ChartSpec; rows: ChartRow[]; lastStep: number; children?: ReactNode }) {
  const [onDemand, setOnDemand] = useState(false);
  const present = (key: keyof ChartRow) => rows.some((r) => Number.isFinite(r[key]) && r[key] !== 0);
  const series = spec.series.filter((s) => (!s.onDemand || onDemand) && present(s.key));
  const right = series.some((s) => s.right);
  const optional = spec.series.filter((s) => s.onDemand);
  const many = series.length > 1;
  const axisLabel = (value: string | undefined, side: 'left' | 'right') => (value ? { value, angle: side === 'left' ? -90 : 90, position: side === 'left' ? ('insideLeft' as const) : ('insideRight' as const), fontSize: 11, offset: 6 } : undefined);
  return (
    <section className={spec.wide ? 'card train-chart wide' : 'card train-chart'} aria-labelledby={`chart-${spec.id}`} data-testid={`chart-${spec.id}`} data-series={series.map((s) => s.key).join(' ')}>
      <h3 id={`chart-${spec.id}`}>{spec.title}</h3>
      <div className="chart-body">
        <div className="chart-plot">
          <ResponsiveContainer width="100%" height={spec.wide ? 240 : 170}>
            <LineChart data={rows} margin={{ top: 4, right: 8, bottom: 14, left: 4 }}>
              <CartesianGrid stroke="#ecebe6" vertical={false} />
              <XAxis dataKey="step" type="number" domain={[0, Math.max(1, lastStep)]} allowDecimals={false} tick={{ fontSize: 11 }} label={{ value: 'step', position: 'insideBottom', offset: -10, fontSize: 11 }} />
              <YAxis yAxisId="left" width={60} domain={['auto', 'auto']} tickFormatter={spec.format} tick={{ fontSize: 11 }} label={axisLabel(spec.axes?.left, 'left')} />
              {right && <YAxis yAxisId="right" orientation="right" width={60} domain={['auto', 'auto']} tickFormatter={spec.format} tick={{ fontSize: 11 }} label={axisLabel(spec.axes?.right, 'right')} />}
              <Tooltip isAnimationActive={false} labelFormatter={(s) => `step ${s}`} formatter={(v) => (typeof v === 'number' ? spec.format(v) : String(v))} />
              {many && <Legend wrapperStyle={{ fontSize: 12 }} itemSorter={null} verticalAlign="top" />}
              {series.map((s) => (
                <Line
                  key={s.key}
                  yAxisId={s.right ? 'right' : 'left'}
                  dataKey={s.key}
                  name={s.right ? `${s.label} (right axis)` : s.label}
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
          {optional.length > 0 && (
            <label className="choice inline">
              <input type="checkbox" checked={onDemand} onChange={(e) => setOnDemand(e.target.checked)} /> show {optional.map((s) => s.label).join(', ')}
            </label>
          )}
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
