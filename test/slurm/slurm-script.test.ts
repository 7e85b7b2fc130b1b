/**
 * gdln sweep on Slurm, without Slurm: the generated batch scripts (array range, resources,
 * environment, the command per task), shard assignment (every run in exactly one shard,
 * the same shards after a resubmission), queue-state parsing, the status of a folder with
 * fake squeue/sacct output, and the sweep/resubmit commands with a fake sbatch.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sweepCommand } from '../../lib/cli/commands/sweep.ts';
import { main } from '../../lib/cli/gdln.ts';
import { loadConfig, resolveConfig } from '../../lib/experiments/framework/config.ts';
import { expandRuns, selectShard } from '../../lib/experiments/framework/expand.ts';
import { writeRunFolder } from '../../lib/experiments/framework/results.ts';
import { prepareFolder } from '../../lib/experiments/framework/runner.ts';
import { GdlnError } from '../../lib/errors.ts';
import { writeJsonAtomic } from '../../lib/report/atomicWrite.ts';
import {
  arrayScript,
  arraySpec,
  configFileOf,
  defaultTasks,
  mergeScript,
  parseJobId,
  parseQueueLines,
  parseShardList,
  readJobs,
  shardRuns,
  sweepStatus,
  writeJobs,
  type CommandRunner,
} from '../../lib/experiments/framework/slurm.ts';

const MODULE = `
export const experiments = [{
  name: 'slurm-unit-toy', title: 'Slurm unit toy', paper: 'Test 2099', parameters: 'a (swept), c', description: 'a·c + seed',
  schema: { kind: 'object', doc: 'p', fields: { a: { kind: 'number', doc: 'a' }, c: { kind: 'number', doc: 'c' } } },
  defaults: { a: 1, c: 2 },
  async run(p, ctx) { return { metrics: { value: p.a * p.c + ctx.seed }, series: {}, plots: [] }; },
}];
`;
const work = mkdtempSync(join(tmpdir(), 'gdln-slurm-unit-'));
process.on('exit', () => rmSync(work, { recursive: true, force: true }));
writeFileSync(join(work, 'toy.mjs'), MODULE);
const yaml = join(work, 'toy.yaml');
writeFileSync(yaml, 'experiment: slurm-unit-toy\nmodule: ./toy.mjs\nseeds: 3\nsweep:\n  a: [1, 2, 3, 4]\n');
let n = 0;
const fresh = () => join(work, `out-${n++}`);

function expectInvalid(fn: () => unknown, re: RegExp): void {
  assert.throws(fn, (e: unknown) => e instanceof GdlnError && e.code === 'GDLN_INVALID_ARGUMENT' && re.test(e.message));
}

test('the array script: range, resources, environment and the command of each task', () => {
  const s = arrayScript(
    { out: '/shared/res/sweep one', name: 'routing', tasks: 8 },
    {
      partition: 'gpu', time: '02:00:00', cpusPerTask: 4, gpus: '1', mem: '8G', account: 'lab', qos: 'low', arrayParallelism: 3,
      sbatchArgs: ['--constraint=a100'], setup: ['module load nodejs/22'], node: '/opt/node/bin/node', gdln: '/opt/gdln/bin/gdln.js',
      addon: '/opt/gdln/build/Release/gdln.node', workdir: '/home/me/proj',
    },
  );
  const lines = s.split('\n');
  assert.equal(lines[0], '#!/bin/bash');
  for (const l of [
    '#SBATCH --job-name=gdln-routing',
    '#SBATCH --array=0-7%3',
    '#SBATCH --output=/shared/res/sweep one/slurm/%A_%a.out',
    '#SBATCH --open-mode=append',
    '#SBATCH --partition=gpu',
    '#SBATCH --account=lab',
    '#SBATCH --qos=low',
    '#SBATCH --time=02:00:00',
    '#SBATCH --ntasks=1',
    '#SBATCH --cpus-per-task=4',
    '#SBATCH --gpus=1',
    '#SBATCH --mem=8G',
    '#SBATCH --requeue',
    '#SBATCH --constraint=a100',
    'set -euo pipefail',
    'cd /home/me/proj',
    'module load nodejs/22',
    'export GDLN_ADDON_PATH=/opt/gdln/build/Release/gdln.node',
    'NODE=/opt/node/bin/node',
    'GDLN=/opt/gdln/bin/gdln.js',
    "OUT='/shared/res/sweep one'",
    'TASKS=8',
    'WORKERS="${SLURM_CPUS_PER_TASK:-1}"',
    '"$NODE" "$GDLN" run "$OUT/slurm/sweep.json" --out "$OUT" --shard "$SHARD/$TASKS" --workers "$WORKERS" --quiet || rc=$?',
    'exec "$NODE" "$GDLN" sweep status "$OUT" --shard "$SHARD" --check',
  ]) assert.ok(lines.includes(l), `missing line: ${l}\n${s}`);
  assert.ok(lines.some((l) => l.startsWith('SHARD="${SLURM_ARRAY_TASK_ID:?')));
  // every #SBATCH line comes before the first command (sbatch stops reading them there)
  const firstCommand = lines.findIndex((l) => l && !l.startsWith('#'));
  assert.ok(lines.every((l, k) => !l.startsWith('#SBATCH') || k < firstCommand));
  assert.equal(spawnSync('bash', ['-n'], { input: s }).status, 0, 'bash -n accepts it');

  // defaults: this node, this install's bin/gdln.js, the current folder, 1 CPU, requeue; no %P
  const d = arrayScript({ out: '/r', name: 'x', tasks: 3 });
  assert.match(d, /^#SBATCH --array=0-2$/m);
  assert.match(d, /^#SBATCH --cpus-per-task=1$/m);
  assert.match(d, /^#SBATCH --requeue$/m);
  assert.ok(d.includes(`NODE=${process.execPath}`));
  assert.match(d, /^GDLN=.*\/bin\/gdln\.js$/m);
  assert.ok(existsSync(/^GDLN=(.*)$/m.exec(d)![1]), 'the default entry exists');
  assert.doesNotMatch(arrayScript({ out: '/r', name: 'x', tasks: 3 }, { requeue: false }), /--requeue/);
  assert.doesNotMatch(d, /--gpus|--partition|--time/);

  // a subset of shards (resubmission)
  assert.match(arrayScript({ out: '/r', name: 'x', tasks: 8, shards: [6, 3, 5] }, { arrayParallelism: 2 }), /^#SBATCH --array=3,5-6%2$/m);
  expectInvalid(() => arrayScript({ out: '/r', name: 'x', tasks: 4, shards: [4] }), /shard 4 is not in 0..3/);
  expectInvalid(() => arrayScript({ out: '/r', name: 'x', tasks: 2 }, { partition: 'a\nb' }), /line break/);

  // the task refuses to run outside an array
  const r = spawnSync('bash', ['-c', d.replace(/^cd .*$/m, 'cd /')], { encoding: 'utf8', env: { PATH: process.env.PATH } });
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /runs as a Slurm array task/);

  const m = mergeScript({ out: '/r', name: 'x' }, { partition: 'p', gpus: '2', cpusPerTask: 8 });
  assert.match(m, /^#SBATCH --job-name=gdln-x-merge$/m);
  assert.match(m, /^#SBATCH --output=\/r\/slurm\/merge-%j\.out$/m);
  assert.match(m, /^#SBATCH --partition=p$/m);
  assert.doesNotMatch(m, /--gpus|--array|cpus-per-task=8/);
  assert.match(m, /^exec "\$NODE" "\$GDLN" merge "\$OUT" --out "\$OUT"$/m);
  assert.equal(spawnSync('bash', ['-n'], { input: m }).status, 0);
});

test('array ranges, shard lists, task counts and sbatch job ids', () => {
  assert.equal(arraySpec([0, 1, 2, 3]), '0-3');
  assert.equal(arraySpec([9, 0, 2, 1, 5, 4], 4), '0-2,4-5,9%4');
  assert.equal(arraySpec([7]), '7');
  assert.deepEqual(parseShardList('3,5,7-9', 10), [3, 5, 7, 8, 9]);
  assert.deepEqual(parseShardList(' 2 , 2,0', 3), [0, 2]);
  expectInvalid(() => parseShardList('10', 10), /0\.\.9/);
  expectInvalid(() => parseShardList('a', 10), /--shards/);
  expectInvalid(() => parseShardList('5-3', 10), /--shards/);
  assert.equal(defaultTasks(12), 12);
  assert.equal(defaultTasks(12, 4), 3);
  assert.equal(defaultTasks(5000), 1000);
  assert.equal(defaultTasks(0), 1);
  assert.equal(parseJobId('1234\n'), '1234');
  assert.equal(parseJobId('77;cluster\n'), '77');
  assert.throws(() => parseJobId('sbatch: error: no'), /job id/);
});

test('shards: every run in exactly one shard, as gdln run --shard i/n selects; the same after a resubmission', async () => {
  const { config } = await loadConfig(yaml, { seeds: 5, sweep: [{ path: 'a', values: [1, 2, 3, 4, 5, 6, 7] }] });
  const runs = expandRuns(config);
  assert.equal(runs.length, 35);
  for (const tasks of [1, 2, 3, 4, 7, 8, 16, 35]) {
    const shards = shardRuns(runs, tasks);
    assert.equal(shards.length, tasks);
    const ids = shards.flat().map((r) => r.id);
    assert.equal(ids.length, runs.length, `tasks ${tasks}: no run twice`);
    assert.deepEqual([...ids].sort(), runs.map((r) => r.id).sort(), `tasks ${tasks}: every run once`);
    shards.forEach((s, i) => assert.deepEqual(s.map((r) => r.id), selectShard(runs, { index: i, count: tasks }).map((r) => r.id)));
    assert.ok(shards.every((s) => s.length >= Math.floor(35 / tasks) && s.length <= Math.ceil(35 / tasks)), 'balanced');
  }
  // The tasks run slurm/sweep.json: it resolves to the same config, so the same ids and shards.
  const again = resolveConfig(JSON.parse(JSON.stringify(configFileOf(config))), (await loadConfig(yaml)).definition).config;
  assert.deepEqual(again, config);
  assert.deepEqual(expandRuns(again).map((r) => [r.index, r.id]), runs.map((r) => [r.index, r.id]));
});

test('queue lines from squeue -r and sacct -P, with pending ranges and "CANCELLED by"', () => {
  const q = parseQueueLines('100_0|COMPLETED\n100_1|RUNNING\n100_[2-4,7%2]|PENDING\n101_3|CANCELLED by 0\n102|COMPLETED\n101_[5-9:2]|PENDING\nnoise\n');
  assert.deepEqual([...q.get('100')!.entries()].sort((a, b) => a[0] - b[0]), [[0, 'COMPLETED'], [1, 'RUNNING'], [2, 'PENDING'], [3, 'PENDING'], [4, 'PENDING'], [7, 'PENDING']]);
  assert.deepEqual([...q.get('101')!.entries()].sort((a, b) => a[0] - b[0]), [[3, 'CANCELLED'], [5, 'PENDING'], [7, 'PENDING'], [9, 'PENDING']]);
  assert.equal(q.has('102'), false, 'a plain job is not an array task');
});

/** A folder of the toy config with `done` runs finished and `failed` runs failed, submitted as `tasks` shards. */
async function fakeFolder(tasks: number, done: number[], failed: number[]) {
  const out = fresh();
  const { config, definition } = await loadConfig(yaml);
  prepareFolder(out, config, definition);
  const runs = expandRuns(config);
  for (const k of done) {
    const r = runs[k];
    writeRunFolder(out, { id: r.id, seed: r.seed, point: r.point, params: r.params, seconds: 0, metrics: { value: 1 }, series: {}, plots: [] }, []);
  }
  for (const k of failed) {
    const r = runs[k];
    writeJsonAtomic(join(out, 'runs', r.id, 'error.json'), { id: r.id, seed: r.seed, point: r.point, code: 'GDLN_INTERNAL', message: 'boom\nmore' });
  }
  return { out, config, runs, tasks };
}

