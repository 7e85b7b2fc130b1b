/**
 * `npm run bench` / `gdln bench`: the issue-7 table. One run, gdln and the best tuned peer
 * measured back to back for every workload and size on this machine:
 *
 *   W0  ceilings: best fp32 / fp64 GEMM rate (OpenBLAS via numpy, 1 and 2 threads) and copy bandwidth
 *   W1a routing, independent samples (M, K) = (10, 4), (40, 16), (100, 40); one full-batch SGD step
 *   W1b routing as the authors batch it: the same 8 images on every route (shared prefixes)
 *   W2  two linear pathways, depth D, width N, batch 8; one full-batch GD step (= one epoch)
 *
 *   node --import tsx bench/table.ts [--quick] [--only W1a,W2] [--no-peers]
 *
 * gdln: float32, native cpu backend, `trainSteps` (the model crosses N-API once per call), per
 * step = (T(1+k) − T(1)) / k from paired calls, so the per-call copy of the model is excluded.
 * Peers: bench/peers/peers.py in a child python3 (PYTHON overrides; it needs torch + numpy),
 * tuned environment (malloc thresholds, OMP_WAIT_POLICY=PASSIVE, OpenBLAS core type of this CPU),
 * run with 1 and with 2 threads, the faster kept. Missing python/torch: the peer rows say so.
 *
 * Output: the table, bench/results/latest.json (array of rows: workload, size, contender,
 * median_ms, min_ms, max_ms, gflops, ratio_vs_gdln, …) and a dated copy bench/results/table-<UTC>.json.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { backendOrError } from './contenders/backends.ts';
import { buildRouting, type RoutingConfig, type RoutingShape } from './workloads/routing.ts';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const RESULTS = path.join(HERE, 'results');

export interface Row {
  workload: string;
  size: string;
  contender: string;
  median_ms: number | null;
  min_ms: number | null;
  max_ms: number | null;
  /** Useful GFLOP/s (W0/W1) or GB/s of weight traffic at the 3-pass floor (W2), at the median. */
  gflops: number | null;
  unit: 'GFLOP/s' | 'GB/s';
  /** Fraction of the measured ceiling (W0 GEMM fp32 for GFLOP/s rows, W0 copy for GB/s rows). */
  ceiling_frac: number | null;
  /** peer median / gdln median (> 1: gdln faster); 1 for the gdln row. */
  ratio_vs_gdln: number | null;
  bound: string;
  note?: string;
}

const { values } = parseArgs({
  options: { quick: { type: 'boolean', default: false }, only: { type: 'string' }, 'no-peers': { type: 'boolean', default: false } },
});
const quick = values.quick ?? false;
const only = values.only?.split(',');
const want = (w: string) => !only || only.includes(w);

// ---------------------------------------------------------------- peers (python children)

const PY = process.env.PYTHON ?? findPython();
function findPython(): string | null {
  for (const cand of ['/usr/bin/python3', 'python3']) {
    const p = spawnSync(cand, ['-c', 'import torch, numpy'], { stdio: 'ignore' });
    if (p.status === 0) return cand;
  }
  return null;
}
const peerSkip = values['no-peers'] ? 'skipped (--no-peers)' : PY === null ? 'skipped: no python3 with torch + numpy (apt-get install python3-torch python3-numpy)' : null;

function coreType(): string {
  const info = readFileSync('/proc/cpuinfo', 'utf8');
  const flags = /^flags\s*:(.*)$/m.exec(info)?.[1] ?? '';
  if (/\bavx512f\b/.test(flags)) return 'SkylakeX';
  if (/AuthenticAMD/.test(info) && /\bavx2\b/.test(flags)) return 'Zen';
  return /\bavx2\b/.test(flags) ? 'Haswell' : 'Sandybridge';
}

