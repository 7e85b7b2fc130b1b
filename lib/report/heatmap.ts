/**
 * Dependency-free SVG heatmaps: representational-similarity matrices and
 * network outputs as matrices (rows = input samples, columns = output units).
 * A diverging blue–white–red scale symmetric about 0 (0 is exactly white) or a
 * sequential (viridis-like) scale, a colour bar with ticks, row and column
 * labels, optional domain blocks (bracketed labels and separator lines) and
 * cell values written in when the matrix is small. Non-finite cells are grey.
 * A pure function of its input: reproducible byte for byte.
 */
import { c2, clip, esc, fmt, niceTicks, svgHeader } from './svgPlot.ts';

export interface HeatmapBlock {
  label: string;
  /** Number of consecutive rows (or columns) in the block. */
  size: number;
}

export interface HeatmapOptions {
  title: string;
  subtitle?: string;
  rowLabels?: string[];
  colLabels?: string[];
  xLabel?: string;
  yLabel?: string;
  /** Default 'diverging'. */
  scale?: 'diverging' | 'sequential';
  /** Fixed colour range (default the data's; symmetric about 0 when diverging). */
  range?: [number, number];
  /** Consecutive groups of rows / columns (e.g. domains), labelled with brackets. */
  rowBlocks?: HeatmapBlock[];
  colBlocks?: HeatmapBlock[];
  /** Write each cell's value in it (default: when the matrix is small enough to read). */
  annotate?: boolean;
  /** Cell size in px (default: fits the matrix in about 440 px). */
  cellSize?: number;
}

type RGB = [number, number, number];

/** Blue → white → red (ColorBrewer RdBu, reversed, with a pure white centre). */
const DIVERGING: RGB[] = [
  [33, 102, 172], [103, 169, 207], [209, 229, 240], [255, 255, 255], [253, 219, 199], [239, 138, 98], [178, 24, 43],
];
/** Dark purple → yellow (viridis). */
const SEQUENTIAL: RGB[] = [
  [68, 1, 84], [72, 40, 120], [62, 73, 137], [49, 104, 142], [38, 130, 142], [31, 158, 137], [53, 183, 121], [110, 206, 88], [181, 222, 43], [253, 231, 37],
];

export const NAN_COLOR = '#c8c8c8';

function hex(c: RGB): string {
  return '#' + c.map((v) => Math.round(Math.min(255, Math.max(0, v))).toString(16).padStart(2, '0')).join('');
}

function ramp(stops: RGB[], t: number): string {
  const u = Math.min(1, Math.max(0, t)) * (stops.length - 1);
  const i = Math.min(stops.length - 2, Math.floor(u));
  const f = u - i;
  const a = stops[i], b = stops[i + 1];
  return hex([a[0] + (b[0] - a[0]) * f, a[1] + (b[1] - a[1]) * f, a[2] + (b[2] - a[2]) * f]);
}

/**
 * The colour of v on [lo, hi]. Diverging: lo → blue end, 0 → white, hi → red end
 * (piecewise, so 0 stays white even for an asymmetric range). Sequential: lo → dark
 * purple, hi → yellow. Non-finite → grey.
 */
export function heatmapColor(v: number, lo: number, hi: number, scale: 'diverging' | 'sequential' = 'diverging'): string {
  if (!Number.isFinite(v)) return NAN_COLOR;
  if (scale === 'sequential') return ramp(SEQUENTIAL, hi > lo ? (v - lo) / (hi - lo) : 0.5);
  if (v >= 0) return ramp(DIVERGING, hi > 0 ? 0.5 + 0.5 * (v / hi) : v > 0 ? 1 : 0.5);
  return ramp(DIVERGING, lo < 0 ? 0.5 - 0.5 * (v / lo) : 0);
}

/** The colour range used for `values` (what the colour bar shows). */
export function heatmapRange(values: number[][], scale: 'diverging' | 'sequential' = 'diverging', range?: [number, number]): [number, number] {
  if (range && Number.isFinite(range[0]) && Number.isFinite(range[1]) && range[1] > range[0]) return [range[0], range[1]];
  let lo = Infinity, hi = -Infinity;
  for (const row of values) for (const v of row ?? []) if (Number.isFinite(v)) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
  if (!Number.isFinite(lo)) return scale === 'diverging' ? [-1, 1] : [0, 1];
  if (scale === 'diverging') {
    const m = Math.max(Math.abs(lo), Math.abs(hi)) || 1;
    return [-m, m];
  }
  if (hi === lo) return [lo - (Math.abs(lo) || 1) * 0.5, hi + (Math.abs(hi) || 1) * 0.5];
  return [lo, hi];
}

/** Dark text on light cells, white on dark ones. */
function textColor(fill: string): string {
  if (fill.length !== 7) return '#000';
  const r = parseInt(fill.slice(1, 3), 16), g = parseInt(fill.slice(3, 5), 16), b = parseInt(fill.slice(5, 7), 16);
  return 0.299 * r + 0.587 * g + 0.114 * b < 140 ? '#fff' : '#000';
}

