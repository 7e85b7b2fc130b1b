/**
 * The reliability figures of issue 8, from one command:
 *
 *   node --import tsx test/reliability/run.ts [--long] [--cases N] [--cancel N] [--rss N] [--sanitize] [--only a,b]
 *
 *   1. bad input     every row of test/reliability/*.table.ts: code, culprit named, process alive
 *   2. conformance   N random cases (default 2000; --long 10 000) on every native backend vs js float64
 *   3. memory        RSS over N create/train/drop cycles (default 10⁴) in a child with --expose-gc;
 *                    --sanitize also runs scripts/sanitize.sh (ASan/UBSan build, ctest, Node under ASan)
 *   4. cancellation  N aborted runs (default 1000) at random points
 *
 * Prints one table per figure and a summary; exits 1 if any figure fails (rows marked
 * knownBug are listed but do not fail). `--only badinput,conformance,rss,cancel` picks figures.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { backendsUnderTest } from '../helpers/backendsUnderTest.ts';
import { checkRow, describeError, type BadInputRow } from './badInputRow.ts';
import { loadTables } from './tables.ts';
import { formatMismatches, runMany } from './randomConformance.ts';
import { formatCancellation, runCancellation } from './cancellation.ts';
import { formatRss, RSS_BOUNDS, rssWithinBounds, type RssResult } from './rss.ts';

const ROOT = join(import.meta.dirname, '..', '..');

const { values } = parseArgs({
  options: {
    long: { type: 'boolean' },
    cases: { type: 'string' },
    cancel: { type: 'string' },
    rss: { type: 'string' },
    seed: { type: 'string' },
    sanitize: { type: 'boolean' },
    only: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  },
  strict: true,
});
if (values.help) {
  console.log('usage: node --import tsx test/reliability/run.ts [--long] [--cases N] [--cancel N] [--rss N] [--seed S] [--sanitize] [--only badinput,conformance,rss,cancel]');
  process.exit(0);
}
const long = values.long === true || process.env.GDLN_RELIABILITY_LONG === '1';
const num = (v: string | undefined, fallback: number) => {
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new Error(`expected a non-negative integer but received ${JSON.stringify(v)}`);
  return n;
};
const nCases = num(values.cases, long ? 10_000 : 2000);
const nCancel = num(values.cancel, 1000);
const nRss = num(values.rss, 10_000);
const seed = num(values.seed, (Date.now() ^ (process.pid << 16)) >>> 0);
const only = new Set((values.only ?? 'badinput,conformance,rss,cancel').split(',').map((s) => s.trim()));
if (values.sanitize) only.add('sanitize');

const backends = backendsUnderTest();
const native = backends.filter((b) => b.available).map((b) => b.name);
const cpuAvailable = native.includes('cpu');
const summary: { figure: string; result: string; ok: boolean }[] = [];

const escaped: string[] = [];
process.on('uncaughtException', (e) => escaped.push(`uncaughtException: ${String((e as Error)?.stack ?? e)}`));
process.on('unhandledRejection', (e) => escaped.push(`unhandledRejection: ${String((e as Error)?.stack ?? e)}`));

const heading = (s: string) => console.log(`\n== ${s}\n`);
const pad = (s: string | number, n: number) => String(s).padEnd(n);

console.log(`gdln reliability — seed ${seed}; backends: js${native.length ? ', ' + native.join(', ') : ''}${backends.filter((b) => !b.available).map((b) => ` (${b.name} missing: ${b.reason})`).join('')}`);

// ---------------------------------------------------------------- 1. bad input
if (only.has('badinput')) {
  heading('1. bad input: each row must throw a GdlnError with the stated code, naming the culprit');
  const tables = await loadTables();
  const perArea = new Map<string, { rows: number; ok: number; bug: number; skip: number; fail: number }>();
  const failures: string[] = [];
  const bugs: string[] = [];
  const bugsFixed: string[] = [];
  const ids = new Set<string>();
  let rows = 0;
  for (const t of tables) {
    for (const row of t.rows as BadInputRow[]) {
      rows++;
      if (ids.has(row.id)) failures.push(`${row.id}: duplicate id`);
      ids.add(row.id);
      const a = perArea.get(row.area) ?? { rows: 0, ok: 0, bug: 0, skip: 0, fail: 0 };
      perArea.set(row.area, a);
      a.rows++;
      const needs = row.needs && !native.includes(row.needs) ? `${row.needs} unavailable` : false;
      const skip = needs || row.skip?.() || false;
      if (skip) {
        a.skip++;
        continue;
      }
      const before = escaped.length;
      let error: unknown = null;
      try {
        await checkRow(row);
      } catch (e) {
        error = e;
      }
      await new Promise((r) => setImmediate(() => setTimeout(r, 5)));
      if (escaped.length > before) error = new Error(`escaped: ${escaped.slice(before).join('; ')}`);
      if (row.knownBug) {
        a.bug++;
        if (error) bugs.push(`${row.id}: ${row.knownBug}\n      observed: ${(error as Error).message.split('\n')[0]}`);
        else bugsFixed.push(`${row.id}: now passes — remove its knownBug`);
      } else if (error) {
        a.fail++;
        failures.push(`${row.id}: ${error instanceof Error ? error.message.split('\n')[0] : describeError(error)}`);
      } else a.ok++;
    }
  }
  console.log(`${pad('area', 16)}${pad('rows', 6)}${pad('as expected', 13)}${pad('known bugs', 12)}${pad('skipped', 9)}failed`);
  for (const [area, a] of perArea) console.log(`${pad(area, 16)}${pad(a.rows, 6)}${pad(a.ok, 13)}${pad(a.bug, 12)}${pad(a.skip, 9)}${a.fail}`);
  const tot = [...perArea.values()].reduce((s, a) => ({ ok: s.ok + a.ok, bug: s.bug + a.bug, skip: s.skip + a.skip, fail: s.fail + a.fail }), { ok: 0, bug: 0, skip: 0, fail: 0 });
  console.log(`${pad('total', 16)}${pad(rows, 6)}${pad(tot.ok, 13)}${pad(tot.bug, 12)}${pad(tot.skip, 9)}${tot.fail}   (${tables.length} table module(s): ${tables.map((t) => t.name).join(', ')})`);
  if (bugs.length) console.log(`\nknown bugs (reported as TODO by the test suite):\n${bugs.map((b) => `  - ${b}`).join('\n')}`);
  if (bugsFixed.length) console.log(`\nfixed:\n${bugsFixed.map((b) => `  - ${b}`).join('\n')}`);
  if (failures.length) console.log(`\nFAILED:\n${failures.map((f) => `  - ${f}`).join('\n')}`);
  summary.push({ figure: 'bad input', result: `${rows} rows: ${tot.ok} as expected, ${tot.bug} known bugs, ${tot.skip} skipped, ${tot.fail} failed; process alive, ${escaped.length} escaped errors`, ok: tot.fail === 0 && escaped.length === 0 });
}

// ---------------------------------------------------------------- 2. conformance
if (only.has('conformance')) {
  heading(`2. randomised conformance: ${nCases} cases per native backend vs the js float64 reference`);
  if (native.length === 0) {
    console.log('no native backend available: nothing to compare (build with `npm run build:native`)');
    summary.push({ figure: 'conformance', result: 'skipped: no native backend', ok: true });
  }
  for (const b of native) {
    const s = await runMany({
      count: nCases, firstSeed: seed, backends: [b], maxMismatches: 200,
      onMismatch: (m) => console.log(formatMismatches(m)),
      onProgress: (done, bad) => process.stderr.write(`  ${b}: ${done}/${nCases} cases, ${bad} mismatches\r`),
    });
    process.stderr.write('\n');
    const bad = new Set(s.mismatches.map((m) => m.seed)).size;
    const line = `${b}: ${s.cases} cases (float64 ${s.byDtype.float64}, float32 ${s.byDtype.float32}), seeds ${seed}…${seed + s.cases - 1}; ${bad} mismatching cases; reference diverged ${s.stats.diverged}, unstable ${s.stats.unstable}, float32 through saturated tanh ${s.stats.saturated}; ${s.seconds.toFixed(1)} s`;
    console.log(line);
    summary.push({ figure: `conformance ${b}`, result: line.slice(b.length + 2), ok: bad === 0 });
  }
}

// ---------------------------------------------------------------- 3. memory
if (only.has('rss')) {
  const backend = cpuAvailable ? 'cpu' : 'js';
  const n = backend === 'js' ? Math.min(nRss, 500) : nRss;
  heading(`3a. resident memory: ${n} create/train/drop cycles on ${backend} (bounds: growth < ${RSS_BOUNDS.growthMB} MB, second half < ${RSS_BOUNDS.lateGrowthMB} MB)`);
  const out = execFileSync(process.execPath, ['--expose-gc', '--import', 'tsx', join(ROOT, 'test', 'reliability', 'rss.ts'), String(n), backend], { cwd: ROOT, encoding: 'utf8' });
  const r = JSON.parse(out.trim().split('\n').pop() as string) as RssResult;
  console.log(formatRss(r));
  console.log(`samples (MB): ${r.samples.map((x) => x.toFixed(1)).join(' ')}`);
  summary.push({ figure: 'rss', result: formatRss(r).replace(/^rss on /, ''), ok: rssWithinBounds(r) });
}
if (only.has('sanitize')) {
  heading('3b. memory safety: scripts/sanitize.sh (ASan + UBSan build in build-asan/, ctest, Node suites under ASan + LSan)');
  const r = spawnSync('bash', [join(ROOT, 'scripts', 'sanitize.sh')], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8' });
  process.stdout.write(r.stdout);
  const last = r.stdout.trim().split('\n').filter((l) => l.startsWith('sanitize:')).pop() ?? `sanitize.sh exited ${r.status}`;
  summary.push({ figure: 'sanitizers', result: last.replace(/^sanitize: /, ''), ok: r.status === 0 });
}

// ---------------------------------------------------------------- 4. cancellation
if (only.has('cancel')) {
  const backend = cpuAvailable ? 'cpu' : 'js';
  heading(`4. cancellation: ${nCancel} runs on ${backend} aborted at random points`);
  const s = await runCancellation({ runs: nCancel, backend, seed: seed % 100_000 });
  console.log(formatCancellation(s));
  for (const l of [...s.wrongOutcome, ...s.badPartial, ...s.escaped].slice(0, 20)) console.log(`  - ${l}`);
  const ok = s.hangs === 0 && s.wrongOutcome.length === 0 && s.badPartial.length === 0 && s.lateProgress === 0 && s.lateAbortChanged === 0 && s.escaped.length === 0;
  summary.push({ figure: 'cancellation', result: formatCancellation(s).replace(/^cancellation on /, ''), ok });
}

heading('summary');
for (const s of summary) console.log(`${s.ok ? 'ok  ' : 'FAIL'} ${pad(s.figure, 18)} ${s.result}`);
if (escaped.length) console.log(`FAIL escaped errors: ${escaped.length}\n${escaped.slice(0, 5).join('\n')}`);
const failed = summary.some((s) => !s.ok) || escaped.length > 0;
console.log(`\n${failed ? 'FAILED' : 'all figures pass'} (reproduce with --seed ${seed})`);
process.exitCode = failed ? 1 : 0;
