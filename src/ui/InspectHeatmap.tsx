// Language × language at the chosen layer: LAC or MEXA of every pair as a coloured cell with its
// value printed and, small below it, the pair's surface baseline (character n-grams, no model; ▲ where
// the model beats it). The colour scale spans the values shown (min to max), and its legend marks what
// chance gives: LAC's widest shuffled-pairs band at this layer, or MEXA's 1/n. Drawn as SVG so the
// picture exports as it is; the numbers export as CSV (one row per pair) or a JSON matrix.

import { useMemo, useRef } from 'react';
import { useInspectStore, type HeatMetric } from '../store/inspect';
import type { AnalysisResult } from '../worker/analysis';
import { downloadCsv, downloadJson, downloadSvgChart } from './export';
import { InspectViewCard } from './InspectViewCard';

const CELL = 50;
const LABEL = 34;
const LEGEND_H = 56;
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

/** Colour of t in [0, 1] on the scale (clamped; NaN as 0). */
export function heatColor(value: number): string {
  const t = Math.min(1, Math.max(0, Number.isFinite(value) ? value : 0));
  let i = 0;
  while (i < STOPS.length - 2 && t > STOPS[i + 1][0]) i++;
  const [t0, c0] = STOPS[i];
  const [t1, c1] = STOPS[i + 1];
  const u = (t - t0) / (t1 - t0);
  const c = c0.map((x, k) => Math.round(x + (c1[k] - x) * u));
  return `rgb(${c[0]}, ${c[1]}, ${c[2]})`;
}

/** K × K values of `metric` at `layer` and of its surface baseline; the diagonal is 1 (a language with itself). */
function matrixOf(result: AnalysisResult, layer: number, metric: HeatMetric): { M: number[][]; surface: number[][] } {
  const { languages } = result;
  const K = languages.length;
  const square = () => Array.from({ length: K }, (_, i) => Array.from({ length: K }, (_, j) => (i === j ? 1 : NaN)));
  const M = square();
  const surface = square();
  for (const r of result.rows) {
    if (r.layer !== layer) continue;
    const a = languages.indexOf(r.a), b = languages.indexOf(r.b);
    M[a][b] = M[b][a] = r[metric];
  }
  for (const r of result.surface) {
    const a = languages.indexOf(r.a), b = languages.indexOf(r.b);
    surface[a][b] = surface[b][a] = r[metric];
  }
  return { M, surface };
}

/** The colour scale's ends: the smallest and largest off-diagonal value shown (a span of at least 0.01). */
export function scaleOf(M: number[][]): { lo: number; hi: number } {
  const vals = M.flatMap((row, i) => row.filter((v, j) => i !== j && Number.isFinite(v)));
  if (vals.length === 0) return { lo: 0, hi: 1 };
  const lo = Math.min(...vals);
  const hi = Math.max(...vals);
  return hi - lo < 0.01 ? { lo: lo - 0.005, hi: hi + 0.005 } : { lo, hi };
}

