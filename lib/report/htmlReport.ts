/**
 * One self-contained HTML page for a results folder (report.html): opens offline
 * (SVGs inlined, CSS inline, no scripts, no external fonts or images). It shows
 * the title, the paper figure and parameters, the config as run, a table of key
 * numbers (mean ± se per sweep point, and per run when there are few), the
 * aggregate plots, per-run plots (the first seed of each sweep point when there
 * are many runs), links to the CSV files, a banner for partial results and the
 * runs that failed. Plots are re-rendered from the PlotSpecs stored in
 * results.json and runs/<id>/result.json, so the page matches the data.
 * Every text from the folder is escaped (config strings are user input).
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { GdlnError } from '../errors.ts';
import { writeFileAtomic } from './atomicWrite.ts';
import type { PlotSpec } from './plotSpec.ts';
import { renderPlotSvg } from './renderPlot.ts';
import { esc } from './svgPlot.ts';

export interface HtmlReportOptions {
  /** With more runs than this, per-run plots are shown for the first seed of each sweep point only (default 8). */
  maxRunsWithPlots?: number;
  /** At most this many runs get a plot section (default 40). */
  maxRunSections?: number;
  /** The per-run key-number table is shown up to this many runs (default 30). */
  maxRunsInTable?: number;
}

interface MeanSeJson { mean: number | null; se: number | null; n: number }
interface RunSummary { id: string; seed?: number; point?: Record<string, unknown>; metrics?: Record<string, number | null>; seconds?: number; backend?: string }
interface ResultsJson {
  experiment?: string;
  title?: string;
  paper?: string;
  parameters?: string;
  description?: string;
  config?: Record<string, unknown>;
  partial?: boolean;
  complete?: boolean;
  total?: number;
  done?: number;
  missing?: string[];
  failed?: { id: string; code?: string; message?: string }[];
  runs?: RunSummary[];
  points?: { point: Record<string, unknown>; n: number; metrics: Record<string, MeanSeJson> }[];
  aggregate?: { metrics?: Record<string, number | null>; plots?: PlotSpec[]; series?: string[]; error?: string };
  gdln?: string;
  node?: string;
  finished?: string;
}

function readJsonFile(path: string, what: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new GdlnError('GDLN_IO', `Could not read ${what} ${path}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file (is this a gdln results folder?)' : (err as Error).message}`, { path });
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new GdlnError('GDLN_IO', `Could not parse ${what} ${path}: ${(err as Error).message}`, { path });
  }
}

function tryJson(path: string): { value?: unknown; error?: string } {
  if (!existsSync(path)) return { error: 'missing' };
  try {
    return { value: JSON.parse(readFileSync(path, 'utf8')) };
  } catch (err) {
    return { error: (err as Error).message };
  }
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A number for a table: 4 significant digits, exponent when tiny or huge, '—' when missing. */
export function formatNumber(v: unknown): string {
  if (typeof v !== 'number' || !Number.isFinite(v)) return v === null || v === undefined || Number.isNaN(v) ? '—' : String(v);
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e5 || a < 1e-3) return v.toExponential(3).replace(/\.?0+e/, 'e').replace('e+', 'e');
  if (Number.isInteger(v)) return String(v);
  return String(Number(v.toPrecision(4)));
}

function short(v: unknown, n = 160): string {
  const s = typeof v === 'string' ? v : typeof v === 'number' ? formatNumber(v) : JSON.stringify(v) ?? String(v);
  return s.length > n ? s.slice(0, n - 1) + '…' : s;
}

function pointText(point: Record<string, unknown> | undefined): string {
  const e = Object.entries(point ?? {});
  return e.length ? e.map(([k, v]) => `${k}=${short(v, 60)}`).join(', ') : '(defaults)';
}

