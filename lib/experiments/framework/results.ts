/**
 * The results folder: per-run files (CSV series, SVG/PNG plots, result.json written
 * last), and the folder-level results.json, summary.csv and aggregate plots,
 * recomputed from whatever runs are finished (after a run, a resume or a merge).
 * Every file goes through writeFileAtomic / writeJsonAtomic.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GdlnError } from '../../errors.ts';
import { writeFileAtomic, writeJsonAtomic } from '../../report/atomicWrite.ts';
import type { LinePlotSpec, PlotSpec } from '../../report/plotSpec.ts';
import { renderPlotSvg } from '../../report/renderPlot.ts';
import { pngAvailable, svgToPng } from '../../report/png.ts';
import { writeHtmlReport } from '../../report/htmlReport.ts';
import type { ResolvedConfig } from './config.ts';
import { expandRuns, meanSe, type MeanSe, type RunSpec } from './expand.ts';
import { canonicalJson, isPlainObject } from './schema.ts';
import type { AggregateResult, ExperimentDefinition, RunRecord, RunResult, SeriesTable } from './types.ts';

/** A file of a run folder, rendered (possibly in a worker) and written by the main thread. */
export interface RunFile {
  name: string;
  contents: string | Uint8Array;
}

/** runs/<id>/result.json. */
export interface StoredRun {
  id: string;
  seed: number;
  point: Record<string, unknown>;
  params: Record<string, unknown>;
  seconds: number;
  backend?: string;
  metrics: Record<string, number>;
  series: Record<string, SeriesTable>;
  data?: Record<string, unknown>;
  plots: PlotSpec[];
}

/** runs/<id>/error.json. */
export interface RunError {
  id: string;
  seed: number;
  point: Record<string, unknown>;
  code: string;
  message: string;
}

const PLOT_ID = /^[a-z0-9-]+$/;
const FILE_STEM = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

function internal(message: string, details: Record<string, unknown> = {}): GdlnError {
  return new GdlnError('GDLN_INTERNAL', message, details);
}

function toNumbers(x: unknown): number[] | undefined {
  if (Array.isArray(x)) return x as number[];
  if (ArrayBuffer.isView(x) && !(x instanceof DataView)) return Array.from(x as unknown as ArrayLike<number>);
  return undefined;
}

/**
 * Checks what an experiment's run() returned (an experiment bug fails that run with a
 * GDLN_INTERNAL error naming the field) and normalises typed arrays in series to arrays.
 */
export function checkRunResult(result: unknown, experiment: string): RunResult {
  const where = `experiment ${experiment}: run() result`;
  if (!isPlainObject(result)) throw internal(`${where} is not an object`);
  const metrics = result.metrics ?? {};
  if (!isPlainObject(metrics)) throw internal(`${where}.metrics is not an object`);
  for (const [k, v] of Object.entries(metrics)) if (typeof v !== 'number') throw internal(`${where}.metrics.${k} is not a number`, { metric: k });
  const seriesIn = result.series ?? {};
  if (!isPlainObject(seriesIn)) throw internal(`${where}.series is not an object`);
  const series: Record<string, SeriesTable> = {};
  for (const [name, t] of Object.entries(seriesIn)) {
    if (!FILE_STEM.test(name)) throw internal(`${where}.series: name ${JSON.stringify(name)} is not a safe file name`, { series: name });
    const table = t as SeriesTable;
    const x = toNumbers(table?.x);
    if (!x || typeof table.xLabel !== 'string' || !isPlainObject(table.columns)) throw internal(`${where}.series.${name} is not {xLabel, x, columns}`, { series: name });
    const columns: Record<string, number[]> = {};
    for (const [c, col] of Object.entries(table.columns)) {
      const y = toNumbers(col);
      if (!y || y.length !== x.length) throw internal(`${where}.series.${name}.columns.${c} has ${y?.length ?? 'no'} values for ${x.length} x values`, { series: name, column: c });
      columns[c] = y;
    }
    series[name] = { xLabel: table.xLabel, x, columns };
  }
  const plots = result.plots ?? [];
  if (!Array.isArray(plots)) throw internal(`${where}.plots is not an array`);
  const ids = new Set<string>();
  for (const p of plots as PlotSpec[]) {
    if (!p || typeof p.id !== 'string' || !PLOT_ID.test(p.id)) throw internal(`${where}.plots: id ${JSON.stringify(p?.id)} is not [a-z0-9-]+`, { plot: p?.id });
    if (ids.has(p.id)) throw internal(`${where}.plots: id ${JSON.stringify(p.id)} is used twice`, { plot: p.id });
    ids.add(p.id);
  }
  return {
    metrics: metrics as Record<string, number>,
    series,
    plots: plots as PlotSpec[],
    ...(result.data !== undefined ? { data: result.data as Record<string, unknown> } : {}),
    ...(typeof result.backend === 'string' ? { backend: result.backend } : {}),
  };
}

