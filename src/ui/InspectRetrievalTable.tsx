// Retrieval at the chosen layer: per language pair, P@1 in both directions, MEXA, the mean cosine
// of translation pairs, the Wang & Isola alignment and LAC; beside P@1 and MEXA, in grey, what the
// surface baseline (character n-grams, no model) scores, and above the table what chance gives (1/n).
// The numbers export as CSV/JSON (the table is not a picture, so no PNG/SVG).

import { useInspectStore } from '../store/inspect';
import type { AnalysisResult } from '../worker/analysis';
import { downloadCsv, downloadJson } from './export';
import { pairLabel, RETRIEVAL_CSV_COLUMNS } from './InspectSpecs';
import { InspectViewCard } from './InspectViewCard';

const pct = (v: number) => (Number.isFinite(v) ? `${(100 * v).toFixed(1)}%` : '—');
const f3 = (v: number) => (Number.isFinite(v) ? v.toFixed(3) : '—');

export function InspectRetrievalTable({ result }: { result: AnalysisResult }) {
  const layer = useInspectStore((s) => s.layer);
  const rows = result.rows.filter((r) => r.layer === layer);
  const surface = new Map(result.surface.map((s) => [`${s.a}:${s.b}`, s]));
  const base = `alignscope-retrieval-layer${layer}`;
  const columns = [...RETRIEVAL_CSV_COLUMNS, 'surfaceP1AtoB', 'surfaceP1BtoA', 'surfaceMexa'] as const;
  const picked = rows.map((r) => {
    const s = surface.get(`${r.a}:${r.b}`);
    return { ...r, surfaceP1AtoB: s?.p1AtoB ?? NaN, surfaceP1BtoA: s?.p1BtoA ?? NaN, surfaceMexa: s?.mexa ?? NaN };
  });
  const exports = {
    csv: () => downloadCsv(`${base}.csv`, picked, columns),
    json: () => downloadJson(`${base}.json`, { layer, n: result.n, chanceP1: result.chanceP1, rows: picked.map((r) => Object.fromEntries(columns.map((c) => [c, r[c]]))) }),
  };
  const grey = (v: number | undefined) => <span className="baseline-value">{pct(v ?? NaN)}</span>;
  return (
    <InspectViewCard id="retrieval" exports={exports} subtitle={`layer ${layer}, n = ${result.n}`}>
      <p className="hint" data-testid="retrieval-chance" data-chance={result.chanceP1}>
        Chance: P@1 = 1/{result.n} = {pct(result.chanceP1)}. In grey: the surface baseline (character n-grams, no model).
      </p>
      <table className="retrieval" data-testid="retrieval-table">
        <thead>
          <tr>
            <th>pair</th>
            <th title="Share of a's sentences whose nearest sentence in b is their translation">P@1 a→b</th>
            <th title="Share of b's sentences whose nearest sentence in a is their translation">P@1 b→a</th>
            <th title="Mutual nearest neighbours">MEXA</th>
            <th title="Mean cosine of translation pairs">mean cos</th>
            <th title="Mean squared distance of translation pairs (lower is better)">alignment</th>
            <th>LAC</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => {
            const s = surface.get(`${r.a}:${r.b}`);
            return (
            <tr key={`${r.a}:${r.b}`} data-testid="retrieval-row" data-a={r.a} data-b={r.b} data-p1-a-to-b={r.p1AtoB} data-p1-b-to-a={r.p1BtoA} data-mexa={r.mexa} data-surface-p1-a-to-b={s?.p1AtoB} data-surface-p1-b-to-a={s?.p1BtoA} data-surface-mexa={s?.mexa}>
              <td>{pairLabel(r)}</td>
              <td>
                {pct(r.p1AtoB)} {grey(s?.p1AtoB)}
              </td>
              <td>
                {pct(r.p1BtoA)} {grey(s?.p1BtoA)}
              </td>
              <td>
                {pct(r.mexa)} {grey(s?.mexa)}
              </td>
              <td>{f3(r.meanCosine)}</td>
              <td>{f3(r.alignment)}</td>
              <td>{f3(r.lac)}</td>
            </tr>
            );
          })}
        </tbody>
      </table>
    </InspectViewCard>
  );
}