/** Makes the ids of an SVG unique within the page (several inlined SVGs use the same clip-path ids). */
export function scopeSvgIds(svg: string, prefix: string): string {
  const ids = new Set<string>();
  for (const m of svg.matchAll(/\sid="([^"]+)"/g)) ids.add(m[1]);
  if (ids.size === 0) return svg;
  const p = (id: string) => (ids.has(id) ? `${prefix}-${id}` : id);
  return svg
    .replace(/(\sid=")([^"]+)(")/g, (_m, a: string, id: string, b: string) => `${a}${p(id)}${b}`)
    .replace(/url\(#([^)]+)\)/g, (_m, id: string) => `url(#${p(id)})`)
    .replace(/(href=")#([^"]+)(")/g, (_m, a: string, id: string, b: string) => `${a}#${p(id)}${b}`);
}

function href(...segments: string[]): string {
  return segments.map((s) => s.split('/').map(encodeURIComponent).join('/')).join('/');
}

function listFiles(dir: string, ext: string): string[] {
  try {
    return readdirSync(dir).filter((f) => f.endsWith(ext) && !f.startsWith('.')).sort();
  } catch {
    return [];
  }
}

const CSS = `
:root{--fg:#1d2430;--muted:#5b6573;--line:#d9dee5;--bg:#fff;--accent:#1f5fa8}
*{box-sizing:border-box}
body{font-family:"DejaVu Sans",system-ui,-apple-system,"Segoe UI",Arial,sans-serif;color:var(--fg);background:var(--bg);margin:0;line-height:1.45}
main{max-width:1200px;margin:0 auto;padding:24px 28px 60px}
h1{font-size:1.7em;margin:0 0 4px}
h2{font-size:1.3em;margin:34px 0 10px;padding-bottom:4px;border-bottom:2px solid var(--line)}
h3{font-size:1.05em;margin:22px 0 6px}
.paper{font-size:1.1em;color:var(--accent);margin:2px 0 6px;font-style:italic}
.meta{color:var(--muted);font-size:.9em;margin:0}
.banner{border-radius:6px;padding:10px 14px;margin:16px 0;font-weight:bold}
.banner.partial{background:#fff4d6;border:1px solid #e0b44c;color:#6b4b00}
.banner.error{background:#fde8e8;border:1px solid #d98282;color:#7a1212}
table{border-collapse:collapse;font-size:.88em;margin:8px 0}
th,td{border:1px solid var(--line);padding:4px 9px;text-align:left;vertical-align:top}
th{background:#f3f5f8}
td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.scroll{overflow-x:auto;max-width:100%}
details{margin:10px 0;border:1px solid var(--line);border-radius:6px;padding:6px 10px}
summary{cursor:pointer;font-weight:bold}
pre{background:#f6f8fa;padding:10px;overflow:auto;font-size:.82em;max-height:520px}
.plots{display:flex;flex-wrap:wrap;gap:18px}
figure{margin:0;border:1px solid var(--line);border-radius:6px;padding:8px;background:#fff;max-width:100%}
figure svg{display:block;max-width:100%;height:auto}
figcaption{font-size:.85em;color:var(--muted);margin-top:4px}
.note{color:var(--muted);font-size:.9em}
.failed li{margin:4px 0}
code{background:#f1f3f6;padding:0 3px;border-radius:3px}
ul.files{columns:2;font-size:.88em}
@media print{details{border:none}figure{break-inside:avoid}}
`;

function figure(spec: PlotSpec, scope: string, links: { label: string; href: string }[]): string {
  let svg: string;
  try {
    svg = scopeSvgIds(renderPlotSvg(spec), scope);
  } catch (err) {
    return `<figure class="plot-error"><p class="note">Plot ${esc(String((spec as { id?: unknown })?.id ?? '?'))} could not be drawn: ${esc((err as Error).message)}</p></figure>`;
  }
  const caption = [
    spec.caption ? esc(spec.caption) : '',
    links.length ? links.map((l) => `<a href="${esc(l.href)}">${esc(l.label)}</a>`).join(' · ') : '',
  ].filter(Boolean).join(' — ');
  return `<figure id="${esc(scope)}">\n${svg}${caption ? `<figcaption>${caption}</figcaption>` : ''}</figure>`;
}

function fileLinks(dir: string, rel: string, id: string): { label: string; href: string }[] {
  return ['svg', 'png'].filter((e) => existsSync(join(dir, `${id}.${e}`))).map((e) => ({ label: e.toUpperCase(), href: href(rel, `${id}.${e}`) }));
}

function flatten(obj: unknown, prefix = '', out: [string, unknown][] = []): [string, unknown][] {
  if (isObj(obj) && Object.keys(obj).length > 0) {
    for (const [k, v] of Object.entries(obj)) flatten(v, prefix ? `${prefix}.${k}` : k, out);
  } else out.push([prefix || '(value)', obj]);
  return out;
}

/** The HTML of the report for a results folder (what writeHtmlReport writes). */
export function renderHtmlReport(resultsDir: string, options: HtmlReportOptions = {}): string {
  const resultsPath = join(resultsDir, 'results.json');
  const raw = readJsonFile(resultsPath, 'results file');
  if (!isObj(raw)) throw new GdlnError('GDLN_IO', `Could not use results file ${resultsPath}: expected a JSON object`, { path: resultsPath });
  const results = raw as ResultsJson;
  const maxRunsWithPlots = options.maxRunsWithPlots ?? 8;
  const maxRunSections = options.maxRunSections ?? 40;
  const maxRunsInTable = options.maxRunsInTable ?? 30;

  const configFile = tryJson(join(resultsDir, 'config.json'));
  const config = (isObj(configFile.value) ? configFile.value : results.config) as Record<string, unknown> | undefined;
  const runs = (Array.isArray(results.runs) ? results.runs : []).filter((r) => r && typeof r.id === 'string');
  const points = Array.isArray(results.points) ? results.points.filter(isObj) : [];
  const title = String(results.title ?? results.experiment ?? config?.experiment ?? 'gdln results');
  const h: string[] = [];
  const out = (s: string) => h.push(s);

  out('<!DOCTYPE html>');
  out('<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">');
  out(`<title>${esc(title)} — gdln report</title>`);
  out(`<style>${CSS}</style></head><body><main>`);

  // Header.
  out(`<header><h1>${esc(title)}</h1>`);
  if (results.paper) out(`<p class="paper">${esc(results.paper)}</p>`);
  const meta = [
    results.experiment ? `experiment <code>${esc(results.experiment)}</code>` : '',
    config && config.name && config.name !== results.experiment ? `config <code>${esc(config.name)}</code>` : '',
    `${runs.length}${typeof results.total === 'number' ? ` of ${results.total}` : ''} runs finished`,
    results.gdln ? `gdln ${esc(results.gdln)}` : '',
    results.node ? `node ${esc(results.node)}` : '',
    results.finished ? `written ${esc(results.finished)}` : '',
  ].filter(Boolean);
  out(`<p class="meta">${meta.join(' · ')}</p></header>`);

  // Banners.
  if (results.partial === true) {
    const missing = Array.isArray(results.missing) ? results.missing.length : undefined;
    out(`<div class="banner partial" role="alert">Partial results: ${typeof results.done === 'number' && typeof results.total === 'number' ? `${results.done} of ${results.total} runs finished` : 'not every run finished'}${missing ? ` (${missing} missing)` : ''}. Numbers and plots below cover the finished runs only; <code>gdln run --resume</code> completes them.</div>`);
  }
  if (results.aggregate?.error) out(`<div class="banner error">The aggregate step failed: ${esc(results.aggregate.error)}</div>`);

  // What this reproduces.
  out('<section id="about"><h2>What this reproduces</h2>');
  if (results.description) out(`<p>${esc(results.description).replace(/\n\n+/g, '</p><p>').replace(/\n/g, '<br>')}</p>`);
  if (results.parameters) out(`<p><strong>Paper parameters:</strong> ${esc(results.parameters)}</p>`);
  if (config) {
    const rows: [string, unknown][] = [];
    if (isObj(config.params)) rows.push(...flatten(config.params));
    if (Array.isArray(config.seeds)) rows.push(['seeds', (config.seeds as unknown[]).join(', ')]);
    if (isObj(config.sweep)) for (const [k, v] of Object.entries(config.sweep)) rows.push([`sweep: ${k}`, Array.isArray(v) ? v.map((x) => short(x, 40)).join(', ') : v]);
    if (config.backend !== undefined) rows.push(['backend', config.backend]);
    if (config.dtype !== undefined) rows.push(['dtype', config.dtype]);
    if (rows.length) {
      out('<h3>Parameters as run</h3><div class="scroll"><table class="params"><tbody>');
      for (const [k, v] of rows) out(`<tr><th>${esc(k)}</th><td>${esc(short(v, 300))}</td></tr>`);
      out('</tbody></table></div>');
    }
    out(`<details><summary>Config as run (${configFile.value ? '<a href="config.json">config.json</a>' : 'from results.json'})</summary><pre>${esc(JSON.stringify(config, null, 2))}</pre></details>`);
  } else {
    out(`<p class="note">No config found (config.json: ${esc(configFile.error ?? 'unreadable')}).</p>`);
  }
  out('</section>');

  // Key numbers.
  out('<section id="numbers"><h2>Key numbers</h2>');
  const aggMetrics = isObj(results.aggregate?.metrics) ? Object.entries(results.aggregate.metrics) : [];
  if (aggMetrics.length) {
    out('<h3>Across all runs</h3><div class="scroll"><table class="aggregate-metrics"><thead><tr><th>metric</th><th>value</th></tr></thead><tbody>');
    for (const [k, v] of aggMetrics) out(`<tr><td>${esc(k)}</td><td class="num">${esc(formatNumber(v))}</td></tr>`);
    out('</tbody></table></div>');
  }
  const fields = [...new Set(points.flatMap((p) => Object.keys(isObj(p.point) ? p.point : {})))];
  const metricNames = [...new Set(points.flatMap((p) => Object.keys(isObj(p.metrics) ? p.metrics : {})))];
  const statCell = (p: (typeof points)[number], m: string) => {
    const s = p.metrics?.[m];
    if (!isObj(s)) return '<td class="num">—</td>';
    const se = typeof s.se === 'number' && Number.isFinite(s.se) && (s.n ?? p.n) > 1 ? ` ± ${formatNumber(s.se)}` : '';
    return `<td class="num">${esc(formatNumber(s.mean) + se)}</td>`;
  };
  // A built-in run alone has one point and a dozen or more metrics: one metric per row then
  // reads better than a table wider than the page.
  const transpose = points.length <= 4 && metricNames.length > 6;
  if (points.length && metricNames.length && transpose) {
    out(`<h3>${fields.length ? 'Per sweep point' : 'Over seeds'} (mean ± se, n seeds)</h3><div class="scroll"><table class="points transposed"><thead><tr><th>metric</th>`);
    out(points.map((p) => `<th>${esc(fields.length ? pointText(p.point) : 'mean ± se')} (n = ${esc(String(p.n ?? ''))})</th>`).join('') + '</tr></thead><tbody>');
    for (const m of metricNames) out(`<tr><td>${esc(m)}</td>${points.map((p) => statCell(p, m)).join('')}</tr>`);
    out('</tbody></table></div>');
  } else if (points.length && metricNames.length) {
    out(`<h3>${fields.length ? 'Per sweep point' : 'Over seeds'} (mean ± se, n seeds)</h3><div class="scroll"><table class="points"><thead><tr>`);
    out([...fields, 'n', ...metricNames].map((f) => `<th>${esc(f)}</th>`).join('') + '</tr></thead><tbody>');
    for (const p of points) {
      const cells = [
        ...fields.map((f) => `<td>${esc(short(p.point?.[f], 60))}</td>`),
        `<td class="num">${esc(String(p.n ?? ''))}</td>`,
        ...metricNames.map((m) => statCell(p, m)),
      ];
      out(`<tr>${cells.join('')}</tr>`);
    }
    out('</tbody></table></div>');
  }
  const runMetricNames = [...new Set(runs.flatMap((r) => Object.keys(isObj(r.metrics) ? r.metrics : {})))];
  if (runs.length && runs.length <= 4 && runMetricNames.length > 6) {
    out('<h3>Per run</h3><div class="scroll"><table class="runs transposed"><thead><tr><th></th>');
    out(runs.map((r) => `<th><a href="#run-${esc(r.id)}">${esc(r.id)}</a></th>`).join('') + '</tr></thead><tbody>');
    const row = (label: string, cell: (r: (typeof runs)[number]) => string) => out(`<tr><td>${esc(label)}</td>${runs.map(cell).join('')}</tr>`);
    row('seed', (r) => `<td class="num">${esc(String(r.seed ?? ''))}</td>`);
    if (fields.length) row('point', (r) => `<td>${esc(pointText(r.point))}</td>`);
    row('seconds', (r) => `<td class="num">${esc(formatNumber(r.seconds))}</td>`);
    row('backend', (r) => `<td>${esc(r.backend ?? '')}</td>`);
    for (const m of runMetricNames) row(m, (r) => `<td class="num">${esc(formatNumber(r.metrics?.[m]))}</td>`);
    out('</tbody></table></div>');
  } else if (runs.length && runs.length <= maxRunsInTable) {
    out('<h3>Per run</h3><div class="scroll"><table class="runs"><thead><tr>');
    out(['run', 'seed', 'point', 'seconds', 'backend', ...runMetricNames].map((f) => `<th>${esc(f)}</th>`).join('') + '</tr></thead><tbody>');
    for (const r of runs) {
      out(
        `<tr><td><a href="#run-${esc(r.id)}">${esc(r.id)}</a></td><td class="num">${esc(String(r.seed ?? ''))}</td><td>${esc(pointText(r.point))}</td><td class="num">${esc(formatNumber(r.seconds))}</td><td>${esc(r.backend ?? '')}</td>` +
          runMetricNames.map((m) => `<td class="num">${esc(formatNumber(r.metrics?.[m]))}</td>`).join('') +
          '</tr>',
      );
    }
    out('</tbody></table></div>');
  } else if (runs.length) {
    out(`<p class="note">${runs.length} runs: per-run numbers are in <a href="results.json">results.json</a> and <a href="summary.csv">summary.csv</a> has the table above.</p>`);
  }
  if (!points.length && !runs.length) out('<p class="note">No finished runs yet.</p>');
  out('</section>');

  // Failures (results.json's list plus any runs/<id>/error.json).
  const failures = new Map<string, { id: string; code?: string; message?: string }>();
  for (const f of Array.isArray(results.failed) ? results.failed : []) if (f && typeof f.id === 'string') failures.set(f.id, f);
  const runsDir = join(resultsDir, 'runs');
  let runDirs: string[] = [];
  try {
    runDirs = readdirSync(runsDir).filter((d) => statSync(join(runsDir, d)).isDirectory()).sort();
  } catch { /* no runs folder */ }
  const finishedIds = new Set(runs.map((r) => r.id));
  for (const d of runDirs) {
    if (failures.has(d) || finishedIds.has(d)) continue;
    const e = tryJson(join(runsDir, d, 'error.json'));
    if (isObj(e.value)) failures.set(d, { id: d, code: typeof e.value.code === 'string' ? e.value.code : undefined, message: typeof e.value.message === 'string' ? e.value.message : undefined });
  }
  if (failures.size) {
    out(`<section id="failures"><h2>Failed runs (${failures.size})</h2><ul class="failed">`);
    for (const f of failures.values()) out(`<li><code>${esc(f.id)}</code>${f.code ? ` <strong>${esc(f.code)}</strong>` : ''}: ${esc(f.message ?? '(no message)')} — <a href="${esc(href('runs', f.id, 'error.json'))}">error.json</a></li>`);
    out('</ul></section>');
  }

  // Aggregate plots.
  const aggPlots = Array.isArray(results.aggregate?.plots) ? (results.aggregate.plots as PlotSpec[]) : [];
  if (aggPlots.length) {
    out('<section id="figures"><h2>Figures</h2><div class="plots">');
    aggPlots.forEach((spec, k) => out(figure(spec, `agg-${k}`, fileLinks(join(resultsDir, 'plots'), 'plots', String(spec?.id ?? '')))));
    out('</div></section>');
  }

  // Per-run plots.
  if (runs.length) {
    let shown = runs;
    let note = '';
    if (runs.length > maxRunsWithPlots) {
      const seen = new Set<string>();
      shown = runs.filter((r) => {
        const key = JSON.stringify(r.point ?? {});
        if (seen.has(key)) return false;
        seen.add(key);
        return true;
      });
      note = `${runs.length} runs: showing the plots of the first seed of each of the ${shown.length} sweep points.`;
    }
    if (shown.length > maxRunSections) {
      note = `${runs.length} runs: showing the plots of ${maxRunSections} of them (the first seed of the first ${maxRunSections} sweep points).`;
      shown = shown.slice(0, maxRunSections);
    }
    out('<section id="runs"><h2>Runs</h2>');
    if (note) out(`<p class="note">${esc(note)} Every run's plots (SVG, PNG) and data are in <code>runs/&lt;id&gt;/</code>.</p>`);
    for (const r of shown) {
      out(`<h3 id="run-${esc(r.id)}">${esc(r.id)} <span class="note">— seed ${esc(String(r.seed ?? '?'))}, ${esc(pointText(r.point))}</span></h3>`);
      const stored = tryJson(join(runsDir, r.id, 'result.json'));
      if (!isObj(stored.value)) {
        out(`<p class="note">runs/${esc(r.id)}/result.json could not be read (${esc(stored.error ?? 'not an object')}).</p>`);
        continue;
      }
      const plots = Array.isArray(stored.value.plots) ? (stored.value.plots as PlotSpec[]) : [];
      if (!plots.length) {
        out('<p class="note">This run has no plots.</p>');
        continue;
      }
      out('<div class="plots">');
      plots.forEach((spec, k) => out(figure(spec, `run-${r.id}-${k}`.replace(/[^A-Za-z0-9_-]/g, '_'), fileLinks(join(runsDir, r.id), href('runs', r.id), String(spec?.id ?? '')))));
      out('</div>');
    }
    out('</section>');
  }

  // Data files.
  const csv: string[] = [];
  if (existsSync(join(resultsDir, 'summary.csv'))) csv.push('summary.csv');
  for (const f of listFiles(join(resultsDir, 'series'), '.csv')) csv.push(`series/${f}`);
  const runCsv: string[] = [];
  for (const r of runs) for (const f of listFiles(join(runsDir, r.id), '.csv')) runCsv.push(`runs/${r.id}/${f}`);
  out('<section id="files"><h2>Data files</h2><ul class="files">');
  for (const f of ['results.json', 'config.json']) if (existsSync(join(resultsDir, f))) out(`<li><a href="${esc(href(f))}">${esc(f)}</a></li>`);
  for (const f of csv) out(`<li><a href="${esc(href(f))}">${esc(f)}</a></li>`);
  if (runCsv.length <= 40) for (const f of runCsv) out(`<li><a href="${esc(href(f))}">${esc(f)}</a></li>`);
  out('</ul>');
  if (runCsv.length > 40) {
    out(`<details><summary>${runCsv.length} per-run CSV files</summary><ul class="files">`);
    for (const f of runCsv) out(`<li><a href="${esc(href(f))}">${esc(f)}</a></li>`);
    out('</ul></details>');
  }
  out('</section>');
  out('<footer class="note"><p>Written by <code>gdln report</code>. Self-contained: the plots are inline SVG; the links above point into this results folder.</p></footer>');
  out('</main></body></html>');
  return h.join('\n') + '\n';
}

/** Writes `<resultsDir>/report.html` and returns its path. */
export function writeHtmlReport(resultsDir: string, options: HtmlReportOptions = {}): string {
  const html = renderHtmlReport(resultsDir, options);
  const path = join(resultsDir, 'report.html');
  writeFileAtomic(path, html);
  return path;
}