function csvCell(v: unknown): string {
  if (typeof v === 'number') return String(v);
  const s = typeof v === 'string' ? v : JSON.stringify(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function seriesCsv(table: SeriesTable): string {
  const names = Object.keys(table.columns);
  const lines = [[table.xLabel, ...names].map(csvCell).join(',')];
  for (let i = 0; i < table.x.length; i++) lines.push([table.x[i], ...names.map((n) => table.columns[n][i])].map(csvCell).join(','));
  return lines.join('\n') + '\n';
}

/** <plot id>.svg and .png for each plot (PNGs are skipped where @resvg/resvg-js cannot load: see pngAvailable()). */
export function renderPlotFiles(plots: PlotSpec[]): RunFile[] {
  const png = plots.length > 0 && pngAvailable().ok;
  return plots.flatMap((spec) => {
    const svg = renderPlotSvg(spec);
    return [{ name: `${spec.id}.svg`, contents: svg }, ...(png ? [{ name: `${spec.id}.png`, contents: svgToPng(svg) }] : [])];
  });
}

/** The CSV, SVG and PNG files of one finished run (result.json is not among them). */
export function renderRunFiles(result: RunResult): RunFile[] {
  return [
    ...Object.entries(result.series).map(([name, t]) => ({ name: `${name}.csv`, contents: seriesCsv(t) })),
    ...renderPlotFiles(result.plots),
  ];
}

export function runDir(out: string, id: string): string {
  return join(out, 'runs', id);
}

/** Writes a run's files, then result.json last (its presence means the run is done). */
export function writeRunFolder(out: string, stored: StoredRun, files: RunFile[]): void {
  const dir = runDir(out, stored.id);
  for (const f of files) writeFileAtomic(join(dir, f.name), f.contents);
  writeJsonAtomic(join(dir, 'result.json'), stored);
}

function readJson(path: string): unknown {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new GdlnError('GDLN_IO', `Could not read ${path}: ${(err as Error).message}`, { path });
  }
}

/** The stored result of a run, when finished. */
export function readStoredRun(out: string, id: string): StoredRun | undefined {
  const path = join(runDir(out, id), 'result.json');
  return existsSync(path) ? (readJson(path) as StoredRun) : undefined;
}

export function readRunError(out: string, id: string): RunError | undefined {
  const path = join(runDir(out, id), 'error.json');
  return existsSync(path) ? (readJson(path) as RunError) : undefined;
}

/** True when a stored result is the result of `spec` (same seed and params). */
export function storedMatches(stored: StoredRun, spec: RunSpec): boolean {
  return stored.seed === spec.seed && canonicalJson(stored.params) === canonicalJson(spec.params);
}

function slug(s: string): string {
  return s.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '') || 'x';
}

/** Every metric's mean ± se against the single swept numeric field. */
export function defaultSweepPlots(field: string, points: PointSummary[], experiment: ExperimentDefinition): PlotSpec[] {
  const usable = points.filter((p) => p.n > 0 && typeof p.point[field] === 'number').sort((a, b) => (a.point[field] as number) - (b.point[field] as number));
  if (usable.length === 0) return [];
  const xs = usable.map((p) => p.point[field] as number);
  const logX = xs.every((x) => x > 0) && Math.max(...xs) / Math.min(...xs) >= 16;
  const metrics = [...new Set(usable.flatMap((p) => Object.keys(p.metrics)))];
  return metrics.map(
    (m): LinePlotSpec => ({
      kind: 'line',
      id: `${slug(m)}-vs-${slug(field)}`,
      title: `${m} vs ${field} (mean ± se over seeds)`,
      paperRef: experiment.paper,
      xLabel: field,
      yLabel: m,
      logX,
      series: [
        {
          name: m,
          x: usable.filter((p) => p.metrics[m]).map((p) => p.point[field] as number),
          y: usable.filter((p) => p.metrics[m]).map((p) => p.metrics[m].mean),
          yErr: usable.filter((p) => p.metrics[m]).map((p) => p.metrics[m].se),
          markers: true,
        },
      ],
    }),
  );
}

export interface PointSummary {
  index: number;
  point: Record<string, unknown>;
  /** Finished runs (seeds) at this point. */
  n: number;
  metrics: Record<string, MeanSe>;
}

export interface FolderMeta {
  gdln: string;
  node: string;
}

export interface FinalizeOptions {
  /** The run was interrupted (Ctrl-C): results.json says partial. */
  aborted?: boolean;
  /** Also write report.html (default true). */
  report?: boolean;
}

export interface FinalizeSummary {
  total: number;
  done: number;
  failed: RunError[];
  missing: string[];
  complete: boolean;
  resultsPath: string;
  reportPath?: string;
  /** aggregate() threw (the rest was still written). */
  aggregateError?: string;
  /** writeHtmlReport threw (the rest was still written). */
  reportError?: string;
  points: PointSummary[];
}

let cachedVersion: string | undefined;
export function gdlnVersion(): string {
  if (cachedVersion === undefined) {
    try {
      cachedVersion = String((JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version?: unknown }).version ?? 'unknown');
    } catch {
      cachedVersion = 'unknown';
    }
  }
  return cachedVersion;
}

/**
 * Recomputes the folder-level files from the finished runs found under `out`:
 * aggregate plots (plots/), aggregate series (series/), summary.csv, results.json
 * (written after the others) and report.html.
 */
