/**
 * Sweeps on a Slurm cluster: one `sbatch` job array per sweep, one array task per shard
 * (`gdln run --shard <task>/<tasks>`), every task writing into the one results folder on
 * shared storage (atomically and resumably, as a local run does), then an optional
 * dependent job that runs `gdln merge` to write results.json, summary.csv, plots and
 * report.html. Also: the folder's status per run and per shard (joined with what
 * `squeue`/`sacct` say about the tasks), and resubmission of the unfinished shards.
 * See docs/slurm.md.
 *
 * The shard of a run is its index in the stable run order modulo the task count
 * (expand.ts), so a resubmission with the same task count puts every run in the shard
 * it had before; the task count is fixed at the first submission (slurm/jobs.json).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { GdlnError } from '../../errors.ts';
import { writeFileAtomic, writeJsonAtomic } from '../../report/atomicWrite.ts';
import type { ExperimentConfigFile, ResolvedConfig } from './config.ts';
import { expandRuns, type RunSpec } from './expand.ts';
import { readRunError, readStoredRun, storedMatches, type RunError } from './results.ts';
import { readFolderConfig } from './runner.ts';

/** Resources and launch details of the batch scripts (all optional). */
export interface SlurmOptions {
  partition?: string;
  /** --time, e.g. 01:00:00 or 2-00:00:00. */
  time?: string;
  cpusPerTask?: number;
  /** --gpus per task, e.g. 1 or a100:1. */
  gpus?: string;
  /** --mem per task, e.g. 4G. */
  mem?: string;
  account?: string;
  qos?: string;
  /** At most this many array tasks at once (the %P of --array). */
  arrayParallelism?: number;
  /** Job name (default gdln-<config name>). */
  jobName?: string;
  /** Further `#SBATCH` arguments, verbatim (e.g. "--constraint=skylake"). */
  sbatchArgs?: string[];
  /** Shell lines run before gdln on the node (e.g. "module load nodejs/22"). */
  setup?: string[];
  /** The node binary on the compute nodes (default: this process's, process.execPath). */
  node?: string;
  /** The gdln entry script (default: this install's bin/gdln.js). */
  gdln?: string;
  /** GDLN_ADDON_PATH for the tasks (default: inherited from the submitting shell when set). */
  addon?: string;
  /** Working directory of the tasks (default: the submitting directory). */
  workdir?: string;
  /** #SBATCH --requeue (default true): a preempted or failed-node task is requeued and resumes. */
  requeue?: boolean;
}

/** One sbatch submission recorded in <out>/slurm/jobs.json. */
export interface SlurmSubmission {
  kind: 'array' | 'merge';
  jobId: string;
  /** The array's task ids (= shard indices); empty for a merge job. */
  shards: number[];
  script: string;
  submitted: string;
  dependsOn?: string;
}

/** <out>/slurm/jobs.json */
export interface SlurmJobs {
  version: 1;
  out: string;
  /** The number of shards (array tasks) the runs are divided into; fixed for the folder. */
  tasks: number;
  /** The config file every task runs (<out>/slurm/sweep.json). */
  configFile: string;
  /** Options of the last submission (a resubmission starts from them). */
  options: SlurmOptions;
  submissions: SlurmSubmission[];
}

export type RunState = 'done' | 'failed' | 'running' | 'pending' | 'missing';

export interface RunStatus {
  id: string;
  index: number;
  shard: number;
  state: RunState;
  error?: { code: string; message: string };
}

export interface ShardStatus {
  shard: number;
  runs: number;
  done: number;
  failed: number;
  /** The Slurm state of this shard's latest array task (PENDING, RUNNING, COMPLETED, FAILED, …), when known. */
  task?: { jobId: string; state: string };
}

export interface SweepStatus {
  out: string;
  experiment: string;
  total: number;
  tasks: number;
  counts: Record<RunState, number>;
  runs: RunStatus[];
  shards: ShardStatus[];
  /** Shards with runs not done whose task is not pending or running: what `resubmit` submits. */
  unfinished: number[];
  /** Job ids recorded in jobs.json (empty when the folder was not submitted to Slurm). */
  jobs: string[];
  /** Why the queue could not be asked (no squeue/sacct, or they failed), when so. */
  queueNote?: string;
}