/** A cell's value, short: 2 decimals (1 significant digit with an exponent when the colour range is tiny or huge). */
function cellText(v: number, scaleMax: number): string {
  if (!Number.isFinite(v)) return '';
  const a = Math.abs(v);
  if (scaleMax < 0.1 || a >= 1000) return a === 0 ? '0' : v.toExponential(0).replace('e+', 'e');
  if (a < 0.005) return '0';
  return a >= 10 ? v.toFixed(0) : v.toFixed(2).replace(/^(-?)0\./, '$1.');
}

function checkBlocks(blocks: HeatmapBlock[] | undefined, n: number): HeatmapBlock[] {
  if (!blocks) return [];
  const ok = blocks.filter((b) => b && Number.isFinite(b.size) && b.size > 0);
  return ok.reduce((s, b) => s + b.size, 0) === n ? ok : [];
}

export function heatmapSvg(valuesIn: number[][], options: HeatmapOptions): string {
  const values = Array.isArray(valuesIn) ? valuesIn.map((r) => (Array.isArray(r) ? r.map(Number) : [])) : [];
  const rows = values.length;
  const cols = values.reduce((m, r) => Math.max(m, r.length), 0);
  const scale = options.scale ?? 'diverging';
  const [lo, hi] = heatmapRange(values, scale, options.range);
  const empty = rows === 0 || cols === 0 || !values.some((r) => r.some((v) => Number.isFinite(v)));
  const rowLabels = (options.rowLabels ?? []).map(String);
  const colLabels = (options.colLabels ?? []).map(String);
  const rowBlocks = checkBlocks(options.rowBlocks, rows);
  const colBlocks = checkBlocks(options.colBlocks, cols);

  const nr = Math.max(rows, 1), nc = Math.max(cols, 1);
  const cell = options.cellSize ?? Math.max(3, Math.min(44, Math.floor(440 / Math.max(nr, nc))));
  const gw = nc * cell, gh = nr * cell;
  const fontSize = Math.max(7, Math.min(11, cell - 2));
  const charW = fontSize * 0.62;
  // Label every k-th row/column when cells are too small for every label.
  const every = Math.max(1, Math.ceil((fontSize + 3) / cell));
  const rowLabelW = rowLabels.length ? Math.min(150, Math.ceil(Math.max(...rowLabels.map((l) => clip(l, 24).length)) * charW) + 8) : 0;
  const maxColLabel = colLabels.length ? Math.max(...colLabels.map((l) => clip(l, 24).length)) : 0;
  const rotateCols = colLabels.length > 0 && maxColLabel * charW > cell - 2;
  const colLabelH = colLabels.length ? (rotateCols ? Math.min(120, Math.ceil(maxColLabel * charW * 0.75) + 12) : fontSize + 8) : 0;
  const rowBlockW = rowBlocks.length ? 22 : 0;
  const colBlockH = colBlocks.length ? 22 : 0;
  const yLabelW = options.yLabel ? 24 : 6;
  const xLabelH = options.xLabel ? 26 : 8;
  const barW = 16, barLabelW = 58;
  const headerH = options.subtitle ? 58 : 42;

  const gx = 14 + yLabelW + rowBlockW + rowLabelW;
  const gy = headerH;
  const W = Math.max(gx + gw + 24 + barW + barLabelW, 360);
  const H = Math.max(gy + gh + colLabelH + colBlockH + xLabelH + 8, gy + Math.max(120, Math.min(gh, 320)) + 30);
  const parts: string[] = [];
  svgHeader(parts, W, H, options.title, options.subtitle, W / 2, fontSize);

  // Cells.
  const annotate = options.annotate ?? (cell >= 30 && rows * cols <= 144);
  parts.push(`<g class="cells" shape-rendering="crispEdges">`);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const v = c < values[r].length ? values[r][c] : NaN;
      const fill = heatmapColor(v, lo, hi, scale);
      parts.push(`<rect x="${gx + c * cell}" y="${gy + r * cell}" width="${cell}" height="${cell}" fill="${fill}"/>`);
    }
  }
  parts.push('</g>');
  if (annotate && !empty) {
    const fs = Math.max(7, Math.min(11, Math.floor(cell / 3.2)));
    parts.push(`<g class="values" font-size="${fs}" text-anchor="middle">`);
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < cols; c++) {
        const v = c < values[r].length ? values[r][c] : NaN;
        const t = cellText(v, Math.max(Math.abs(lo), Math.abs(hi)));
        if (t) parts.push(`<text x="${c2(gx + (c + 0.5) * cell)}" y="${c2(gy + (r + 0.5) * cell + fs * 0.35)}" fill="${textColor(heatmapColor(v, lo, hi, scale))}">${esc(t)}</text>`);
      }
    }
    parts.push('</g>');
  }
  parts.push(`<rect x="${gx}" y="${gy}" width="${gw}" height="${gh}" fill="none" stroke="#333"/>`);
  if (empty) parts.push(`<text x="${c2(gx + gw / 2)}" y="${c2(gy + gh / 2 + 4)}" text-anchor="middle" font-size="${Math.max(8, Math.min(13, Math.floor(gw / 8)))}" fill="#444">no finite data</text>`);

  // Block separators and bracket labels.
  let acc = 0;
  rowBlocks.forEach((b, k) => {
    const a = acc;
    acc += b.size;
    if (k > 0) parts.push(`<line x1="${gx}" y1="${gy + a * cell}" x2="${gx + gw}" y2="${gy + a * cell}" stroke="#222" stroke-width="1.5"/>`);
    const bx = gx - rowLabelW - 6;
    const ya = gy + a * cell + 1, yb = gy + acc * cell - 1;
    parts.push(`<path d="M${bx + 4},${ya}H${bx}V${yb}H${bx + 4}" fill="none" stroke="#444"/>`);
    parts.push(`<text transform="translate(${bx - 5},${c2((ya + yb) / 2)}) rotate(-90)" text-anchor="middle" font-size="11" font-weight="bold">${esc(clip(b.label, Math.max(3, Math.floor((yb - ya) / 7))))}</text>`);
  });
  acc = 0;
  colBlocks.forEach((b, k) => {
    const a = acc;
    acc += b.size;
    if (k > 0) parts.push(`<line x1="${gx + a * cell}" y1="${gy}" x2="${gx + a * cell}" y2="${gy + gh}" stroke="#222" stroke-width="1.5"/>`);
    const by = gy + gh + colLabelH + 4;
    const xa = gx + a * cell + 1, xb = gx + acc * cell - 1;
    parts.push(`<path d="M${xa},${by - 4}V${by}H${xb}V${by - 4}" fill="none" stroke="#444"/>`);
    parts.push(`<text x="${c2((xa + xb) / 2)}" y="${by + 13}" text-anchor="middle" font-size="11" font-weight="bold">${esc(clip(b.label, Math.max(3, Math.floor((xb - xa) / 7))))}</text>`);
  });

  // Row and column labels.
  for (let r = 0; r < rows && r < rowLabels.length; r += every) {
    parts.push(`<text x="${gx - 4}" y="${c2(gy + (r + 0.5) * cell + fontSize * 0.35)}" text-anchor="end">${esc(clip(rowLabels[r], 24))}</text>`);
  }
  for (let c = 0; c < cols && c < colLabels.length; c += every) {
    const X = c2(gx + (c + 0.5) * cell);
    if (rotateCols) parts.push(`<text transform="translate(${X},${gy + gh + 6}) rotate(-45)" text-anchor="end" dy="0.7em">${esc(clip(colLabels[c], 24))}</text>`);
    else parts.push(`<text x="${X}" y="${gy + gh + fontSize + 3}" text-anchor="middle">${esc(clip(colLabels[c], 24))}</text>`);
  }
  // Axis labels.
  if (options.xLabel) parts.push(`<text x="${c2(gx + gw / 2)}" y="${H - 10}" text-anchor="middle" font-size="13">${esc(options.xLabel)}</text>`);
  if (options.yLabel) parts.push(`<text transform="translate(${14 + 8},${c2(gy + gh / 2)}) rotate(-90)" text-anchor="middle" font-size="13">${esc(options.yLabel)}</text>`);

  // Colour bar: 64 flat steps (no gradient ids, so inlining several plots in one page is safe).
  const bx = gx + gw + 24;
  const bh = Math.max(120, Math.min(gh, 320));
  const by = gy + Math.max(0, (gh - bh) / 2);
  const steps = 64;
  parts.push(`<g class="colorbar" shape-rendering="crispEdges">`);
  for (let i = 0; i < steps; i++) {
    const v = hi - ((i + 0.5) / steps) * (hi - lo);
    parts.push(`<rect x="${bx}" y="${c2(by + (i * bh) / steps)}" width="${barW}" height="${c2(bh / steps + 0.5)}" fill="${heatmapColor(v, lo, hi, scale)}"/>`);
  }
  parts.push('</g>');
  parts.push(`<rect x="${bx}" y="${c2(by)}" width="${barW}" height="${c2(bh)}" fill="none" stroke="#333"/>`);
  const ticks = niceTicks(lo, hi, 5).filter((t) => t >= lo - 1e-12 && t <= hi + 1e-12);
  for (const t of ticks) {
    const Y = by + ((hi - t) / (hi - lo)) * bh;
    parts.push(`<line x1="${bx + barW}" y1="${c2(Y)}" x2="${bx + barW + 4}" y2="${c2(Y)}" stroke="#333"/><text x="${bx + barW + 7}" y="${c2(Y + 4)}" font-size="11">${esc(fmt(t))}</text>`);
  }
  if (values.some((r) => r.some((v) => !Number.isFinite(v))) && !empty) {
    parts.push(`<rect x="${bx}" y="${c2(by + bh + 10)}" width="${barW}" height="10" fill="${NAN_COLOR}" stroke="#333"/><text x="${bx + barW + 5}" y="${c2(by + bh + 19)}" font-size="10">not finite</text>`);
  }
  parts.push('</svg>');
  return parts.join('\n') + '\n';
}
