/**
 * Dependency-free SVG grids of small x–y panels: trajectories (polylines, e.g. phase
 * portraits), markers (e.g. final values) and reference lines. A pure function of its
 * input (reproducible byte for byte). Complements linePlotSvg (one panel, a legend).
 */

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
  columns: number;
  panelWidth?: number;
  panelHeight?: number;
  /** Optional legend entries under the title. */
  legend?: { name: string; color: string; dashed?: boolean }[];
}

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function fmt(v: number): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  return a >= 1e4 || a < 1e-3 ? v.toExponential(0) : String(Number(v.toPrecision(3)));
}

function ticks(lo: number, hi: number, count = 4): number[] {
  const span = hi - lo || 1;
  const mag = 10 ** Math.floor(Math.log10(span / count));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => span / s <= count) ?? 10 * mag;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + 1e-12 * span; v += step) out.push(Number(v.toPrecision(12)));
  return out;
}

export function panelGridSvg(panels: Panel[], options: PanelGridOptions): string {
  const pw = options.panelWidth ?? 300;
  const ph = options.panelHeight ?? 260;
  const cols = Math.max(1, Math.min(options.columns, panels.length));
  const rowsN = Math.ceil(panels.length / cols);
  const head = 40 + (options.legend?.length ? 22 : 0);
  const W = cols * pw;
  const H = head + rowsN * ph;
  const m = { left: 52, right: 14, top: 26, bottom: 42 };
  const parts: string[] = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="DejaVu Sans, Arial, sans-serif" font-size="11">`);
  parts.push(`<rect width="${W}" height="${H}" fill="white"/>`);
  parts.push(`<text x="${W / 2}" y="22" text-anchor="middle" font-size="15">${esc(options.title)}</text>`);
  options.legend?.forEach((l, k) => {
    const x = 20 + k * 170;
    parts.push(`<line x1="${x}" y1="46" x2="${x + 24}" y2="46" stroke="${l.color}" stroke-width="2"${l.dashed ? ' stroke-dasharray="5,3"' : ''}/><text x="${x + 30}" y="50">${esc(l.name)}</text>`);
  });
  panels.forEach((panel, idx) => {
    const ox = (idx % cols) * pw;
    const oy = head + Math.floor(idx / cols) * ph;
    let [xMin, xMax] = panel.xRange ?? [Infinity, -Infinity];
    let [yMin, yMax] = panel.yRange ?? [Infinity, -Infinity];
    if (!panel.xRange || !panel.yRange) {
      for (const c of panel.curves) {
        for (let i = 0; i < c.x.length; i++) {
          if (!Number.isFinite(c.x[i]) || !Number.isFinite(c.y[i])) continue;
          if (!panel.xRange) { xMin = Math.min(xMin, c.x[i]); xMax = Math.max(xMax, c.x[i]); }
          if (!panel.yRange) { yMin = Math.min(yMin, c.y[i]); yMax = Math.max(yMax, c.y[i]); }
        }
      }
    }
    if (!Number.isFinite(xMin)) { xMin = 0; xMax = 1; }
    if (!Number.isFinite(yMin)) { yMin = 0; yMax = 1; }
    if (xMax === xMin) xMax = xMin + 1;
    if (yMax === yMin) yMax = yMin + 1;
    const x0 = ox + m.left, x1 = ox + pw - m.right, y0 = oy + ph - m.bottom, y1 = oy + m.top;
    const px = (x: number) => x0 + ((x - xMin) / (xMax - xMin)) * (x1 - x0);
    const py = (y: number) => y0 - ((y - yMin) / (yMax - yMin)) * (y0 - y1);
    parts.push(`<text x="${(x0 + x1) / 2}" y="${oy + 16}" text-anchor="middle" font-size="12">${esc(panel.title)}</text>`);
    parts.push(`<path d="M${x0},${y1}V${y0}H${x1}" fill="none" stroke="#333"/>`);
    for (const t of ticks(xMin, xMax)) parts.push(`<line x1="${px(t).toFixed(1)}" y1="${y0}" x2="${px(t).toFixed(1)}" y2="${y0 + 4}" stroke="#333"/><text x="${px(t).toFixed(1)}" y="${y0 + 15}" text-anchor="middle">${fmt(t)}</text>`);
    for (const t of ticks(yMin, yMax)) parts.push(`<line x1="${x0 - 4}" y1="${py(t).toFixed(1)}" x2="${x1}" y2="${py(t).toFixed(1)}" stroke="#eee"/><text x="${x0 - 6}" y="${(py(t) + 4).toFixed(1)}" text-anchor="end">${fmt(t)}</text>`);
    if (panel.xLabel) parts.push(`<text x="${(x0 + x1) / 2}" y="${oy + ph - 8}" text-anchor="middle">${esc(panel.xLabel)}</text>`);
    if (panel.yLabel) parts.push(`<text transform="translate(${ox + 12},${(y0 + y1) / 2}) rotate(-90)" text-anchor="middle">${esc(panel.yLabel)}</text>`);
    parts.push(`<clipPath id="c${idx}"><rect x="${x0}" y="${y1}" width="${x1 - x0}" height="${y0 - y1}"/></clipPath><g clip-path="url(#c${idx})">`);
    for (const c of panel.curves) {
      const color = c.color ?? '#1f77b4';
      const op = c.opacity ?? 1;
      if (c.markers) {
        for (let i = 0; i < c.x.length; i++) {
          if (!Number.isFinite(c.x[i]) || !Number.isFinite(c.y[i])) continue;
          parts.push(`<circle cx="${px(c.x[i]).toFixed(2)}" cy="${py(c.y[i]).toFixed(2)}" r="2.5" fill="${color}" fill-opacity="${op}"/>`);
        }
        continue;
      }
      let d = '';
      let pen = false;
      for (let i = 0; i < c.x.length; i++) {
        if (!Number.isFinite(c.x[i]) || !Number.isFinite(c.y[i])) { pen = false; continue; }
        d += `${pen ? 'L' : 'M'}${px(c.x[i]).toFixed(2)},${py(c.y[i]).toFixed(2)}`;
        pen = true;
      }
      if (d) parts.push(`<path d="${d}" fill="none" stroke="${color}" stroke-width="${c.width ?? 1.2}" stroke-opacity="${op}"${c.dashed ? ' stroke-dasharray="5,3"' : ''}/>`);
    }
    parts.push('</g>');
  });
  parts.push('</svg>');
  return parts.join('\n') + '\n';
}