function fakeQueue(responses: Record<string, { status?: number; stdout?: string; stderr?: string; missing?: boolean }>, calls: string[][] = []): CommandRunner {
  return (command, args) => {
    calls.push([command, ...args]);
    const key = `${command} ${args.includes('-j') ? args[args.indexOf('-j') + 1] : ''}`.trim();
    const r = responses[key] ?? responses[command] ?? { missing: true };
    return { status: r.status ?? 0, stdout: r.stdout ?? '', stderr: r.stderr ?? '', missing: r.missing };
  };
}

test('status: done / failed / running / pending / missing per run and shard, from the folder and squeue/sacct', async () => {
  // 12 runs in 4 shards: shard s holds runs s, s+4, s+8
  const { out, runs } = await fakeFolder(4, [0, 4, 8, 1, 5, 3], [9]);
  writeJobs(out, {
    version: 1, out, tasks: 4, configFile: join(out, 'slurm', 'sweep.json'), options: {},
    submissions: [
      { kind: 'array', jobId: '100', shards: [0, 1, 2, 3], script: 'a', submitted: '' },
      { kind: 'merge', jobId: '101', shards: [], script: 'm', submitted: '' },
      { kind: 'array', jobId: '102', shards: [2, 3], script: 'b', submitted: '' },
    ],
  });
  const calls: string[][] = [];
  const run = fakeQueue(
    {
      'squeue 100': { status: 1, stderr: 'slurm_load_jobs error: Invalid job id specified' },
      'sacct 100': { stdout: '100_0|COMPLETED\n100_1|FAILED\n100_2|CANCELLED by 0\n100_3|TIMEOUT\n' },
      'squeue 102': { stdout: '102_2|RUNNING\n102_3|PENDING\n' },
    },
    calls,
  );
  const s = sweepStatus(out, { run });
  assert.equal(s.total, 12);
  assert.equal(s.tasks, 4);
  assert.deepEqual(s.counts, { done: 6, failed: 1, running: 3, pending: 2, missing: 0 });
  const state = (k: number) => s.runs.find((r) => r.id === runs[k].id)!.state;
  assert.equal(state(9), 'failed');
  assert.equal(state(2), 'running');
  assert.equal(state(6), 'running');
  assert.equal(state(10), 'running');
  assert.equal(state(7), 'pending');
  assert.equal(state(11), 'pending');
  // shard 1 (job 100, FAILED) holds 1 and 5 done, 9 failed → it is unfinished
  assert.deepEqual(s.shards.map((x) => [x.shard, x.done, x.failed, x.task?.jobId, x.task?.state]), [
    [0, 3, 0, '100_0', 'COMPLETED'],
    [1, 2, 1, '100_1', 'FAILED'],
    [2, 0, 0, '102_2', 'RUNNING'],
    [3, 1, 0, '102_3', 'PENDING'],
  ]);
  assert.deepEqual(s.unfinished, [1], 'shards still queued are not unfinished');
  assert.deepEqual(s.jobs, ['100', '101', '102']);
  assert.ok(!calls.some((c) => c.includes('101')), 'the merge job is not asked about');

  // No squeue/sacct at all: states from the folder only, with a note.
  const bare = sweepStatus(out, { run: fakeQueue({}) });
  assert.deepEqual(bare.counts, { done: 6, failed: 1, running: 0, pending: 0, missing: 5 });
  assert.match(bare.queueNote ?? '', /squeue and sacct not found/);
  assert.deepEqual(bare.unfinished, [1, 2, 3]);

  // The CLI: the summary, the table, the failure and the resubmit hint; --check exits by the shard's runs.
  const lines: string[] = [];
  assert.equal(await sweepCommand(['status', out], (l) => lines.push(l), { run }), 0);
  const text = lines.join('\n');
  assert.match(text, /done 6, running 3, pending 2, failed 1, missing 0/);
  assert.match(text, /^  1 +100_1 +FAILED +2\/3 +1$/m);
  assert.match(text, new RegExp(`${runs[9].id} \\(shard 1\\): GDLN_INTERNAL: boom$`, 'm'));
  assert.match(text, /unfinished shards 1: resubmit with `gdln sweep resubmit /);
  const none: CommandRunner = () => assert.fail('--check must not ask the queue');
  assert.equal(await sweepCommand(['status', out, '--shard', '0', '--check'], () => {}, { run: none }), 0);
  assert.equal(await sweepCommand(['status', out, '--shard', '1', '--check'], () => {}, { run: none }), 1);
  const json: string[] = [];
  assert.equal(await sweepCommand(['status', out, '--json'], (l) => json.push(l), { run }), 0);
  assert.equal(JSON.parse(json.join('\n')).counts.done, 6);
  await assert.rejects(() => sweepCommand(['status', out, '--shard', '4'], () => {}, { run }), /--shard: expected a shard index 0..3/);
  await assert.rejects(() => sweepCommand(['status', join(work, 'nope')], () => {}, { run }), /not a gdln results folder/);
});

/** A fake sbatch that hands out job ids and keeps the scripts it was given. */
function fakeSbatch(queue: Record<string, { status?: number; stdout?: string }> = {}) {
  let next = 500;
  const submitted: { args: string[]; script: string }[] = [];
  const run: CommandRunner = (command, args) => {
    if (command === 'sbatch') {
      if (args[0] === '--version') return { status: 0, stdout: 'slurm 22.05.8', stderr: '' };
      const script = args[args.length - 1];
      submitted.push({ args, script: readFileSync(script, 'utf8') });
      return { status: 0, stdout: `${next++}\n`, stderr: '' };
    }
    const key = `${command} ${args[args.indexOf('-j') + 1]}`;
    const r = queue[key];
    return r ? { status: r.status ?? 0, stdout: r.stdout ?? '', stderr: '' } : { status: 1, stdout: '', stderr: 'Invalid job id specified' };
  };
  return { run, submitted };
}

test('gdln sweep --slurm writes config.json, sweep.json, the scripts and jobs.json, submits the array then the merge job', async () => {
  const out = fresh();
  const { run, submitted } = fakeSbatch();
  const lines: string[] = [];
  const code = await sweepCommand([yaml, '--slurm', '--out', out, '--tasks', '4', '--partition', 'debug', '--time', '00:05:00', '--cpus-per-task', '2', '--gpus', '1', '--array-parallelism', '2', '--set', 'c=3'], (l) => lines.push(l), { run });
  assert.equal(code, 0);
  assert.equal(lines[lines.length - 1], '500', 'prints the job id last');
  assert.match(lines.join('\n'), /submitted job array 500 \(4 task\(s\)\); merge job 501 runs after it/);
  assert.equal(submitted.length, 2);
  assert.deepEqual(submitted[0].args, ['--parsable', join(out, 'slurm', 'array-1.sh')]);
  assert.match(submitted[0].script, /^#SBATCH --array=0-3%2$/m);
  assert.match(submitted[0].script, /^#SBATCH --gpus=1$/m);
  assert.deepEqual(submitted[1].args, ['--parsable', '--dependency=afterany:500', join(out, 'slurm', 'merge-1.sh')]);
  const jobs = readJobs(out)!;
  assert.equal(jobs.tasks, 4);
  assert.deepEqual(jobs.submissions.map((s) => [s.kind, s.jobId, s.shards]), [['array', '500', [0, 1, 2, 3]], ['merge', '501', []]]);
  assert.equal(jobs.options.partition, 'debug');
  const cfg = JSON.parse(readFileSync(join(out, 'config.json'), 'utf8'));
  assert.equal(cfg.config.params.c, 3);
  const sweepJson = JSON.parse(readFileSync(join(out, 'slurm', 'sweep.json'), 'utf8'));
  assert.deepEqual(sweepJson.params, cfg.config.params);

  // resubmit: the shards with unfinished runs whose task is over, with the same shard split and resources
  const queue = { 'squeue 500': { stdout: '500_0|COMPLETED\n500_1|CANCELLED\n500_2|RUNNING\n500_3|FAILED\n' } };
  const runs = expandRuns(cfg.config);
  for (const r of runs.filter((x) => x.index % 4 === 0)) {
    writeRunFolder(out, { id: r.id, seed: r.seed, point: r.point, params: r.params, seconds: 0, metrics: { value: 1 }, series: {}, plots: [] }, []);
  }
  const again = fakeSbatch(queue);
  const rl: string[] = [];
  assert.equal(await sweepCommand(['resubmit', out, '--time', '00:10:00'], (l) => rl.push(l), { run: again.run }), 0);
  assert.match(rl.join('\n'), /shards 2 are still pending or running \(500_2\); not resubmitted/);
  assert.match(rl.join('\n'), /resubmitted shard\(s\) 1,3 of 4 as job array 500/);
  assert.match(again.submitted[0].script, /^#SBATCH --array=1,3%2$/m);
  assert.match(again.submitted[0].script, /^#SBATCH --partition=debug$/m, 'resources from the first submission');
  assert.match(again.submitted[0].script, /^#SBATCH --time=00:10:00$/m, '... overridden by flags');
  assert.match(again.submitted[0].script, /^TASKS=4$/m, 'the same shard split');
  assert.equal(again.submitted[0].args[1], join(out, 'slurm', 'array-2.sh'));
  assert.deepEqual(readJobs(out)!.submissions.map((s) => s.jobId), ['500', '501', '500', '501']);

  // explicit shards; --dry-run writes nothing
  const dry = fakeSbatch(queue);
  const dl: string[] = [];
  assert.equal(await sweepCommand(['resubmit', out, '--shards', '2', '--dry-run'], (l) => dl.push(l), { run: dry.run }), 0);
  assert.equal(dry.submitted.length, 0);
  assert.match(dl.join('\n'), /^#SBATCH --array=2%2$/m);
  assert.ok(!existsSync(join(out, 'slurm', 'array-3.sh')));

  // the shard split is fixed once submitted
  await assert.rejects(() => sweepCommand([yaml, '--slurm', '--out', out, '--tasks', '3', '--set', 'c=3'], () => {}, { run }), /submitted as 4 shards/);
});

test('gdln sweep: --dry-run prints the scripts and writes nothing; without sbatch nothing is written; without --slurm it runs here', async () => {
  const out = fresh();
  const lines: string[] = [];
  const never: CommandRunner = () => assert.fail('a dry run runs nothing');
  assert.equal(await sweepCommand([yaml, '--slurm', '--dry-run', '--out', out], (l) => lines.push(l), { run: never }), 0);
  assert.match(lines.join('\n'), /^#SBATCH --array=0-11$/m, 'one task per run by default');
  assert.match(lines.join('\n'), /merge "\$OUT" --out "\$OUT"/);
  assert.ok(!existsSync(out));

  const noSlurm: CommandRunner = () => ({ status: 127, stdout: '', stderr: 'spawn sbatch ENOENT', missing: true });
  await assert.rejects(() => sweepCommand([yaml, '--slurm', '--out', out], () => {}, { run: noSlurm }), (e: unknown) => e instanceof GdlnError && e.code === 'GDLN_UNSUPPORTED' && /sbatch was not found/.test(e.message));
  assert.ok(!existsSync(out), 'nothing written without sbatch');
  await assert.rejects(() => sweepCommand([yaml, '--partition', 'x', '--out', out], () => {}), /--partition is a --slurm option/);
  await assert.rejects(() => sweepCommand([yaml, '--slurm', '--shard', '0/2'], () => {}, { run: never }), /--shard is set per array task/);
  await assert.rejects(() => sweepCommand([yaml, '--slurm', '--tasks', '13', '--dry-run'], () => {}, { run: never }), /13 shards for 12 runs/);

  // local: the same as gdln run
  const local: string[] = [];
  const errors: string[] = [];
  const original = console.error;
  console.error = (l: string) => errors.push(l);
  try {
    assert.equal(await main(['sweep', yaml, '--out', out, '--workers', '1', '--quiet'], (l) => local.push(l)), 0, errors.join('\n'));
    assert.equal(await main(['sweep', 'status', out, '--check'], (l) => local.push(l)), 0);
  } finally {
    console.error = original;
  }
  assert.equal(JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')).done, 12);
  const help: string[] = [];
  assert.equal(await main(['help'], (l) => help.push(l)), 0);
  assert.match(help.join('\n'), /^  sweep\b/m);
});
