// The embedding map card: legend, line toggle, view reset, the point count, the canvas, and the
// selected tuple with its neighbours beside it. Exports: PNG of the canvas as drawn, SVG built from
// the points (the whole map, unzoomed), and the points as CSV/JSON.

import { useRef, useState } from 'react';
import { useInspectStore, type PointRef } from '../store/inspect';
import type { AnalysisResult, ProjectionResult } from '../worker/analysis';
import type { EngineApi } from '../worker/engine';
import { canvasToPng, download, downloadCsv, downloadJson, downloadSvg, svgMarkup, type LegendEntry } from './export';
import { InspectMapCanvas, layoutPoints } from './InspectMapCanvas';
import { InspectNeighbours } from './InspectNeighbours';
import { languageColor } from './InspectSpecs';
import { InspectViewCard } from './InspectViewCard';

const SVG_SIZE = 640;
const SVG_NS = 'http://www.w3.org/2000/svg';

function methodName(m: string): string {
  return m === 'pca' ? 'PCA' : m.toUpperCase();
}

/** The map as an <svg> element (not attached): links, then points, then the selected tuple joined pairwise. */
function mapSvg(projection: ProjectionResult, showLinks: boolean, selection: PointRef | null): SVGSVGElement {
  const { languages, n } = projection;
  const K = languages.length;
  const unit = layoutPoints(projection.points, K * n);
  const m = 16;
  const s = SVG_SIZE - 2 * m;
  const X = (i: number) => (m + unit[2 * i] * s).toFixed(2);
  const Y = (i: number) => (m + (1 - unit[2 * i + 1]) * s).toFixed(2);
  const parts: string[] = [];
  const lines = (t: number) => {
    let d = '';
    for (let a = 0; a < K; a++) for (let b = a + 1; b < K; b++) d += `M${X(a * n + t)} ${Y(a * n + t)}L${X(b * n + t)} ${Y(b * n + t)}`;
    return d;
  };
  /** Each point of tuple t joined to the tuple's centre, as on the canvas. */
  const star = (t: number) => {
    let cx = 0, cy = 0;
    for (let l = 0; l < K; l++) {
      cx += Number(X(l * n + t)) / K;
      cy += Number(Y(l * n + t)) / K;
    }
    let d = '';
    for (let l = 0; l < K; l++) d += `M${cx.toFixed(2)} ${cy.toFixed(2)}L${X(l * n + t)} ${Y(l * n + t)}`;
    return d;
  };
  if (showLinks) {
    let d = '';
    for (let t = 0; t < n; t++) d += star(t);
    parts.push(`<path d="${d}" stroke="#1d1d1f" stroke-opacity="0.12" stroke-width="0.6" fill="none"/>`);
  }
  languages.forEach((lang, l) => {
    const dots: string[] = [];
    for (let t = 0; t < n; t++) dots.push(`<circle cx="${X(l * n + t)}" cy="${Y(l * n + t)}" r="2.6"/>`);
    parts.push(`<g fill="${languageColor(lang)}" fill-opacity="0.85" data-language="${lang}">${dots.join('')}</g>`);
  });
  if (selection && selection.index < n) {
    const t = selection.index;
    parts.push(`<path d="${lines(t)}" stroke="#1d1d1f" stroke-width="1.2" fill="none"/>`);
    languages.forEach((lang, l) => parts.push(`<circle cx="${X(l * n + t)}" cy="${Y(l * n + t)}" r="5" fill="${languageColor(lang)}" stroke="#1d1d1f" stroke-width="2"/>`));
  }
  const svg = document.createElementNS(SVG_NS, 'svg');
  svg.setAttribute('width', String(SVG_SIZE));
  svg.setAttribute('height', String(SVG_SIZE));
  svg.setAttribute('viewBox', `0 0 ${SVG_SIZE} ${SVG_SIZE}`);
  svg.innerHTML = parts.join('');
  return svg;
}

