/**
 * gdln sweep --slurm against a real single-node Slurm (Debian's slurmctld, slurmd and
 * munge, started on localhost by scripts/slurm-local.sh; needs root). A 12-run sweep is
 * submitted as a 4-task job array; one task is cancelled (scancel) while it holds a run;
 * the unfinished shard is resubmitted; the dependent merge job writes the results, which
 * must equal a local run of the same sweep run for run, with no run lost or done twice.
 * Skips, with the reason, where Slurm cannot start (not root, packages missing).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { sweepCommand } from '../../lib/cli/commands/sweep.ts';
import { main } from '../../lib/cli/gdln.ts';
import { readJobs, sweepStatus } from '../../lib/experiments/framework/slurm.ts';

const repo = fileURLToPath(new URL('../..', import.meta.url));
const script = join(repo, 'scripts', 'slurm-local.sh');
const work = mkdtempSync(join(tmpdir(), 'gdln-slurm-e2e-'));
const slurmDir = join(tmpdir(), `gdln-slurm-e2e-cluster-${process.pid}`);
const env = { ...process.env, GDLN_SLURM_DIR: slurmDir };
let skipReason: string | undefined;
let started = false;

/** A deterministic toy with a pseudo-random metric; run (a = 3, seed 1) waits while the hold file exists. */
const MODULE = `
import { appendFileSync, existsSync } from 'node:fs';
function rand(seed) { let t = (seed * 2654435761) >>> 0; t = Math.imul(t ^ (t >>> 15), t | 1); t ^= t + Math.imul(t ^ (t >>> 7), t | 61); return ((t ^ (t >>> 14)) >>> 0) / 4294967296; }
export const experiments = [{
  name: 'slurm-e2e-toy', title: 'Slurm e2e toy', paper: 'Test 2099', parameters: 'a (swept), c', description: 'a·c + noise(seed, a)',
  schema: { kind: 'object', doc: 'p', fields: { a: { kind: 'number', doc: 'a' }, c: { kind: 'number', doc: 'c' } } },
  defaults: { a: 1, c: 2 },
  async run(p, ctx) {
    const marker = process.env.GDLN_E2E_MARKER, hold = process.env.GDLN_E2E_HOLD;
    if (hold && p.a === 3 && ctx.seed === 1 && existsSync(hold)) {
      if (marker) appendFileSync(marker, 'hold ' + p.a + ' ' + ctx.seed + '\\n');
      while (existsSync(hold) && !ctx.signal.aborted) await new Promise((r) => setTimeout(r, 50));
    }
    const value = p.a * p.c + rand(ctx.seed * 1000 + p.a);
    if (marker) appendFileSync(marker, 'done ' + p.a + ' ' + ctx.seed + '\\n');
    return { metrics: { value, square: value * value }, series: {}, plots: [] };
  },
}];
`;

before(() => {
  if (process.platform !== 'linux') {
    skipReason = `Slurm end-to-end test: needs Linux (this is ${process.platform})`;
    return;
  }
  const r = spawnSync('bash', [script, 'start'], { env, encoding: 'utf8', timeout: 60_000 });
  if (r.status !== 0) {
    skipReason = `Slurm end-to-end test skipped: scripts/slurm-local.sh start exited ${r.status}: ${(r.stderr || r.stdout).trim().split('\n').slice(-6).join(' | ')}`;
    return;
  }
  started = true;
  process.env.SLURM_CONF = join(slurmDir, 'slurm.conf');
});

after(() => {
  rmSync(join(work, 'hold'), { force: true });
  if (started) spawnSync('bash', [script, 'stop'], { env, encoding: 'utf8', timeout: 60_000 });
  delete process.env.SLURM_CONF;
  rmSync(work, { recursive: true, force: true });
});

async function cli(argv: string[]): Promise<{ code: number; text: string }> {
  const lines: string[] = [];
  const original = console.error;
  console.error = (l: string) => lines.push(l);
  try {
    const code = argv[0] === 'sweep' ? await sweepCommand(argv.slice(1), (l) => lines.push(l)) : await main(argv, (l) => lines.push(l));
    return { code, text: lines.join('\n') };
  } finally {
    console.error = original;
  }
}

