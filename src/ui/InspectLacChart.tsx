// LAC per layer: one line per language pair (x = hidden state, y = LAC) with its 95% bootstrap
// interval as a band (with many pairs, only the paper's four pairs keep bold lines and bands), a marker at the chosen layer (click the chart to choose another), the formula
// and explanation beside it, and every number in a table below. Exports: the chart as PNG/SVG, and
// all rows (layer × pair) as CSV/JSON with LAC_CSV_COLUMNS.

import { useMemo, useRef } from 'react';
import { Area, CartesianGrid, ComposedChart, Line, ReferenceLine, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { AlignmentRow } from '../align/analyze';
import { BOOTSTRAP, useInspectStore } from '../store/inspect';
import type { AnalysisResult } from '../worker/analysis';
import type { EngineApi } from '../worker/engine';
import { downloadCsv, downloadJson, downloadSvgChart } from './export';
import { REPORT_PAIRS } from '../experiment/arms';
import { isReportPair, LAC_CSV_COLUMNS, pairColor, pairLabel, VIEW_SPECS } from './InspectSpecs';
import { InspectViewCard } from './InspectViewCard';
import { f3, LacValues } from './LacValues';

type ChartDatum = Record<string, number | [number, number]>;

/** The pairs in row order, and one datum per layer: p{i} = LAC of pair i, b{i} = [low, high]. */
function chartData(result: AnalysisResult): { pairs: { a: string; b: string }[]; data: ChartDatum[] } {
  const pairs: { a: string; b: string }[] = [];
  const key = (r: AlignmentRow) => `${r.a}\u0000${r.b}`;
  const index = new Map<string, number>();
  for (const r of result.rows) {
    if (!index.has(key(r))) {
      index.set(key(r), pairs.length);
      pairs.push({ a: r.a, b: r.b });
    }
  }
  const data = result.layers.map((layer) => {
    const d: ChartDatum = { layer };
    for (const r of result.rows) {
      if (r.layer !== layer) continue;
      const i = index.get(key(r))!;
      d[`p${i}`] = r.lac;
      if (Number.isFinite(r.lacLow) && Number.isFinite(r.lacHigh)) d[`b${i}`] = [r.lacLow, r.lacHigh];
    }
    return d;
  });
  return { pairs, data };
}


/** Above this many pairs the chart would be a tangle: other pairs than REPORT_PAIRS are drawn faint. */
const FOCUS_ABOVE = 6;

export function InspectLacChart({ engine, result }: { engine: EngineApi; result: AnalysisResult }) {
  const layer = useInspectStore((s) => s.layer);
  const split = useInspectStore((s) => s.resultSplit);
  const setLayer = useInspectStore((s) => s.setLayer);
  const plotRef = useRef<HTMLDivElement>(null);
  const { pairs, data } = useMemo(() => chartData(result), [result]);
  const focus = pairs.map((p) => pairs.length <= FOCUS_ABOVE || isReportPair(p, REPORT_PAIRS));
  // Focused pairs take the colours in order; the faint ones are grey (PAIR_COLORS would repeat).
  const colors = pairs.map((_, i) => (focus[i] ? pairColor(focus.slice(0, i).filter(Boolean).length) : '#8a8a8a'));
  const legend = pairs.map((p, i) => ({ label: pairLabel(p), color: colors[i] })).filter((_, i) => focus[i]);
  const title = `LAC per layer — ${result.n} ${split ?? ''} tuples, ${result.pooling} pooling${result.centre ? ', centred' : ''}; bands: 95% bootstrap`;
  const svg = () => plotRef.current?.querySelector<SVGSVGElement>('svg.recharts-surface') ?? null;
  const picture = (kind: 'svg' | 'png') => async () => {
    const el = svg();
    if (!el) throw new Error('The chart is not drawn yet.');
    await downloadSvgChart('alignscope-lac-per-layer', el, { title, legend }, kind);
  };
  const exports = {
    png: picture('png'),
    svg: picture('svg'),
    csv: () => downloadCsv('alignscope-lac-per-layer.csv', result.rows, LAC_CSV_COLUMNS),
    json: () =>
      downloadJson('alignscope-lac-per-layer.json', {
        formula: VIEW_SPECS.lac.formula,
        split,
        n: result.n,
        pooling: result.pooling,
        centre: result.centre,
        bootstrap: { ...BOOTSTRAP, level: 0.95 },
        languages: result.languages,
        layers: result.layers,
        rows: result.rows.map((r) => Object.fromEntries(LAC_CSV_COLUMNS.map((c) => [c, r[c]]))),
      }),
  };
  const top = result.layers[result.layers.length - 1];
  return (
    <InspectViewCard id="lac" exports={exports}>
      <div ref={plotRef} data-testid="lac-chart" data-pairs={pairs.length} data-layers={result.layers.length}>
        <ResponsiveContainer width="100%" height={260}>
          <ComposedChart
            data={data}
            margin={{ top: 8, right: 12, bottom: 4, left: 0 }}
            onClick={(s) => {
              const l = typeof s?.activeLabel === 'number' ? s.activeLabel : Number(s?.activeLabel);
              if (Number.isInteger(l)) setLayer(engine, l);
            }}
          >
            <CartesianGrid stroke="#ecebe6" vertical={false} />
            <XAxis dataKey="layer" type="number" domain={[0, top]} ticks={result.layers.length <= 25 ? result.layers : undefined} allowDecimals={false} tick={{ fontSize: 11 }} label={{ value: 'layer', position: 'insideBottomRight', offset: -2, fontSize: 11 }} />
            <YAxis width={48} domain={['auto', 'auto']} tickFormatter={(v: number) => v.toFixed(2)} tick={{ fontSize: 11 }} />
            <Tooltip isAnimationActive={false} labelFormatter={(l) => `layer ${l}`} formatter={(v, name) => [Array.isArray(v) ? `[${f3(Number(v[0]))}, ${f3(Number(v[1]))}]` : f3(Number(v)), name]} />
            <ReferenceLine x={layer} stroke="#1d1d1f" strokeDasharray="3 3" />
            {pairs.map((p, i) => (
              <Area key={`b${i}`} dataKey={`b${i}`} name={`${pairLabel(p)} 95%`} stroke="none" fill={colors[i]} fillOpacity={focus[i] ? 0.15 : 0} isAnimationActive={false} type="linear" activeDot={false} legendType="none" />
            ))}
            {pairs.map((p, i) => (
              <Line key={`p${i}`} dataKey={`p${i}`} name={pairLabel(p)} stroke={colors[i]} strokeOpacity={focus[i] ? 1 : 0.35} strokeWidth={focus[i] ? 2 : 1} dot={focus[i] ? { r: 2.5, fill: colors[i] } : { r: 1, fill: colors[i], fillOpacity: 0.35 }} isAnimationActive={false} type="linear" />
            ))}
          </ComposedChart>
        </ResponsiveContainer>
      </div>
      <div className="legend" aria-label="Language pairs">
        {legend.map((e) => (
          <span key={e.label} className="legend-item">
            <span className="swatch line" style={{ background: e.color }} /> {e.label}
          </span>
        ))}
        {legend.length < pairs.length && (
          <span className="legend-item hint">
            <span className="swatch line" style={{ background: '#8a8a8a' }} /> {pairs.length - legend.length} other pairs (values below)
          </span>
        )}
      </div>
      <LacValues rows={result.rows} x={(r) => r.layer} xName="layer" testId="lac-row" current={layer} />
    </InspectViewCard>
  );
}
