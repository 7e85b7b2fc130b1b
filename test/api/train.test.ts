/**
 * train() on the js reference: option validation, records, snapshots, groups,
 * minibatch order, momentum, progress and cancellation semantics. The native
 * backends must reproduce the same records (test/conformance).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Graph } from '../../lib/graph/Graph.ts';
import { GatedDataset } from '../../lib/data/GatedDataset.ts';
import { initWeights } from '../../lib/init/initWeights.ts';
import { lossAndGradient, train, type TrainOptions } from '../../lib/engine/train.ts';
import { GdlnAbortError, GdlnError } from '../../lib/errors.ts';
import { Rng } from '../../lib/init/rng.ts';

function problem(N = 10) {
  const graph = new Graph({
    nodes: [{ name: 'x', size: 3 }, { name: 'h', size: 4, activation: 'tanh' }, { name: 'y', size: 2 }],
    edges: [{ from: 'x', to: 'h' }, { from: 'h', to: 'y' }, { from: 'x', to: 'y' }],
  });
  const rng = new Rng(3);
  const data = new GatedDataset(graph, {
    inputs: { x: Float64Array.from({ length: N * 3 }, () => rng.normal()) },
    targets: { y: Float64Array.from({ length: N * 2 }, () => rng.normal()) },
    edgeGates: { 'x->y': Float64Array.from({ length: N }, (_, i) => i % 2) },
  });
  const weights = initWeights(graph, { seed: 5, scheme: { kind: 'xavier', gain: 1 } });
  return { graph, data, weights };
}

test('records at 0, every k and the last step; snapshots; final weights', async () => {
  const { graph, data, weights } = problem();
  const t = await train(graph, data, weights, { backend: 'js', steps: 25, lr: 0.1, recordEvery: 10, snapshots: [0, 7, 25] });
  assert.deepEqual(t.steps, [0, 10, 20, 25]);
  assert.equal(t.loss.length, 4);
  assert.deepEqual(t.snapshots.map((s) => s.step), [0, 7, 25]);
  assert.deepEqual(t.snapshots[0].weights.matrices, weights.matrices);
  assert.deepEqual(t.snapshots[2].weights.matrices, t.weights.matrices);
  assert.ok(t.loss[3] < t.loss[0]);
  // The loss recorded at step 0 is the full-dataset loss of the initial weights.
  assert.equal(t.loss[0], lossAndGradient(graph, data, weights, { backend: 'js' }).loss);
});

test('one full-batch step is W − lr ∂L/∂W; momentum follows PyTorch', async () => {
  const { graph, data, weights } = problem();
  const g0 = lossAndGradient(graph, data, weights, { backend: 'js' }).gradient;
  const one = await train(graph, data, weights, { backend: 'js', steps: 1, lr: 0.3 });
  one.weights.matrices.forEach((w, e) => w.forEach((x, k) => assert.ok(Math.abs(x - (weights.matrices[e][k] - 0.3 * g0.matrices[e][k])) < 1e-15)));
  const two = await train(graph, data, weights, { backend: 'js', steps: 2, lr: 0.3, momentum: 0.9 });
  const g1 = lossAndGradient(graph, data, one.weights, { backend: 'js' }).gradient;
  two.weights.matrices.forEach((w, e) =>
    w.forEach((x, k) => {
      const buf = 0.9 * g0.matrices[e][k] + g1.matrices[e][k];
      assert.ok(Math.abs(x - (one.weights.matrices[e][k] - 0.3 * buf)) < 1e-14);
    }),
  );
});

test('minibatch order is reproducible from the seed and differs across seeds', async () => {
  const { graph, data, weights } = problem(13);
  const opts: TrainOptions = { backend: 'js', steps: 9, lr: 0.05, batchSize: 4, seed: 11 };
  const a = await train(graph, data, weights, opts);
  const b = await train(graph, data, weights, opts);
  const c = await train(graph, data, weights, { ...opts, seed: 12 });
  assert.deepEqual(a.weights.matrices, b.weights.matrices);
  assert.notDeepEqual(a.weights.matrices, c.weights.matrices);
  // batchSize ≥ N is full batch.
  const full = await train(graph, data, weights, { backend: 'js', steps: 3, lr: 0.05 });
  const big = await train(graph, data, weights, { backend: 'js', steps: 3, lr: 0.05, batchSize: 100 });
  assert.deepEqual(full.weights.matrices, big.weights.matrices);
});

test('group losses are the mean loss over each group and average back to the total', async () => {
  const { graph, data, weights } = problem(10);
  const groups = Array.from({ length: 10 }, (_, i) => (i < 3 ? 'trained' : 'untrained'));
  const t = await train(graph, data, weights, { backend: 'js', steps: 5, lr: 0.1, groups });
  assert.deepEqual(Object.keys(t.groupLoss ?? {}), ['trained', 'untrained']);
  for (let r = 0; r < t.loss.length; r++) {
    const mix = (3 * (t.groupLoss?.trained[r] as number) + 7 * (t.groupLoss?.untrained[r] as number)) / 10;
    assert.ok(Math.abs(mix - t.loss[r]) < 1e-14);
  }
});

test('progress fires every progressEvery steps and never after settlement', async () => {
  const { graph, data, weights } = problem();
  const seen: number[] = [];
  await train(graph, data, weights, { backend: 'js', steps: 20, lr: 0.1, progressEvery: 5, onProgress: (p) => seen.push(p.step) });
  assert.deepEqual(seen, [5, 10, 15, 20]);
});

test('abort: an already-aborted signal and a mid-run abort reject with the partial trajectory', async () => {
  const { graph, data, weights } = problem(200);
  await assert.rejects(train(graph, data, weights, { backend: 'js', steps: 10, lr: 0.1, signal: AbortSignal.abort() }), (e: unknown) => e instanceof GdlnAbortError && e.code === 'GDLN_ABORTED');
  const controller = new AbortController();
  let after = 0;
  let settled = false;
  const run = train(graph, data, weights, {
    backend: 'js', steps: 1_000_000, lr: 0.01, recordEvery: 1000, progressEvery: 1, signal: controller.signal,
    onProgress: () => { if (settled) after++; },
  });
  setTimeout(() => controller.abort(), 50);
  await assert.rejects(run, (e: unknown) => {
    assert.ok(e instanceof GdlnAbortError);
    const partial = e.partial as { stepsDone: number; steps: number[] };
    assert.ok(partial.stepsDone > 0 && partial.stepsDone < 1_000_000);
    assert.equal(partial.steps[partial.steps.length - 1], partial.stepsDone);
    return true;
  });
  settled = true;
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(after, 0);
});

const badOptions: [string, Partial<TrainOptions>, RegExp][] = [
  ['zero lr', { lr: 0 }, /lr/],
  ['negative lr', { lr: -1 }, /lr/],
  ['NaN lr', { lr: NaN }, /lr/],
  ['fractional steps', { steps: 1.5 }, /steps/],
  ['negative steps', { steps: -1 }, /steps/],
  ['momentum 1', { momentum: 1 }, /momentum/],
  ['batch size 0', { batchSize: 0 }, /batchSize/],
  ['recordEvery 0', { recordEvery: 0 }, /recordEvery/],
  ['snapshot beyond steps', { snapshots: [11] }, /snapshots/],
  ['unknown loss', { loss: 'hinge' as never }, /loss/],
  ['unknown backend', { backend: 'tpu' as never }, /backend/],
  ['unknown dtype', { dtype: 'float16' as never }, /dtype/],
  ['groups of wrong length', { groups: [1, 2] }, /groups/],
];
for (const [name, patch, message] of badOptions) {
  test(`bad train option: ${name}`, async () => {
    const { graph, data, weights } = problem();
    await assert.rejects(train(graph, data, weights, { backend: 'js', steps: 10, lr: 0.1, ...patch }), (e: unknown) => {
      assert.ok(e instanceof GdlnError, String(e));
      assert.match(e.message, message);
      return true;
    });
  });
}

test('js backend refuses float32 with a typed error', async () => {
  const { graph, data, weights } = problem();
  await assert.rejects(train(graph, data, weights, { backend: 'js', dtype: 'float32', steps: 1, lr: 0.1 }), (e: unknown) => e instanceof GdlnError && e.code === 'GDLN_UNSUPPORTED');
});

test('divergence stops the run with GDLN_DIVERGED', async () => {
  const { graph, data, weights } = problem();
  await assert.rejects(train(graph, data, weights, { backend: 'js', steps: 200, lr: 1e6 }), (e: unknown) => e instanceof GdlnError && e.code === 'GDLN_DIVERGED');
});

test('concurrency() reads and sets the native pool size; results do not depend on it', async () => {
  const { concurrency } = await import('../../lib/engine/concurrency.ts');
  const { backendStatus } = await import('../../lib/backends/index.ts');
  assert.throws(() => concurrency(-1), (e: unknown) => e instanceof GdlnError && /threads/.test(e.message));
  if (!backendStatus().find((s) => s.name === 'cpu')?.available) return;
  const { graph, data, weights } = problem(50);
  const before = concurrency();
  try {
    assert.equal(concurrency(1), 1);
    const one = await train(graph, data, weights, { backend: 'cpu', steps: 20, lr: 0.05 });
    assert.equal(concurrency(2), 2);
    const two = await train(graph, data, weights, { backend: 'cpu', steps: 20, lr: 0.05 });
    assert.deepEqual(one.weights.matrices, two.weights.matrices); // fixed partitioning: bitwise equal
  } finally {
    concurrency(before);
  }
});