/** One row per point, language-major like the engine's points. */
function pointRows(projection: ProjectionResult, result: AnalysisResult) {
  const rows: { layer: number; method: string; language: string; index: number; x: number; y: number; sentence: string }[] = [];
  projection.languages.forEach((language, l) => {
    for (let i = 0; i < projection.n; i++) {
      const p = l * projection.n + i;
      rows.push({ layer: projection.layer, method: projection.method, language, index: i, x: projection.points[2 * p], y: projection.points[2 * p + 1], sentence: result.sentences[language]?.[i] ?? '' });
    }
  });
  return rows;
}

export function InspectMap({ engine, result, projection }: { engine: EngineApi; result: AnalysisResult; projection: ProjectionResult | null }) {
  const showLinks = useInspectStore((s) => s.showLinks);
  const selection = useInspectStore((s) => s.selection);
  const neighbours = useInspectStore((s) => s.neighbours);
  const neighboursLayer = useInspectStore((s) => s.neighboursLayer);
  const layer = useInspectStore((s) => s.layer);
  const projecting = useInspectStore((s) => s.projecting);
  const { setShowLinks, select } = useInspectStore.getState();
  const baseRef = useRef<HTMLCanvasElement>(null);
  const overlayRef = useRef<HTMLCanvasElement>(null);
  const [resetKey, setResetKey] = useState(0);
  // A map made for an earlier analysis (other languages or sentences) is not drawn with this one's sentences.
  const current = projection && projection.n === result.n && projection.languages.join() === result.languages.join() ? projection : null;
  const onSelect = (p: PointRef | null) => select(engine, p);
  const legend: LegendEntry[] = result.languages.map((l) => ({ label: l, color: languageColor(l) }));
  const title = current ? `Layer ${current.layer}, ${methodName(current.method)} of ${result.n} tuples × ${result.languages.length} languages` : '';
  const base = current ? `alignscope-map-layer${current.layer}-${current.method}` : 'alignscope-map';
  const exports = current
    ? {
        png: async () => {
          const layers = [baseRef.current, overlayRef.current].filter((c): c is HTMLCanvasElement => c !== null);
          if (layers.length === 0) throw new Error('The map is not drawn yet.');
          download(`${base}.png`, await canvasToPng(layers, { title, legend }));
        },
        svg: () => downloadSvg(`${base}.svg`, svgMarkup(mapSvg(current, showLinks, selection), { title, legend }).markup),
        csv: () => downloadCsv(`${base}.csv`, pointRows(current, result), ['layer', 'method', 'language', 'index', 'x', 'y', 'sentence']),
        json: () => downloadJson(`${base}.json`, { layer: current.layer, method: current.method, languages: current.languages, n: current.n, points: pointRows(current, result) }),
      }
    : {};
  return (
    <InspectViewCard id="map" wide exports={exports} subtitle={current ? `layer ${current.layer}, ${methodName(current.method)}` : undefined}>
      <div className="row map-bar">
        <span className="legend" aria-label="Languages">
          {legend.map((e) => (
            <span key={e.label} className="legend-item">
              <span className="swatch" style={{ background: e.color }} /> {e.label}
            </span>
          ))}
        </span>
        <label className="choice inline">
          <input type="checkbox" checked={showLinks} onChange={(e) => setShowLinks(e.target.checked)} /> Join translations
        </label>
        <button type="button" className="secondary small" onClick={() => setResetKey((k) => k + 1)}>
          Reset view
        </button>
        <span className="hint" data-testid="map-count">
          {current ? `${current.languages.length * current.n} points` : 'no map yet'}
        </span>
        {projecting && <span className="hint">re-projecting…</span>}
      </div>
      <div className="map-layout">
        {current ? (
          <InspectMapCanvas projection={current} sentences={result.sentences} showLinks={showLinks} selection={selection} neighbours={neighboursLayer === layer ? neighbours : null} onSelect={onSelect} baseRef={baseRef} overlayRef={overlayRef} resetKey={resetKey} />
        ) : (
          <div className="map-wrap placeholder" role="status">
            Projecting the embeddings…
          </div>
        )}
        <InspectNeighbours selection={selection} languages={result.languages} sentences={result.sentences} neighbours={neighboursLayer === layer ? neighbours : null} layer={layer} onSelect={onSelect} />
      </div>
    </InspectViewCard>
  );
}