export function InspectHeatmap({ result }: { result: AnalysisResult }) {
  const layer = useInspectStore((s) => s.layer);
  const metric = useInspectStore((s) => s.heatMetric);
  const setHeatMetric = useInspectStore((s) => s.setHeatMetric);
  const svgRef = useRef<SVGSVGElement>(null);
  const { M, surface } = useMemo(() => matrixOf(result, layer, metric), [result, layer, metric]);
  const { lo, hi } = scaleOf(M);
  const at = (v: number) => (v - lo) / (hi - lo);
  // What chance gives, marked on the legend: LAC's widest shuffled-pairs band here, or MEXA's 1/n.
  const layerRows = result.rows.filter((r) => r.layer === layer);
  const chance: [number, number] = metric === 'lac' ? [Math.min(...layerRows.map((r) => r.nullLow)), Math.max(...layerRows.map((r) => r.nullHigh))] : [result.chanceP1, result.chanceP1];
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
  const surfaceOf = new Map(result.surface.map((r) => [`${r.a}:${r.b}`, r[metric]]));
  const pairRows = layerRows.map((r) => ({ layer, metric, a: r.a, b: r.b, value: r[metric], surface: surfaceOf.get(`${r.a}:${r.b}`) }));
  const exports = {
    png: picture('png'),
    svg: picture('svg'),
    csv: () => downloadCsv(`${base}.csv`, pairRows, ['layer', 'metric', 'a', 'b', 'value', 'surface']),
    json: () => downloadJson(`${base}.json`, { layer, metric, languages, matrix: M, surface, chance }),
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
      <svg ref={svgRef} className="heatmap" width={size + 8} height={size + LEGEND_H} viewBox={`0 0 ${size + 8} ${size + LEGEND_H}`} role="img" aria-label={`${name} of every language pair at layer ${layer}`} data-testid="heatmap" data-scale-low={lo} data-scale-high={hi} fontFamily="system-ui, sans-serif" fontSize={11}>
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
            const fill = diag ? '#ecebe6' : heatColor(at(v));
            const dark = !diag && at(v) > 0.55;
            const s0 = surface[i][j];
            const beats = v > s0;
            return (
              <g key={`${i}:${j}`} data-testid={diag ? undefined : 'heat-cell'} data-value={diag ? undefined : v} data-surface={diag ? undefined : s0}>
                <rect x={LABEL + j * CELL} y={LABEL + i * CELL} width={CELL - 2} height={CELL - 2} rx={3} fill={fill}>
                  <title>{diag ? languages[i] : `${languages[i]}–${languages[j]}: ${name} ${v.toFixed(4)}; surface baseline ${s0.toFixed(4)}`}</title>
                </rect>
                <text x={LABEL + j * CELL + (CELL - 2) / 2} y={LABEL + i * CELL + CELL / 2 - 1} textAnchor="middle" fill={dark ? '#ffffff' : diag ? '#9a9a9e' : '#1d1d1f'} fontSize={10.5}>
                  {diag ? '—' : Number.isFinite(v) ? `${v.toFixed(2)}${beats ? '▲' : ''}` : '?'}
                </text>
                {!diag && (
                  <text x={LABEL + j * CELL + (CELL - 2) / 2} y={LABEL + i * CELL + CELL / 2 + 11} textAnchor="middle" fill={dark ? '#dfe4f5' : '#6b6b70'} fontSize={8.5}>
                    s {Number.isFinite(s0) ? s0.toFixed(2) : '?'}
                  </text>
                )}
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
        <g transform={`translate(${LABEL}, ${size + 10})`} data-testid="heat-legend">
          <rect x={0} y={0} width={K * CELL - 2} height={10} rx={2} fill="url(#heat-scale)" />
          {[0, 0.5, 1].map((t) => (
            <text key={t} x={t * (K * CELL - 2)} y={24} textAnchor={t === 0 ? 'start' : t === 1 ? 'end' : 'middle'} fill="#6b6b70">
              {(lo + t * (hi - lo)).toFixed(2)}
            </text>
          ))}
          {(() => {
            // The chance mark, clipped to the scale: a bracket for LAC's band, a tick for 1/n.
            const x0 = Math.max(0, Math.min(1, at(chance[0]))) * (K * CELL - 2);
            const x1 = Math.max(0, Math.min(1, at(chance[1]))) * (K * CELL - 2);
            return (
              <g data-testid="heat-chance">
                <rect x={x0} y={-3} width={Math.max(2, x1 - x0)} height={16} fill="none" stroke="#1d1d1f" strokeWidth={1.2} />
                <text x={(x0 + x1) / 2} y={38} textAnchor="middle" fill="#1d1d1f" fontSize={10}>
                  {metric === 'lac' ? `shuffled pairs [${chance[0].toFixed(2)}, ${chance[1].toFixed(2)}]` : `chance 1/n = ${chance[0].toFixed(3)}`}
                </text>
              </g>
            );
          })()}
        </g>
      </svg>
    </InspectViewCard>
  );
}
