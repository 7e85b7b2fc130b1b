/**
 * `gdln run <config | built-in> [options]`: runs an experiment (sweep × seeds) into a
 * resumable results folder. Ctrl-C once stops the running runs and keeps the finished
 * ones (exit 130); twice quits at once.
 */
import { join, resolve } from 'node:path';
import { GdlnError } from '../../errors.ts';
import { loadConfig } from '../../experiments/framework/config.ts';
import { parseShard, sweepPoints } from '../../experiments/framework/expand.ts';
import { runExperiment, type RunnerSummary } from '../../experiments/framework/runner.ts';
import type { FinalizeSummary, PointSummary } from '../../experiments/framework/results.ts';
import { pngAvailable } from '../../report/png.ts';
import { ProgressReporter, formatDuration, type ProgressStream } from '../progress.ts';
import { OVERRIDE_FLAGS, commandHelp, overridesFromFlags, parseCommand, shellLine, type CommandFlags } from './sweep.ts';

const FLAGS: CommandFlags = {
  out: { type: 'string', help: 'results folder (default results/<name>)' },
  ...OVERRIDE_FLAGS,
  shard: { type: 'string', help: 'i/n: run only runs with index ≡ i (mod n), 0-based (0/2 and 1/2)' },
  force: { type: 'boolean', help: 'if --out holds another config, move it to <out>.old-<time> and start fresh' },
  quiet: { type: 'boolean', short: 'q', help: 'no progress output (failures and the summary only)' },
  help: { type: 'boolean', short: 'h', help: 'show this help' },
};

export const runHelp = `gdln run <config.yaml | config.json | built-in name> [options]
  Runs an experiment: every sweep point × seed, in parallel, into a resumable folder
  (rerun the same command to finish an interrupted run). See docs/experiments.md.
${commandHelp(FLAGS)}`;

export interface RunCommandOptions {
  /** Cancels the run as a first Ctrl-C does (tests). */
  signal?: AbortSignal;
  /** Progress output (default process.stderr). */
  stderr?: ProgressStream;
  /** Install SIGINT handlers (default true). */
  handleSigint?: boolean;
}

function fmt(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  if (x === 0) return '0';
  const a = Math.abs(x);
  return a >= 1e-3 && a < 1e5 ? x.toPrecision(4) : x.toExponential(3);
}

export function pointTable(points: PointSummary[], swept: string[], maxRows = 30): string[] {
  const metrics = [...new Set(points.flatMap((p) => Object.keys(p.metrics)))];
  if (metrics.length === 0) return [];
  const cell = (p: PointSummary, m: string) => (p.metrics[m] ? `${fmt(p.metrics[m].mean)} ± ${fmt(p.metrics[m].se)}` : '–');
  const render = (header: string[], rows: string[][]) => {
    const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c].length)));
    const line = (r: string[]) => ('  ' + r.map((x, c) => x.padEnd(widths[c])).join('  ')).trimEnd();
    return [line(header), ...rows.map(line)];
  };
  // Few points, many metrics (a single run of a built-in): one metric per line reads better
  // than a table as wide as the metric list.
  if (points.length <= 4 && metrics.length > points.length) {
    const header = ['metric', ...points.map((p) => (swept.length ? swept.map((f) => `${f}=${JSON.stringify(p.point[f])}`).join(' ') : 'mean ± se') + ` (n=${p.n})`)];
    return render(header, metrics.map((m) => [m, ...points.map((p) => cell(p, m))]));
  }
  const rows = points.slice(0, maxRows).map((p) => [...swept.map((f) => JSON.stringify(p.point[f])), String(p.n), ...metrics.map((m) => cell(p, m))]);
  const out = render([...swept, 'n', ...metrics], rows);
  if (points.length > maxRows) out.push(`  … ${points.length - maxRows} more points in summary.csv`);
  return out;
}