/** Runs an external command; `missing` when it is not installed. Injected in tests. */
export type CommandRunner = (command: string, args: string[], input?: { cwd?: string }) => { status: number; stdout: string; stderr: string; missing?: boolean };

export const systemCommandRunner: CommandRunner = (command, args, input) => {
  const r = spawnSync(command, args, { encoding: 'utf8', cwd: input?.cwd, timeout: 60_000 });
  if (r.error) {
    const code = (r.error as NodeJS.ErrnoException).code;
    return { status: 127, stdout: '', stderr: r.error.message, missing: code === 'ENOENT' };
  }
  return { status: r.status ?? 1, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
};

/** The largest array Slurm accepts by default (MaxArraySize 1001 → indices 0..1000). */
export const MAX_TASKS = 1000;

export function slurmDir(out: string): string {
  return join(out, 'slurm');
}

// ------------------------------------------------------------------ shards

/** The shard (= array task id) of the run at `index` in the stable order. */
export function shardOf(index: number, tasks: number): number {
  return index % tasks;
}

/** The runs of each shard: shardRuns(runs, n)[i] is what `gdln run --shard i/n` runs. */
export function shardRuns<T extends { index: number }>(runs: T[], tasks: number): T[][] {
  const out: T[][] = Array.from({ length: tasks }, () => []);
  for (const r of runs) out[shardOf(r.index, tasks)].push(r);
  return out;
}

/** The default task count: one task per `cpusPerTask` runs (each task runs that many at once), at most MAX_TASKS. */
export function defaultTasks(runs: number, cpusPerTask = 1): number {
  return Math.max(1, Math.min(MAX_TASKS, Math.ceil(runs / Math.max(1, cpusPerTask))));
}

/** `--array` text for these task ids: ranges compressed ("0-3,6,8-9"), then "%P". */
export function arraySpec(shards: number[], parallelism?: number): string {
  const ids = [...new Set(shards)].sort((a, b) => a - b);
  if (ids.length === 0) throw new GdlnError('GDLN_INVALID_ARGUMENT', 'slurm: no array tasks to submit', {});
  const parts: string[] = [];
  for (let k = 0; k < ids.length; ) {
    let j = k;
    while (j + 1 < ids.length && ids[j + 1] === ids[j] + 1) j++;
    parts.push(j === k ? String(ids[k]) : `${ids[k]}-${ids[j]}`);
    k = j + 1;
  }
  return parts.join(',') + (parallelism !== undefined ? `%${parallelism}` : '');
}

/** Parses "3,5,7-9" into [3, 5, 7, 8, 9]. @throws GdlnError naming `flag` */
export function parseShardList(text: string, tasks: number, flag = '--shards'): number[] {
  const ids = new Set<number>();
  for (const part of text.split(',').map((s) => s.trim()).filter(Boolean)) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part);
    if (!m) throw new GdlnError('GDLN_INVALID_ARGUMENT', `${flag}: expected shard indices like 3,5,7-9 but received ${JSON.stringify(text)}`, { flag });
    const a = Number(m[1]);
    const b = m[2] === undefined ? a : Number(m[2]);
    if (b < a || b >= tasks) throw new GdlnError('GDLN_INVALID_ARGUMENT', `${flag}: shard indices are 0..${tasks - 1} (0-based) but received ${JSON.stringify(part)}`, { flag });
    for (let k = a; k <= b; k++) ids.add(k);
  }
  if (ids.size === 0) throw new GdlnError('GDLN_INVALID_ARGUMENT', `${flag}: expected shard indices like 3,5,7-9 but received ${JSON.stringify(text)}`, { flag });
  return [...ids].sort((x, y) => x - y);
}

// ------------------------------------------------------------------ scripts

/** The config file the tasks run: the resolved config, which resolves to itself (same run ids). */
export function configFileOf(config: ResolvedConfig): ExperimentConfigFile {
  return {
    experiment: config.experiment,
    ...(config.module !== undefined ? { module: config.module } : {}),
    name: config.name,
    params: config.params,
    seeds: config.seeds,
    sweep: config.sweep,
    backend: config.backend,
    dtype: config.dtype,
  };
}

/** This install's bin/gdln.js. */
export function gdlnEntry(): string {
  return fileURLToPath(new URL('../../../bin/gdln.js', import.meta.url));
}