type PeerResult = { median_ms: number; min_ms: number; max_ms: number; threads: number; [k: string]: unknown };
function peer(args: string[], threads: number): PeerResult | Error {
  const env = {
    ...process.env,
    MALLOC_MMAP_THRESHOLD_: '2000000000',
    MALLOC_TRIM_THRESHOLD_: '4000000000',
    OMP_WAIT_POLICY: 'PASSIVE',
    OPENBLAS_CORETYPE: coreType(),
    OPENBLAS_NUM_THREADS: String(threads),
    OMP_NUM_THREADS: String(threads),
  };
  const p = spawnSync(PY as string, [path.join(HERE, 'peers', 'peers.py'), ...args, '--threads', String(threads), '--budget', quick ? '2' : '5'], { env, encoding: 'utf8', timeout: 600_000, maxBuffer: 1 << 24 });
  const line = p.stdout?.trim().split('\n').pop();
  if (p.status !== 0 || !line) return new Error(`peers.py ${args.join(' ')}: ${p.error?.message ?? `exit ${p.status}`} ${p.stderr?.slice(-300) ?? ''}`);
  return JSON.parse(line) as PeerResult;
}
/** Best of 1 and 2 threads (by median). */
function bestPeer(args: string[]): PeerResult | Error {
  const runs = [1, 2].map((t) => peer(args, t));
  const ok = runs.filter((r): r is PeerResult => !(r instanceof Error));
  if (ok.length === 0) return runs[0];
  return ok.reduce((a, b) => (b.median_ms < a.median_ms ? b : a));
}

// ---------------------------------------------------------------- gdln (in process, native cpu)

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** Paired rounds of T(1) and T(1 + k); per-step = (T(1+k) − T(1)) / k. */
async function perStep(runSteps: (n: number) => Promise<unknown>, k: number, rounds: number) {
  await runSteps(1);
  await runSteps(1 + k);
  const d: number[] = [];
  for (let r = 0; r < rounds; r++) {
    let t = performance.now();
    await runSteps(1);
    const one = performance.now() - t;
    t = performance.now();
    await runSteps(1 + k);
    d.push((performance.now() - t - one) / k);
  }
  return { median_ms: median(d), min_ms: Math.min(...d), max_ms: Math.max(...d) };
}

async function cpuBackend() {
  const b = await backendOrError('cpu');
  if (b instanceof Error) return b;
  return b.supports('trainSteps', 'float32') ? b : new Error('cpu backend does not support trainSteps in float32');
}

async function gdlnRouting(cfg: RoutingConfig, k: number, rounds: number) {
  const b = await cpuBackend();
  if (b instanceof Error) return b;
  const w = buildRouting(cfg);
  const opts = (steps: number) => ({ dtype: 'float32' as const, loss: 'mse' as const, steps, lr: 1e-9, momentum: 0, weightDecay: 0, batchSize: 0, seed: 0, recordEvery: steps, snapshotSteps: [], groups: null, nGroups: 0, progressEvery: 0 });
  return perStep((n) => b.trainSteps(w.model, w.weights, opts(n), {}), k, rounds);
}

async function gdlnPathways(N: number, D: number, k: number, rounds: number) {
  const b = await cpuBackend();
  if (b instanceof Error) return b;
  const { initPathways, parallelPathways, pathwayDataset } = await import('../lib/data/pathways.ts');
  const { buildPlanModel } = await import('../lib/engine/Plan.ts');
  const net = parallelPathways({ depths: [D, D], widths: N });
  const data = pathwayDataset(net);
  const w = initPathways(net, { kind: 'paper', std: 0.01 }, 1);
  const model = buildPlanModel(net.graph, data);
  const opts = (steps: number) => ({ dtype: 'float32' as const, loss: 'mse' as const, steps, lr: 0.08, momentum: 0, weightDecay: 0, batchSize: 0, seed: 0, recordEvery: steps, snapshotSteps: [], groups: null, nGroups: 0, progressEvery: 0 });
  const r = await perStep((n) => b.trainSteps(model, w.matrices, opts(n), {}), k, rounds);
  const params = w.matrices.reduce((s, m) => s + m.length, 0);
  return { ...r, weightBytes: params * 4, macs: 8 * params };
}

// ---------------------------------------------------------------- the run

const rows: Row[] = [];
const load0 = os.loadavg()[0];
const ceil = { f32: null as number | null, f64: null as number | null, copy: null as number | null };
const fmt = (x: number | null, d = 2) => (x === null ? '–' : x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(d));
const log = (s: string) => process.stderr.write(`${s}\n`);

