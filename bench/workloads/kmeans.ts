/**
 * Workload W4 "kmeans" (ReLN App. B, Algorithm 1; /work/shared/peers/w4_kmeans.py):
 * k = 4 on binary rows of dim 24, 5.6 M rows (100 runs × 80 snapshots × 700
 * neurons) and 560 k rows.
 *
 * Row sources:
 *  - `synthetic` (default): the peer's synthetic mode (the 4 ReLN gate
 *    patterns + all-off rows with probabilities .3/.2/.2/.2/.1, 10% bit
 *    flips), as a Uint8Array [n, 24]; timed from the Uint8Array (packing,
 *    de-duplication and k-means included);
 *  - `w3`: rows recorded by actually running W3 natively (bench/workloads/reluRuns.ts,
 *    100 runs, float32), clustered in place from the GatingRecord.
 * gdln uses restarts = 1 (k-means++), max_iter 300, tol 1e-4, all threads.
 *
 *   node --import tsx bench/workloads/kmeans.ts [--data synthetic|w3] [--json FILE]
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { Rng } from '../../lib/init/rng.ts';
import { kmeansBinary, type BinaryRowsInput } from '../../lib/reln/kmeans.ts';
import { runW3 } from './reluRuns.ts';

/** The peer's synthetic rows (same recipe, our RNG). */
export function syntheticRows(n: number, seed = 0, flip = 0.1): Uint8Array {
  const rng = new Rng(seed);
  const protos = [
    Array.from({ length: 24 }, () => 1),
    Array.from({ length: 24 }, (_, i) => (Math.floor(i / 8) !== 0 ? 1 : 0)),
    Array.from({ length: 24 }, (_, i) => (Math.floor(i / 8) !== 1 ? 1 : 0)),
    Array.from({ length: 24 }, (_, i) => (Math.floor(i / 8) !== 2 ? 1 : 0)),
    Array.from({ length: 24 }, () => 0),
  ];
  const cum = [0.3, 0.5, 0.7, 0.9, 1.0];
  const rows = new Uint8Array(n * 24);
  const threshold = flip * 4294967296;
  for (let i = 0; i < n; i++) {
    const u = rng.uniform();
    const p = protos[cum.findIndex((c) => u < c)];
    for (let b = 0; b < 24; b++) rows[i * 24 + b] = p[b] ^ (rng.nextU32() < threshold ? 1 : 0);
  }
  return rows;
}

function time(input: BinaryRowsInput, reps: number) {
  const times: number[] = [];
  let result = kmeansBinary(input, { k: 4, seed: 0 }); // warm-up
  for (let r = 0; r < reps; r++) {
    const t = performance.now();
    result = kmeansBinary(input, { k: 4, seed: 0 });
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  return { ms: times[Math.floor(times.length / 2)], min: times[0], max: times[times.length - 1], result };
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { data: { type: 'string', default: 'synthetic' }, json: { type: 'string' } } });
  const rows: Record<string, unknown>[] = [];
  const report = (label: string, n: number, t: ReturnType<typeof time>) => {
    const r = t.result;
    rows.push({ workload: 'W4', data: values.data, rows: n, medianS: t.ms / 1000, minS: t.min / 1000, maxS: t.max / 1000, distinct: r.distinct, nIter: r.nIter, inertia: r.inertia });
    console.log(`W4 ${label} rows=${n}: ${t.ms.toFixed(1)} ms [${t.min.toFixed(1)}-${t.max.toFixed(1)}], distinct ${r.distinct}, n_iter ${r.nIter}, inertia ${r.inertia.toFixed(1)}`);
  };
  if (values.data === 'w3') {
    const t = performance.now();
    const rec = await runW3(100, 'float32');
    console.log(`W3 generation (100 runs × 8000 epochs, float32): ${((performance.now() - t) / 1000).toFixed(1)} s`);
    report('w3 record (all)', rec.summary.rows, time(rec, 5));
    report('w3 record (10 runs)', rec.summary.rows / 10, time({ record: rec, filter: { runs: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9] } }, 5));
    rec.dispose();
  } else {
    for (const n of [5_600_000, 560_000]) {
      const data = syntheticRows(n);
      report('synthetic uint8', n, time({ rows: data, d: 24 }, 5));
    }
  }
  if (values.json) writeFileSync(values.json, JSON.stringify(rows, null, 2));
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
