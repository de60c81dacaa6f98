// The embedding map itself: up to a few thousand points on a <canvas>, coloured by language, the
// translations of each tuple joined by thin lines, a selected tuple and its neighbours highlighted.
//
// Coordinates: the projection's points are first fitted into the unit square once per projection
// (`layoutPoints`: centred, one scale for both axes, y up), then drawn through
//   screen = fit(unit) * k + (x, y)
// where fit places the unit square in the canvas with a margin and (k, x, y) is the view the user
// moves: drag pans, the wheel zooms around the cursor. Changing the view only redraws, at most once
// per animation frame. Two stacked canvases: the base (links and every point) is redrawn when the
// view, the map or the selection changes; the overlay (hover ring, selected tuple, neighbours) also
// on every hover change, which then costs a few arcs instead of thousands. Hover hit-testing looks
// up a uniform grid over the unit square (`PointGrid`), touching only the points near the cursor.
// Links join each tuple's points to their centre (K segments per tuple rather than K(K-1)/2: with 8
// languages and 4,000 points all pairs would be 15,000 strokes per frame).

import { useEffect, useMemo, useRef, type PointerEvent as ReactPointerEvent, type RefObject } from 'react';
import type { PointRef } from '../store/inspect';
import type { Neighbour, ProjectionResult } from '../worker/analysis';
import { languageColor } from './InspectSpecs';

/** CSS pixels: map height, margin around the unit square, point radius, hover reach. */
const HEIGHT = 460;
const MARGIN = 18;
const RADIUS = 2.6;
const HIT_PX = 7;
const MIN_ZOOM = 0.5;
const MAX_ZOOM = 60;

/** The points fitted into [0, 1]², aspect kept and centred, y pointing up. */
export function layoutPoints(points: Float32Array, count: number): Float32Array {
  let x0 = Infinity, x1 = -Infinity, y0 = Infinity, y1 = -Infinity;
  for (let i = 0; i < count; i++) {
    const x = points[2 * i], y = points[2 * i + 1];
    if (x < x0) x0 = x;
    if (x > x1) x1 = x;
    if (y < y0) y0 = y;
    if (y > y1) y1 = y;
  }
  const span = Math.max(x1 - x0, y1 - y0) || 1;
  const cx = (x0 + x1) / 2, cy = (y0 + y1) / 2;
  const out = new Float32Array(2 * count);
  for (let i = 0; i < count; i++) {
    out[2 * i] = 0.5 + (points[2 * i] - cx) / span;
    out[2 * i + 1] = 0.5 + (points[2 * i + 1] - cy) / span;
  }
  return out;
}

/** A uniform grid over the unit square: each cell lists the points inside it (CSR layout). */
export class PointGrid {
  private readonly start: Int32Array;
  private readonly items: Int32Array;

  constructor(private readonly unit: Float32Array, count: number, private readonly side = 64) {
    const cellOf = (i: number) => this.cell(unit[2 * i], unit[2 * i + 1]);
    this.start = new Int32Array(side * side + 1);
    for (let i = 0; i < count; i++) this.start[cellOf(i) + 1]++;
    for (let c = 0; c < side * side; c++) this.start[c + 1] += this.start[c];
    const fill = this.start.slice(0, side * side);
    this.items = new Int32Array(count);
    for (let i = 0; i < count; i++) this.items[fill[cellOf(i)]++] = i;
  }

  private clampCell(v: number): number {
    return Math.min(this.side - 1, Math.max(0, Math.floor(v * this.side)));
  }

  private cell(x: number, y: number): number {
    return this.clampCell(y) * this.side + this.clampCell(x);
  }

  /** The point nearest (x, y) within distance r (unit-square units), or -1. */
  nearest(x: number, y: number, r: number): number {
    let best = -1;
    let bestD = r * r;
    const cx0 = this.clampCell(x - r), cx1 = this.clampCell(x + r);
    const cy0 = this.clampCell(y - r), cy1 = this.clampCell(y + r);
    for (let cy = cy0; cy <= cy1; cy++) {
      for (let cx = cx0; cx <= cx1; cx++) {
        const c = cy * this.side + cx;
        for (let j = this.start[c]; j < this.start[c + 1]; j++) {
          const i = this.items[j];
          const dx = this.unit[2 * i] - x, dy = this.unit[2 * i + 1] - y;
          const d = dx * dx + dy * dy;
          if (d <= bestD) {
            bestD = d;
            best = i;
          }
        }
      }
    }
    return best;
  }
}

