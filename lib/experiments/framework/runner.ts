/**
 * The experiment runner: expands a resolved config into runs, skips the finished
 * ones (resume), runs the rest on worker threads (or in this thread), writes each
 * run's folder as it finishes, then the folder-level results and the report.
 * See docs/experiments.md for the folder layout.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { Worker } from 'node:worker_threads';
import { GdlnError } from '../../errors.ts';
import { writeJsonAtomic } from '../../report/atomicWrite.ts';
import type { ResolvedConfig } from './config.ts';
import { executeRun, type RunJob, type RunOutcome } from './execute.ts';
import { expandRuns, selectShard, type RunSpec, type Shard } from './expand.ts';
import type { ExperimentRef } from './registry.ts';
import { finalizeResults, gdlnVersion, readStoredRun, runDir, storedMatches, writeRunFolder, type FinalizeSummary, type RunError, type StoredRun } from './results.ts';
import { canonicalJson, isPlainObject } from './schema.ts';
import type { ExperimentDefinition } from './types.ts';

export type RunnerEvent =
  | { type: 'plan'; out: string; total: number; selected: number; toRun: number; skipped: number; workers: number; resumed: boolean; movedAside?: string }
  | { type: 'start'; id: string; index: number }
  | { type: 'progress'; id: string; fraction: number; message?: string }
  | { type: 'log'; id: string; line: string }
  | { type: 'done'; id: string; seconds: number; metrics: Record<string, number> }
  | { type: 'failed'; id: string; code: string; message: string }
  | { type: 'aborting' }
  | { type: 'finalizing' };

export interface RunnerOptions {
  config: ResolvedConfig;
  /** The experiment (already loaded; used in-process and for aggregate()). */
  definition: ExperimentDefinition;
  out: string;
  /**
   * Parallel runs. Default min(runs to do, os.availableParallelism()). With 1, or when the
   * definition is neither a built-in nor loaded from `config.module`, runs execute in this thread.
   */
  workers?: number;
  shard?: Shard;
  /** When `out` holds a different config (or non-result files): move it to `<out>.old-<time>` and start fresh. */
  force?: boolean;
  /** Aborting stops the running runs (through their AbortSignal), keeps finished ones and writes partial results. */
  signal?: AbortSignal;
  onEvent?: (event: RunnerEvent) => void;
  /** Extra facts for config.json (e.g. the command line). */
  invocation?: Record<string, unknown>;
  /** Write report.html (default true). */
  report?: boolean;
  /** Milliseconds to wait for aborted runs to stop before terminating their workers (default 2000). */
  abortGraceMs?: number;
}

export interface RunnerSummary extends FinalizeSummary {
  out: string;
  /** Runs of this shard (all runs when unsharded). */
  selected: number;
  /** Finished before this call (resume). */
  skipped: string[];
  /** Finished by this call. */
  ran: string[];
  /** Failed in this call. */
  failedNow: RunError[];
  aborted: boolean;
  workers: number;
  movedAside?: string;
}

/** config.json: the resolved config plus facts about the run. */
export interface FolderConfig {
  config: ResolvedConfig;
  experiment: { name: string; title: string; paper: string; parameters: string };
  gdln: string;
  node: string;
  started: string;
  invocation?: Record<string, unknown>;
}

const TMP_FILE = /^\..+\.(\d+)\.\d+\.tmp$/;

function pidAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes temporary files left by a killed writer (never one whose process still lives).
 * With `onlyRuns` (a shard), only those runs' folders are cleaned: other shards may be
 * writing into the same folder from other hosts, where a process id means nothing here.
 */
function removeStaleTemps(out: string, onlyRuns?: string[]): void {
  const dirs = onlyRuns ? [] : [out, join(out, 'plots'), join(out, 'series')];
  const runs = join(out, 'runs');
  if (onlyRuns) dirs.push(...onlyRuns.map((id) => join(runs, id)));
  else if (existsSync(runs)) for (const id of readdirSync(runs)) dirs.push(join(runs, id));
  for (const dir of dirs) {
    if (!existsSync(dir) || !statSync(dir).isDirectory()) continue;
    for (const name of readdirSync(dir)) {
      const m = TMP_FILE.exec(name);
      if (m && !pidAlive(Number(m[1]))) rmSync(join(dir, name), { force: true });
    }
  }
}

