/**
 * A small dependency-free SVG line plot: several named series over a shared
 * x axis, linear or log₁₀ axes, optional error bars (mean ± se), markers,
 * dashed theory curves, axes with ticks, a legend, a title and a subtitle
 * (the paper reference). Pure function of its input, so plots are reproducible
 * byte for byte. Non-finite values (and non-positive ones on a log axis) are
 * skipped; with no finite point at all the axes are drawn with a
 * "no finite data" note — no NaN ever reaches the SVG.
 */

export interface Series {
  name: string;
  x: ArrayLike<number>;
  y: ArrayLike<number>;
  /** Symmetric error bar per point (e.g. standard error over seeds). */
  yErr?: ArrayLike<number>;
  /** Dashed line (e.g. theory). */
  dashed?: boolean;
  /** Dots at the points, no line. */
  markers?: boolean;
  /** CSS colour (default: the palette, by series index). */
  color?: string;
}

export interface PlotOptions {
  title: string;
  /** Shown under the title in grey (e.g. the paper figure reproduced). */
  subtitle?: string;
  xLabel: string;
  yLabel: string;
  logX?: boolean;
  logY?: boolean;
  width?: number;
  height?: number;
}

/** A colour-blind-friendly palette (Tableau 10 order). */
export const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];

export const FONT_FAMILY = 'DejaVu Sans, Arial, Helvetica, sans-serif';

/** Escapes text for SVG/XML/HTML content and attribute values. */
export function esc(s: unknown): string {
  return String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/** A short tick label: 0, 0.25, 12.5, 3e-5, 2e+4. */
export function fmt(v: number): string {
  if (!Number.isFinite(v)) return '';
  if (v === 0) return '0';
  const a = Math.abs(v);
  return a >= 1e4 || a < 1e-3 ? v.toExponential(0).replace('e+', 'e') : String(Number(v.toPrecision(3)));
}

/** A coordinate with two decimals, never NaN (non-finite → 0). */
export function c2(v: number): string {
  return Number.isFinite(v) ? String(Math.round(v * 100) / 100) : '0';
}

/** "Nice" tick values (multiples of 1, 2 or 5 × 10ᵏ) covering [lo, hi]. */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) return [];
  const span = hi - lo || Math.abs(hi) || 1;
  const raw = span / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => span / s <= count) ?? 10 * mag;
  const out: number[] = [];
  for (let k = Math.ceil(lo / step - 1e-9); k * step <= hi + 1e-9 * span && out.length < 50; k++) out.push(Number((k * step).toPrecision(12)));
  return out;
}

function niceStep(lo: number, hi: number, count: number): number {
  const span = hi - lo || 1;
  const mag = 10 ** Math.floor(Math.log10(span / count));
  return [1, 2, 5, 10].map((m) => m * mag).find((s) => span / s <= count) ?? 10 * mag;
}

const SUP: Record<string, string> = { '-': '⁻', '0': '⁰', '1': '¹', '2': '²', '3': '³', '4': '⁴', '5': '⁵', '6': '⁶', '7': '⁷', '8': '⁸', '9': '⁹' };

/** 10ⁿ as text: 1, 10, 10², 10⁻³. */
export function decadeLabel(n: number): string {
  if (n === 0) return '1';
  if (n === 1) return '10';
  return '10' + String(n).split('').map((ch) => SUP[ch] ?? ch).join('');
}

/** Integer decades from lo to hi, thinned to at most ~8 labels. */
export function decadeTicks(lo: number, hi: number): number[] {
  const step = Math.max(1, Math.ceil((hi - lo) / 8));
  const out: number[] = [];
  for (let t = Math.ceil(lo / step) * step; t <= hi; t += step) out.push(t);
  return out;
}

/** A log₁₀ axis range around the data's [lo, hi] (in decades), padded a little. */
export function logRange(lo: number, hi: number, pad = 0.03): [number, number] {
  if (!(hi > lo)) return [lo - 0.5, hi + 0.5];
  const p = (hi - lo) * pad;
  return [lo - p, hi + p];
}

