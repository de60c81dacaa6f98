// Retrieval at the chosen layer: per language pair, P@1 in both directions, MEXA, the mean cosine
// of translation pairs, the Wang & Isola alignment and LAC. The numbers export as CSV/JSON (the
// table is not a picture, so no PNG/SVG).

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
  const base = `alignscope-retrieval-layer${layer}`;
  const picked = rows.map((r) => Object.fromEntries(RETRIEVAL_CSV_COLUMNS.map((c) => [c, r[c]])));
  const exports = {
    csv: () => downloadCsv(`${base}.csv`, rows, RETRIEVAL_CSV_COLUMNS),
    json: () => downloadJson(`${base}.json`, { layer, n: result.n, rows: picked }),
  };
  return (
    <InspectViewCard id="retrieval" exports={exports} subtitle={`layer ${layer}, n = ${result.n}`}>
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
          {rows.map((r) => (
            <tr key={`${r.a}:${r.b}`} data-testid="retrieval-row" data-a={r.a} data-b={r.b} data-p1-a-to-b={r.p1AtoB} data-p1-b-to-a={r.p1BtoA} data-mexa={r.mexa}>
              <td>{pairLabel(r)}</td>
              <td>{pct(r.p1AtoB)}</td>
              <td>{pct(r.p1BtoA)}</td>
              <td>{pct(r.mexa)}</td>
              <td>{f3(r.meanCosine)}</td>
              <td>{f3(r.alignment)}</td>
              <td>{f3(r.lac)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </InspectViewCard>
  );
}