/** The first few parameter paths where two values differ. */
export function diffPaths(a: unknown, b: unknown, path = '', out: string[] = []): string[] {
  if (out.length >= 5) return out;
  if (isPlainObject(a) && isPlainObject(b)) {
    for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) diffPaths(a[k], b[k], path ? `${path}.${k}` : k, out);
  } else if (canonicalJson(a) !== canonicalJson(b)) out.push(path || '(root)');
  return out;
}

function timestamp(): string {
  return new Date().toISOString().replace(/[-:]/g, '').replace(/\..*$/, '').replace('T', '-');
}

function moveAside(out: string): string {
  let target = `${out}.old-${timestamp()}`;
  for (let k = 2; existsSync(target); k++) target = `${out}.old-${timestamp()}-${k}`;
  try {
    renameSync(out, target);
  } catch (err) {
    throw new GdlnError('GDLN_IO', `Could not move ${out} aside to ${target}: ${(err as Error).message}`, { path: out });
  }
  return target;
}

export function readFolderConfig(out: string): FolderConfig | undefined {
  const path = join(out, 'config.json');
  if (!existsSync(path)) return undefined;
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as FolderConfig;
  } catch (err) {
    throw new GdlnError('GDLN_IO', `Could not read ${path}: ${(err as Error).message}`, { path });
  }
}

function folderConfig(config: ResolvedConfig, definition: ExperimentDefinition, invocation?: Record<string, unknown>): FolderConfig {
  return {
    config,
    experiment: { name: definition.name, title: definition.title, paper: definition.paper, parameters: definition.parameters },
    gdln: gdlnVersion(),
    node: process.version,
    started: new Date().toISOString(),
    ...(invocation ? { invocation } : {}),
  };
}

/**
 * Makes `out` ready for `config`: creates it with config.json, or accepts it when its
 * config.json holds the same resolved config (resume).
 * @throws GdlnError GDLN_INVALID_ARGUMENT when it holds something else and `force` is off
 */
export function prepareFolder(
  out: string,
  config: ResolvedConfig,
  definition: ExperimentDefinition,
  options: { force?: boolean; invocation?: Record<string, unknown> } = {},
): { resumed: boolean; movedAside?: string } {
  let movedAside: string | undefined;
  if (existsSync(out)) {
    if (!statSync(out).isDirectory()) throw new GdlnError('GDLN_INVALID_ARGUMENT', `--out: ${out} exists and is not a folder`, { path: out });
    const existing = readFolderConfig(out);
    if (existing) {
      if (canonicalJson(existing.config) === canonicalJson(config)) return { resumed: true };
      if (!options.force) {
        const differs = diffPaths(existing.config, config);
        throw new GdlnError(
          'GDLN_INVALID_ARGUMENT',
          `--out: ${out} holds results of a different config (differs at ${differs.join(', ')}); rerun with the same config to resume, choose another --out, or pass --force to move the old folder aside and start fresh`,
          { path: out, differs },
        );
      }
      movedAside = moveAside(out);
    } else if (readdirSync(out).some((n) => !TMP_FILE.test(n))) {
      if (!options.force) {
        throw new GdlnError('GDLN_INVALID_ARGUMENT', `--out: ${out} is not empty and is not a gdln results folder (no config.json); choose another --out or pass --force to move it aside`, { path: out });
      }
      movedAside = moveAside(out);
    }
  }
  mkdirSync(out, { recursive: true });
  writeJsonAtomic(join(out, 'config.json'), folderConfig(config, definition, options.invocation));
  return { resumed: false, movedAside };
}

let tsxApiUrl: string | undefined;
function tsxApi(): string {
  if (tsxApiUrl === undefined) tsxApiUrl = import.meta.resolve('tsx/esm/api');
  return tsxApiUrl;
}

interface Sink {
  onOutcome(spec: RunSpec, outcome: RunOutcome): void;
  onEvent(event: RunnerEvent): void;
}

function jobOf(spec: RunSpec, config: ResolvedConfig): RunJob {
  return { id: spec.id, seed: spec.seed, params: spec.params, backend: config.backend, dtype: config.dtype };
}