function pushPair(workload: string, size: string, g: { median_ms: number; min_ms: number; max_ms: number } | Error, p: PeerResult | Error | string, peerName: string, work: (ms: number) => number, unit: Row['unit'], bound: string, note?: string) {
  const ceiling = unit === 'GB/s' ? ceil.copy : ceil.f32;
  const mk = (contender: string, r: { median_ms: number; min_ms: number; max_ms: number }, ratio: number | null, extra?: string): Row => {
    const rate = work(r.median_ms);
    return { workload, size, contender, median_ms: r.median_ms, min_ms: r.min_ms, max_ms: r.max_ms, gflops: rate, unit, ceiling_frac: ceiling ? rate / ceiling : null, ratio_vs_gdln: ratio, bound, note: extra };
  };
  const missing = (contender: string, why: string): Row => ({ workload, size, contender, median_ms: null, min_ms: null, max_ms: null, gflops: null, unit, ceiling_frac: null, ratio_vs_gdln: null, bound, note: why });
  rows.push(g instanceof Error ? missing('gdln cpu f32', g.message.split('\n')[0]) : mk('gdln cpu f32', g, 1, note));
  if (typeof p === 'string') rows.push(missing(peerName, p));
  else if (p instanceof Error) rows.push(missing(peerName, p.message.split('\n')[0]));
  else rows.push(mk(`${peerName} [${p.threads}T]`, p, g instanceof Error ? null : p.median_ms / g.median_ms));
}

if (want('W0')) {
  log('W0 ceilings …');
  const r = peerSkip ? peerSkip : [1, 2].map((t) => peer(['w0'], t));
  if (typeof r === 'string') rows.push({ workload: 'W0', size: 'ceilings', contender: 'numpy/OpenBLAS', median_ms: null, min_ms: null, max_ms: null, gflops: null, unit: 'GFLOP/s', ceiling_frac: null, ratio_vs_gdln: null, bound: '', note: r });
  else {
    const ok = r.filter((x): x is PeerResult => !(x instanceof Error));
    ceil.f32 = Math.max(...ok.map((x) => x.gemm_float32_gflops as number));
    ceil.f64 = Math.max(...ok.map((x) => x.gemm_float64_gflops as number));
    ceil.copy = Math.max(...ok.map((x) => x.copy_gbs as number));
    const base = { workload: 'W0', min_ms: null, max_ms: null, median_ms: null, ratio_vs_gdln: null, ceiling_frac: 1 };
    rows.push({ ...base, size: 'GEMM fp32 (n ≤ 2048)', contender: 'OpenBLAS best of 1T/2T', gflops: ceil.f32, unit: 'GFLOP/s', bound: 'compute' });
    rows.push({ ...base, size: 'GEMM fp64 (n ≤ 2048)', contender: 'OpenBLAS best of 1T/2T', gflops: ceil.f64, unit: 'GFLOP/s', bound: 'compute' });
    rows.push({ ...base, size: 'copy 256 MiB (R+W)', contender: 'numpy best of 1T/2T', gflops: ceil.copy, unit: 'GB/s', bound: 'memory' });
  }
}

const W1_SIZES: [number, number][] = quick ? [[10, 4], [40, 16]] : [[10, 4], [40, 16], [100, 40]];
const shape = (M: number, K: number): RoutingShape => ({ M, K, S: 8, D: 784, H: 128, C: 10 });
const w1Flops = (s: RoutingShape) => 6 * s.M * s.K * s.S * (s.D * s.H + s.H * s.H + s.H * s.C);
// W1b: the distinct work (each image once per encoder, the hidden edge once per (domain, image), decoders per route).
const w1bFlops = (s: RoutingShape) => 6 * (s.M * s.S * (s.D * s.H + s.H * s.H) + s.M * s.K * s.S * s.H * s.C);

