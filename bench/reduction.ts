/**
 * Bench: the neural race reduction of the routing graph with M = 100 domains
 * (M² = 10⁴ paths; race-reduction Sec. 4, App. D sizes), standalone:
 *
 *   node --import tsx bench/reduction.ts [--M 100] [--K 10,100] [--items 4] [--hidden 64] [--json out.json]
 *
 * Times, separately: building the task (dataset + gates), the path statistics
 * Σʸˣ(p), Σˣ(j,p) (sparse: only active paths and co-active pairs — one route is
 * active per sample, so pairs are (p, p) only), the reduction proper (bases, chains,
 * union–find, residuals of eq. 7–8) and 1000 evaluations of the reduced RHS (eq. 10),
 * plus one RK45 integration to t/τ = 200. Median of `--repeat` runs (default 3).
 */
import { routingTask } from '../lib/data/routing.ts';
import { pathStatistics } from '../lib/analyses/pathStatistics.ts';
import { reduceGdln } from '../lib/analyses/reduction.ts';
import { binaryHierarchy } from '../lib/data/hierarchy.ts';
import { writeFileSync } from 'node:fs';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
}

const M = Number(arg('M', '100'));
const Ks = arg('K', '10,100').split(',').map(Number);
const depth = Math.log2(Number(arg('items', '4')));
const hidden = Number(arg('hidden', '64'));
const repeat = Number(arg('repeat', '3'));
const json = arg('json', '');

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const ms = (f: () => void) => {
  const t = performance.now();
  f();
  return performance.now() - t;
};

const results: Record<string, unknown>[] = [];
console.log(`gdln bench: race reduction of the routing graph, M = ${M} (${M * M} paths), ${2 ** depth} items, N_h = ${hidden}, node ${process.version}`);
for (const K of Ks) {
  const rows: Record<string, number[]> = { task: [], stats: [], reduce: [], rhs1000: [], integrate: [] };
  let info = '';
  for (let r = 0; r < repeat; r++) {
    let task!: ReturnType<typeof routingTask>;
    rows.task.push(ms(() => (task = routingTask({ M, K, hidden, items: binaryHierarchy(depth) }))));
    let stats!: ReturnType<typeof pathStatistics>;
    rows.stats.push(ms(() => (stats = pathStatistics(task.graph, task.data))));
    let red!: ReturnType<typeof reduceGdln>;
    rows.reduce.push(ms(() => (red = reduceGdln(task.graph, task.data, { stats }))));
    const b = red.state(0.1);
    const out = new Float64Array(b.length);
    rows.rhs1000.push(ms(() => { for (let i = 0; i < 1000; i++) red.rhs(b, out); }));
    rows.integrate.push(ms(() => red.integrate(b, [200], { rtol: 1e-8, atol: 1e-12 })));
    info = `N = ${task.data.nSamples} samples, ${red.paths.length} active paths, ${red.variables.length} reduced variables, ${red.modes.length} mode systems, worst residual ${red.residual.worst.toExponential(2)}`;
  }
  const med = Object.fromEntries(Object.entries(rows).map(([k, v]) => [k, median(v)]));
  console.log(`K = ${K}: ${info}`);
  console.log(`  task ${med.task.toFixed(0)} ms | path statistics ${med.stats.toFixed(0)} ms | reduction ${med.reduce.toFixed(0)} ms | total ${(med.stats + med.reduce).toFixed(0)} ms | 1000 RHS ${med.rhs1000.toFixed(0)} ms | RK45 to t/τ=200 ${med.integrate.toFixed(0)} ms`);
  results.push({ M, K, items: 2 ** depth, hidden, info, medianMs: med, repeat });
}
if (json) writeFileSync(json, JSON.stringify({ schema: 'gdln-bench-reduction/1', node: process.version, results }, null, 2));