interface View {
  k: number;
  x: number;
  y: number;
}

interface Props {
  projection: ProjectionResult;
  sentences: Record<string, string[]>;
  showLinks: boolean;
  selection: PointRef | null;
  neighbours: Neighbour[] | null;
  onSelect: (p: PointRef | null) => void;
  /** The two layers, bottom first (the PNG export stacks them). */
  baseRef: RefObject<HTMLCanvasElement | null>;
  overlayRef: RefObject<HTMLCanvasElement | null>;
  /** Changing it puts the view back to the whole map. */
  resetKey: number;
}

type Ctx = CanvasRenderingContext2D;

function context(canvas: HTMLCanvasElement | null, w: number, h: number, dpr: number): Ctx | null {
  const ctx = canvas?.getContext('2d') ?? null;
  if (!ctx) return null;
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.clearRect(0, 0, w, h);
  return ctx;
}

function ring(ctx: Ctx, x: number, y: number, r: number, stroke: string, width: number, fill?: string): void {
  ctx.beginPath();
  ctx.arc(x, y, r, 0, 2 * Math.PI);
  if (fill) {
    ctx.fillStyle = fill;
    ctx.fill();
  }
  ctx.strokeStyle = stroke;
  ctx.lineWidth = width;
  ctx.stroke();
}