/**
 * Ticks of a log₁₀ axis spanning [lo, hi] decades: labelled decades (thinned to ~8);
 * with fewer than three decades in range also 2× and 5×, else unlabelled minor ticks.
 */
export function logTicks(lo: number, hi: number): { major: number[]; minor: number[] } {
  const major = decadeTicks(Math.ceil(lo - 1e-9), Math.floor(hi + 1e-9));
  const minor: number[] = [];
  const inRange = (t: number) => t >= lo - 1e-9 && t <= hi + 1e-9;
  if (major.length < 3) {
    const extra: number[] = [];
    for (let d = Math.floor(lo); d <= Math.ceil(hi); d++) for (const f of [2, 5]) if (inRange(d + Math.log10(f))) extra.push(d + Math.log10(f));
    const all = [...major, ...extra].sort((a, b) => a - b);
    if (all.length >= 2) return { major: all, minor: [] };
    // Less than a factor of ~2.5: linear nice ticks in value space.
    return { major: niceTicks(10 ** lo, 10 ** hi, 4).filter((v) => v > 0).map(Math.log10).filter(inRange), minor: [] };
  }
  if (hi - lo <= 6) for (let d = Math.floor(lo); d <= Math.ceil(hi); d++) for (let f = 2; f <= 9; f++) if (inRange(d + Math.log10(f))) minor.push(d + Math.log10(f));
  return { major, minor };
}

/** The label of a log-axis tick t (= log₁₀ value): 10ⁿ at decades, else the value. */
export function logLabel(t: number): string {
  return Math.abs(t - Math.round(t)) < 1e-9 ? decadeLabel(Math.round(t)) : fmt(10 ** t);
}

