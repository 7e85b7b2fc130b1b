/**
 * Dependency-free SVG grids of small x–y panels: trajectories (polylines, e.g. phase
 * portraits), markers (e.g. final values) and reference lines. A pure function of its
 * input (reproducible byte for byte). Complements linePlotSvg (one panel, a legend).
 */
import { c2, esc, fmt, niceTicks, svgHeader } from './svgPlot.ts';

export interface PanelCurve {
  x: ArrayLike<number>;
  y: ArrayLike<number>;
  color?: string;
  dashed?: boolean;
  width?: number;
  opacity?: number;
  /** Draw a dot at every point instead of a line. */
  markers?: boolean;
}

export interface Panel {
  title: string;
  curves: PanelCurve[];
  /** Fixed axis ranges (default: the data's). */
  xRange?: [number, number];
  yRange?: [number, number];
  xLabel?: string;
  yLabel?: string;
}

export interface PanelGridOptions {
  title: string;
  /** Shown under the title in grey (e.g. the paper figure reproduced). */
  subtitle?: string;
  columns: number;
  panelWidth?: number;
  panelHeight?: number;
  /** Optional legend entries under the title. */
  legend?: { name: string; color: string; dashed?: boolean }[];
}


const ticks = (lo: number, hi: number) => niceTicks(lo, hi, 4);
const num = (a: ArrayLike<number> | undefined, i: number) => (a && i < a.length ? Number(a[i]) : NaN);

