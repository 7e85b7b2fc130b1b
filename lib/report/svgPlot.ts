/**
 * A small dependency-free SVG line plot: several named series over a shared
 * x axis, linear or log₁₀ y, axes with ticks, a legend. Pure function of its
 * input, so plots are reproducible byte for byte.
 */

export interface Series {
  name: string;
  x: ArrayLike<number>;
  y: ArrayLike<number>;
  /** Dashed line (e.g. theory). */
  dashed?: boolean;
}

export interface PlotOptions {
  title: string;
  xLabel: string;
  yLabel: string;
  logY?: boolean;
  width?: number;
  height?: number;
}

const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f'];

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function niceTicks(lo: number, hi: number, count = 5): number[] {
  const span = hi - lo || 1;
  const raw = span / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => span / s <= count) ?? 10 * mag;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + 1e-12 * span; v += step) out.push(Number(v.toPrecision(12)));
  return out;
}

function fmt(v: number): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  return a >= 1e4 || a < 1e-3 ? v.toExponential(0) : String(Number(v.toPrecision(3)));
}

export function linePlotSvg(series: Series[], options: PlotOptions): string {
  const W = options.width ?? 720;
  const H = options.height ?? 440;
  const m = { left: 70, right: 170, top: 40, bottom: 55 };
  const ty = (v: number) => (options.logY ? Math.log10(v) : v);
  let xMin = Infinity, xMax = -Infinity, yMin = Infinity, yMax = -Infinity;
  for (const s of series) {
    for (let i = 0; i < s.x.length; i++) {
      const y = ty(s.y[i]);
      if (!Number.isFinite(y) || !Number.isFinite(s.x[i])) continue;
      xMin = Math.min(xMin, s.x[i]); xMax = Math.max(xMax, s.x[i]);
      yMin = Math.min(yMin, y); yMax = Math.max(yMax, y);
    }
  }
  if (!Number.isFinite(xMin)) { xMin = 0; xMax = 1; yMin = 0; yMax = 1; }
  if (options.logY) { yMin = Math.floor(yMin); yMax = Math.ceil(yMax); }
  else if (yMin > 0 && yMin < 0.25 * yMax) yMin = 0; // losses: show the zero line
  if (yMax === yMin) { yMax += 1; yMin -= 1; }
  if (xMax === xMin) xMax += 1;
  const px = (x: number) => m.left + ((x - xMin) / (xMax - xMin)) * (W - m.left - m.right);
  const py = (y: number) => H - m.bottom - ((y - yMin) / (yMax - yMin)) * (H - m.top - m.bottom);
  const parts: string[] = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="DejaVu Sans, Arial, sans-serif" font-size="12">`);
  parts.push(`<rect width="${W}" height="${H}" fill="white"/>`);
  parts.push(`<text x="${(W - m.right + m.left) / 2}" y="22" text-anchor="middle" font-size="15">${esc(options.title)}</text>`);
  // Axes and ticks.
  const x0 = m.left, x1 = W - m.right, y0 = H - m.bottom, y1 = m.top;
  parts.push(`<path d="M${x0},${y1}V${y0}H${x1}" fill="none" stroke="#333"/>`);
  for (const t of niceTicks(xMin, xMax)) {
    parts.push(`<line x1="${px(t)}" y1="${y0}" x2="${px(t)}" y2="${y0 + 5}" stroke="#333"/><text x="${px(t)}" y="${y0 + 18}" text-anchor="middle">${fmt(t)}</text>`);
  }
  const yTicks = options.logY ? Array.from({ length: yMax - yMin + 1 }, (_, k) => yMin + k) : niceTicks(yMin, yMax);
  for (const t of yTicks) {
    const label = options.logY ? `1e${t}` : fmt(t);
    parts.push(`<line x1="${x0 - 5}" y1="${py(t)}" x2="${x1}" y2="${py(t)}" stroke="#ddd"/><text x="${x0 - 8}" y="${py(t) + 4}" text-anchor="end">${label}</text>`);
  }
  parts.push(`<text x="${(x0 + x1) / 2}" y="${H - 15}" text-anchor="middle">${esc(options.xLabel)}</text>`);
  parts.push(`<text transform="translate(18,${(y0 + y1) / 2}) rotate(-90)" text-anchor="middle">${esc(options.yLabel)}</text>`);
  // Dashed series (theory) are drawn last so that a matching simulation does not hide them.
  const drawOrder = series.map((s, k) => ({ s, k })).sort((a, b) => Number(!!a.s.dashed) - Number(!!b.s.dashed));
  drawOrder.forEach(({ s, k }) => {
    const color = COLORS[k % COLORS.length];
    let d = '';
    let pen = false;
    for (let i = 0; i < s.x.length; i++) {
      const y = ty(s.y[i]);
      if (!Number.isFinite(y)) { pen = false; continue; }
      d += `${pen ? 'L' : 'M'}${px(s.x[i]).toFixed(2)},${py(Math.max(y, yMin)).toFixed(2)}`;
      pen = true;
    }
    parts.push(`<path d="${d}" fill="none" stroke="${color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="6,4"' : ''}/>`);
    const ly = m.top + 10 + 20 * k;
    parts.push(`<line x1="${x1 + 15}" y1="${ly}" x2="${x1 + 40}" y2="${ly}" stroke="${color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="6,4"' : ''}/><text x="${x1 + 46}" y="${ly + 4}">${esc(s.name)}</text>`);
  });
  parts.push('</svg>');
  return parts.join('\n') + '\n';
}
