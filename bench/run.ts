/**
 * `npm run bench` (= node --import tsx bench/run.ts): times one gated
 * forward+backward (loss + exact ∂L/∂W_e for every edge) of the routing
 * workload (bench/workloads/routing.ts) for every contender
 * (bench/contenders/), prints one table per workload size and writes
 * bench/results/<date>.json. See bench/README.md for how to read it.
 *
 *   node --import tsx bench/run.ts [--quick] [--only NAME[,NAME]] [--configs M10-K4[,M40-K16]] [--in-process]
 *
 * Flow: (1) build the M10 workload in this process and check every contender's
 * loss and gradients against js-ref (the float64 reference) before any timing;
 * (2) time each (workload, contender) pair with tinybench in a fresh child
 * process (`--child CONFIG NAME`), so JIT state, GC heap and native thread
 * pools of one contender do not leak into the next; (3) print and save.
 * Exit code 1 when a correctness check failed or a timed contender errored.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Bench } from 'tinybench';
import { BASELINE, CONTENDERS, contenderByName } from './contenders/index.ts';
import type { Contender, LossAndGradient } from './contenders/types.ts';
import { machineInfo, type MachineInfo } from './machine.ts';
import {
  activeMacs,
  buildRouting,
  denseMacs,
  describeShape,
  ROUTING_CONFIGS,
  ROUTING_SMALL,
  usefulFlops,
  type RoutingConfig,
  type RoutingWorkload,
} from './workloads/routing.ts';

const SCRIPT = fileURLToPath(import.meta.url);
const RESULTS_DIR = path.join(path.dirname(SCRIPT), 'results');
const RESULT_TAG = '@@BENCH_RESULT ';

/** Correctness tolerances (per-edge normwise relative error, see relError). */
const TOLERANCE: Record<string, number> = {
  'ml-matrix-dense f64': 1e-8,
  'gdln-cpu f64': 1e-10,
  'gdln-cpu f32': 1e-3,
};

interface Timing {
  config: string;
  contender: string;
  state: 'ok' | 'skipped' | 'failed';
  reason?: string;
  medianMs?: number;
  p25Ms?: number;
  p75Ms?: number;
  minMs?: number;
  maxMs?: number;
  meanMs?: number;
  rmePct?: number;
  samples?: number;
  /** The first call after setup (includes JIT warm-up, first-touch allocations). */
  firstCallMs?: number;
  buildMs?: number;
  setupMs?: number;
  loss?: number;
  maxRssMB?: number;
  usefulGflops?: number;
  /** perStep contenders: the median of one call with 1 step (≈ the per-call cost + 1 step), and k. */
  oneStepCallMs?: number;
  stepsK?: number;
  /** median / baseline median (> 1 = slower than the baseline). */
  ratio?: number;
}

interface Check {
  config: string;
  contender: string;
  reference: string;
  lossRelError: number;
  gradRelError: number;
  tolerance: number;
  ok: boolean;
}

// ---------------------------------------------------------------- statistics