export function InspectMapCanvas(props: Props) {
  const { projection, baseRef, overlayRef, resetKey } = props;
  const { languages, n } = projection;
  const count = languages.length * n;
  const unit = useMemo(() => layoutPoints(projection.points, count), [projection, count]);
  const grid = useMemo(() => new PointGrid(unit, count), [unit, count]);
  const wrapRef = useRef<HTMLDivElement>(null);
  const tipRef = useRef<HTMLDivElement>(null);
  const view = useRef<View>({ k: 1, x: 0, y: 0 });
  const size = useRef({ w: 0, h: HEIGHT, dpr: 1 });
  const hover = useRef(-1);
  const drag = useRef<{ x: number; y: number; vx: number; vy: number; moved: boolean } | null>(null);
  const frame = useRef(0);
  const dirty = useRef({ base: true, overlay: true });
  /** Screen position of every point for the current view (filled by the base pass). */
  const xy = useRef(new Float32Array(0));
  // The newest props and derived data, read by the draw passes whenever a frame runs.
  const live = useRef({ props, unit, grid, count });
  live.current = { props, unit, grid, count };

  const fit = () => {
    const { w, h } = size.current;
    const s = Math.max(1, Math.min(w, h) - 2 * MARGIN);
    return { s, ox: (w - s) / 2, oy: (h - s) / 2 };
  };
  const hit = (sx: number, sy: number): number => {
    const f = fit();
    const v = view.current;
    const ux = ((sx - v.x) / v.k - f.ox) / f.s;
    const uy = 1 - ((sy - v.y) / v.k - f.oy) / f.s;
    return live.current.grid.nearest(ux, uy, HIT_PX / (f.s * v.k));
  };

  const drawBase = () => {
    const { props: p, unit: u, count: N } = live.current;
    const { languages: langs, n: m } = p.projection;
    const K = langs.length;
    const { w, h, dpr } = size.current;
    const f = fit();
    const v = view.current;
    const P = (xy.current = xy.current.length === 2 * N ? xy.current : new Float32Array(2 * N));
    for (let i = 0; i < N; i++) {
      P[2 * i] = (f.ox + u[2 * i] * f.s) * v.k + v.x;
      P[2 * i + 1] = (f.oy + (1 - u[2 * i + 1]) * f.s) * v.k + v.y;
    }
    const ctx = context(baseRef.current, w, h, dpr);
    if (!ctx) return;
    ctx.fillStyle = '#ffffff';
    ctx.fillRect(0, 0, w, h);
    const dim = p.selection !== null;
    if (p.showLinks && K > 1) {
      ctx.beginPath();
      for (let t = 0; t < m; t++) {
        let cx = 0, cy = 0;
        for (let l = 0; l < K; l++) {
          cx += P[2 * (l * m + t)];
          cy += P[2 * (l * m + t) + 1];
        }
        cx /= K;
        cy /= K;
        for (let l = 0; l < K; l++) {
          ctx.moveTo(cx, cy);
          ctx.lineTo(P[2 * (l * m + t)], P[2 * (l * m + t) + 1]);
        }
      }
      // Fainter with more tuples, so thousands of links stay a haze rather than a blot.
      const alpha = (dim ? 0.05 : 0.14) * Math.min(1, Math.sqrt(150 / Math.max(1, m)));
      ctx.strokeStyle = `rgba(29,29,31,${alpha.toFixed(3)})`;
      ctx.lineWidth = 0.6;
      ctx.stroke();
    }
    ctx.globalAlpha = dim ? 0.35 : 0.85;
    langs.forEach((lang, l) => {
      ctx.beginPath();
      for (let i = l * m; i < (l + 1) * m; i++) {
        ctx.moveTo(P[2 * i] + RADIUS, P[2 * i + 1]);
        ctx.arc(P[2 * i], P[2 * i + 1], RADIUS, 0, 2 * Math.PI);
      }
      ctx.fillStyle = languageColor(lang);
      ctx.fill();
    });
    ctx.globalAlpha = 1;
  };

  const drawOverlay = () => {
    const { props: p, count: N } = live.current;
    const { languages: langs, n: m } = p.projection;
    const { w, h, dpr } = size.current;
    const canvas = overlayRef.current;
    const ctx = context(canvas, w, h, dpr);
    const P = xy.current;
    if (!ctx || !canvas || P.length !== 2 * N) return;
    for (const nb of p.neighbours ?? []) {
      const i = langs.indexOf(nb.language) * m + nb.index;
      if (i >= 0 && nb.index < m) ring(ctx, P[2 * i], P[2 * i + 1], 6, '#1d1d1f', 1.4, languageColor(nb.language));
    }
    const sel = p.selection;
    if (sel && sel.index < m) {
      const at = (l: number) => 2 * (l * m + sel.index);
      ctx.beginPath();
      for (let a = 0; a < langs.length; a++) for (let b = a + 1; b < langs.length; b++) {
        ctx.moveTo(P[at(a)], P[at(a) + 1]);
        ctx.lineTo(P[at(b)], P[at(b) + 1]);
      }
      ctx.strokeStyle = '#1d1d1f';
      ctx.lineWidth = 1.2;
      ctx.stroke();
      langs.forEach((lang, l) => ring(ctx, P[at(l)], P[at(l) + 1], lang === sel.language ? 7 : 5, '#1d1d1f', 2, languageColor(lang)));
    }
    const hv = hover.current;
    if (hv >= 0 && hv < N) ring(ctx, P[2 * hv], P[2 * hv + 1], 5, '#1d1d1f', 1.5);
    // A probe for tests and tools: where the first point is drawn now (CSS pixels in the canvas).
    if (N > 0) canvas.dataset.probe = `${P[0].toFixed(1)},${P[1].toFixed(1)}`;
  };

  const draw = () => {
    frame.current = 0;
    const d = dirty.current;
    if (d.base) drawBase();
    if (d.base || d.overlay) drawOverlay();
    dirty.current = { base: false, overlay: false };
  };
  /** Redraws at the next frame: everything, or only the overlay. */
  const schedule = (overlayOnly = false) => {
    if (!overlayOnly) dirty.current.base = true;
    dirty.current.overlay = true;
    if (!frame.current) frame.current = requestAnimationFrame(draw);
  };

  // Size the backing stores to the box (and the device pixel ratio) whenever the box changes.
  useEffect(() => {
    const wrap = wrapRef.current;
    if (!wrap) return;
    const resize = () => {
      const dpr = window.devicePixelRatio || 1;
      const w = wrap.clientWidth;
      size.current = { w, h: HEIGHT, dpr };
      for (const c of [baseRef.current, overlayRef.current]) {
        if (!c) continue;
        c.width = Math.max(1, Math.round(w * dpr));
        c.height = Math.round(HEIGHT * dpr);
        c.style.width = `${w}px`;
        c.style.height = `${HEIGHT}px`;
      }
      schedule();
    };
    resize();
    const ro = new ResizeObserver(resize);
    ro.observe(wrap);
    return () => {
      ro.disconnect();
      if (frame.current) cancelAnimationFrame(frame.current);
      frame.current = 0;
    };
  }, [baseRef, overlayRef]);

  useEffect(() => {
    view.current = { k: 1, x: 0, y: 0 };
    schedule();
  }, [resetKey]);

  useEffect(() => {
    hover.current = -1;
    if (tipRef.current) tipRef.current.hidden = true;
    schedule();
  }, [unit, props.showLinks, props.selection === null]);

  useEffect(() => schedule(true), [props.selection, props.neighbours]);

  // Zoom around the cursor; a non-passive listener, so the page does not scroll meanwhile.
  useEffect(() => {
    const canvas = overlayRef.current;
    if (!canvas) return;
    const onWheel = (e: WheelEvent) => {
      e.preventDefault();
      const r = canvas.getBoundingClientRect();
      const px = e.clientX - r.left, py = e.clientY - r.top;
      const v = view.current;
      const k = Math.min(MAX_ZOOM, Math.max(MIN_ZOOM, v.k * Math.exp(-e.deltaY * 0.0015)));
      const g = k / v.k;
      view.current = { k, x: px - (px - v.x) * g, y: py - (py - v.y) * g };
      schedule();
    };
    canvas.addEventListener('wheel', onWheel, { passive: false });
    return () => canvas.removeEventListener('wheel', onWheel);
  }, [overlayRef]);

  const local = (e: ReactPointerEvent) => {
    const r = e.currentTarget.getBoundingClientRect();
    return [e.clientX - r.left, e.clientY - r.top] as const;
  };
  const refOf = (i: number): PointRef => ({ language: languages[Math.floor(i / n)], index: i % n });
  const showTip = (i: number, sx: number, sy: number) => {
    const tip = tipRef.current;
    if (!tip) return;
    if (i < 0) {
      tip.hidden = true;
      return;
    }
    const { language, index } = refOf(i);
    tip.hidden = false;
    (tip.firstChild as HTMLElement).textContent = `${language} · tuple ${index + 1}`;
    (tip.lastChild as HTMLElement).textContent = props.sentences[language]?.[index] ?? '';
    const w = size.current.w;
    tip.style.left = `${Math.min(sx + 12, Math.max(0, w - 280))}px`;
    tip.style.top = `${sy + 14}px`;
  };

  return (
    <div className="map-wrap" ref={wrapRef}>
      <canvas ref={baseRef} className="map-base" aria-hidden="true" />
      <canvas
        ref={overlayRef}
        className="map-overlay"
        role="img"
        aria-label={`Embedding map: ${count} sentences in ${languages.join(', ')}`}
        data-testid="map-canvas"
        data-points={count}
        data-layer={projection.layer}
        data-method={projection.method}
        onPointerDown={(e) => {
          const v = view.current;
          drag.current = { x: e.clientX, y: e.clientY, vx: v.x, vy: v.y, moved: false };
          e.currentTarget.setPointerCapture(e.pointerId);
        }}
        onPointerMove={(e) => {
          const [sx, sy] = local(e);
          const d = drag.current;
          if (d) {
            const dx = e.clientX - d.x, dy = e.clientY - d.y;
            if (d.moved || Math.hypot(dx, dy) > 3) {
              d.moved = true;
              view.current = { ...view.current, x: d.vx + dx, y: d.vy + dy };
              e.currentTarget.style.cursor = 'grabbing';
              showTip(-1, 0, 0);
              schedule();
              return;
            }
          }
          const i = hit(sx, sy);
          e.currentTarget.style.cursor = i >= 0 ? 'pointer' : 'grab';
          showTip(i, sx, sy);
          if (i !== hover.current) {
            hover.current = i;
            schedule(true);
          }
        }}
        onPointerUp={(e) => {
          const d = drag.current;
          drag.current = null;
          e.currentTarget.style.cursor = 'grab';
          if (d && !d.moved) {
            const i = hit(...local(e));
            props.onSelect(i >= 0 ? refOf(i) : null);
          }
        }}
        onPointerLeave={() => {
          hover.current = -1;
          showTip(-1, 0, 0);
          schedule(true);
        }}
      />
      <div className="map-tip" ref={tipRef} hidden role="tooltip" data-testid="map-tooltip">
        <strong />
        <span />
      </div>
    </div>
  );
}