/** The opening of a plot: svg element, white background, title and subtitle. Returns the y where the plot area may start. */
export function svgHeader(parts: string[], W: number, H: number, title: string, subtitle: string | undefined, centerX = W / 2, fontSize = 12): number {
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="${FONT_FAMILY}" font-size="${fontSize}">`);
  parts.push(`<rect width="${W}" height="${H}" fill="white"/>`);
  parts.push(`<text x="${c2(centerX)}" y="22" text-anchor="middle" font-size="15" font-weight="bold">${esc(title)}</text>`);
  if (subtitle) {
    parts.push(`<text x="${c2(centerX)}" y="39" text-anchor="middle" font-size="11" fill="#555" font-style="italic">${esc(subtitle)}</text>`);
    return 50;
  }
  return 32;
}

/** Truncates a label to n characters with an ellipsis. */
export function clip(s: string, n: number): string {
  return s.length > n ? s.slice(0, n - 1) + '…' : s;
}

export function linePlotSvg(series: Series[], options: PlotOptions): string {
  const W = options.width ?? 720;
  const H = options.height ?? 440;
  const legendW = series.length > 0 ? 190 : 20;
  const m = { left: 72, right: legendW, top: options.subtitle ? 56 : 40, bottom: 55 };
  const logX = !!options.logX, logY = !!options.logY;
  const tx = (v: number) => (logX ? (v > 0 ? Math.log10(v) : NaN) : v);
  const ty = (v: number) => (logY ? (v > 0 ? Math.log10(v) : NaN) : v);
  let xMin = Infinity, xMax = -Infinity, yMin = Infinity, yMax = -Infinity;
  const num = (a: ArrayLike<number> | undefined, i: number) => (a && i < a.length ? Number(a[i]) : NaN);
  for (const s of series) {
    const n = Math.min(s.x?.length ?? 0, s.y?.length ?? 0);
    for (let i = 0; i < n; i++) {
      const x = tx(num(s.x, i));
      const yv = num(s.y, i);
      const y = ty(yv);
      if (!Number.isFinite(y) || !Number.isFinite(x)) continue;
      xMin = Math.min(xMin, x); xMax = Math.max(xMax, x);
      yMin = Math.min(yMin, y); yMax = Math.max(yMax, y);
      const e = Math.abs(num(s.yErr, i));
      if (Number.isFinite(e) && e > 0) {
        const hi = ty(yv + e), lo = ty(yv - e);
        if (Number.isFinite(hi)) yMax = Math.max(yMax, hi);
        if (Number.isFinite(lo)) yMin = Math.min(yMin, lo);
      }
    }
  }
  const empty = !Number.isFinite(xMin);
  if (empty) { xMin = logX ? 0 : 0; xMax = 1; yMin = 0; yMax = 1; }
  if (logY) [yMin, yMax] = logRange(yMin, yMax);
  else {
    if (yMin > 0 && yMin < 0.25 * yMax) yMin = 0; // losses: show the zero line
    if (yMax === yMin) { const d = Math.abs(yMax) * 0.1 || 1; yMax += d; yMin -= d; }
    const step = niceStep(yMin, yMax, 5);
    yMin = Math.floor(yMin / step + 1e-9) * step;
    yMax = Math.ceil(yMax / step - 1e-9) * step;
  }
  // Discrete points (markers, error bars) get a margin so that none sits on an axis.
  const discrete = !empty && series.some((s) => s.markers || s.yErr);
  if (logX) [xMin, xMax] = logRange(xMin, xMax, discrete ? 0.05 : 0.01);
  else if (xMax === xMin) { const d = Math.abs(xMax) * 0.1 || 1; xMax += d; xMin -= d; }
  else if (discrete) { const d = (xMax - xMin) * 0.05; xMax += d; xMin -= d; }
  const x0 = m.left, x1 = W - m.right, y0 = H - m.bottom, y1 = m.top;
  const px = (x: number) => x0 + ((x - xMin) / (xMax - xMin)) * (x1 - x0);
  const py = (y: number) => y0 - ((y - yMin) / (yMax - yMin)) * (y0 - y1);
  const parts: string[] = [];
  svgHeader(parts, W, H, options.title, options.subtitle, (x0 + x1) / 2);
  // Grid, axes and ticks (log axes: minor ticks at 2–9 × 10ⁿ).
  const xTicks = logX ? logTicks(xMin, xMax) : { major: niceTicks(xMin, xMax, 6), minor: [] };
  for (const t of xTicks.major) {
    const X = c2(px(t));
    parts.push(`<line x1="${X}" y1="${y1}" x2="${X}" y2="${y0}" stroke="#eee"/><line x1="${X}" y1="${y0}" x2="${X}" y2="${y0 + 5}" stroke="#333"/><text x="${X}" y="${y0 + 18}" text-anchor="middle">${esc(logX ? logLabel(t) : fmt(t))}</text>`);
  }
  for (const t of xTicks.minor) parts.push(`<line x1="${c2(px(t))}" y1="${y0}" x2="${c2(px(t))}" y2="${y0 + 3}" stroke="#666"/>`);
  const yTicks = logY ? logTicks(yMin, yMax) : { major: niceTicks(yMin, yMax, 5), minor: [] };
  for (const t of yTicks.major) {
    const Y = c2(py(t));
    parts.push(`<line x1="${x0 - 5}" y1="${Y}" x2="${x1}" y2="${Y}" stroke="#e4e4e4"/><text x="${x0 - 8}" y="${c2(py(t) + 4)}" text-anchor="end">${esc(logY ? logLabel(t) : fmt(t))}</text>`);
  }
  for (const t of yTicks.minor) parts.push(`<line x1="${x0 - 3}" y1="${c2(py(t))}" x2="${x0}" y2="${c2(py(t))}" stroke="#666"/>`);
  parts.push(`<path d="M${x0},${y1}V${y0}H${x1}" fill="none" stroke="#333"/>`);
  parts.push(`<text x="${c2((x0 + x1) / 2)}" y="${H - 14}" text-anchor="middle" font-size="13">${esc(options.xLabel)}</text>`);
  parts.push(`<text transform="translate(18,${c2((y0 + y1) / 2)}) rotate(-90)" text-anchor="middle" font-size="13">${esc(options.yLabel)}</text>`);
  if (empty) {
    parts.push(`<text x="${c2((x0 + x1) / 2)}" y="${c2((y0 + y1) / 2)}" text-anchor="middle" font-size="14" fill="#888">no finite data</text>`);
  }
  // Dashed series (theory) are drawn last so that a matching simulation does not hide them.
  const drawOrder = series.map((s, k) => ({ s, k })).sort((a, b) => Number(!!a.s.dashed) - Number(!!b.s.dashed) || a.k - b.k);
  const inside = (X: number, Y: number) => X >= x0 - 0.5 && X <= x1 + 0.5 && Y >= y1 - 0.5 && Y <= y0 + 0.5;
  for (const { s, k } of drawOrder) {
    const color = s.color ?? COLORS[k % COLORS.length];
    const dash = s.dashed ? ' stroke-dasharray="6,4"' : '';
    const n = Math.min(s.x?.length ?? 0, s.y?.length ?? 0);
    const pts: [number, number, number][] = [];
    let d = '';
    let pen = false;
    for (let i = 0; i < n; i++) {
      const xv = tx(num(s.x, i));
      const yv = num(s.y, i);
      const y = ty(yv);
      if (!Number.isFinite(y) || !Number.isFinite(xv)) { pen = false; continue; }
      const X = px(xv), Y = py(Math.min(Math.max(y, yMin), yMax));
      d += `${pen ? 'L' : 'M'}${c2(X)},${c2(Y)}`;
      pen = true;
      pts.push([X, Y, i]);
    }
    parts.push(`<g class="series" data-name="${esc(s.name)}">`);
    if (s.yErr) {
      for (const [X, , i] of pts) {
        const e = Math.abs(num(s.yErr, i));
        if (!Number.isFinite(e) || e === 0) continue;
        const yv = num(s.y, i);
        const hi = ty(yv + e), lo = ty(yv - e);
        const Yhi = py(Number.isFinite(hi) ? Math.min(hi, yMax) : yMax);
        const Ylo = py(Number.isFinite(lo) ? Math.max(lo, yMin) : yMin);
        parts.push(`<path class="errbar" d="M${c2(X)},${c2(Ylo)}V${c2(Yhi)}M${c2(X - 4)},${c2(Ylo)}H${c2(X + 4)}M${c2(X - 4)},${c2(Yhi)}H${c2(X + 4)}" stroke="${color}" stroke-width="1.3" fill="none"/>`);
      }
    }
    if (!s.markers && d) parts.push(`<path d="${d}" fill="none" stroke="${color}" stroke-width="2"${dash} stroke-linejoin="round"/>`);
    if (s.markers) {
      if (d && pts.length > 1 && s.yErr) parts.push(`<path d="${d}" fill="none" stroke="${color}" stroke-width="1" stroke-opacity="0.45"${dash}/>`);
      for (const [X, Y] of pts) if (inside(X, Y)) parts.push(`<circle cx="${c2(X)}" cy="${c2(Y)}" r="3.5" fill="${color}" stroke="white" stroke-width="0.8"/>`);
    }
    parts.push('</g>');
  }
  // Legend, in series order.
  series.forEach((s, k) => {
    const color = s.color ?? COLORS[k % COLORS.length];
    const ly = m.top + 10 + 20 * k;
    if (ly > H - 10) return;
    const lx = x1 + 15;
    if (s.markers) {
      parts.push(`<circle cx="${lx + 12}" cy="${ly}" r="3.5" fill="${color}"/>`);
      if (s.yErr) parts.push(`<path d="M${lx + 12},${ly - 7}V${ly + 7}M${lx + 9},${ly - 7}H${lx + 15}M${lx + 9},${ly + 7}H${lx + 15}" stroke="${color}" stroke-width="1.3" fill="none"/>`);
    } else {
      parts.push(`<line x1="${lx}" y1="${ly}" x2="${lx + 25}" y2="${ly}" stroke="${color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="6,4"' : ''}/>`);
    }
    parts.push(`<text x="${lx + 31}" y="${ly + 4}">${esc(clip(s.name, 22))}</text>`);
  });
  parts.push('</svg>');
  return parts.join('\n') + '\n';
}