/** A word quoted for bash (single quotes), unless it needs none. */
export function shQuote(s: string): string {
  return /^[A-Za-z0-9_./:=,@%+-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

function sbatchLine(flag: string, value: string): string {
  if (/[\n\r]/.test(value)) throw new GdlnError('GDLN_INVALID_ARGUMENT', `slurm: --${flag}: a value cannot contain a line break`, { flag });
  return `#SBATCH --${flag}=${value}`;
}

function resourceLines(o: SlurmOptions, forArray: boolean): string[] {
  const lines: string[] = [];
  if (o.partition) lines.push(sbatchLine('partition', o.partition));
  if (o.account) lines.push(sbatchLine('account', o.account));
  if (o.qos) lines.push(sbatchLine('qos', o.qos));
  if (o.time) lines.push(sbatchLine('time', o.time));
  if (forArray) {
    lines.push(sbatchLine('ntasks', '1'));
    lines.push(sbatchLine('cpus-per-task', String(o.cpusPerTask ?? 1)));
    if (o.gpus) lines.push(sbatchLine('gpus', o.gpus));
    if (o.mem) lines.push(sbatchLine('mem', o.mem));
    if (o.requeue !== false) lines.push('#SBATCH --requeue');
    for (const a of o.sbatchArgs ?? []) {
      if (/[\n\r]/.test(a)) throw new GdlnError('GDLN_INVALID_ARGUMENT', 'slurm: --sbatch: a value cannot contain a line break', { flag: 'sbatch' });
      lines.push(`#SBATCH ${a}`);
    }
  } else {
    lines.push(sbatchLine('ntasks', '1'));
    lines.push(sbatchLine('cpus-per-task', '1'));
  }
  return lines;
}

function preamble(out: string, o: SlurmOptions): string[] {
  const addon = o.addon ?? process.env.GDLN_ADDON_PATH;
  return [
    'set -euo pipefail',
    `cd ${shQuote(resolve(o.workdir ?? process.cwd()))}`,
    ...(o.setup ?? []),
    ...(addon ? [`export GDLN_ADDON_PATH=${shQuote(resolve(addon))}`] : []),
    `NODE=${shQuote(o.node ?? process.execPath)}`,
    `GDLN=${shQuote(o.gdln ?? gdlnEntry())}`,
    `OUT=${shQuote(out)}`,
  ];
}

export interface ArrayScriptSpec {
  /** The results folder (absolute; on storage every node sees). */
  out: string;
  /** The config name (job name default). */
  name: string;
  /** Number of shards the runs are divided into. */
  tasks: number;
  /** The task ids (shards) to submit (default all: 0..tasks-1). */
  shards?: number[];
}

/**
 * The job-array batch script: task i runs `gdln run <out>/slurm/sweep.json --out <out>
 * --shard i/<tasks>` with as many workers as it has CPUs, then exits 0 only when every run
 * of its shard is done (its own runs decide its state, not other shards').
 */
export function arrayScript(spec: ArrayScriptSpec, o: SlurmOptions = {}): string {
  const out = resolve(spec.out);
  const shards = spec.shards ?? Array.from({ length: spec.tasks }, (_, k) => k);
  if (!Number.isInteger(spec.tasks) || spec.tasks < 1) throw new GdlnError('GDLN_INVALID_ARGUMENT', `slurm: tasks: expected an integer >= 1 but received ${spec.tasks}`, {});
  for (const s of shards) if (!Number.isInteger(s) || s < 0 || s >= spec.tasks) throw new GdlnError('GDLN_INVALID_ARGUMENT', `slurm: shard ${s} is not in 0..${spec.tasks - 1}`, {});
  const logs = slurmDir(out);
  return [
    '#!/bin/bash',
    `# gdln sweep: ${spec.tasks} shard(s) of ${out}; array task i runs \`gdln run --shard i/${spec.tasks}\``,
    sbatchLine('job-name', o.jobName ?? `gdln-${spec.name}`),
    sbatchLine('array', arraySpec(shards, o.arrayParallelism)),
    sbatchLine('output', join(logs, '%A_%a.out')),
    '#SBATCH --open-mode=append',
    ...resourceLines(o, true),
    '',
    ...preamble(out, o),
    `TASKS=${spec.tasks}`,
    'SHARD="${SLURM_ARRAY_TASK_ID:?this script runs as a Slurm array task (sbatch --array)}"',
    'WORKERS="${SLURM_CPUS_PER_TASK:-1}"',
    'echo "gdln: shard $SHARD/$TASKS of $OUT on $(hostname), job ${SLURM_ARRAY_JOB_ID:-?}_$SHARD, restart ${SLURM_RESTART_COUNT:-0}, $(date -Is)"',
    'rc=0',
    '"$NODE" "$GDLN" run "$OUT/slurm/sweep.json" --out "$OUT" --shard "$SHARD/$TASKS" --workers "$WORKERS" --quiet || rc=$?',
    '# 0 all done, 1 some run failed: this shard\'s own runs decide the task\'s state; anything else is fatal',
    'if [ "$rc" -ne 0 ] && [ "$rc" -ne 1 ]; then exit "$rc"; fi',
    'exec "$NODE" "$GDLN" sweep status "$OUT" --shard "$SHARD" --check',
    '',
  ].join('\n');
}

/** The merge job: `gdln merge <out> --out <out>` once the array is over (any outcome). */
export function mergeScript(spec: { out: string; name: string }, o: SlurmOptions = {}): string {
  const out = resolve(spec.out);
  return [
    '#!/bin/bash',
    `# gdln sweep: merges the shards of ${out} into results.json, summary.csv, plots and report.html`,
    sbatchLine('job-name', `${o.jobName ?? `gdln-${spec.name}`}-merge`),
    sbatchLine('output', join(slurmDir(out), 'merge-%j.out')),
    '#SBATCH --open-mode=append',
    ...resourceLines(o, false),
    '',
    ...preamble(out, o),
    'exec "$NODE" "$GDLN" merge "$OUT" --out "$OUT"',
    '',
  ].join('\n');
}

// ------------------------------------------------------------------ submission

/** The job id from `sbatch --parsable` ("123" or "123;cluster"). */
export function parseJobId(stdout: string): string {
  const line = stdout.trim().split('\n').pop() ?? '';
  const id = line.split(';')[0].trim();
  if (!/^\d+$/.test(id)) throw new GdlnError('GDLN_IO', `sbatch: expected a job id but it printed ${JSON.stringify(stdout.trim())}`, {});
  return id;
}

/** Runs `sbatch --parsable [args] <script>`; returns the job id. */
export function sbatch(script: string, args: string[], run: CommandRunner = systemCommandRunner): string {
  const r = run('sbatch', ['--parsable', ...args, script], { cwd: dirname(script) });
  if (r.missing) throw new GdlnError('GDLN_UNSUPPORTED', 'sbatch was not found: --slurm submits from a Slurm login node (or run the sweep locally without --slurm)', {});
  if (r.status !== 0) throw new GdlnError('GDLN_IO', `sbatch ${script} failed (exit ${r.status}): ${(r.stderr || r.stdout).trim()}`, { script });
  return parseJobId(r.stdout);
}

export function readJobs(out: string): SlurmJobs | undefined {
  const path = join(slurmDir(out), 'jobs.json');
  if (!existsSync(path)) return undefined;
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as SlurmJobs;
  } catch (err) {
    throw new GdlnError('GDLN_IO', `Could not read ${path}: ${(err as Error).message}`, { path });
  }
}

export function writeJobs(out: string, jobs: SlurmJobs): void {
  writeJsonAtomic(join(slurmDir(out), 'jobs.json'), jobs);
}

export interface SubmitSpec {
  /** Results folder, already prepared (config.json written). */
  out: string;
  config: ResolvedConfig;
  tasks: number;
  shards?: number[];
  options: SlurmOptions;
  /** Also submit the dependent merge job (default true). */
  merge?: boolean;
  /** Write nothing and submit nothing: return the scripts. */
  dryRun?: boolean;
  run?: CommandRunner;
}

export interface SubmitResult {
  arrayScript: string;
  mergeScript?: string;
  arrayJobId?: string;
  mergeJobId?: string;
  shards: number[];
  scriptPath: string;
}

/**
 * Writes <out>/slurm/{sweep.json, array-<k>.sh, merge-<k>.sh}, submits the array (and the
 * merge job with --dependency=afterany:<array>), and records both in jobs.json.
 */
export function submitSweep(spec: SubmitSpec): SubmitResult {
  const out = resolve(spec.out);
  const dir = slurmDir(out);
  const shards = spec.shards ?? Array.from({ length: spec.tasks }, (_, k) => k);
  const script = arrayScript({ out, name: spec.config.name, tasks: spec.tasks, shards }, spec.options);
  const merge = spec.merge !== false ? mergeScript({ out, name: spec.config.name }, spec.options) : undefined;
  const previous = readJobs(out);
  const k = (previous?.submissions.filter((s) => s.kind === 'array').length ?? 0) + 1;
  const scriptPath = join(dir, `array-${k}.sh`);
  if (spec.dryRun) return { arrayScript: script, mergeScript: merge, shards, scriptPath };

  if (previous && previous.tasks !== spec.tasks) {
    throw new GdlnError('GDLN_INVALID_ARGUMENT', `slurm: ${out} was submitted as ${previous.tasks} shards; resubmissions must keep that (got ${spec.tasks}) so that every run stays in its shard`, { path: out });
  }
  const configFile = join(dir, 'sweep.json');
  writeJsonAtomic(configFile, configFileOf(spec.config));
  writeFileAtomic(scriptPath, script);
  const jobs: SlurmJobs = previous ?? { version: 1, out, tasks: spec.tasks, configFile, options: spec.options, submissions: [] };
  jobs.options = spec.options;
  const arrayJobId = sbatch(scriptPath, [], spec.run);
  jobs.submissions.push({ kind: 'array', jobId: arrayJobId, shards, script: scriptPath, submitted: new Date().toISOString() });
  writeJobs(out, jobs);
  let mergeJobId: string | undefined;
  if (merge) {
    const mergePath = join(dir, `merge-${k}.sh`);
    writeFileAtomic(mergePath, merge);
    mergeJobId = sbatch(mergePath, [`--dependency=afterany:${arrayJobId}`], spec.run);
    jobs.submissions.push({ kind: 'merge', jobId: mergeJobId, shards: [], script: mergePath, submitted: new Date().toISOString(), dependsOn: arrayJobId });
    writeJobs(out, jobs);
  }
  return { arrayScript: script, mergeScript: merge, arrayJobId, mergeJobId, shards, scriptPath };
}

// ------------------------------------------------------------------ queue and status

/**
 * Parses `<job>_<task>|<STATE>` lines (squeue -r -o '%i|%T', sacct -P -o JobID,State),
 * including unexpanded pending ranges `<job>_[2-5%2]` and "CANCELLED by 0".
 * Returns job id → task id → state.
 */
export function parseQueueLines(text: string): Map<string, Map<number, string>> {
  const jobs = new Map<string, Map<number, string>>();
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line) continue;
    const [idPart, statePart = ''] = line.split('|');
    const state = statePart.trim().split(/\s+/)[0].replace(/\+$/, '');
    const m = /^(\d+)_(\d+|\[([^\]]*)\])$/.exec(idPart.trim());
    if (!m || !state) continue;
    const tasks = jobs.get(m[1]) ?? new Map<number, string>();
    jobs.set(m[1], tasks);
    if (m[3] === undefined) tasks.set(Number(m[2]), state);
    else {
      for (const part of m[3].split('%')[0].split(',')) {
        const r = /^(\d+)(?:-(\d+))?(?::(\d+))?$/.exec(part.trim());
        if (!r) continue;
        const a = Number(r[1]);
        const b = r[2] === undefined ? a : Number(r[2]);
        const step = r[3] === undefined ? 1 : Number(r[3]);
        for (let k = a; k <= b; k += step) tasks.set(k, state);
      }
    }
  }
  return jobs;
}

