// Downloads for charts and tables: numbers as CSV or JSON, pictures as SVG or PNG.
//
// SVG: a chart's own <svg> (recharts, or ours) is cloned with explicit size, a white background,
// the page's font, and optionally a title and a legend drawn into the picture (recharts draws its
// legend in HTML, which an SVG file would lose). PNG: that SVG rasterised at 2x on a canvas, or for
// the canvas map the canvas itself with the same title and legend added. CSV: one header line, RFC
// 4180 quoting where a cell needs it, numbers written in full (shortest round-trip form), so a file
// read back gives the very numbers the page holds.

export interface LegendEntry {
  label: string;
  color: string;
}

export interface PictureOptions {
  title?: string;
  legend?: LegendEntry[];
}

const SVG_NS = 'http://www.w3.org/2000/svg';
const FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif";
const TITLE_H = 26;
const LEGEND_ROW_H = 20;
/** PNG pixels per CSS pixel. */
const PNG_SCALE = 2;

/** Saves `blob` as a file named `name` (a temporary link, clicked). */
export function download(name: string, blob: Blob): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

function cell(v: unknown): string {
  const s = v === null || v === undefined ? '' : typeof v === 'number' ? String(v) : String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** CSV text: a header of `columns`, then one line per row (LF endings, final newline). */
export function csvText<T extends object>(rows: readonly T[], columns: readonly (keyof T & string)[]): string {
  const lines = [columns.join(',')];
  for (const r of rows) lines.push(columns.map((c) => cell(r[c])).join(','));
  return lines.join('\n') + '\n';
}

export function downloadCsv<T extends object>(name: string, rows: readonly T[], columns: readonly (keyof T & string)[]): void {
  download(name, new Blob([csvText(rows, columns)], { type: 'text/csv;charset=utf-8' }));
}

/** JSON with NaN and ±Infinity written as null (JSON has no such numbers). */
export function downloadJson(name: string, value: unknown): void {
  download(name, new Blob([JSON.stringify(value, null, 2) + '\n'], { type: 'application/json' }));
}

/** How many rows a legend of `n` entries needs across `width` pixels. */
function legendLayout(legend: LegendEntry[], width: number): { x: number; y: number }[] {
  const out: { x: number; y: number }[] = [];
  let x = 12;
  let y = 0;
  for (const e of legend) {
    const w = 26 + e.label.length * 7.2;
    if (x + w > width - 8 && x > 12) {
      x = 12;
      y += LEGEND_ROW_H;
    }
    out.push({ x, y });
    x += w;
  }
  return out;
}

function legendHeight(legend: LegendEntry[] | undefined, width: number): number {
  if (!legend?.length) return 0;
  const pos = legendLayout(legend, width);
  return pos[pos.length - 1].y + LEGEND_ROW_H + 6;
}

function el(name: string, attrs: Record<string, string | number>, text?: string): SVGElement {
  const e = document.createElementNS(SVG_NS, name);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  if (text !== undefined) e.textContent = text;
  return e;
}

/**
 * A standalone SVG document of `svg` as it is drawn now (size from its layout box), with a white
 * background, and the title above and the legend below when given.
 */
export function svgMarkup(svg: SVGSVGElement, opts: PictureOptions = {}): { markup: string; width: number; height: number } {
  const box = svg.getBoundingClientRect();
  const width = Math.ceil(box.width || Number(svg.getAttribute('width')) || 600);
  const plotH = Math.ceil(box.height || Number(svg.getAttribute('height')) || 400);
  const top = opts.title ? TITLE_H : 0;
  const height = top + plotH + legendHeight(opts.legend, width);
  const root = el('svg', { xmlns: SVG_NS, width, height, viewBox: `0 0 ${width} ${height}`, 'font-family': FONT, 'font-size': 12 }) as SVGSVGElement;
  root.appendChild(el('rect', { x: 0, y: 0, width, height, fill: '#ffffff' }));
  if (opts.title) root.appendChild(el('text', { x: 12, y: 18, 'font-size': 14, 'font-weight': 600, fill: '#1d1d1f' }, opts.title));
  const plot = svg.cloneNode(true) as SVGSVGElement;
  plot.setAttribute('x', '0');
  plot.setAttribute('y', String(top));
  plot.setAttribute('width', String(width));
  plot.setAttribute('height', String(plotH));
  plot.removeAttribute('style');
  root.appendChild(plot);
  if (opts.legend?.length) {
    const g = el('g', { transform: `translate(0, ${top + plotH + 4})` });
    legendLayout(opts.legend, width).forEach((p, i) => {
      const e = opts.legend![i];
      g.appendChild(el('rect', { x: p.x, y: p.y + 4, width: 16, height: 10, rx: 2, fill: e.color }));
      g.appendChild(el('text', { x: p.x + 21, y: p.y + 13, fill: '#1d1d1f' }, e.label));
    });
    root.appendChild(g);
  }
  return { markup: '<?xml version="1.0" encoding="UTF-8"?>\n' + new XMLSerializer().serializeToString(root), width, height };
}

export function downloadSvg(name: string, markup: string): void {
  download(name, new Blob([markup], { type: 'image/svg+xml' }));
}

function canvasBlob(canvas: HTMLCanvasElement): Promise<Blob> {
  return new Promise((resolve, reject) => canvas.toBlob((b) => (b ? resolve(b) : reject(new Error('The browser could not encode the PNG.'))), 'image/png'));
}

/** An SVG document rasterised to PNG at PNG_SCALE. */
export async function svgToPng(markup: string, width: number, height: number): Promise<Blob> {
  const url = URL.createObjectURL(new Blob([markup], { type: 'image/svg+xml' }));
  try {
    const img = new Image();
    img.width = width;
    img.height = height;
    await new Promise<void>((resolve, reject) => {
      img.onload = () => resolve();
      img.onerror = () => reject(new Error('The browser could not draw the SVG for the PNG.'));
      img.src = url;
    });
    const canvas = document.createElement('canvas');
    canvas.width = Math.round(width * PNG_SCALE);
    canvas.height = Math.round(height * PNG_SCALE);
    const ctx = canvas.getContext('2d')!;
    ctx.fillStyle = '#ffffff';
    ctx.fillRect(0, 0, canvas.width, canvas.height);
    ctx.drawImage(img, 0, 0, canvas.width, canvas.height);
    return await canvasBlob(canvas);
  } finally {
    URL.revokeObjectURL(url);
  }
}

/** Both downloads of an <svg> chart, under `base`.svg / `base`.png. */
export function downloadSvgChart(base: string, svg: SVGSVGElement, opts: PictureOptions, kind: 'svg' | 'png'): Promise<void> {
  const { markup, width, height } = svgMarkup(svg, opts);
  if (kind === 'svg') {
    downloadSvg(`${base}.svg`, markup);
    return Promise.resolve();
  }
  return svgToPng(markup, width, height).then((b) => download(`${base}.png`, b));
}

/** Stacked canvases (bottom first, same size) as one PNG at their backing resolution, on white, with title and legend added. */
export async function canvasToPng(layers: HTMLCanvasElement[], opts: PictureOptions = {}): Promise<Blob> {
  const source = layers[0];
  const scale = source.width / Math.max(1, source.clientWidth || source.width);
  const cssW = source.width / scale;
  const top = opts.title ? TITLE_H : 0;
  const legendH = legendHeight(opts.legend, cssW);
  const out = document.createElement('canvas');
  out.width = source.width;
  out.height = Math.round(source.height + (top + legendH) * scale);
  const ctx = out.getContext('2d')!;
  ctx.fillStyle = '#ffffff';
  ctx.fillRect(0, 0, out.width, out.height);
  for (const layer of layers) ctx.drawImage(layer, 0, top * scale);
  ctx.scale(scale, scale);
  ctx.fillStyle = '#1d1d1f';
  if (opts.title) {
    ctx.font = `600 14px ${FONT}`;
    ctx.fillText(opts.title, 12, 18);
  }
  if (opts.legend?.length) {
    ctx.font = `12px ${FONT}`;
    const y0 = top + source.height / scale + 4;
    legendLayout(opts.legend, cssW).forEach((p, i) => {
      ctx.fillStyle = opts.legend![i].color;
      ctx.fillRect(p.x, y0 + p.y + 4, 16, 10);
      ctx.fillStyle = '#1d1d1f';
      ctx.fillText(opts.legend![i].label, p.x + 21, y0 + p.y + 13);
    });
  }
  return canvasBlob(out);
}