async function until<T>(what: string, seconds: number, probe: () => T | undefined | false): Promise<T> {
  const deadline = Date.now() + seconds * 1000;
  for (;;) {
    const v = probe();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${seconds} s waiting for ${what}`);
    await sleep(200);
  }
}

function jobState(id: string): string | undefined {
  const r = spawnSync('squeue', ['-h', '-t', 'all', '-j', id, '-o', '%T'], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim().split('\n')[0] || undefined : undefined;
}
const FINAL = /^(COMPLETED|FAILED|CANCELLED|TIMEOUT|NODE_FAIL|OUT_OF_MEMORY|PREEMPTED|BOOT_FAIL|DEADLINE)$/;

function runsOf(dir: string): Map<string, Record<string, number>> {
  const results = JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')) as { runs: { id: string; metrics: Record<string, number> }[] };
  return new Map(results.runs.map((r) => [r.id, r.metrics]));
}

test('a sweep as a Slurm job array: cancel a task, resubmit its shard, merge: the same results as a local run', { timeout: 120_000 }, async (t) => {
  if (skipReason) {
    console.log(`# ${skipReason}`);
    t.skip(skipReason);
    return;
  }
  const t0 = Date.now();
  writeFileSync(join(work, 'toy.mjs'), MODULE);
  const yaml = join(work, 'sweep.yaml');
  writeFileSync(yaml, 'experiment: slurm-e2e-toy\nmodule: ./toy.mjs\nparams:\n  c: 3\nseeds: 3\nsweep:\n  a: [1, 2, 3, 4]\n');

  // The same sweep, here (no hold, no marker).
  const local = join(work, 'local');
  const lr = await cli(['run', yaml, '--out', local, '--workers', '2', '--quiet']);
  assert.equal(lr.code, 0, lr.text);

  // On Slurm: 12 runs in 4 shards (shard s: runs s, s+4, s+8); shard 3 = runs 3, 7, 11, and run 7
  // (a = 3, seed 1) holds while the hold file exists. The tasks inherit this environment (sbatch --export=ALL).
  const out = join(work, 'slurm-out');
  const marker = join(work, 'marker.txt');
  const hold = join(work, 'hold');
  writeFileSync(hold, '');
  writeFileSync(marker, '');
  process.env.GDLN_E2E_MARKER = marker;
  process.env.GDLN_E2E_HOLD = hold;
  let jobId: string;
  try {
    const sub = await cli(['sweep', yaml, '--slurm', '--out', out, '--tasks', '4', '--time', '00:05:00', '--partition', 'debug']);
    assert.equal(sub.code, 0, sub.text);
    jobId = sub.text.trim().split('\n').pop()!;
    assert.match(jobId, /^\d+$/, sub.text);
  } finally {
    delete process.env.GDLN_E2E_MARKER;
    delete process.env.GDLN_E2E_HOLD;
  }
  const mergeId = readJobs(out)!.submissions[1].jobId;
  console.log(`# submitted array ${jobId} (+ merge ${mergeId}) after ${((Date.now() - t0) / 1000).toFixed(1)} s`);

  // Wait until the other shards are done and shard 3 holds run 7, then cancel that task.
  await until('run 7 to hold and 10 runs to be done', 60, () => {
    const s = sweepStatus(out);
    return readFileSync(marker, 'utf8').includes('hold 3 1') && s.counts.done === 10 && s.shards[3].task?.state === 'RUNNING' && s;
  });
  const running = await cli(['sweep', 'status', out]);
  assert.match(running.text, /done 10, running 2, pending 0, failed 0, missing 0/, running.text);
  assert.equal(spawnSync('scancel', [`${jobId}_3`]).status, 0);
  await until('the first merge job to end', 60, () => FINAL.test(jobState(mergeId) ?? '') && true);
  const cancelled = sweepStatus(out);
  assert.equal(cancelled.shards[3].task?.state, 'CANCELLED');
  assert.deepEqual(cancelled.counts, { done: 10, failed: 0, running: 0, pending: 0, missing: 2 });
  assert.deepEqual(cancelled.unfinished, [3]);
  assert.deepEqual(cancelled.shards.slice(0, 3).map((s) => s.task?.state), ['COMPLETED', 'COMPLETED', 'COMPLETED']);
  const partial = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'));
  assert.equal(partial.done, 10, 'the first merge job merged what was done');
  assert.equal(partial.complete, false);
  console.log(`# cancelled ${jobId}_3 mid-run; first merge over after ${((Date.now() - t0) / 1000).toFixed(1)} s`);

  // Resubmit the unfinished shard (one command), without the hold.
  rmSync(hold);
  process.env.GDLN_E2E_MARKER = marker;
  let re: { code: number; text: string };
  try {
    re = await cli(['sweep', 'resubmit', out]);
  } finally {
    delete process.env.GDLN_E2E_MARKER;
  }
  assert.equal(re.code, 0, re.text);
  assert.match(re.text, /resubmitted shard\(s\) 3 of 4 as job array \d+/);
  const jobs = readJobs(out)!;
  assert.deepEqual(jobs.submissions.map((s) => [s.kind, s.shards]), [['array', [0, 1, 2, 3]], ['merge', []], ['array', [3]], ['merge', []]]);
  const merge2 = jobs.submissions[3].jobId;
  await until('the second merge job to end', 60, () => FINAL.test(jobState(merge2) ?? '') && true);
  assert.equal(jobState(merge2), 'COMPLETED');
  assert.equal(jobState(`${jobs.submissions[2].jobId}_3`), 'COMPLETED');
  console.log(`# resubmitted shard 3 as ${jobs.submissions[2].jobId}; merged after ${((Date.now() - t0) / 1000).toFixed(1)} s`);

  // The resubmitted task ran only the two unfinished runs of its shard.
  const log = readFileSync(join(out, 'slurm', `${jobs.submissions[2].jobId}_3.out`), 'utf8');
  assert.match(log, /resuming: 1 of 3 runs already done\); 2 to run/, log);

  // Nothing lost, nothing done twice: every run finished exactly once (run 7 was killed before finishing).
  const done = readFileSync(marker, 'utf8').split('\n').filter((l) => l.startsWith('done '));
  assert.equal(done.length, 12, readFileSync(marker, 'utf8'));
  assert.equal(new Set(done).size, 12);
  const dirs = readdirSync(join(out, 'runs'));
  assert.equal(dirs.length, 12);
  for (const d of dirs) {
    assert.ok(existsSync(join(out, 'runs', d, 'result.json')), d);
    assert.ok(!existsSync(join(out, 'runs', d, 'error.json')), d);
    assert.deepEqual(readdirSync(join(out, 'runs', d)).filter((f) => f.endsWith('.tmp')), [], `no temporary files in ${d}`);
  }

  // The merged results equal the local run's, run for run.
  const merged = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'));
  assert.equal(merged.complete, true);
  assert.equal(merged.partial, false);
  assert.equal(merged.done, 12);
  const a = runsOf(out);
  const b = runsOf(local);
  assert.deepEqual([...a.keys()].sort(), [...b.keys()].sort());
  for (const [id, m] of b) assert.deepEqual(a.get(id), m, id);
  assert.deepEqual(merged.points, JSON.parse(readFileSync(join(local, 'results.json'), 'utf8')).points);
  assert.equal(readFileSync(join(out, 'summary.csv'), 'utf8'), readFileSync(join(local, 'summary.csv'), 'utf8'));
  assert.ok(existsSync(join(out, 'report.html')));
  const fin = await cli(['sweep', 'status', out]);
  assert.match(fin.text, /done 12, running 0, pending 0, failed 0, missing 0/);
  assert.equal((await cli(['sweep', 'status', out, '--check'])).code, 0);
  console.log(`# slurm e2e: ${((Date.now() - t0) / 1000).toFixed(1)} s`);
});