/** Linear-interpolated quantile of sorted samples. */
function quantile(sorted: ArrayLike<number>, q: number): number {
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

/**
 * max over edges e of max_i |a_e,i − ref_e,i| / max_i |ref_e,i|, i.e. every
 * edge's gradient must match relative to its own scale (an edge with a small
 * gradient is not hidden by a large one elsewhere); and |Δloss| / |loss|.
 */
function relError(a: LossAndGradient, ref: LossAndGradient): { loss: number; grad: number } {
  let grad = 0;
  ref.gradient.forEach((r, e) => {
    const g = a.gradient[e];
    if (!g || g.length !== r.length) {
      grad = Infinity;
      return;
    }
    let diff = 0;
    let scale = 0;
    for (let i = 0; i < r.length; i++) {
      diff = Math.max(diff, Math.abs(g[i] - r[i]));
      scale = Math.max(scale, Math.abs(r[i]));
    }
    grad = Math.max(grad, scale === 0 ? diff : diff / scale);
  });
  return { loss: Math.abs(a.loss - ref.loss) / Math.abs(ref.loss), grad };
}

// ---------------------------------------------------------------- child: one timing

/**
 * Time budgets from the untimed first call: > 1 s (ml-matrix-dense) = that call
 * was the warm-up, then 3 samples; > 150 ms (js-ref) = 1 warm-up + 5 samples;
 * else ≥ 2 s and ≥ 10 samples after a 300 ms warm-up. `quick` shortens all.
 */
function benchOptions(firstCallMs: number, quick: boolean) {
  if (firstCallMs > 1000) return { warmup: false, time: 0, iterations: quick ? 2 : 3 };
  if (firstCallMs > 150) return { time: 0, iterations: quick ? 2 : 5, warmupTime: 0, warmupIterations: 1 };
  return { time: quick ? 400 : 2000, iterations: 10, warmupTime: quick ? 100 : 300, warmupIterations: 3 };
}

async function timeOne(config: RoutingConfig, contender: Contender, quick: boolean): Promise<Timing> {
  const base: Timing = { config: config.id, contender: contender.name, state: 'ok' };
  const why = await contender.unavailable(config);
  if (why) return { ...base, state: 'skipped', reason: why };
  let t = performance.now();
  const w = buildRouting(config);
  base.buildMs = performance.now() - t;
  t = performance.now();
  const prepared = await contender.setup(w);
  base.setupMs = performance.now() - t;
  if (contender.perStep && prepared.runSteps) return timePerStep(base, contender.perStep.k(config), prepared.runSteps, quick);
  t = performance.now();
  base.loss = prepared.run();
  base.firstCallMs = performance.now() - t;

  const bench = new Bench({ name: `${config.id} ${contender.name}`, retainSamples: true, throws: true, ...benchOptions(base.firstCallMs, quick) });
  bench.add(contender.name, () => {
    prepared.run();
  });
  await bench.run();
  const r = bench.tasks[0].result;
  if (r.state !== 'completed') return { ...base, state: 'failed', reason: r.state === 'errored' ? r.error.message : `tinybench state ${r.state}` };
  const lat = r.latency;
  const sorted = lat.samples ?? [lat.p50];
  return {
    ...base,
    medianMs: lat.p50,
    p25Ms: quantile(sorted, 0.25),
    p75Ms: quantile(sorted, 0.75),
    minMs: lat.min,
    maxMs: lat.max,
    meanMs: lat.mean,
    rmePct: lat.rme,
    samples: lat.samplesCount,
    maxRssMB: Math.round(process.resourceUsage().maxRSS / 1024),
  };
}

/**
 * Diagnostic rows: T(n) = one call running n steps. Per round, tinybench times
 * one call with n = 1 and one with n = 1 + k, back to back (same number of loss
 * records in both); the row reports the median over rounds of the paired
 * difference (T(1+k) − T(1)) / k, and its IQR. Pairing within a round keeps
 * slow drifts of a shared machine out of the difference.
 */
async function timePerStep(base: Timing, k: number, runSteps: (n: number) => Promise<number>, quick: boolean): Promise<Timing> {
  let t = performance.now();
  base.loss = await runSteps(1);
  base.firstCallMs = performance.now() - t;
  // Calls that take > 1 s (M40: the per-call cost is ~3 s) get no extra warm-up and 3 rounds,
  // to keep the whole bench near 2 minutes on 2 cores.
  const slow = base.firstCallMs > 1000;
  if (!slow) await runSteps(1 + k); // warm-up of the longer call
  const rounds = quick || slow ? 3 : 7;
  const one: number[] = [];
  const diff: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const bench = new Bench({ name: base.contender, throws: true, warmup: false, time: 0, iterations: 1 });
    bench.add('1 step', async () => {
      await runSteps(1);
    });
    bench.add(`${1 + k} steps`, async () => {
      await runSteps(1 + k);
    });
    await bench.run();
    const [a, b] = bench.tasks.map((task) => task.result);
    if (a.state !== 'completed' || b.state !== 'completed') {
      const bad = a.state !== 'completed' ? a : b;
      return { ...base, state: 'failed', reason: bad.state === 'errored' ? bad.error.message : `tinybench state ${bad.state}` };
    }
    one.push(a.latency.p50);
    diff.push((b.latency.p50 - a.latency.p50) / k);
  }
  diff.sort((x, y) => x - y);
  one.sort((x, y) => x - y);
  const mean = diff.reduce((acc, x) => acc + x, 0) / diff.length;
  const sd = Math.sqrt(diff.reduce((acc, x) => acc + (x - mean) ** 2, 0) / Math.max(1, diff.length - 1));
  return {
    ...base,
    medianMs: quantile(diff, 0.5),
    p25Ms: quantile(diff, 0.25),
    p75Ms: quantile(diff, 0.75),
    minMs: diff[0],
    maxMs: diff[diff.length - 1],
    meanMs: mean,
    // normal-approximation 95% margin of the mean, as a percentage (rounds ≤ 7: indicative only)
    rmePct: (100 * 1.96 * sd) / Math.sqrt(diff.length) / Math.abs(mean),
    samples: diff.length,
    oneStepCallMs: quantile(one, 0.5),
    stepsK: k,
    maxRssMB: Math.round(process.resourceUsage().maxRSS / 1024),
  };
}

