// LAC per layer: one line per language pair (x = hidden state, y = LAC) with its 95% bootstrap
// interval as a band, and the baselines to read it against: a grey band of LAC under shuffled pairs
// (the permutation null; the widest band of the pairs drawn) and a dashed line per pair at the LAC
// of character n-gram vectors (the surface baseline, no model). With many pairs only the paper's
// four are drawn until "all pairs" is ticked. A marker sits at the chosen layer (click the chart to
// choose another); the formula and explanation are beside it, every number in a table below.
// Exports: the chart as PNG/SVG, and all rows (layer × pair) as CSV/JSON with LAC_CSV_COLUMNS.

import { useMemo, useRef, useState } from 'react';
import { Area, CartesianGrid, ComposedChart, Line, ReferenceLine, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { AlignmentRow } from '../align/analyze';
import { useInspectStore } from '../store/inspect';
import { BOOTSTRAP } from '../store/inspect-request';
import type { AnalysisResult } from '../worker/analysis';
import type { EngineApi } from '../worker/engine';
import { downloadCsv, downloadJson, downloadSvgChart } from './export';
import { REPORT_PAIRS } from '../experiment/arms';
import { isReportPair, LAC_CSV_COLUMNS, pairColor, pairLabel, VIEW_SPECS } from './InspectSpecs';
import { InspectViewCard } from './InspectViewCard';
import { f3, LacValues } from './LacValues';

type ChartDatum = Record<string, number | [number, number]>;

/** The pairs in row order, and one datum per layer: p{i} = LAC of pair i, b{i} = [low, high], n{i} = its null band. */
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
      if (Number.isFinite(r.nullLow) && Number.isFinite(r.nullHigh)) d[`n${i}`] = [r.nullLow, r.nullHigh];
    }
    return d;
  });
  return { pairs, data };
}


/** Above this many pairs the chart would be a tangle: only REPORT_PAIRS are drawn unless the user asks for all. */
const FOCUS_ABOVE = 6;
const NULL_COLOR = '#9a9a9e';

/** Per layer, the union of the null bands of the drawn pairs: [lowest low, highest high]. */
function nullBand(data: ChartDatum[], drawn: number[]): ChartDatum[] {
  return data.map((d) => {
    const bands = drawn.map((i) => d[`n${i}`]).filter((b): b is [number, number] => Array.isArray(b));
    return bands.length ? { ...d, null: [Math.min(...bands.map((b) => b[0])), Math.max(...bands.map((b) => b[1]))] as [number, number] } : d;
  });
}