async function runInProcess(specs: RunSpec[], definition: ExperimentDefinition, config: ResolvedConfig, signal: AbortSignal, sink: Sink): Promise<void> {
  for (const spec of specs) {
    if (signal.aborted) return;
    sink.onEvent({ type: 'start', id: spec.id, index: spec.index });
    const outcome = await executeRun(definition, jobOf(spec, config), signal, {
      progress: (fraction, message) => sink.onEvent({ type: 'progress', id: spec.id, fraction, message }),
      log: (line) => sink.onEvent({ type: 'log', id: spec.id, line }),
    });
    sink.onOutcome(spec, outcome);
  }
}

function runOnWorkers(specs: RunSpec[], ref: ExperimentRef, config: ResolvedConfig, nWorkers: number, signal: AbortSignal, graceMs: number, sink: Sink): Promise<void> {
  return new Promise((resolveAll, rejectAll) => {
    const queue = [...specs];
    const busy = new Map<Worker, RunSpec | null>();
    const ready = new Set<Worker>();
    let fatal: GdlnError | undefined;
    let graceTimer: NodeJS.Timeout | undefined;
    const entry = new URL('./worker.ts', import.meta.url).href;

    const settleIfDone = () => {
      if (busy.size > 0) return;
      if (graceTimer) clearTimeout(graceTimer);
      signal.removeEventListener('abort', onAbort);
      if (fatal) rejectAll(fatal);
      else resolveAll();
    };
    const next = (w: Worker) => {
      const spec = signal.aborted || fatal ? undefined : queue.shift();
      if (!spec) {
        busy.set(w, null);
        void w.terminate();
        return;
      }
      busy.set(w, spec);
      sink.onEvent({ type: 'start', id: spec.id, index: spec.index });
      w.postMessage({ type: 'run', job: jobOf(spec, config) });
    };
    const spawn = () => {
      const w = new Worker(new URL('./worker-entry.mjs', import.meta.url), { workerData: { tsxApi: tsxApi(), entry, ref } });
      busy.set(w, null);
      w.on('message', (msg: { type: string; [k: string]: unknown }) => {
        const current = busy.get(w) ?? null;
        switch (msg.type) {
          case 'ready':
            ready.add(w);
            next(w);
            break;
          case 'fatal':
            fatal ??= new GdlnError(msg.code as 'GDLN_INTERNAL', msg.message as string);
            void w.terminate();
            for (const other of busy.keys()) if (busy.get(other) === null) void other.terminate();
            break;
          case 'progress':
            sink.onEvent({ type: 'progress', id: msg.id as string, fraction: msg.fraction as number, message: msg.message as string | undefined });
            break;
          case 'log':
            sink.onEvent({ type: 'log', id: msg.id as string, line: msg.line as string });
            break;
          case 'outcome': {
            const outcome = msg.outcome as RunOutcome;
            busy.set(w, null);
            if (current) sink.onOutcome(current, outcome);
            next(w);
            break;
          }
        }
      });
      w.on('error', (err) => {
        if (!ready.has(w)) fatal ??= new GdlnError('GDLN_INTERNAL', `a worker thread failed to start: ${err.message}`);
        const current = busy.get(w);
        busy.set(w, null);
        if (current && !signal.aborted) sink.onOutcome(current, { ok: false, id: current.id, aborted: false, code: 'GDLN_INTERNAL', message: `worker thread failed: ${err.message}`, seconds: 0 });
      });
      w.on('exit', (code) => {
        const current = busy.get(w);
        busy.delete(w);
        if (current && !signal.aborted) {
          sink.onOutcome(current, { ok: false, id: current.id, aborted: false, code: 'GDLN_INTERNAL', message: `worker thread exited (code ${code}) during the run`, seconds: 0 });
        }
        if (!signal.aborted && !fatal && queue.length > 0 && busy.size < nWorkers) spawn();
        settleIfDone();
      });
    };
    const onAbort = () => {
      for (const w of busy.keys()) w.postMessage({ type: 'abort' });
      graceTimer = setTimeout(() => {
        for (const w of busy.keys()) void w.terminate();
      }, graceMs);
    };
    signal.addEventListener('abort', onAbort, { once: true });
    for (let k = 0; k < nWorkers; k++) spawn();
  });
}

/**
 * Runs an experiment config into `out` (resumable, parallel, shardable).
 * Failed runs get runs/<id>/error.json and are listed in the summary; they are retried
 * on the next call. Aborting via `signal` keeps every finished run.
 * @throws GdlnError for an unusable `out` (see prepareFolder), a stored run that does not
 *   match its id, or an experiment that fails to load in a worker
 * @example
 * const { config, definition } = await loadConfig('sweep.yaml');
 * const summary = await runExperiment({ config, definition, out: 'results/sweep' });
 */
