// LAC during training: for the report pairs (src/experiment/arms.ts) present in the analysis, LAC
// at the chosen layer against the training step of each re-analysis (step 0 = before training), with
// its 95% bootstrap band. Every number is also in a table (rows carry data-step/-pair/-lac).

import { useMemo } from 'react';
import { Area, CartesianGrid, ComposedChart, Line, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { REPORT_PAIRS } from '../experiment/arms';
import type { AlignSnapshot } from '../store/inspect';
import { useInspectStore } from '../store/inspect';
import { downloadCsv } from './export';
import { isReportPair, pairColor, pairLabel } from './InspectSpecs';
import { InspectViewCard } from './InspectViewCard';
import { f3, LacValues } from './LacValues';


/** Per step one datum: p{i} = LAC of pair i at `layer`, b{i} = its [low, high]. */
function historyData(history: readonly AlignSnapshot[], layer: number) {
  const first = history[0]?.rows.filter((r) => r.layer === layer && isReportPair(r, REPORT_PAIRS)) ?? [];
  const pairs = first.map((r) => ({ a: r.a, b: r.b }));
  const rows = history.flatMap((h) => h.rows.filter((r) => r.layer === layer && isReportPair(r, REPORT_PAIRS)).map((r) => ({ step: h.step, ...r })));
  const data = history.map((h) => {
    const d: Record<string, number | [number, number]> = { step: h.step };
    pairs.forEach((p, i) => {
      const r = h.rows.find((x) => x.layer === layer && x.a === p.a && x.b === p.b);
      if (r) {
        d[`p${i}`] = r.lac;
        d[`b${i}`] = [r.lacLow, r.lacHigh];
      }
    });
    return d;
  });
  return { pairs, data, rows };
}

export function InspectLacHistory({ lastStep }: { lastStep: number }) {
  const history = useInspectStore((s) => s.history);
  const layer = useInspectStore((s) => s.layer);
  const { pairs, data, rows } = useMemo(() => historyData(history, layer), [history, layer]);
  if (history.length === 0) return null;
  const exports = { csv: () => downloadCsv(`alignscope-lac-during-training-layer${layer}.csv`, rows, ['step', 'layer', 'a', 'b', 'lac', 'lacLow', 'lacHigh', 'p1AtoB', 'p1BtoA']) };
  return (
    <InspectViewCard id="history" exports={exports} subtitle={`layer ${layer}`}>
      <div data-testid="lac-history" data-points={history.length}>
        <ResponsiveContainer width="100%" height={220}>
          <ComposedChart data={data} margin={{ top: 8, right: 12, bottom: 16, left: 8 }}>
            <CartesianGrid stroke="#ecebe6" vertical={false} />
            <XAxis dataKey="step" type="number" domain={[0, Math.max(1, lastStep)]} allowDecimals={false} tick={{ fontSize: 11 }} label={{ value: 'training step', position: 'insideBottom', offset: -10, fontSize: 11 }} />
            <YAxis width={52} domain={['auto', 'auto']} tickFormatter={(v: number) => v.toFixed(2)} tick={{ fontSize: 11 }} label={{ value: 'LAC', angle: -90, position: 'insideLeft', offset: 4, fontSize: 11 }} />
            <Tooltip isAnimationActive={false} labelFormatter={(s) => `step ${s}`} formatter={(v, name) => [Array.isArray(v) ? `[${f3(Number(v[0]))}, ${f3(Number(v[1]))}]` : f3(Number(v)), name]} />
            {pairs.map((p, i) => (
              <Area key={`b${i}`} dataKey={`b${i}`} name={`${pairLabel(p)} 95%`} stroke="none" fill={pairColor(i)} fillOpacity={0.15} isAnimationActive={false} type="linear" activeDot={false} legendType="none" />
            ))}
            {pairs.map((p, i) => (
              <Line key={`p${i}`} dataKey={`p${i}`} name={pairLabel(p)} stroke={pairColor(i)} strokeWidth={1.75} dot={{ r: 3, fill: pairColor(i) }} isAnimationActive={false} type="linear" />
            ))}
          </ComposedChart>
        </ResponsiveContainer>
      </div>
      <div className="legend" aria-label="Language pairs">
        {pairs.map((p, i) => (
          <span key={pairLabel(p)} className="legend-item">
            <span className="swatch line" style={{ background: pairColor(i) }} /> {pairLabel(p)}
          </span>
        ))}
      </div>
      <LacValues rows={rows} x={(_, i) => rows[i].step} xName="step" testId="history-row" />
    </InspectViewCard>
  );
}