/** States of the tasks of these array jobs: squeue first (live), sacct for what squeue no longer knows. */
export function queueStates(jobIds: string[], run: CommandRunner = systemCommandRunner): { states: Map<string, Map<number, string>>; note?: string } {
  const states = new Map<string, Map<number, string>>();
  const notes: string[] = [];
  let squeueMissing = false;
  let sacctMissing = false;
  for (const id of jobIds) {
    if (!squeueMissing) {
      const r = run('squeue', ['-h', '-r', '-t', 'all', '-j', id, '-o', '%i|%T']);
      if (r.missing) squeueMissing = true;
      else if (r.status === 0) {
        const got = parseQueueLines(r.stdout).get(id);
        if (got && got.size > 0) {
          states.set(id, got);
          continue;
        }
      }
    }
    if (!sacctMissing) {
      const r = run('sacct', ['-n', '-P', '-X', '-j', id, '-o', 'JobID,State']);
      if (r.missing) sacctMissing = true;
      else if (r.status === 0) {
        const got = parseQueueLines(r.stdout).get(id);
        if (got && got.size > 0) states.set(id, got);
      } else if (!notes.some((n) => n.startsWith('sacct'))) notes.push(`sacct: ${(r.stderr || r.stdout).trim().split('\n')[0]}`);
    }
  }
  if (squeueMissing && sacctMissing) notes.unshift('squeue and sacct not found: states from the results folder only');
  return { states, note: notes.length ? notes.join('; ') : undefined };
}

