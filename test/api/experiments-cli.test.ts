/**
 * `gdln run`, `gdln list`, `gdln merge` through main(): exit codes, one-line typed
 * errors, resume, shards + merge, and the progress display.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../lib/cli/gdln.ts';
import { ProgressReporter, formatDuration } from '../../lib/cli/progress.ts';
import { BUILTIN_EXPERIMENTS } from '../../lib/experiments/builtins/index.ts';


/** A pure-arithmetic test experiment, written as a module the config names by path. */
const MODULE = `
import { appendFileSync } from 'node:fs';
export const experiments = [{
  name: 'cli-toy', title: 'CLI toy', paper: 'Test et al. 2099, Fig. 0', parameters: 'a (swept), c; seeds 0..n-1', description: 'value = a·c + seed',
  schema: { kind: 'object', doc: 'p', fields: {
    a: { kind: 'number', doc: 'a' },
    c: { kind: 'number', doc: 'c', min: 0 },
    failA: { kind: 'number', doc: 'fail when a equals this' },
    marker: { kind: 'string', doc: 'execution log' },
  }, optional: ['failA', 'marker'] },
  defaults: { a: 1, c: 1 },
  async run(p, ctx) {
    if (p.marker) appendFileSync(p.marker, ctx.seed + '\\n');
    if (p.failA === p.a) throw new Error('no good a=' + p.a);
    return { metrics: { value: p.a * p.c + ctx.seed }, series: {}, plots: [] };
  },
}];
`;

const work = mkdtempSync(join(tmpdir(), 'gdln-exp-cli-'));
process.on('exit', () => rmSync(work, { recursive: true, force: true }));
writeFileSync(join(work, 'cli-toy.mjs'), MODULE);
const yamlConfig = join(work, 'toy.yaml');
writeFileSync(yamlConfig, 'experiment: cli-toy\nmodule: ./cli-toy.mjs\nparams:\n  c: 2\nseeds: 2\n');
let n = 0;
const fresh = () => join(work, `out-${n++}`);

async function cli(argv: string[]): Promise<{ code: number; lines: string[]; errors: string[] }> {
  const lines: string[] = [];
  const errors: string[] = [];
  const original = console.error;
  console.error = (l: string) => errors.push(l);
  try {
    const code = await main(argv, (l) => lines.push(l));
    return { code, lines, errors };
  } finally {
    console.error = original;
  }
}

test('gdln list prints every built-in with its paper figure and parameters', async () => {
  const r = await cli(['list']);
  assert.equal(r.code, 0);
  const text = r.lines.join('\n');
  for (const e of BUILTIN_EXPERIMENTS) {
    assert.ok(text.includes(e.name) && text.includes(e.paper), e.name);
    assert.ok(text.includes(`parameters: ${e.parameters}`), e.name);
  }
  if (BUILTIN_EXPERIMENTS.length === 0) assert.match(text, /no built-in experiments/);
});

test('gdln help names run, list, merge and report', async () => {
  const r = await cli(['help']);
  assert.equal(r.code, 0);
  for (const c of ['run', 'list', 'merge', 'report', 'xor', 'doctor']) assert.match(r.lines.join('\n'), new RegExp(`^  ${c}\\b`, 'm'));
  const h = await cli(['run', '--help']);
  assert.equal(h.code, 0);
  assert.match(h.lines.join('\n'), /--shard[\s\S]*0-based/);
});

