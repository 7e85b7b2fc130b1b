/**
 * Resident memory over many create → train → drop cycles (issue 8): a tiny GDLN
 * is built, trained for a few steps on a backend (forward and lossAndGradient
 * too), aborted every 7th cycle, and dropped; RSS is sampled after a warm-up and
 * at the end (after a GC when `global.gc` exists: run node with --expose-gc).
 * A leak of even 2 KB per cycle shows as 20 MB over 10⁴ cycles.
 *
 * Bounds (RSS_BOUNDS): growth after warm-up < 32 MB, and — for runs of ≥ 5000
 * cycles — growth over the second half < 4 MB. Measured: RSS rises by 10–20 MB
 * over the first few thousand cycles and then stays flat (30 000 cycles: 94 → 116
 * MB by cycle 6000, 112 MB at the end, V8 heap 7.2 → 7.1 MB, external 2.8 → 2.8
 * MB): glibc keeps per-thread malloc arenas for the native threads; a leak would
 * keep growing through the second half.
 */
export const RSS_BOUNDS = { growthMB: 32, lateGrowthMB: 4, lateAfterCycles: 5000 };

export function rssWithinBounds(r: { cycles: number; growth: number; lateGrowth: number }): boolean {
  return r.growth < RSS_BOUNDS.growthMB && (r.cycles < RSS_BOUNDS.lateAfterCycles || r.lateGrowth < RSS_BOUNDS.lateGrowthMB);
}
import { Graph } from '../../lib/graph/Graph.ts';
import { GatedDataset } from '../../lib/data/GatedDataset.ts';
import { initWeights } from '../../lib/init/initWeights.ts';
import { Rng } from '../../lib/init/rng.ts';
import { forward, lossAndGradient, train } from '../../lib/engine/train.ts';
import type { BackendName } from '../../lib/engine/kernels.ts';

export interface RssResult {
  backend: BackendName;
  cycles: number;
  warmup: number;
  /** MB */
  rssAfterWarmup: number;
  rssEnd: number;
  growth: number;
  /** MB: RSS at the end minus RSS half-way through (after the allocator's plateau: a leak keeps growing here). */
  lateGrowth: number;
  /** MB: the largest RSS sampled (every 10% of the run). */
  rssPeak: number;
  samples: number[];
  /** MB: V8 heap used and external (ArrayBuffer) memory, after warm-up and at the end. */
  heapUsed: [number, number];
  external: [number, number];
  seconds: number;
  gc: boolean;
}

const MB = 1024 * 1024;

async function gcNow(): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) return;
  for (let i = 0; i < 3; i++) {
    gc();
    await new Promise((r) => setImmediate(r));
  }
}

async function cycle(i: number, backend: BackendName): Promise<void> {
  const rng = new Rng(i + 1);
  const N = 8;
  const graph = new Graph({
    nodes: [{ name: 'x', size: 4 }, { name: 'h', size: 6, activation: 'relu' }, { name: 'y', size: 3 }],
    edges: [{ from: 'x', to: 'h' }, { from: 'h', to: 'y' }, { from: 'x', to: 'y' }],
  });
  const data = new GatedDataset(graph, {
    inputs: { x: Float64Array.from({ length: N * 4 }, () => rng.normal()) },
    targets: { y: Float64Array.from({ length: N * 3 }, () => rng.normal()) },
    edgeGates: { 'x->y': Float64Array.from({ length: N }, (_, k) => k % 2) },
    nodeGates: { h: Float64Array.from({ length: N * 6 }, () => (rng.uniform() < 0.3 ? 0 : 1)) },
  });
  const w = initWeights(graph, { seed: i, scheme: { kind: 'xavier' } });
  const dtype = i % 2 === 0 || backend === 'js' ? 'float64' : 'float32';
  forward(graph, data, w, { backend, dtype });
  lossAndGradient(graph, data, w, { backend, dtype });
  const ac = new AbortController();
  const run = train(graph, data, w, {
    backend, dtype, steps: 5, lr: 0.05, batchSize: 3, momentum: 0.5, snapshots: [0, 5], groups: Array.from({ length: N }, (_, k) => k % 2),
    signal: ac.signal, progressEvery: 1, onProgress: ({ step }) => { if (i % 7 === 0 && step === 2) ac.abort(); },
  });
  await run.catch((e: { code?: string }) => {
    if (e?.code !== 'GDLN_ABORTED') throw e;
  });
}

export async function runRss(options: { cycles: number; backend: BackendName; warmup?: number }): Promise<RssResult> {
  const t0 = performance.now();
  const warmup = options.warmup ?? Math.min(1000, Math.floor(options.cycles / 10));
  for (let i = 0; i < warmup; i++) await cycle(i, options.backend);
  await gcNow();
  const m0 = process.memoryUsage();
  const rssAfterWarmup = m0.rss / MB;
  const samples: number[] = [rssAfterWarmup];
  const every = Math.max(1, Math.floor(options.cycles / 10));
  for (let i = 0; i < options.cycles; i++) {
    await cycle(warmup + i, options.backend);
    if ((i + 1) % every === 0) samples.push(process.memoryUsage().rss / MB);
  }
  await gcNow();
  const m1 = process.memoryUsage();
  const rssEnd = m1.rss / MB;
  samples.push(rssEnd);
  return {
    backend: options.backend, cycles: options.cycles, warmup, rssAfterWarmup, rssEnd, growth: rssEnd - rssAfterWarmup,
    lateGrowth: rssEnd - samples[Math.min(5, samples.length - 1)],
    rssPeak: Math.max(...samples), samples, heapUsed: [m0.heapUsed / MB, m1.heapUsed / MB], external: [m0.external / MB, m1.external / MB], seconds: (performance.now() - t0) / 1000, gc: typeof (globalThis as { gc?: unknown }).gc === 'function',
  };
}

export function formatRss(r: RssResult): string {
  return `rss on ${r.backend}: ${r.cycles} create/train/drop cycles after ${r.warmup} warm-up: ${r.rssAfterWarmup.toFixed(1)} MB → ${r.rssEnd.toFixed(1)} MB (growth ${r.growth.toFixed(1)} MB, second half ${r.lateGrowth >= 0 ? '+' : ''}${r.lateGrowth.toFixed(1)} MB, peak ${r.rssPeak.toFixed(1)} MB; V8 heap ${r.heapUsed[0].toFixed(1)} → ${r.heapUsed[1].toFixed(1)} MB, external ${r.external[0].toFixed(1)} → ${r.external[1].toFixed(1)} MB${r.gc ? ', after gc' : ', no --expose-gc'}), ${r.seconds.toFixed(1)} s`;
}

// Run directly (used by the driver in a child with --expose-gc): prints one JSON line.
if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) {
  const cycles = Number(process.argv[2] ?? 10_000);
  const backend = (process.argv[3] ?? 'cpu') as BackendName;
  const r = await runRss({ cycles, backend });
  console.log(JSON.stringify(r));
}