export function InspectLacChart({ engine, result }: { engine: EngineApi; result: AnalysisResult }) {
  const layer = useInspectStore((s) => s.layer);
  const split = useInspectStore((s) => s.resultSplit);
  const setLayer = useInspectStore((s) => s.setLayer);
  const plotRef = useRef<HTMLDivElement>(null);
  const [showAll, setShowAll] = useState(false);
  const { pairs, data: lacData } = useMemo(() => chartData(result), [result]);
  const focus = pairs.map((p) => pairs.length <= FOCUS_ABOVE || isReportPair(p, REPORT_PAIRS));
  const drawn = pairs.map((_, i) => i).filter((i) => focus[i] || showAll);
  const data = useMemo(() => nullBand(lacData, drawn), [lacData, drawn.join()]);
  // Focused pairs take the colours in order; the others are grey and faint (PAIR_COLORS would repeat).
  const colors = pairs.map((_, i) => (focus[i] ? pairColor(focus.slice(0, i).filter(Boolean).length) : '#8a8a8a'));
  const surface = new Map(result.surface.map((r) => [`${r.a}–${r.b}`, r.lac]));
  const legend = pairs.map((p, i) => ({ label: pairLabel(p), color: colors[i] })).filter((_, i) => focus[i]);
  const title = `LAC per layer — ${result.n} ${split ?? ''} tuples, ${result.pooling} pooling${result.centre ? ', centred' : ''}; bands: 95% bootstrap; grey: shuffled pairs; dashed: surface (character n-grams)`;
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
      <div ref={plotRef} data-testid="lac-chart" data-pairs={pairs.length} data-drawn={drawn.length} data-layers={result.layers.length}>
        <ResponsiveContainer width="100%" height={280}>
          <ComposedChart
            data={data}
            margin={{ top: 8, right: 12, bottom: 18, left: 8 }}
            onClick={(s) => {
              const l = typeof s?.activeLabel === 'number' ? s.activeLabel : Number(s?.activeLabel);
              if (Number.isInteger(l)) setLayer(engine, l);
            }}
          >
            <CartesianGrid stroke="#ecebe6" vertical={false} />
            <XAxis dataKey="layer" type="number" domain={[0, top]} ticks={result.layers.length <= 25 ? result.layers : undefined} allowDecimals={false} tick={{ fontSize: 11 }} label={{ value: 'hidden state (0 = embeddings, i = after block i)', position: 'insideBottom', offset: -12, fontSize: 11 }} />
            <YAxis width={52} domain={['auto', 'auto']} tickFormatter={(v: number) => v.toFixed(2)} tick={{ fontSize: 11 }} label={{ value: 'LAC', angle: -90, position: 'insideLeft', offset: 4, fontSize: 11 }} />
            <Tooltip isAnimationActive={false} labelFormatter={(l) => `layer ${l}`} formatter={(v, name) => [Array.isArray(v) ? `[${f3(Number(v[0]))}, ${f3(Number(v[1]))}]` : f3(Number(v)), name]} />
            <ReferenceLine x={layer} stroke="#1d1d1f" strokeDasharray="3 3" />
            <Area dataKey="null" name="shuffled pairs 95%" stroke={NULL_COLOR} strokeOpacity={0.5} strokeDasharray="2 2" fill={NULL_COLOR} fillOpacity={0.18} isAnimationActive={false} type="linear" activeDot={false} legendType="none" />
            {drawn.map((i) => (
              <ReferenceLine key={`s${i}`} y={surface.get(pairLabel(pairs[i]))} stroke={colors[i]} strokeOpacity={focus[i] ? 0.9 : 0.3} strokeDasharray="6 4" ifOverflow="extendDomain" />
            ))}
            {drawn.map((i) => (
              <Area key={`b${i}`} dataKey={`b${i}`} name={`${pairLabel(pairs[i])} 95%`} stroke="none" fill={colors[i]} fillOpacity={focus[i] ? 0.15 : 0} isAnimationActive={false} type="linear" activeDot={false} legendType="none" />
            ))}
            {drawn.map((i) => (
              <Line key={`p${i}`} dataKey={`p${i}`} name={pairLabel(pairs[i])} stroke={colors[i]} strokeOpacity={focus[i] ? 1 : 0.35} strokeWidth={focus[i] ? 2 : 1} dot={focus[i] ? { r: 2.5, fill: colors[i] } : { r: 1, fill: colors[i], fillOpacity: 0.35 }} isAnimationActive={false} type="linear" />
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
        <span className="legend-item" data-testid="legend-null">
          <span className="swatch" style={{ background: NULL_COLOR, opacity: 0.4 }} /> shuffled pairs (95%)
        </span>
        <span className="legend-item" data-testid="legend-surface">
          <span className="swatch line dashed" /> surface (character n-grams, no model)
        </span>
        {legend.length < pairs.length && (
          <label className="legend-item choice inline">
            <input type="checkbox" checked={showAll} onChange={(e) => setShowAll(e.target.checked)} /> all {pairs.length} pairs ({pairs.length - legend.length} more, faint)
          </label>
        )}
      </div>
      <LacValues rows={result.rows} x={(r) => r.layer} xName="layer" testId="lac-row" current={layer} surface={surface} />
    </InspectViewCard>
  );
}
