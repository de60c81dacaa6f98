// Language × language at the chosen layer: LAC or MEXA of every pair as a coloured cell with its
// value printed, and a colour legend (0 to 1; values below 0 take the lightest colour). Drawn as SVG
// so the picture exports as it is; the numbers export as CSV (one row per pair) or a JSON matrix.

import { useMemo, useRef } from 'react';
import { useInspectStore, type HeatMetric } from '../store/inspect';
import type { AnalysisResult } from '../worker/analysis';
import { downloadCsv, downloadJson, downloadSvgChart } from './export';
import { InspectViewCard } from './InspectViewCard';

const CELL = 46;
const LABEL = 34;
const LEGEND_H = 40;
const METRICS: { id: HeatMetric; label: string }[] = [
  { id: 'lac', label: 'LAC' },
  { id: 'mexa', label: 'MEXA' },
];

/** Colour stops from 0 to 1: near-white to the accent blue to deep blue. */
const STOPS: [number, [number, number, number]][] = [
  [0, [245, 247, 252]],
  [0.5, [143, 168, 232]],
  [1, [31, 55, 150]],
];

export function heatColor(v: number): string {
  const t = Math.min(1, Math.max(0, Number.isFinite(v) ? v : 0));
  let i = 0;
  while (i < STOPS.length - 2 && t > STOPS[i + 1][0]) i++;
  const [t0, c0] = STOPS[i];
  const [t1, c1] = STOPS[i + 1];
  const u = (t - t0) / (t1 - t0);
  const c = c0.map((x, k) => Math.round(x + (c1[k] - x) * u));
  return `rgb(${c[0]}, ${c[1]}, ${c[2]})`;
}

/** K × K values of `metric` at `layer`; the diagonal is 1 (a language with itself). */
function matrixOf(result: AnalysisResult, layer: number, metric: HeatMetric): number[][] {
  const { languages } = result;
  const K = languages.length;
  const M = Array.from({ length: K }, (_, i) => Array.from({ length: K }, (_, j) => (i === j ? 1 : NaN)));
  for (const r of result.rows) {
    if (r.layer !== layer) continue;
    const a = languages.indexOf(r.a), b = languages.indexOf(r.b);
    M[a][b] = M[b][a] = r[metric];
  }
  return M;
}

export function InspectHeatmap({ result }: { result: AnalysisResult }) {
  const layer = useInspectStore((s) => s.layer);
  const metric = useInspectStore((s) => s.heatMetric);
  const setHeatMetric = useInspectStore((s) => s.setHeatMetric);
  const svgRef = useRef<SVGSVGElement>(null);
  const M = useMemo(() => matrixOf(result, layer, metric), [result, layer, metric]);
  const { languages } = result;
  const K = languages.length;
  const size = LABEL + K * CELL;
  const name = metric === 'lac' ? 'LAC' : 'MEXA';
  const base = `alignscope-${metric}-heatmap-layer${layer}`;
  const title = `${name} at layer ${layer}, ${result.n} tuples`;
  const picture = (kind: 'svg' | 'png') => async () => {
    if (!svgRef.current) throw new Error('The heatmap is not drawn yet.');
    await downloadSvgChart(base, svgRef.current, { title }, kind);
  };
  const pairRows = result.rows.filter((r) => r.layer === layer).map((r) => ({ layer, metric, a: r.a, b: r.b, value: r[metric] }));
  const exports = {
    png: picture('png'),
    svg: picture('svg'),
    csv: () => downloadCsv(`${base}.csv`, pairRows, ['layer', 'metric', 'a', 'b', 'value']),
    json: () => downloadJson(`${base}.json`, { layer, metric, languages, matrix: M }),
  };
  return (
    <InspectViewCard id="heatmap" exports={exports} subtitle={`${name}, layer ${layer}`}>
      <div className="row" role="radiogroup" aria-label="Heatmap metric">
        {METRICS.map((m) => (
          <label key={m.id} className="choice inline">
            <input type="radio" name="heat-metric" checked={metric === m.id} onChange={() => setHeatMetric(m.id)} /> {m.label}
          </label>
        ))}
      </div>
      <svg ref={svgRef} className="heatmap" width={size + 8} height={size + LEGEND_H} viewBox={`0 0 ${size + 8} ${size + LEGEND_H}`} role="img" aria-label={`${name} of every language pair at layer ${layer}`} data-testid="heatmap" fontFamily="system-ui, sans-serif" fontSize={11}>
        {languages.map((l, i) => (
          <g key={l}>
            <text x={LABEL - 6} y={LABEL + i * CELL + CELL / 2 + 4} textAnchor="end" fill="#1d1d1f">
              {l}
            </text>
            <text x={LABEL + i * CELL + CELL / 2} y={LABEL - 8} textAnchor="middle" fill="#1d1d1f">
              {l}
            </text>
          </g>
        ))}
        {M.map((row, i) =>
          row.map((v, j) => {
            const diag = i === j;
            const fill = diag ? '#ecebe6' : heatColor(v);
            const dark = !diag && v > 0.55;
            return (
              <g key={`${i}:${j}`} data-testid={diag ? undefined : 'heat-cell'}>
                <rect x={LABEL + j * CELL} y={LABEL + i * CELL} width={CELL - 2} height={CELL - 2} rx={3} fill={fill}>
                  <title>{diag ? languages[i] : `${languages[i]}–${languages[j]}: ${name} ${v.toFixed(4)}`}</title>
                </rect>
                <text x={LABEL + j * CELL + (CELL - 2) / 2} y={LABEL + i * CELL + CELL / 2 + 3} textAnchor="middle" fill={dark ? '#ffffff' : diag ? '#9a9a9e' : '#1d1d1f'} fontSize={10.5}>
                  {diag ? '—' : Number.isFinite(v) ? v.toFixed(2) : '?'}
                </text>
              </g>
            );
          }),
        )}
        <defs>
          <linearGradient id="heat-scale" x1="0" x2="1" y1="0" y2="0">
            {STOPS.map(([t]) => (
              <stop key={t} offset={t} stopColor={heatColor(t)} />
            ))}
          </linearGradient>
        </defs>
        <g transform={`translate(${LABEL}, ${size + 10})`}>
          <rect x={0} y={0} width={K * CELL - 2} height={10} rx={2} fill="url(#heat-scale)" />
          {[0, 0.5, 1].map((t) => (
            <text key={t} x={t * (K * CELL - 2)} y={24} textAnchor={t === 0 ? 'start' : t === 1 ? 'end' : 'middle'} fill="#6b6b70">
              {t === 0 ? `≤ 0` : t.toFixed(1)}
            </text>
          ))}
        </g>
      </svg>
    </InspectViewCard>
  );
}