export function finalizeResults(out: string, definition: ExperimentDefinition, config: ResolvedConfig, options: FinalizeOptions = {}): FinalizeSummary {
  const specs = expandRuns(config);
  const records: RunRecord<Record<string, unknown>>[] = [];
  const stored: StoredRun[] = [];
  const failed: RunError[] = [];
  const missing: string[] = [];
  for (const spec of specs) {
    const s = readStoredRun(out, spec.id);
    if (s && storedMatches(s, spec)) {
      stored.push(s);
      records.push({
        id: s.id,
        seed: s.seed,
        point: s.point,
        params: s.params,
        seconds: s.seconds,
        result: { metrics: s.metrics, series: s.series ?? {}, plots: s.plots ?? [], data: s.data, backend: s.backend },
      });
      continue;
    }
    missing.push(spec.id);
    const e = readRunError(out, spec.id);
    if (e) failed.push(e);
  }

  const byPoint = new Map<number, StoredRun[]>();
  const pointOf = new Map(specs.map((s) => [s.id, s]));
  for (const s of stored) {
    const p = (pointOf.get(s.id) as RunSpec).pointIndex;
    byPoint.set(p, [...(byPoint.get(p) ?? []), s]);
  }
  const points: PointSummary[] = [];
  for (const spec of specs) {
    if (points.length > spec.pointIndex) continue;
    const runs = byPoint.get(spec.pointIndex) ?? [];
    const names = [...new Set(runs.flatMap((r) => Object.keys(r.metrics)))];
    points.push({
      index: spec.pointIndex,
      point: spec.point,
      n: runs.length,
      metrics: Object.fromEntries(names.map((m) => [m, meanSe(runs.filter((r) => m in r.metrics).map((r) => r.metrics[m]))])),
    });
  }

  let aggregate: AggregateResult = { plots: [] };
  let aggregateError: string | undefined;
  const sweptFields = Object.keys(config.sweep);
  if (definition.aggregate) {
    if (records.length > 0) {
      try {
        aggregate = definition.aggregate(records);
        const checked = checkRunResult({ metrics: aggregate.metrics ?? {}, series: aggregate.series ?? {}, plots: aggregate.plots ?? [] }, definition.name);
        aggregate = { metrics: checked.metrics, plots: checked.plots, series: checked.series };
      } catch (err) {
        aggregateError = `${(err as GdlnError).code ?? 'Error'}: ${(err as Error).message}`;
        aggregate = { plots: [] };
      }
    }
  } else if (sweptFields.length === 1 && config.sweep[sweptFields[0]].every((v) => typeof v === 'number')) {
    aggregate = { plots: defaultSweepPlots(sweptFields[0], points, definition) };
  }

  for (const f of renderPlotFiles(aggregate.plots)) writeFileAtomic(join(out, 'plots', f.name), f.contents);
  for (const [name, t] of Object.entries(aggregate.series ?? {})) writeFileAtomic(join(out, 'series', `${name}.csv`), seriesCsv(t));

  const metricNames = [...new Set(points.flatMap((p) => Object.keys(p.metrics)))];
  const header = [...sweptFields, 'n', ...metricNames.flatMap((m) => [`${m}_mean`, `${m}_se`])];
  const rows = points.map((p): unknown[] => [...sweptFields.map((f) => p.point[f]), p.n, ...metricNames.flatMap((m): unknown[] => (p.metrics[m] ? [p.metrics[m].mean, p.metrics[m].se] : ['', '']))]);
  writeFileAtomic(join(out, 'summary.csv'), [header, ...rows].map((r) => r.map(csvCell).join(',')).join('\n') + '\n');

  const complete = missing.length === 0;
  const resultsPath = join(out, 'results.json');
  writeJsonAtomic(resultsPath, {
    experiment: definition.name,
    title: definition.title,
    paper: definition.paper,
    parameters: definition.parameters,
    description: definition.description,
    config,
    complete,
    partial: !complete || options.aborted === true,
    total: specs.length,
    done: stored.length,
    missing,
    failed: failed.map(({ id, code, message }) => ({ id, code, message })),
    runs: stored.map(({ id, seed, point, metrics, seconds, backend }) => ({ id, seed, point, metrics, seconds, backend })),
    points: points.map(({ point, n, metrics }) => ({ point, n, metrics })),
    aggregate: {
      metrics: aggregate.metrics ?? {},
      plots: aggregate.plots,
      ...(aggregate.series ? { series: Object.keys(aggregate.series) } : {}),
      ...(aggregateError ? { error: aggregateError } : {}),
    },
    gdln: gdlnVersion(),
    node: process.version,
    finished: new Date().toISOString(),
  });

  let reportPath: string | undefined;
  let reportError: string | undefined;
  if (options.report !== false) {
    try {
      reportPath = writeHtmlReport(out);
    } catch (err) {
      reportError = `${(err as GdlnError).code ?? 'Error'}: ${(err as Error).message}`;
    }
  }
  return { total: specs.length, done: stored.length, failed, missing, complete, resultsPath, reportPath, aggregateError, reportError, points };
}