test('gdln run: a YAML config with --sweep/--set/--seeds writes the results folder; a rerun resumes', async () => {
  const out = fresh();
  const r = await cli(['run', yamlConfig, '--out', out, '--sweep', 'a=1,2,3', '--set', 'c=3', '--seeds', '3', '--workers', '1', '--quiet']);
  assert.equal(r.code, 0, r.errors.join('\n'));
  const text = r.lines.join('\n');
  assert.match(text, /cli-toy: CLI toy/);
  assert.match(text, /paper: +Test et al\. 2099, Fig\. 0/);
  assert.match(text, /parameters: a \(swept\), c; seeds 0\.\.n-1/);
  assert.match(text, /runs: +9 = 3 point\(s\) \(sweep a\) × 3 seed\(s\)/);
  assert.match(text, /value/);
  const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'));
  assert.equal(results.complete, true);
  assert.equal(results.paper, 'Test et al. 2099, Fig. 0');
  // value = 3a + seed over seeds 0,1,2 → mean 3a + 1, se 1/√3
  assert.deepEqual(results.points.map((p: { metrics: { value: { mean: number } } }) => p.metrics.value.mean), [4, 7, 10]);
  assert.ok(Math.abs(results.points[0].metrics.value.se - 1 / Math.sqrt(3)) < 1e-12);
  assert.ok(existsSync(join(out, 'summary.csv')) && existsSync(join(out, 'plots', 'value-vs-a.svg')));
  assert.deepEqual(JSON.parse(readFileSync(join(out, 'config.json'), 'utf8')).invocation.argv.slice(0, 3), ['gdln', 'run', yamlConfig]);

  const again = await cli(['run', yamlConfig, '--out', out, '--sweep', 'a=1,2,3', '--set', 'c=3', '--seeds', '3', '--workers', '1', '--quiet']);
  assert.equal(again.code, 0);
  assert.match(again.lines.join('\n'), /resuming: 9 of 9 runs already done/);
  assert.match(again.lines.join('\n'), /0 run\(s\) done/);

  const changed = await cli(['run', yamlConfig, '--out', out, '--sweep', 'a=1,2,3', '--set', 'c=4', '--quiet']);
  assert.equal(changed.code, 2);
  assert.match(changed.errors.join('\n'), /^gdln: GDLN_INVALID_ARGUMENT: --out: .* holds results of a different config \(differs at params\.c, seeds\).*--force/);
  assert.equal(changed.errors.length, 1, 'one line');
});

test('gdln run: failed runs are named, exit 1, and are retried on the next call', async () => {
  const out = fresh();
  const marker = join(work, 'cli-marker.txt');
  const argv = ['run', yamlConfig, '--out', out, '--sweep', 'a=1,2', '--set', 'failA=2', '--set', `marker=${marker}`, '--seeds', '1', '--workers', '1', '--quiet'];
  const r = await cli(argv);
  assert.equal(r.code, 1);
  assert.match(r.lines.join('\n'), /1 run\(s\) failed[\s\S]*p1-s0-[0-9a-f]{8}: GDLN_INTERNAL: no good a=2/);
  const again = await cli(argv);
  assert.equal(again.code, 1);
  assert.equal(readFileSync(marker, 'utf8'), '0\n0\n0\n', 'the finished run was not redone');
});

test('gdln run --shard 0/2 and 1/2, then gdln merge, equals one unsharded run', async () => {
  const whole = fresh();
  const a = fresh();
  const b = fresh();
  const merged = fresh();
  const base = ['run', yamlConfig, '--sweep', 'a=1,2,3', '--workers', '1', '--quiet'];
  assert.equal((await cli([...base, '--out', whole])).code, 0);
  const s0 = await cli([...base, '--out', a, '--shard', '0/2']);
  assert.equal(s0.code, 0);
  assert.match(s0.lines.join('\n'), /shard 0\/2/);
  assert.match(s0.lines.join('\n'), /not in this folder yet.*gdln merge/);
  assert.equal((await cli([...base, '--out', b, '--shard', '1/2'])).code, 0);
  const m = await cli(['merge', a, b, '--out', merged]);
  assert.equal(m.code, 0, m.errors.join('\n'));
  assert.match(m.lines.join('\n'), /merged 2 folder\(s\) into .*: 6 run\(s\) copied, 6 of 6 finished/);
  assert.equal(readFileSync(join(merged, 'summary.csv'), 'utf8'), readFileSync(join(whole, 'summary.csv'), 'utf8'));
});