async function runChild(configId: string, name: string, quick: boolean): Promise<void> {
  const config = ROUTING_CONFIGS.find((c) => c.id === configId);
  if (!config) throw new Error(`unknown config ${configId}`);
  const timing = await timeOne(config, contenderByName(name), quick);
  process.stdout.write(`\n${RESULT_TAG}${JSON.stringify(timing)}\n`);
}

function spawnChild(config: RoutingConfig, contender: Contender, quick: boolean): Timing {
  const args = [...process.execArgv, SCRIPT, '--child', config.id, contender.name, ...(quick ? ['--quick'] : [])];
  const p = spawnSync(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8', maxBuffer: 1 << 26, timeout: 600_000 });
  const line = p.stdout?.split('\n').find((l) => l.startsWith(RESULT_TAG));
  if (line) return JSON.parse(line.slice(RESULT_TAG.length)) as Timing;
  const how = p.error ? p.error.message : p.signal ? `killed by ${p.signal}` : `exit code ${p.status}`;
  return { config: config.id, contender: contender.name, state: 'failed', reason: `child process ${how} without a result${p.stdout ? `; stdout: ${p.stdout.trim().slice(-300)}` : ''}` };
}

// ---------------------------------------------------------------- parent

async function runChecks(w: RoutingWorkload, contenders: readonly Contender[]): Promise<Check[]> {
  const ref = contenders.find((c) => c.name === 'js-ref f64') ?? contenderByName('js-ref f64');
  const refResult = (await ref.setup(w)).result();
  const checks: Check[] = [];
  for (const c of contenders) {
    if (c === ref || TOLERANCE[c.name] === undefined) continue;
    const why = await c.unavailable(w.config);
    if (why) {
      console.log(`  ${c.name.padEnd(20)} not checked: ${why}`);
      continue;
    }
    const e = relError((await c.setup(w)).result(), refResult);
    const tol = TOLERANCE[c.name];
    const ok = e.loss <= tol && e.grad <= tol;
    checks.push({ config: w.config.id, contender: c.name, reference: ref.name, lossRelError: e.loss, gradRelError: e.grad, tolerance: tol, ok });
    console.log(`  ${c.name.padEnd(20)} vs ${ref.name}: loss rel err ${e.loss.toExponential(1)}, max per-edge grad rel err ${e.grad.toExponential(1)}  (tol ${tol.toExponential(0)})  ${ok ? 'OK' : 'FAILED'}`);
  }
  return checks;
}

function fmtMs(ms: number | undefined): string {
  if (ms === undefined) return '';
  return ms >= 100 ? ms.toFixed(0) : ms >= 10 ? ms.toFixed(1) : ms.toFixed(2);
}

function fmtRatio(r: number): string {
  if (Math.abs(r - 1) < 0.03) return r === 1 ? 'baseline' : `≈ same (${r.toFixed(2)}×)`;
  const f = (x: number) => (x >= 10 ? x.toFixed(0) : x.toFixed(1));
  return r > 1 ? `${f(r)}× slower` : `${f(1 / r)}× faster`;
}

function printTable(config: RoutingConfig, rows: Timing[], baselineName: string | null): void {
  const head = ['contender', 'median ms', 'p25–p75 ms', '±rme', 'n', 'useful GFLOP/s', `vs ${baselineName ?? '—'}`];
  const body = rows.map((r) =>
    r.state === 'ok'
      ? [
          r.contender,
          fmtMs(r.medianMs),
          `${fmtMs(r.p25Ms)}–${fmtMs(r.p75Ms)}`,
          `${(r.rmePct ?? 0).toFixed(1)}%`,
          String(r.samples),
          (r.usefulGflops ?? 0).toFixed(r.usefulGflops !== undefined && r.usefulGflops < 10 ? 2 : 1),
          r.ratio === undefined ? '' : fmtRatio(r.ratio),
        ]
      : [r.contender, r.state, '', '', '', '', ''],
  );
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  console.log(line(head));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const b of body) console.log(line(b));
  for (const r of rows) if (r.state !== 'ok') console.log(`  ${r.contender}: ${r.state}: ${r.reason}`);
  for (const r of rows) {
    if (r.state === 'ok' && r.stepsK !== undefined) {
      console.log(`  ${r.contender}: diagnostic, per step inside trainSteps = (T(1+${r.stepsK}) − T(1)) / ${r.stepsK}; one call with 1 step takes ${fmtMs(r.oneStepCallMs)} ms (per-call costs + 2 full-dataset loss records + 1 step)`);
    }
  }
  const s = config.shape;
  console.log(
    `  useful work = 6 × ${(activeMacs(s) / 1e6).toFixed(1)}M active MACs = ${(usefulFlops(s) / 1e9).toFixed(3)} GFLOP per call;` +
      ` a dense masked pass does ${(denseMacs(s) / activeMacs(s)).toFixed(1)}× the MACs.`,
  );
}

