/**
 * Command-line pieces shared by `gdln run` and `gdln merge`: strict flag parsing
 * with repeatable flags and positionals, and the config overrides
 * (--set, --seeds, --sweep, --backend, --dtype, --workers). Below them, the
 * `gdln sweep` command (local, or a Slurm job array: see docs/slurm.md).
 */
import { parseArgs } from 'node:util';
import { GdlnError } from '../../errors.ts';
import { parseSeedsFlag, parseSetFlag, parseSweepFlag, type ConfigOverrides } from '../../experiments/framework/config.ts';
import type { BackendChoice } from '../../backends/index.ts';
import type { DType } from '../../engine/kernels.ts';
import type { CommandRunner, SlurmOptions, SweepStatus } from '../../experiments/framework/slurm.ts';

export type CommandFlags = Record<string, { type: 'string' | 'boolean'; short?: string; help: string; multiple?: boolean }>;

export interface ParsedCommand {
  values: Record<string, string | boolean | string[] | undefined>;
  positionals: string[];
}

/** Strict parsing: unknown flags and missing values are GDLN_INVALID_ARGUMENT errors naming the flag. */
export function parseCommand(argv: string[], spec: CommandFlags): ParsedCommand {
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      options: Object.fromEntries(
        Object.entries(spec).map(([k, v]) => [k, { type: v.type, ...(v.short ? { short: v.short } : {}), ...(v.multiple ? { multiple: true } : {}) }]),
      ),
      strict: true,
      allowPositionals: true,
    });
    return { values: values as ParsedCommand['values'], positionals };
  } catch (err) {
    throw new GdlnError('GDLN_INVALID_ARGUMENT', (err as Error).message);
  }
}

export function commandHelp(spec: CommandFlags): string {
  return Object.entries(spec)
    .map(([k, v]) => `  --${k}${v.type === 'string' ? ' <value>' : ''}${v.short ? `, -${v.short}` : ''}`.padEnd(30) + v.help + (v.multiple ? ' (repeatable)' : ''))
    .join('\n');
}

export const OVERRIDE_FLAGS: CommandFlags = {
  set: { type: 'string', multiple: true, help: 'override a parameter: path=value (JSON when it parses, else a string)' },
  seeds: { type: 'string', help: 'seeds: a count (5 → 0..4) or a list (0,1,2; 7, for seed 7 alone)' },
  sweep: { type: 'string', multiple: true, help: 'sweep a parameter: path=v1,v2,... (grid = cartesian product)' },
  backend: { type: 'string', help: 'auto | js | cpu | cuda (default auto)' },
  dtype: { type: 'string', help: 'float64 | float32 (default float64)' },
  workers: { type: 'string', help: 'parallel runs (default min(runs, cores))' },
};

function list(v: unknown): string[] {
  return v === undefined ? [] : Array.isArray(v) ? (v as string[]) : [String(v)];
}

/** Config overrides from the parsed flags (their values are validated with the config). */
export function overridesFromFlags(values: ParsedCommand['values']): ConfigOverrides {
  const o: ConfigOverrides = {};
  const set = list(values.set).map(parseSetFlag);
  if (set.length) o.set = set;
  const sweep = list(values.sweep).map(parseSweepFlag);
  if (sweep.length) o.sweep = sweep;
  if (typeof values.seeds === 'string') o.seeds = parseSeedsFlag(values.seeds);
  if (typeof values.backend === 'string') o.backend = values.backend as BackendChoice;
  if (typeof values.dtype === 'string') o.dtype = values.dtype as DType;
  if (typeof values.workers === 'string') {
    const n = Number(values.workers);
    if (!/^\d+$/.test(values.workers.trim()) || n < 1) {
      throw new GdlnError('GDLN_INVALID_ARGUMENT', `--workers: expected an integer >= 1 but received ${JSON.stringify(values.workers)}`, { flag: 'workers' });
    }
    o.workers = n;
  }
  return o;
}