for (const w of ['W1a', 'W1b'] as const) {
  if (!want(w)) continue;
  for (const [M, K] of W1_SIZES) {
    const s = shape(M, K);
    const size = `M=${M} K=${K} (N=${M * K * 8})`;
    log(`${w} ${size} …`);
    const cfg: RoutingConfig = { id: `${w}-M${M}`, shape: s, sharedImages: w === 'W1b', layout: 'compact' };
    // Compact layout (routing.ts): one input node x, M gated encoder edges; one output y, M decoders.
    const g = await gdlnRouting(cfg, M * K * 8 <= 1000 ? 30 : M >= 100 ? 8 : 24, quick ? 3 : 5);
    const p = peerSkip ?? bestPeer([w === 'W1a' ? 'w1a' : 'w1b', '--M', String(M), '--K', String(K)]);
    const flops = w === 'W1a' ? w1Flops(s) : w1bFlops(s);
    const bound = M === 10 ? 'overhead (small GEMMs, per-op cost)' : 'compute (GEMM)';
    pushPair(w, size, g, p, w === 'W1a' ? 'torch grouped bmm' : "torch authors' batching", (ms) => flops / (ms * 1e6), 'GFLOP/s', bound, w === 'W1b' ? 'GFLOP/s of the distinct (de-duplicated) work' : undefined);
  }
}

if (want('W2')) {
  const sizes: [number, number][] = quick ? [[1000, 4], [4000, 4]] : [[1000, 4], [1000, 7], [4000, 4], [4000, 7]];
  for (const [N, D] of sizes) {
    const size = `N=${N} D=${D}`;
    log(`W2 ${size} …`);
    const g = await gdlnPathways(N, D, 20, quick ? 3 : 5);
    const p = peerSkip ?? bestPeer(['w2', '--N', String(N), '--D', String(D)]);
    const bytes = g instanceof Error ? 2 * (8 * N + (D - 2) * N * N + 15 * N) * 4 : g.weightBytes;
    // GB/s at the traffic floor: every weight read once forward, read + written once backward.
    pushPair('W2', size, g, p, 'torch manual backprop', (ms) => (3 * bytes) / (ms * 1e6), 'GB/s', 'memory (weights stream per step)', `weights ${(bytes / 1e6).toFixed(0)} MB`);
  }
}

// ---------------------------------------------------------------- print + save

const load1 = os.loadavg()[0];
const head = ['workload', 'size', 'contender', 'median ms', 'min–max ms', 'rate', '% ceil', 'peer/gdln', 'bound'];
const body = rows.map((r) => [
  r.workload,
  r.size,
  r.contender,
  fmt(r.median_ms),
  r.min_ms === null ? '' : `${fmt(r.min_ms)}–${fmt(r.max_ms)}`,
  r.gflops === null ? '' : `${fmt(r.gflops, 1)} ${r.unit}`,
  r.ceiling_frac === null ? '' : `${(100 * r.ceiling_frac).toFixed(0)}%`,
  r.ratio_vs_gdln === null ? '' : r.contender.startsWith('gdln') ? '1' : `${r.ratio_vs_gdln.toFixed(2)}×`,
  r.median_ms === null && r.note ? r.note : r.bound,
]);
const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
console.log(`gdln bench (issue 7 table)${quick ? ' [quick]' : ''}: ${os.cpus()[0]?.model ?? '?'}, ${os.availableParallelism()} cores, load ${load0.toFixed(2)} → ${load1.toFixed(2)}`);
console.log(head.map((h, i) => h.padEnd(widths[i])).join('  '));
console.log(widths.map((w) => '-'.repeat(w)).join('  '));
for (const b of body) console.log(b.map((c, i) => c.padEnd(widths[i])).join('  '));
console.log('peer/gdln > 1: gdln is faster. gdln = float32 native cpu, one step inside trainSteps; peers best of 1/2 threads, tuned env.');

mkdirSync(RESULTS, { recursive: true });
const stamp = new Date().toISOString().replace(/\.\d+Z$/, 'Z').replace(/:/g, '-');
const doc = JSON.stringify(rows.map((r) => ({ ...r, loadavg_start: load0, loadavg_end: load1 })), null, 2) + '\n';
for (const name of [`table-${stamp}.json`, 'latest.json']) {
  const f = path.join(RESULTS, name);
  writeFileSync(`${f}.tmp`, doc);
  renameSync(`${f}.tmp`, f);
}
console.log(`wrote bench/results/latest.json and bench/results/table-${stamp}.json`);