function isoStamp(d: Date): string {
  return d.toISOString().replace(/\.\d+Z$/, 'Z').replace(/:/g, '-');
}

function writeResults(doc: unknown, when: Date): string {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const file = path.join(RESULTS_DIR, `${isoStamp(when)}.json`);
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, `${JSON.stringify(doc, null, 2)}\n`);
  renameSync(tmp, file);
  return file;
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      quick: { type: 'boolean', default: false },
      only: { type: 'string' },
      configs: { type: 'string' },
      'in-process': { type: 'boolean', default: false },
      child: { type: 'boolean', default: false },
    },
  });
  const quick = values.quick ?? false;
  if (values.child) {
    await runChild(positionals[0], positionals[1], quick);
    return;
  }
  const started = new Date();
  const t0 = performance.now();
  const only = values.only?.split(',').map((s) => s.trim());
  const contenders = only ? only.map(contenderByName) : CONTENDERS;
  const configIds = values.configs?.split(',').map((s) => s.trim());
  const configs = configIds
    ? configIds.map((id) => ROUTING_CONFIGS.find((c) => c.id === id) ?? (() => { throw new Error(`unknown config ${id}; known: ${ROUTING_CONFIGS.map((c) => c.id).join(', ')}`); })())
    : ROUTING_CONFIGS;

  const machine: MachineInfo = await machineInfo();
  console.log(`gdln bench: routing workload, one gated forward+backward (lossAndGradient, mse)${quick ? ' [quick]' : ''}`);
  console.log(`machine: ${machine.cpuModel}${machine.cpuFamilyModel ? ` (${machine.cpuFamilyModel})` : ''}, ${machine.availableParallelism} cores, ${machine.simd.join('/')}, node ${machine.node}, load ${machine.loadAverage1m}`);
  console.log(
    machine.nativeError === null
      ? `native:  ${machine.nativeAddon} v${machine.nativeVersion}, gemm ${machine.gemm}, ${machine.nativeThreads} threads`
      : `native:  unavailable: ${machine.nativeError.split('\n')[0]} (gdln-cpu rows skipped; full message in the results JSON, machine.nativeError)`,
  );
  console.log(`commit:  ${machine.gitCommit ?? '(none yet)'}${machine.gitDirty ? ' (dirty tree)' : ''}`);

  // (1) correctness, before any timing, on the small config.
  let checks: Check[] = [];
  if (configs.includes(ROUTING_SMALL)) {
    console.log(`\ncorrectness on ${ROUTING_SMALL.id} (${describeShape(ROUTING_SMALL.shape)}):`);
    checks = await runChecks(buildRouting(ROUTING_SMALL), contenders);
  }

  // (2) timings, one child process each.
  const all: Timing[] = [];
  for (const config of configs) {
    console.log(`\n${config.id}: ${describeShape(config.shape)}`);
    const rows: Timing[] = [];
    for (const c of contenders) {
      const why = await c.unavailable(config);
      if (why) {
        rows.push({ config: config.id, contender: c.name, state: 'skipped', reason: why });
        continue;
      }
      process.stderr.write(`  timing ${c.name} ...`);
      const t = performance.now();
      const r = values['in-process'] ? await timeOne(config, c, quick) : spawnChild(config, c, quick);
      process.stderr.write(` ${r.state} (${((performance.now() - t) / 1000).toFixed(1)} s)\n`);
      if (r.state === 'ok' && r.medianMs !== undefined) r.usefulGflops = usefulFlops(config.shape) / (r.medianMs * 1e6);
      rows.push(r);
    }
    const ok = rows.filter((r) => r.state === 'ok');
    const baseline = ok.find((r) => r.contender === BASELINE) ?? ok[0];
    if (baseline) for (const r of ok) r.ratio = (r.medianMs as number) / (baseline.medianMs as number);
    if (baseline && baseline.contender !== BASELINE) console.log(`  (${BASELINE} did not run; ratios are against ${baseline.contender})`);
    // The losses each child computed must agree (f64 to 1e-10, f32 to 1e-4).
    const f64 = ok.find((r) => r.contender.includes('f64'));
    for (const r of ok) {
      if (f64 === undefined || r === f64 || r.loss === undefined || f64.loss === undefined) continue;
      const rel = Math.abs(r.loss - f64.loss) / Math.abs(f64.loss);
      if (rel > (r.contender.includes('f32') ? 1e-4 : 1e-10)) console.log(`  WARNING: ${r.contender} loss ${r.loss} differs from ${f64.contender} loss ${f64.loss} (rel ${rel.toExponential(1)})`);
    }
    printTable(config, rows, baseline?.contender ?? null);
    all.push(...rows);
  }

  const doc = {
    schema: 'gdln-bench-routing/1',
    date: started.toISOString(),
    durationS: Math.round((performance.now() - t0) / 100) / 10,
    quick,
    machine,
    /** The machine is often shared: the 1-minute load average at the end, next to machine.loadAverage1m at the start. */
    loadAverage1mEnd: Math.round(os.loadavg()[0] * 100) / 100,
    kernel: 'Backend.lossAndGradient (loss mse): one full-batch gated forward + exact gradient for every edge',
    flopConvention: 'useful flops = 6 × active (un-gated) multiply-adds: 2 forward + 4 backward (dW and dX)',
    workloads: configs.map((c) => ({
      id: c.id,
      shape: c.shape,
      nSamples: c.shape.M * c.shape.K * c.shape.S,
      activeMacs: activeMacs(c.shape),
      denseMacs: denseMacs(c.shape),
      usefulFlops: usefulFlops(c.shape),
    })),
    baseline: BASELINE,
    checks,
    results: all,
  };
  const file = writeResults(doc, started);
  console.log(`\nwrote ${path.relative(process.cwd(), file)} (${doc.durationS} s)`);
  if (checks.some((c) => !c.ok) || all.some((r) => r.state === 'failed')) process.exitCode = 1;
}

// ReLN workloads W3/W4: `bench/run.ts reluRuns|kmeans [args]` runs bench/workloads/<name>.ts (its own flags).
const RELN_WORKLOADS: Record<string, string> = { reluRuns: 'workloads/reluRuns.ts', kmeans: 'workloads/kmeans.ts' };
const relnWorkload = RELN_WORKLOADS[process.argv[2] ?? ''];
if (relnWorkload) process.exit(spawnSync(process.execPath, ['--import', 'tsx', path.join(path.dirname(SCRIPT), relnWorkload), ...process.argv.slice(3)], { stdio: 'inherit' }).status ?? 1);

main().catch((e) => {
  // Usage errors (unknown contender / config) read better without a stack.
  console.error(e instanceof Error && /^unknown (contender|config)/.test(e.message) ? `bench: ${e.message}` : e);
  process.exit(1);
});
