/**
 * Workload W3 "reluRuns" (ReLN §4 / App. H, /work/shared/peers/w3_relu_context.py):
 * a one-hidden-layer ReLU network 11 → 700 → 30, no biases, on the contextual
 * task (8 items × 3 contexts = 24 samples, input = one-hot item | one-hot
 * context; targets = 15 hierarchical features | 3 context blocks of 5 random
 * binary features, each non-zero only in its context), full-batch GD, init
 * N(0, (1e-7)²), Algorithm 1 recording every 100 epochs (80 snapshots) inside
 * the timed call. lr = 0.024 (the peer's W4 data generation: 24 × the paper's
 * 1e-3 on the summed loss; timing does not depend on lr).
 *
 * Reports time per epoch for one run (all 8000 epochs in one call) and per
 * run-epoch for 100 runs in one call (parallel over runs), per dtype.
 *
 *   node --import tsx bench/workloads/reluRuns.ts [--quick] [--json FILE]
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { Rng } from '../../lib/init/rng.ts';
import { recordReluGating, type GatingRecord } from '../../lib/reln/record.ts';

const HIER = [
  [1, 1, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0],
  [1, 1, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0],
  [1, 1, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0],
  [1, 1, 0, 0, 1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0],
  [1, 0, 1, 0, 0, 1, 0, 0, 0, 0, 0, 1, 0, 0, 0],
  [1, 0, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1, 0, 0],
  [1, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1, 0],
  [1, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1],
];

/** The W3 dataset: inputs [24, 11], targets [24, 30]. */
export function w3Task(seed = 0): { inputs: number[][]; targets: number[][] } {
  const rng = new Rng(seed);
  const ctx = Array.from({ length: 3 }, () => Array.from({ length: 8 }, () => Array.from({ length: 5 }, () => rng.below(2))));
  const inputs: number[][] = [];
  const targets: number[][] = [];
  for (let c = 0; c < 3; c++) {
    for (let i = 0; i < 8; i++) {
      inputs.push(Array.from({ length: 11 }, (_, k) => (k === i || k === 8 + c ? 1 : 0)));
      const y = new Array(30).fill(0);
      HIER[i].forEach((v, k) => (y[k] = v));
      ctx[c][i].forEach((v, k) => (y[15 + c * 5 + k] = v));
      targets.push(y);
    }
  }
  return { inputs, targets };
}

export const W3_RECORD_EPOCHS = Array.from({ length: 80 }, (_, i) => i * 100);

/** Algorithm 1 on W3: `runs` runs × 8000 epochs, 80 snapshots (the W4 rows). */
export function runW3(runs: number, dtype: 'float64' | 'float32', epochs = 8000): Promise<GatingRecord> {
  return recordReluGating({
    ...w3Task(),
    hidden: 700,
    runs,
    epochs,
    lr: 0.024,
    initStd: 1e-7,
    seed: 0,
    recordEpochs: W3_RECORD_EPOCHS.filter((e) => e <= epochs),
    dtype,
  });
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { quick: { type: 'boolean', default: false }, json: { type: 'string' } } });
  const rows: Record<string, unknown>[] = [];
  for (const dtype of ['float32', 'float64'] as const) {
    for (const runs of [1, 100]) {
      const epochs = values.quick && runs > 1 ? 800 : 8000;
      const reps = runs === 1 ? 3 : 1;
      const times: number[] = [];
      let loss = NaN;
      for (let r = 0; r < reps; r++) {
        const t = performance.now();
        const rec = await runW3(runs, dtype, epochs);
        times.push(performance.now() - t);
        loss = rec.summary.finalLoss[0];
        rec.dispose();
      }
      times.sort((a, b) => a - b);
      const ms = times[Math.floor(times.length / 2)];
      const row = { workload: 'W3', dtype, runs, epochs, totalS: ms / 1000, usPerRunEpoch: (ms * 1000) / (runs * epochs), finalLoss: loss };
      rows.push(row);
      console.log(`W3 ${dtype} runs=${runs} epochs=${epochs}: ${(ms / 1000).toFixed(3)} s, ${row.usPerRunEpoch.toFixed(2)} µs per run-epoch, final loss ${loss.toFixed(6)}`);
    }
  }
  if (values.json) writeFileSync(values.json, JSON.stringify(rows, null, 2));
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