/** A command line as one shell-pasteable string. */
export function shellLine(argv: string[]): string {
  return argv.map((a) => (/^[A-Za-z0-9_./:=,@%+-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ');
}

// ---------------------------------------------------------------- gdln sweep

/*
 * `gdln sweep <config> [--slurm …]`, `gdln sweep status <dir>`, `gdln sweep resubmit <dir>`.
 * Without --slurm a sweep runs here exactly as `gdln run` does. The Slurm pieces live in
 * lib/experiments/framework/slurm.ts and are loaded on demand (run/merge/report import
 * this file for the shared parsing above).
 */

const SLURM_FLAGS: CommandFlags = {
  slurm: { type: 'boolean', help: 'submit the sweep to Slurm as one job array (one task per shard) instead of running it here' },
  'dry-run': { type: 'boolean', help: 'with --slurm: print the batch scripts, write and submit nothing' },
  tasks: { type: 'string', help: 'number of shards = array tasks (default ceil(runs / cpus-per-task), at most 1000; fixed once submitted)' },
  shards: { type: 'string', help: 'submit only these shards, e.g. 3,5,7-9 (0-based)' },
  partition: { type: 'string', help: 'sbatch --partition' },
  time: { type: 'string', help: 'sbatch --time per task, e.g. 01:00:00' },
  'cpus-per-task': { type: 'string', help: 'sbatch --cpus-per-task; each task runs that many runs at once (default 1)' },
  gpus: { type: 'string', help: 'sbatch --gpus per task, e.g. 1' },
  mem: { type: 'string', help: 'sbatch --mem per task, e.g. 4G' },
  account: { type: 'string', help: 'sbatch --account' },
  qos: { type: 'string', help: 'sbatch --qos' },
  'array-parallelism': { type: 'string', help: 'at most this many tasks at once (--array=…%N)' },
  'job-name': { type: 'string', help: 'sbatch --job-name (default gdln-<name>)' },
  sbatch: { type: 'string', multiple: true, help: 'a further #SBATCH argument, verbatim, e.g. --sbatch=--constraint=v100' },
  setup: { type: 'string', multiple: true, help: 'a shell line run on the node before gdln, e.g. "module load nodejs"' },
  node: { type: 'string', help: 'node binary on the compute nodes (default: this one, ' + process.execPath + ')' },
  addon: { type: 'string', help: 'GDLN_ADDON_PATH for the tasks (default: inherited when set here)' },
  workdir: { type: 'string', help: 'working directory of the tasks (default: the current one)' },
  'no-requeue': { type: 'boolean', help: 'do not pass --requeue (default: preempted tasks are requeued and resume)' },
  'no-merge': { type: 'boolean', help: 'do not submit the dependent `gdln merge` job' },
};

const SWEEP_FLAGS: CommandFlags = {
  out: { type: 'string', help: 'results folder (default results/<name>; on shared storage for --slurm)' },
  ...OVERRIDE_FLAGS,
  shard: { type: 'string', help: 'without --slurm: i/n, as gdln run' },
  force: { type: 'boolean', help: 'if --out holds another config, move it aside and start fresh' },
  quiet: { type: 'boolean', short: 'q', help: 'no progress output' },
  ...SLURM_FLAGS,
  help: { type: 'boolean', short: 'h', help: 'show this help' },
};

const STATUS_FLAGS: CommandFlags = {
  shard: { type: 'string', help: 'only this shard (0-based)' },
  check: { type: 'boolean', help: 'ask only the folder (not the queue); exit 0 when every (selected) run is done, else 1' },
  json: { type: 'boolean', help: 'print the status as JSON' },
  help: { type: 'boolean', short: 'h', help: 'show this help' },
};

const RESUBMIT_FLAGS: CommandFlags = {
  shards: { type: 'string', help: 'these shards (default: every shard with unfinished runs whose task is not pending or running)' },
  'dry-run': { type: 'boolean', help: 'print the batch scripts, submit nothing' },
  ...Object.fromEntries(Object.entries(SLURM_FLAGS).filter(([k]) => !['slurm', 'dry-run', 'tasks', 'shards'].includes(k))),
  help: { type: 'boolean', short: 'h', help: 'show this help' },
};

export const sweepHelp = `gdln sweep <config | built-in> [options]          run here (as gdln run), or with --slurm submit a job array
gdln sweep status <results-dir> [--shard i]       done / running / pending / failed / missing runs, per shard
gdln sweep resubmit <results-dir> [--shards 3,5]  resubmit the shards with unfinished runs (same shard split)
  On Slurm every array task i runs \`gdln run --shard i/<tasks>\` into the one results folder
  (shared storage), resumably; a dependent job runs \`gdln merge\`. See docs/slurm.md.
${commandHelp(SWEEP_FLAGS)}
status:
${commandHelp(STATUS_FLAGS)}
resubmit (resources default to the last submission's):
${commandHelp(RESUBMIT_FLAGS)}`;

export interface SweepCommandOptions {
  /** Runs sbatch/squeue/sacct (tests inject a fake). */
  run?: CommandRunner;
}

function positiveInt(v: unknown, flag: string): number | undefined {
  if (v === undefined) return undefined;
  const s = String(v).trim();
  if (!/^\d+$/.test(s) || Number(s) < 1) throw new GdlnError('GDLN_INVALID_ARGUMENT', `--${flag}: expected an integer >= 1 but received ${JSON.stringify(v)}`, { flag });
  return Number(s);
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

/** Slurm options from flags, over `base` (a resubmission starts from the last submission's). */
function slurmOptionsFromFlags(values: ParsedCommand['values'], base: SlurmOptions = {}): SlurmOptions {
  const o: SlurmOptions = { ...base };
  const set = <K extends keyof SlurmOptions>(k: K, v: SlurmOptions[K] | undefined) => {
    if (v !== undefined) o[k] = v;
  };
  set('partition', str(values.partition));
  set('time', str(values.time));
  set('cpusPerTask', positiveInt(values['cpus-per-task'], 'cpus-per-task'));
  set('gpus', str(values.gpus));
  set('mem', str(values.mem));
  set('account', str(values.account));
  set('qos', str(values.qos));
  set('arrayParallelism', positiveInt(values['array-parallelism'], 'array-parallelism'));
  set('jobName', str(values['job-name']));
  if (values.sbatch !== undefined) o.sbatchArgs = list(values.sbatch);
  if (values.setup !== undefined) o.setup = list(values.setup);
  set('node', str(values.node));
  set('addon', str(values.addon));
  set('workdir', str(values.workdir));
  if (values['no-requeue']) o.requeue = false;
  return o;
}

function printScripts(log: (line: string) => void, r: { arrayScript: string; mergeScript?: string; scriptPath: string }): void {
  log(`# ---- ${r.scriptPath} (dry run: not written, not submitted)`);
  log(r.arrayScript.trimEnd());
  if (r.mergeScript) {
    log(`# ---- merge job (sbatch --dependency=afterany:<array job id>)`);
    log(r.mergeScript.trimEnd());
  }
}

function requireSbatch(run: CommandRunner): void {
  const r = run('sbatch', ['--version']);
  if (r.missing) throw new GdlnError('GDLN_UNSUPPORTED', 'sbatch was not found: --slurm submits from a Slurm login node (or drop --slurm to run the sweep here)', {});
}

export async function sweepCommand(argv: string[], log: (line: string) => void, options: SweepCommandOptions = {}): Promise<number> {
  if (argv[0] === 'status') return sweepStatusCommand(argv.slice(1), log, options);
  if (argv[0] === 'resubmit') return sweepResubmitCommand(argv.slice(1), log, options);
  const { values, positionals } = parseCommand(argv, SWEEP_FLAGS);
  if (values.help) {
    log(sweepHelp);
    return 0;
  }
  if (!values.slurm) {
    const slurmOnly = Object.keys(SLURM_FLAGS).filter((k) => values[k] !== undefined);
    if (slurmOnly.length) throw new GdlnError('GDLN_INVALID_ARGUMENT', `gdln sweep: --${slurmOnly[0]} is a --slurm option (add --slurm, or leave it out to run here)`, { flag: slurmOnly[0] });
    const { runCommand } = await import('./run.ts');
    return runCommand(argv, log);
  }
  if (values.shard !== undefined) throw new GdlnError('GDLN_INVALID_ARGUMENT', 'gdln sweep --slurm: --shard is set per array task; use --tasks N (and --shards 3,5 to submit some)', { flag: 'shard' });
  if (positionals.length !== 1) {
    throw new GdlnError('GDLN_INVALID_ARGUMENT', `gdln sweep: expected one config file or built-in name but received ${positionals.length === 0 ? 'none' : positionals.map((p) => JSON.stringify(p)).join(' ')}`);
  }
  const [{ loadConfig }, { expandRuns }, slurm, { prepareFolder }, pathMod] = await Promise.all([
    import('../../experiments/framework/config.ts'),
    import('../../experiments/framework/expand.ts'),
    import('../../experiments/framework/slurm.ts'),
    import('../../experiments/framework/runner.ts'),
    import('node:path'),
  ]);
  const run = options.run ?? slurm.systemCommandRunner;
  const overrides = overridesFromFlags(values);
  const { config, definition, source } = await loadConfig(positionals[0], overrides);
  const out = pathMod.resolve(typeof values.out === 'string' ? values.out : pathMod.join('results', config.name));
  const nRuns = expandRuns(config).length;
  const opts = slurmOptionsFromFlags(values);
  if (overrides.workers !== undefined && opts.cpusPerTask === undefined) opts.cpusPerTask = overrides.workers;
  const previous = slurm.readJobs(out);
  const requested = positiveInt(values.tasks, 'tasks');
  if (previous && requested !== undefined && requested !== previous.tasks) {
    throw new GdlnError('GDLN_INVALID_ARGUMENT', `--tasks: ${out} was submitted as ${previous.tasks} shards; keep that so every run stays in its shard (or use another --out)`, { flag: 'tasks' });
  }
  const tasks = previous?.tasks ?? requested ?? slurm.defaultTasks(nRuns, opts.cpusPerTask);
  if (tasks > nRuns) throw new GdlnError('GDLN_INVALID_ARGUMENT', `--tasks: ${tasks} shards for ${nRuns} runs would leave shards empty; use at most ${nRuns}`, { flag: 'tasks' });
  const shards = typeof values.shards === 'string' ? slurm.parseShardList(values.shards, tasks) : undefined;
  const merge = values['no-merge'] !== true;

  log(`${definition.name}: ${definition.title}`);
  log(`  runs:   ${nRuns} in ${tasks} shard(s) (array tasks ${slurm.arraySpec(shards ?? Array.from({ length: tasks }, (_, k) => k), opts.arrayParallelism)})`);
  log(`  out:    ${out}`);
  if (values['dry-run']) {
    printScripts(log, slurm.submitSweep({ out, config, tasks, shards, options: opts, merge, dryRun: true }));
    return 0;
  }
  requireSbatch(run);
  const prep = prepareFolder(out, config, definition, {
    force: values.force === true,
    invocation: { argv: ['gdln', 'sweep', ...argv], source, slurm: { tasks } },
  });
  if (prep.movedAside) log(`  moved the old ${out} to ${prep.movedAside} (--force)`);
  const r = slurm.submitSweep({ out, config, tasks, shards, options: opts, merge, run });
  log(`submitted job array ${r.arrayJobId} (${r.shards.length} task(s))${r.mergeJobId ? `; merge job ${r.mergeJobId} runs after it` : ''}`);
  log(`  script: ${r.scriptPath}; task logs: ${pathMod.join(out, 'slurm', '%A_%a.out')}`);
  log(`  status: gdln sweep status ${shellLine([out])}`);
  log(`  resubmit unfinished shards: gdln sweep resubmit ${shellLine([out])}`);
  log(r.arrayJobId as string);
  return 0;
}

function formatStatus(s: SweepStatus, log: (line: string) => void, shardFilter?: number): void {
  const c = s.counts;
  log(`${s.out}: ${s.experiment}, ${s.total} runs in ${s.tasks} shard(s)${s.jobs.length ? `; Slurm job(s) ${s.jobs.join(', ')}` : ''}`);
  log(`  done ${c.done}, running ${c.running}, pending ${c.pending}, failed ${c.failed}, missing ${c.missing}`);
  if (s.queueNote) log(`  note: ${s.queueNote}`);
  const shown = s.shards.filter((sh) => (shardFilter !== undefined ? sh.shard === shardFilter : sh.done < sh.runs || (sh.task !== undefined && sh.task.state !== 'COMPLETED')));
  if (shown.length) {
    log('  shard  task            state        done  failed');
    for (const sh of shown.slice(0, 40)) {
      log(`  ${String(sh.shard).padEnd(5)}  ${(sh.task?.jobId ?? '-').padEnd(14)}  ${(sh.task?.state ?? '-').padEnd(11)}  ${`${sh.done}/${sh.runs}`.padEnd(4)}  ${sh.failed}`);
    }
    if (shown.length > 40) log(`  … ${shown.length - 40} more shard(s)`);
  }
  const failed = s.runs.filter((r) => r.state === 'failed' && (shardFilter === undefined || r.shard === shardFilter));
  if (failed.length) {
    log(`  failed runs (runs/<id>/error.json):`);
    for (const r of failed.slice(0, 20)) log(`    ${r.id} (shard ${r.shard}): ${r.error?.code}: ${(r.error?.message ?? '').split('\n')[0]}`);
    if (failed.length > 20) log(`    … and ${failed.length - 20} more`);
  }
  if (shardFilter === undefined) {
    if (s.unfinished.length) log(`  unfinished shards ${s.unfinished.join(',')}: resubmit with \`gdln sweep resubmit ${shellLine([s.out])}\``);
    else if (c.done === s.total) log(`  all runs done; \`gdln merge ${shellLine([s.out])} --out ${shellLine([s.out])}\` writes results.json and the report (the merge job does it)`);
  }
}

async function sweepStatusCommand(argv: string[], log: (line: string) => void, options: SweepCommandOptions): Promise<number> {
  const { values, positionals } = parseCommand(argv, STATUS_FLAGS);
  if (values.help) {
    log(sweepHelp);
    return 0;
  }
  if (positionals.length !== 1) throw new GdlnError('GDLN_INVALID_ARGUMENT', 'gdln sweep status: expected one results folder', {});
  const { sweepStatus } = await import('../../experiments/framework/slurm.ts');
  const s = sweepStatus(positionals[0], { run: options.run, queue: values.check !== true });
  let shard: number | undefined;
  if (typeof values.shard === 'string') {
    shard = Number(values.shard);
    if (!/^\d+$/.test(values.shard.trim()) || shard >= s.tasks) throw new GdlnError('GDLN_INVALID_ARGUMENT', `--shard: expected a shard index 0..${s.tasks - 1} but received ${JSON.stringify(values.shard)}`, { flag: 'shard' });
  }
  const runs = shard === undefined ? s.runs : s.runs.filter((r) => r.shard === shard);
  if (values.json) log(JSON.stringify(shard === undefined ? s : { ...s, runs, shards: s.shards.filter((x) => x.shard === shard) }, null, 2));
  else if (values.check) {
    const notDone = runs.filter((r) => r.state !== 'done');
    log(`gdln: ${shard === undefined ? 'all shards' : `shard ${shard}/${s.tasks}`}: ${runs.length - notDone.length} of ${runs.length} runs done${notDone.length ? `; not done: ${notDone.slice(0, 10).map((r) => `${r.id} (${r.state}${r.error ? `: ${r.error.code}` : ''})`).join(', ')}` : ''}`);
  } else formatStatus(s, log, shard);
  if (values.check) return runs.every((r) => r.state === 'done') ? 0 : 1;
  return 0;
}

async function sweepResubmitCommand(argv: string[], log: (line: string) => void, options: SweepCommandOptions): Promise<number> {
  const { values, positionals } = parseCommand(argv, RESUBMIT_FLAGS);
  if (values.help) {
    log(sweepHelp);
    return 0;
  }
  if (positionals.length !== 1) throw new GdlnError('GDLN_INVALID_ARGUMENT', 'gdln sweep resubmit: expected one results folder', {});
  const slurm = await import('../../experiments/framework/slurm.ts');
  const { readFolderConfig } = await import('../../experiments/framework/runner.ts');
  const run = options.run ?? slurm.systemCommandRunner;
  const { resolve } = await import('node:path');
  const out = resolve(positionals[0]);
  const jobs = slurm.readJobs(out);
  const folder = readFolderConfig(out);
  if (!folder || !jobs) throw new GdlnError('GDLN_INVALID_ARGUMENT', `gdln sweep resubmit: ${out} was not submitted with \`gdln sweep --slurm\` (no config.json or slurm/jobs.json)`, { path: out });
  const status = slurm.sweepStatus(out, { run });
  if (status.queueNote) log(`note: ${status.queueNote}`);
  let shards: number[];
  if (typeof values.shards === 'string') shards = slurm.parseShardList(values.shards, jobs.tasks);
  else {
    shards = status.unfinished;
    const active = status.shards.filter((s) => s.done < s.runs && s.task && slurm.isActiveState(s.task.state)).map((s) => s.shard);
    if (active.length) log(`shards ${active.join(',')} are still pending or running (${active.map((a) => status.shards[a].task?.jobId).join(', ')}); not resubmitted`);
  }
  if (shards.length === 0) {
    log(`${out}: nothing to resubmit (${status.counts.done} of ${status.total} runs done)`);
    return 0;
  }
  const opts = slurmOptionsFromFlags(values, jobs.options);
  const merge = values['no-merge'] !== true;
  const r = slurm.submitSweep({ out, config: folder.config, tasks: jobs.tasks, shards, options: opts, merge, dryRun: values['dry-run'] === true, run });
  if (values['dry-run']) {
    printScripts(log, r);
    return 0;
  }
  log(`resubmitted shard(s) ${slurm.arraySpec(shards)} of ${jobs.tasks} as job array ${r.arrayJobId}${r.mergeJobId ? `; merge job ${r.mergeJobId} runs after it` : ''}`);
  log(r.arrayJobId as string);
  return 0;
}