export async function runExperiment(options: RunnerOptions): Promise<RunnerSummary> {
  const { config, definition } = options;
  const out = resolve(options.out);
  const signal = options.signal ?? new AbortController().signal;
  const emit = options.onEvent ?? (() => {});
  const { resumed, movedAside } = prepareFolder(out, config, definition, { force: options.force, invocation: options.invocation });
  const all = expandRuns(config);
  const selected = selectShard(all, options.shard);
  removeStaleTemps(out, options.shard ? selected.map((s) => s.id) : undefined);
  const skipped: string[] = [];
  const toRun: RunSpec[] = [];
  for (const spec of selected) {
    const stored = readStoredRun(out, spec.id);
    if (!stored) toRun.push(spec);
    else if (storedMatches(stored, spec)) skipped.push(spec.id);
    else {
      throw new GdlnError('GDLN_INVALID_ARGUMENT', `${join(runDir(out, spec.id), 'result.json')} holds a different run (seed or params differ from run ${spec.id}); move it away or use another --out`, { run: spec.id });
    }
  }

  const inProcessOnly = config.module === undefined && !(await isBuiltin(definition));
  const requested = options.workers ?? availableParallelism();
  if (!Number.isInteger(requested) || requested < 1) throw new GdlnError('GDLN_INVALID_ARGUMENT', `workers: expected an integer >= 1 but received ${requested}`, { name: 'workers' });
  const workers = inProcessOnly ? 1 : Math.max(1, Math.min(requested, toRun.length));
  emit({ type: 'plan', out, total: all.length, selected: selected.length, toRun: toRun.length, skipped: skipped.length, workers, resumed, movedAside });

  const ran: string[] = [];
  const failedNow: RunError[] = [];
  const sink: Sink = {
    onEvent: emit,
    onOutcome(spec, outcome) {
      const dir = runDir(out, spec.id);
      if (outcome.ok) {
        const stored: StoredRun = {
          id: spec.id,
          seed: spec.seed,
          point: spec.point,
          params: spec.params,
          seconds: outcome.seconds,
          backend: outcome.result.backend ?? config.backend,
          metrics: outcome.result.metrics,
          series: outcome.result.series,
          ...(outcome.result.data !== undefined ? { data: outcome.result.data } : {}),
          plots: outcome.result.plots,
        };
        try {
          for (const f of outcome.files) f.contents = typeof f.contents === 'string' ? f.contents : new Uint8Array(f.contents);
          writeRunFolder(out, stored, outcome.files); // result.json last; files of an earlier failed attempt are overwritten
          rmSync(join(dir, 'error.json'), { force: true });
          ran.push(spec.id);
          emit({ type: 'done', id: spec.id, seconds: outcome.seconds, metrics: outcome.result.metrics });
        } catch (err) {
          recordFailure(spec, (err as GdlnError).code ?? 'GDLN_IO', (err as Error).message);
        }
      } else if (!outcome.aborted) {
        recordFailure(spec, outcome.code, outcome.message);
      }
    },
  };
  const recordFailure = (spec: RunSpec, code: string, message: string) => {
    const e: RunError = { id: spec.id, seed: spec.seed, point: spec.point, code, message };
    failedNow.push(e);
    try {
      writeJsonAtomic(join(runDir(out, spec.id), 'error.json'), e);
    } catch {
      // the failure is still reported in the summary
    }
    emit({ type: 'failed', id: spec.id, code, message });
  };

  const onAbort = () => emit({ type: 'aborting' });
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    if (toRun.length > 0) {
      if (workers <= 1) await runInProcess(toRun, definition, config, signal, sink);
      else await runOnWorkers(toRun, { name: config.experiment, module: config.module }, config, workers, signal, options.abortGraceMs ?? 2000, sink);
    }
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
  emit({ type: 'finalizing' });
  const fin = finalizeResults(out, definition, config, { aborted: signal.aborted, report: options.report });
  return { ...fin, out, selected: selected.length, skipped, ran, failedNow, aborted: signal.aborted, workers, movedAside };
}

async function isBuiltin(definition: ExperimentDefinition): Promise<boolean> {
  const { findBuiltin } = await import('../builtins/index.ts');
  return findBuiltin(definition.name) === definition;
}