const ACTIVE = new Set(['PENDING', 'RUNNING', 'CONFIGURING', 'COMPLETING', 'REQUEUED', 'REQUEUE_HOLD', 'REQUEUE_FED', 'RESIZING', 'SUSPENDED', 'STAGE_OUT', 'SIGNALING']);
const PENDINGISH = new Set(['PENDING', 'REQUEUED', 'REQUEUE_HOLD', 'REQUEUE_FED', 'CONFIGURING', 'SUSPENDED']);

/** True for a Slurm state in which the task may still run (pending, running, requeued…). */
export function isActiveState(state: string): boolean {
  return ACTIVE.has(state);
}

/**
 * The status of every run and shard of a results folder: done (result.json), failed
 * (error.json, no result), running/pending (not done, and its shard's latest task is
 * running/pending in the queue), missing (the rest). Without jobs.json, `tasks` (or 1)
 * divides the runs into shards.
 */
export function sweepStatus(outIn: string, options: { run?: CommandRunner; tasks?: number; queue?: boolean } = {}): SweepStatus {
  const out = resolve(outIn);
  const folder = readFolderConfig(out);
  if (!folder) throw new GdlnError('GDLN_INVALID_ARGUMENT', `sweep status: ${out} is not a gdln results folder (no config.json)`, { path: out });
  const config = folder.config;
  const jobs = readJobs(out);
  const tasks = jobs?.tasks ?? options.tasks ?? 1;
  const specs: RunSpec[] = expandRuns(config);

  // The latest array submission that includes a shard owns its task state.
  const taskOf = new Map<number, { jobId: string; state: string }>();
  let queueNote: string | undefined;
  const arrays = jobs?.submissions.filter((s) => s.kind === 'array') ?? [];
  if (arrays.length > 0 && options.queue !== false) {
    const { states, note } = queueStates([...new Set(arrays.map((s) => s.jobId))], options.run);
    queueNote = note;
    for (const sub of arrays) {
      for (const shard of sub.shards) {
        const state = states.get(sub.jobId)?.get(shard);
        taskOf.set(shard, { jobId: `${sub.jobId}_${shard}`, state: state ?? 'UNKNOWN' });
      }
    }
  }

  const runs: RunStatus[] = specs.map((spec) => {
    const shard = shardOf(spec.index, tasks);
    const stored = readStoredRun(out, spec.id);
    if (stored && storedMatches(stored, spec)) return { id: spec.id, index: spec.index, shard, state: 'done' };
    const err: RunError | undefined = readRunError(out, spec.id);
    if (err) return { id: spec.id, index: spec.index, shard, state: 'failed', error: { code: err.code, message: err.message } };
    const task = taskOf.get(shard);
    if (task && isActiveState(task.state)) return { id: spec.id, index: spec.index, shard, state: PENDINGISH.has(task.state) ? 'pending' : 'running' };
    return { id: spec.id, index: spec.index, shard, state: 'missing' };
  });
  const counts: Record<RunState, number> = { done: 0, failed: 0, running: 0, pending: 0, missing: 0 };
  for (const r of runs) counts[r.state]++;
  const shards: ShardStatus[] = shardRuns(runs, tasks).map((rs, shard) => ({
    shard,
    runs: rs.length,
    done: rs.filter((r) => r.state === 'done').length,
    failed: rs.filter((r) => r.state === 'failed').length,
    ...(taskOf.has(shard) ? { task: taskOf.get(shard) } : {}),
  }));
  const unfinished = shards.filter((s) => s.done < s.runs && !(s.task && isActiveState(s.task.state))).map((s) => s.shard);
  return {
    out,
    experiment: config.experiment,
    total: specs.length,
    tasks,
    counts,
    runs,
    shards,
    unfinished,
    jobs: jobs?.submissions.map((s) => s.jobId) ?? [],
    ...(queueNote ? { queueNote } : {}),
  };
}
