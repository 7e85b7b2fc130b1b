/**
 * Wide-layer gradient flow (multiple-pathways paper, Sec. 4; peer workload W2): two parallel
 * linear pathways 8 → N → … → N → 15, D matrices each, batch 8 (one-hot inputs), full-batch GD.
 *
 *   node --import tsx bench/wide-pathways.ts [--N 1000] [--depths 2,4,7] [--steps 200]
 *
 * Per (D, dtype) on the gdln 'cpu' backend: time per training step (from two run lengths,
 * so the per-call weight transfer is excluded), the weight bytes, the effective weight
 * traffic at the 3-pass floor (read for forward; read + write for backward/update) and the
 * implied number of passes at the measured copy bandwidth; and the ratio to the tuned PyTorch
 * peer (torch_manual, the best peer of /work/shared/peers/RESULTS.md, W2 section; quoted, not
 * re-run: they were measured on this machine type with contention control).
 */
import { writeFileSync, mkdirSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { initPathways, parallelPathways, pathwayDataset } from '../lib/data/pathways.ts';
import { train } from '../lib/engine/train.ts';
import { backendStatus } from '../lib/backends/index.ts';
import { concurrency } from '../lib/engine/concurrency.ts';

const { values } = parseArgs({ options: { N: { type: 'string' }, depths: { type: 'string' }, steps: { type: 'string' } } });
const N = Number(values.N ?? 1000);
const depths = (values.depths ?? '2,4,7').split(',').map(Number);
const steps = Number(values.steps ?? 200);

/** Tuned PyTorch peer, median ms/step (RESULTS.md W2: best of torch_manual / numpy_manual, N = 1000). */
const PEER_MS: Record<string, number> = {
  'float32:2': 0.0464, // numpy_manual 1T (torch_manual 0.0535)
  'float32:4': 3.72,
  'float32:7': 9.95,
  'float64:4': 8.45,
  'float64:7': 21.6,
};

function copyBandwidth(): number {
  // One-thread memcpy of 256 MiB (read + write counted), best of 5.
  const n = (256 * 2 ** 20) / 8;
  const a = new Float64Array(n).fill(1);
  const b = new Float64Array(n);
  let best = Infinity;
  for (let r = 0; r < 5; r++) {
    const t0 = process.hrtime.bigint();
    b.set(a);
    best = Math.min(best, Number(process.hrtime.bigint() - t0) / 1e9);
  }
  return (2 * n * 8) / best / 1e9;
}

async function timeSteps(D: number, dtype: 'float32' | 'float64'): Promise<{ ms: number; weightBytes: number; loss: number }> {
  const net = parallelPathways({ depths: [D, D], widths: N });
  const data = pathwayDataset(net);
  const w = initPathways(net, { kind: 'paper', std: 0.01 }, 1);
  const run = async (s: number) => {
    const t0 = process.hrtime.bigint();
    const tr = await train(net.graph, data, w, { backend: 'cpu', dtype, steps: s, lr: 0.08, recordEvery: s });
    return { sec: Number(process.hrtime.bigint() - t0) / 1e9, loss: tr.loss[tr.loss.length - 1] };
  };
  await run(5); // warm-up
  let best = Infinity;
  let loss = NaN;
  for (let r = 0; r < 3; r++) {
    const short = await run(10);
    const long = await run(10 + steps);
    best = Math.min(best, (long.sec - short.sec) / steps);
    loss = long.loss;
  }
  const params = w.matrices.reduce((s, m) => s + m.length, 0);
  return { ms: best * 1e3, weightBytes: params * (dtype === 'float32' ? 4 : 8), loss };
}

const status = backendStatus().find((s) => s.name === 'cpu');
if (!status?.available) {
  console.error(`gdln cpu backend unavailable: ${status?.detail}`);
  process.exit(1);
}
const bw = copyBandwidth();
console.log(`wide pathways, N = ${N}, 2 pathways, batch 8; compute threads ${concurrency()}; copy bandwidth (1 thread, JS memcpy) ${bw.toFixed(1)} GB/s; peers' 2-thread DRAM copy 52 GB/s (RESULTS.md W0)`);
console.log('   D  dtype     ms/step   weights MB   GB/s @3 passes   passes @copy BW   peer ms   peer/gdln');
const rows = [];
for (const D of depths) {
  for (const dtype of ['float32', 'float64'] as const) {
    const r = await timeSteps(D, dtype);
    const gbps = (3 * r.weightBytes) / (r.ms / 1e3) / 1e9;
    const passes = (bw * 1e9 * (r.ms / 1e3)) / r.weightBytes;
    const peer = PEER_MS[`${dtype}:${D}`];
    rows.push({ D, dtype, msPerStep: r.ms, weightBytes: r.weightBytes, gbpsAt3Passes: gbps, passesAtCopyBandwidth: passes, peerMs: peer ?? null, peerOverGdln: peer ? peer / r.ms : null });
    console.log(`${String(D).padStart(4)}  ${dtype}  ${r.ms.toFixed(3).padStart(9)}  ${(r.weightBytes / 1e6).toFixed(1).padStart(10)}  ${gbps.toFixed(1).padStart(14)}  ${passes.toFixed(1).padStart(15)}  ${peer === undefined ? '      –' : peer.toFixed(3).padStart(8)}  ${peer === undefined ? '   –' : (peer / r.ms).toFixed(2).padStart(9)}`);
  }
}
mkdirSync('bench/results', { recursive: true });
const file = `bench/results/wide-pathways-${new Date().toISOString().replace(/[:.]/g, '-')}.json`;
writeFileSync(file, JSON.stringify({ N, steps, copyBandwidthGBs: bw, rows }, null, 2) + '\n');
console.log(`wrote ${file}`);