/** Prints the end-of-run summary; returns the exit code (0 ok, 1 failures, 130 interrupted). */
export function reportSummary(s: FinalizeSummary & { out: string; aborted?: boolean }, swept: string[], log: (line: string) => void, resume?: string): number {
  for (const l of pointTable(s.points, swept)) log(l);
  const files = ['results.json', 'summary.csv', ...(s.reportPath ? ['report.html'] : [])];
  log(`wrote ${files.map((f) => join(s.out, f)).join(', ')}`);
  let code = 0;
  if (s.aggregateError) {
    log(`aggregate failed: ${s.aggregateError}`);
    code = 1;
  }
  if (s.reportError) {
    log(`report failed: ${s.reportError}`);
    code = 1;
  }
  if (s.failed.length > 0) {
    log(`${s.failed.length} run(s) failed (see runs/<id>/error.json; rerun to retry them):`);
    for (const e of s.failed.slice(0, 20)) log(`  ${e.id}: ${e.code}: ${e.message.split('\n')[0]}`);
    if (s.failed.length > 20) log(`  … and ${s.failed.length - 20} more`);
    code = 1;
  }
  if (s.aborted) {
    log(`interrupted: ${s.done} of ${s.total} runs are finished and kept; results.json is marked partial.`);
    if (resume) log(`resume with: ${resume}`);
    return 130;
  }
  if (!s.complete && s.failed.length === 0) log(`${s.missing.length} of ${s.total} runs are not in this folder yet (other shards?): merge with \`gdln merge\``);
  return code;
}

export async function runCommand(argv: string[], log: (line: string) => void, options: RunCommandOptions = {}): Promise<number> {
  const { values, positionals } = parseCommand(argv, FLAGS);
  if (values.help) {
    log(runHelp);
    return 0;
  }
  if (positionals.length !== 1) {
    throw new GdlnError('GDLN_INVALID_ARGUMENT', `gdln run: expected one config file or built-in name but received ${positionals.length === 0 ? 'none' : positionals.map((p) => JSON.stringify(p)).join(' ')}; see \`gdln list\``);
  }
  const overrides = overridesFromFlags(values);
  const shard = typeof values.shard === 'string' ? parseShard(values.shard) : undefined;
  const loaded = await loadConfig(positionals[0], overrides);
  const { config, definition } = loaded;
  const out = resolve(typeof values.out === 'string' ? values.out : join('results', config.name));
  const nPoints = sweepPoints(config.sweep).length;
  const swept = Object.keys(config.sweep);

  log(`${definition.name}: ${definition.title}`);
  log(`  paper:      ${definition.paper}`);
  log(`  parameters: ${definition.parameters}`);
  log(
    `  runs:       ${nPoints * config.seeds.length} = ${nPoints} point(s)${swept.length ? ` (sweep ${swept.join(' × ')})` : ''} × ${config.seeds.length} seed(s)` +
      `${shard ? `, shard ${shard.index}/${shard.count}` : ''}; backend ${config.backend}, ${config.dtype}`,
  );

  const png = pngAvailable();
  if (!png.ok) log(`  note:       PNGs are skipped (SVGs are written): ${png.reason}`);

  const controller = new AbortController();
  if (options.signal) {
    if (options.signal.aborted) controller.abort();
    else options.signal.addEventListener('abort', () => controller.abort(), { once: true });
  }
  let interrupts = 0;
  const onSigint = () => {
    interrupts++;
    if (interrupts === 1) controller.abort();
    else {
      process.stderr.write('\ngdln: interrupted twice, quitting now (finished runs are kept)\n');
      process.exit(130);
    }
  };
  const sigint = options.handleSigint !== false;
  if (sigint) process.on('SIGINT', onSigint);
  const t0 = Date.now();
  const progress = new ProgressReporter({ stream: options.stderr, quiet: values.quiet === true });
  let summary: RunnerSummary;
  try {
    summary = await runExperiment({
      config,
      definition,
      out,
      workers: overrides.workers ?? loaded.workers,
      shard,
      force: values.force === true,
      signal: controller.signal,
      invocation: { argv: ['gdln', 'run', ...argv], source: loaded.source, ...(shard ? { shard: `${shard.index}/${shard.count}` } : {}) },
      onEvent: (e) => {
        if (e.type === 'plan') {
          if (e.movedAside) log(`  moved the old ${e.out} to ${e.movedAside} (--force)`);
          log(
            `  out:        ${e.out}${e.resumed ? ` (resuming: ${e.skipped} of ${e.selected} runs already done)` : ''}; ${e.toRun} to run on ${e.workers} worker${e.workers === 1 ? '' : 's'}`,
          );
        }
        progress.handle(e);
      },
    });
  } finally {
    progress.stop();
    if (sigint) process.off('SIGINT', onSigint);
  }
  const took = formatDuration((Date.now() - t0) / 1000);
  log(`${summary.ran.length} run(s) done in ${took}${summary.skipped.length ? `, ${summary.skipped.length} were already done` : ''}; ${summary.done} of ${summary.total} finished`);
  return reportSummary(summary, swept, log, `gdln run ${shellLine(argv)}`);
}