export function panelGridSvg(panels: Panel[], options: PanelGridOptions): string {
  const pw = options.panelWidth ?? 300;
  const ph = options.panelHeight ?? 260;
  panels = Array.isArray(panels) ? panels : [];
  const cols = Math.max(1, Math.min(Math.floor(options.columns) || 1, Math.max(1, panels.length)));
  const rowsN = Math.max(1, Math.ceil(panels.length / cols));
  const legend = options.legend ?? [];
  const legendPerRow = Math.max(1, Math.floor((cols * pw - 20) / 170));
  const legendRows = Math.ceil(legend.length / legendPerRow);
  const top = options.subtitle ? 50 : 32;
  const head = top + 8 + legendRows * 20;
  const W = Math.max(cols * pw, 340);
  const H = head + rowsN * ph;
  const m = { left: 52, right: 14, top: 26, bottom: 42 };
  const parts: string[] = [];
  svgHeader(parts, W, H, options.title, options.subtitle, W / 2, 11);
  legend.forEach((l, k) => {
    const x = 20 + (k % legendPerRow) * 170;
    const y = top + 14 + Math.floor(k / legendPerRow) * 20;
    parts.push(`<line x1="${x}" y1="${y - 4}" x2="${x + 24}" y2="${y - 4}" stroke="${esc(l.color)}" stroke-width="2"${l.dashed ? ' stroke-dasharray="5,3"' : ''}/><text x="${x + 30}" y="${y}">${esc(l.name)}</text>`);
  });
  if (panels.length === 0) {
    parts.push(`<text x="${W / 2}" y="${head + ph / 2}" text-anchor="middle" font-size="13" fill="#888">no panels (no finite data)</text>`);
  }
  panels.forEach((panel, idx) => {
    const ox = (idx % cols) * pw;
    const oy = head + Math.floor(idx / cols) * ph;
    const curves = Array.isArray(panel.curves) ? panel.curves : [];
    const okRange = (r?: [number, number]) => !!r && Number.isFinite(r[0]) && Number.isFinite(r[1]) && r[1] > r[0];
    const xFixed = okRange(panel.xRange), yFixed = okRange(panel.yRange);
    let [xMin, xMax] = xFixed ? (panel.xRange as [number, number]) : [Infinity, -Infinity];
    let [yMin, yMax] = yFixed ? (panel.yRange as [number, number]) : [Infinity, -Infinity];
    let finite = 0;
    for (const c of curves) {
      const n = Math.min(c.x?.length ?? 0, c.y?.length ?? 0);
      for (let i = 0; i < n; i++) {
        const x = num(c.x, i), y = num(c.y, i);
        if (!Number.isFinite(x) || !Number.isFinite(y)) continue;
        finite++;
        if (!xFixed) { xMin = Math.min(xMin, x); xMax = Math.max(xMax, x); }
        if (!yFixed) { yMin = Math.min(yMin, y); yMax = Math.max(yMax, y); }
      }
    }
    if (!Number.isFinite(xMin)) { xMin = 0; xMax = 1; }
    if (!Number.isFinite(yMin)) { yMin = 0; yMax = 1; }
    if (xMax === xMin) { const d = Math.abs(xMax) * 0.1 || 1; xMin -= d; xMax += d; }
    if (yMax === yMin) { const d = Math.abs(yMax) * 0.1 || 1; yMin -= d; yMax += d; }
    const x0 = ox + m.left, x1 = ox + pw - m.right, y0 = oy + ph - m.bottom, y1 = oy + m.top;
    const px = (x: number) => x0 + ((x - xMin) / (xMax - xMin)) * (x1 - x0);
    const py = (y: number) => y0 - ((y - yMin) / (yMax - yMin)) * (y0 - y1);
    parts.push(`<text x="${c2((x0 + x1) / 2)}" y="${oy + 16}" text-anchor="middle" font-size="12">${esc(panel.title ?? '')}</text>`);
    for (const t of ticks(xMin, xMax)) parts.push(`<line x1="${c2(px(t))}" y1="${y1}" x2="${c2(px(t))}" y2="${y0}" stroke="#f0f0f0"/><line x1="${c2(px(t))}" y1="${y0}" x2="${c2(px(t))}" y2="${y0 + 4}" stroke="#333"/><text x="${c2(px(t))}" y="${y0 + 15}" text-anchor="middle">${fmt(t)}</text>`);
    for (const t of ticks(yMin, yMax)) parts.push(`<line x1="${x0 - 4}" y1="${c2(py(t))}" x2="${x1}" y2="${c2(py(t))}" stroke="#eee"/><text x="${x0 - 6}" y="${c2(py(t) + 4)}" text-anchor="end">${fmt(t)}</text>`);
    parts.push(`<path d="M${x0},${y1}V${y0}H${x1}" fill="none" stroke="#333"/>`);
    if (panel.xLabel) parts.push(`<text x="${c2((x0 + x1) / 2)}" y="${oy + ph - 8}" text-anchor="middle">${esc(panel.xLabel)}</text>`);
    if (panel.yLabel) parts.push(`<text transform="translate(${ox + 12},${c2((y0 + y1) / 2)}) rotate(-90)" text-anchor="middle">${esc(panel.yLabel)}</text>`);
    if (finite === 0) parts.push(`<text x="${c2((x0 + x1) / 2)}" y="${c2((y0 + y1) / 2)}" text-anchor="middle" font-size="12" fill="#888">no finite data</text>`);
    parts.push(`<clipPath id="c${idx}"><rect x="${x0}" y="${y1}" width="${x1 - x0}" height="${y0 - y1}"/></clipPath><g clip-path="url(#c${idx})">`);
    curves.forEach((c) => {
      const color = esc(c.color ?? '#1f77b4');
      const op = Number.isFinite(c.opacity) ? (c.opacity as number) : 1;
      const n = Math.min(c.x?.length ?? 0, c.y?.length ?? 0);
      if (c.markers) {
        for (let i = 0; i < n; i++) {
          const x = num(c.x, i), y = num(c.y, i);
          if (!Number.isFinite(x) || !Number.isFinite(y)) continue;
          parts.push(`<circle cx="${c2(px(x))}" cy="${c2(py(y))}" r="2.5" fill="${color}" fill-opacity="${op}"/>`);
        }
        return;
      }
      let d = '';
      let pen = false;
      for (let i = 0; i < n; i++) {
        const x = num(c.x, i), y = num(c.y, i);
        if (!Number.isFinite(x) || !Number.isFinite(y)) { pen = false; continue; }
        d += `${pen ? 'L' : 'M'}${c2(px(x))},${c2(py(y))}`;
        pen = true;
      }
      const w = Number.isFinite(c.width) ? (c.width as number) : 1.2;
      if (d) parts.push(`<path d="${d}" fill="none" stroke="${color}" stroke-width="${w}" stroke-opacity="${op}"${c.dashed ? ' stroke-dasharray="5,3"' : ''}/>`);
    });
    parts.push('</g>');
  });
  parts.push('</svg>');
  return parts.join('\n') + '\n';
}
