/**
 * recordReluGating (lib/reln/record.ts): the native 'cpu' backend against the
 * float64 TypeScript reference ('js', lib/reln/reference.ts) on fresh random
 * inputs, 1 and 2 hidden layers, with and without momentum; bad input; abort;
 * disposed handles. Tolerances: losses float64 ≤ 1e-10 relative, float32
 * ≤ 1e-4; gating bits may differ only where the reference preactivation is
 * within rounding of 0 (float64: none expected; float32: ≤ 1% of the bits).
 * Skipped (with the reason) when the addon is not built.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GdlnAbortError, GdlnError } from '../../lib/errors.ts';
import { loadNative } from '../../lib/backends/native/loader.ts';
import { Rng } from '../../lib/init/rng.ts';
import { recordReluGating, type RecordReluGatingOptions } from '../../lib/reln/record.ts';
import { reproducer, testSeed } from '../helpers/seed.ts';

const native = loadNative();
const skip = 'error' in native || typeof native.binding.reluRuns !== 'function' ? 'native addon unavailable or without reluRuns' : false;

function randomTask(seed: number, n: number, d: number, o: number) {
  const rng = new Rng(seed);
  const inputs = Array.from({ length: n }, () => Array.from({ length: d }, () => rng.normal()));
  const targets = Array.from({ length: n }, () => Array.from({ length: o }, () => rng.normal()));
  return { inputs, targets };
}

function maxRel(a: Float64Array, b: Float64Array): number {
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < a.length; i++) {
    diff = Math.max(diff, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(b[i]));
  }
  return scale === 0 ? diff : diff / scale;
}

test('native ReLU runs match the float64 reference (losses, bits, outputs, weights)', { skip }, async () => {
  const seed = testSeed();
  const why = reproducer(seed);
  for (const [hidden, momentum] of [[23, 0], [[17, 12], 0.9]] as const) {
    const task = randomTask(seed + (momentum > 0 ? 1 : 0), 19, 5, 4);
    const base: RecordReluGatingOptions = {
      ...task,
      hidden: hidden as number | [number, number],
      runs: 3,
      epochs: 80,
      lr: 0.05,
      momentum,
      initStd: 0.4,
      seed,
      recordEpochs: [80, 0, 13, 13],
      recordOutputs: true,
      returnWeights: true,
    };
    const ref = await recordReluGating({ ...base, backend: 'js' });
    assert.deepEqual(ref.summary.recordEpochs, [0, 13, 80], 'record epochs sorted and de-duplicated');
    for (const dtype of ['float64', 'float32'] as const) {
      const got = await recordReluGating({ ...base, backend: 'cpu', dtype });
      const tol = dtype === 'float64' ? 1e-10 : 1e-4;
      assert.ok(maxRel(got.summary.loss, ref.summary.loss) <= tol, `${dtype} loss ${maxRel(got.summary.loss, ref.summary.loss)}; ${why}`);
      assert.ok(maxRel(got.summary.finalLoss, ref.summary.finalLoss) <= tol, `${dtype} final loss; ${why}`);
      assert.ok(maxRel(got.outputs!, ref.outputs!) <= (dtype === 'float64' ? 1e-9 : 1e-3), `${dtype} outputs; ${why}`);
      assert.ok(maxRel(got.weights!, ref.weights!) <= (dtype === 'float64' ? 1e-9 : 1e-3), `${dtype} weights; ${why}`);
      const a = got.rows();
      const b = ref.rows();
      assert.equal(a.length, b.length);
      let flips = 0;
      for (let i = 0; i < a.length; i++) flips += a[i] !== b[i] ? 1 : 0;
      assert.ok(flips / a.length <= (dtype === 'float64' ? 0 : 0.01), `${dtype}: ${flips} of ${a.length} bits flipped; ${why}`);
      // A filtered copy is the matching slice of the full one.
      const part = got.rows({ runs: [2], snapshots: [1], layers: [0] });
      const H = got.summary.hidden.reduce((x, y) => x + y, 0);
      const first = ((2 * 3 + 1) * H) * 19;
      assert.deepEqual(part, a.subarray(first, first + got.summary.hidden[0] * 19));
      got.dispose();
    }
  }
});

test('one-hot inputs (the W3 shape, small): bits and losses agree', { skip }, async () => {
  const inputs: number[][] = [];
  const targets: number[][] = [];
  const rng = new Rng(testSeed());
  for (let c = 0; c < 3; c++) {
    for (let i = 0; i < 8; i++) {
      inputs.push(Array.from({ length: 11 }, (_, k) => (k === i || k === 8 + c ? 1 : 0)));
      targets.push(Array.from({ length: 9 }, () => (rng.uniform() < 0.5 ? 1 : 0)));
    }
  }
  const base: RecordReluGatingOptions = { inputs, targets, hidden: 40, runs: 2, epochs: 200, lr: 0.5, initStd: 0.05, seed: 3, recordEpochs: [0, 100, 200] };
  const ref = await recordReluGating({ ...base, backend: 'js' });
  const got = await recordReluGating({ ...base, backend: 'cpu' });
  assert.ok(maxRel(got.summary.loss, ref.summary.loss) <= 1e-10);
  assert.deepEqual(got.rows(), ref.rows());
  assert.deepEqual(got.summary.activeFraction, ref.summary.activeFraction);
  got.dispose();
});

test('bad input is rejected with coded errors', { skip }, async () => {
  const task = randomTask(1, 6, 3, 2);
  const base: RecordReluGatingOptions = { ...task, hidden: 4, epochs: 5, lr: 0.1, initStd: 0.1, recordEpochs: [0] };
  const code = async (o: Partial<RecordReluGatingOptions>, expected: string) => {
    await assert.rejects(recordReluGating({ ...base, ...o }), (e: GdlnError) => e instanceof GdlnError && e.code === expected, expected);
  };
  const nan = task.inputs.map((r) => [...r]);
  nan[2][1] = NaN;
  await code({ inputs: nan }, 'GDLN_NON_FINITE');
  await code({ targets: task.targets.slice(1) }, 'GDLN_SHAPE_MISMATCH');
  await code({ inputs: new Float64Array(17), nSamples: 6 }, 'GDLN_SHAPE_MISMATCH');
  await code({ hidden: [2, 2, 2] as unknown as [number, number] }, 'GDLN_INVALID_ARGUMENT');
  await code({ recordEpochs: [6] }, 'GDLN_INVALID_ARGUMENT');
  await code({ initWeights: new Float64Array(3) }, 'GDLN_SHAPE_MISMATCH');
  await code({ lr: 1e9, initStd: 10, epochs: 50 }, 'GDLN_DIVERGED');
  const rec = await recordReluGating(base);
  rec.dispose();
  rec.dispose();
  assert.throws(() => rec.rows(), (e: GdlnError) => e.code === 'GDLN_DISPOSED');
  assert.throws(() => rec.rows({ runs: [5] }), (e: GdlnError) => e.code === 'GDLN_DISPOSED');
});

test('abort mid-run rejects with GDLN_ABORTED and no progress after settle', { skip }, async () => {
  const task = randomTask(2, 24, 11, 30);
  const controller = new AbortController();
  let events = 0;
  let settled = false;
  let late = 0;
  const run = recordReluGating({
    ...task,
    hidden: 300,
    runs: 8,
    epochs: 200000,
    lr: 1e-3,
    initStd: 1e-3,
    recordEpochs: [0],
    threads: 1,
    signal: controller.signal,
    onProgress: () => {
      events++;
      if (settled) late++;
      if (events === 2) controller.abort();
    },
    progressEvents: 2000,
  });
  await assert.rejects(run, (e: GdlnError) => e instanceof GdlnAbortError && e.code === 'GDLN_ABORTED');
  settled = true;
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(late, 0);
  assert.ok(events >= 2);
  // Already aborted: rejects at once.
  await assert.rejects(recordReluGating({ ...task, hidden: 3, epochs: 1, lr: 0, initStd: 0, recordEpochs: [], signal: AbortSignal.abort() }), (e: GdlnError) => e.code === 'GDLN_ABORTED');
});