const bad: [string[], RegExp][] = [
  [['run'], /expected one config file or built-in name but received none/],
  [['run', 'no-such-thing'], /"no-such-thing" is neither a config file nor a built-in experiment/],
  [['run', yamlConfig, '--shard', '2/2'], /--shard: expected i\/n with 0 <= i < n/],
  [['run', yamlConfig, '--set', 'zzz=1'], /params\.zzz: unknown field/],
  [['run', yamlConfig, '--set', 'c=-1'], /params\.c: expected a number >= 0 but received -1/],
  [['run', yamlConfig, '--sweep', 'nope=1,2'], /sweep "nope": params\.nope is not a parameter/],
  [['run', yamlConfig, '--workers', '0'], /--workers: expected an integer >= 1/],
  [['run', yamlConfig, '--backend', 'tpu'], /backend: expected one of/],
  [['run', yamlConfig, '--bogus'], /bogus/],
  [['merge', 'x', 'y'], /--out <dir> is required when merging several folders/],
  [['merge', join(work, 'does-not-exist')], /does-not-exist/],
  [['merge', '--out', 'y'], /at least one results folder/],
];
for (const [argv, message] of bad) {
  test(`gdln ${argv.map((a) => a.replace(work, '…')).join(' ')} → exit 2 with a one-line typed error`, async () => {
    const r = await cli(argv);
    assert.equal(r.code, 2);
    assert.equal(r.errors.length, 1);
    assert.match(r.errors[0], /^gdln: GDLN_INVALID_ARGUMENT: /);
    assert.match(r.errors[0], message);
    assert.ok(!r.errors[0].includes('\n'));
  });
}

test('gdln run with a YAML syntax error names the file and line', async () => {
  const file = join(work, 'broken.yml');
  writeFileSync(file, 'experiment: cli-toy\nparams:\n  c: [1, 2\nseeds: 2\n');
  const r = await cli(['run', file]);
  assert.equal(r.code, 2);
  assert.match(r.errors[0], /broken\.yml: line \d+, column \d+: invalid YAML/);
});

test('progress: plain mode prints one line per finished run; TTY mode redraws a bar with an ETA', () => {
  const plain: string[] = [];
  let t = 0;
  const p = new ProgressReporter({ stream: { write: (s: string) => plain.push(s) }, tty: false, now: () => t });
  p.handle({ type: 'plan', out: '/x', total: 4, selected: 4, toRun: 2, skipped: 2, workers: 1, resumed: true });
  p.handle({ type: 'start', id: 'p0-s0-aa', index: 0 });
  p.handle({ type: 'progress', id: 'p0-s0-aa', fraction: 0.5 });
  t = 2000;
  p.handle({ type: 'done', id: 'p0-s0-aa', seconds: 2, metrics: { loss: 0.125 } });
  p.handle({ type: 'failed', id: 'p1-s0-bb', code: 'GDLN_DIVERGED', message: 'loss is NaN' });
  assert.deepEqual(plain, ['[1/2] p0-s0-aa done in 2s  loss=0.1250\n', '[2/2] p1-s0-bb FAILED: GDLN_DIVERGED: loss is NaN\n']);

  const tty: string[] = [];
  t = 0;
  const q = new ProgressReporter({ stream: { write: (s: string) => tty.push(s), columns: 120 }, tty: true, now: () => t });
  q.handle({ type: 'plan', out: '/x', total: 4, selected: 4, toRun: 4, skipped: 0, workers: 2, resumed: false });
  q.handle({ type: 'start', id: 'a', index: 0 });
  t = 10000;
  q.handle({ type: 'done', id: 'a', seconds: 10, metrics: {} });
  q.handle({ type: 'start', id: 'b', index: 1 });
  t = 15000;
  q.handle({ type: 'progress', id: 'b', fraction: 0.5 });
  // 1.5 runs of work in 15 s → 2.5 runs left take 25 s
  assert.match(q.barText(), /1\/4 runs · b 50% · 15s · ETA 25s$/);
  assert.ok(tty.every((s) => s.startsWith('\r\x1b[2K')));
  q.stop();
  assert.equal(formatDuration(3725), '1h02m');
  assert.equal(formatDuration(75), '1m15s');
});
