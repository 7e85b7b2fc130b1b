/**
 * The native addon's JS contract (lib/backends/native/binding.ts) and the cpu
 * Backend adapter on top of it: results, the async train (progress, cancel,
 * AbortSignal, keep-alive), coded errors for bad input (never a crash), and
 * worker_threads. Models are built by hand in the NativeModel shape.
 *
 * When the addon is not built every test is skipped with the loader's reason
 * (the paths it tried and how to build), printed as a diagnostic.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { Worker } from 'node:worker_threads';
import { GdlnError } from '../../lib/errors.ts';
import type { NativeBinding, NativeModel, NativeTrainOptions } from '../../lib/backends/native/binding.ts';
import { loadNative } from '../../lib/backends/native/loader.ts';
import { createNativeBackend } from '../../lib/backends/native/nativeBackend.ts';

const native = loadNative();
let explained = false;

/** A test that needs the addon; skipped, with the reason printed, when it is missing. */
function nativeTest(name: string, fn: (t: TestContext, binding: NativeBinding, path: string) => unknown, timeout = 30_000) {
  test(name, { timeout }, async (t) => {
    if ('error' in native) {
      // The full explanation (every path tried, how to build) once per file.
      if (!explained) for (const line of native.error.message.split('\n')) t.diagnostic(line);
      explained = true;
      const attempts = (native.error.details.attempts ?? []) as { path: string; reason: string }[];
      t.skip(`native addon unavailable (${attempts.map((a) => `${a.path}: ${a.reason}`).join('; ')})`);
      return;
    }
    await fn(t, native.binding, native.path);
  });
}

const f64 = (...v: number[]) => Float64Array.from(v);
const i32 = (...v: number[]) => Int32Array.from(v);

/** x(2) -> y(1), linear, N = 2: x = I, y = [1, 2]. */
function twoNode(): NativeModel {
  return {
    nodeSize: i32(2, 1),
    activation: i32(0, 0),
    activationParam: f64(0, 0),
    edgeSource: i32(0),
    edgeTarget: i32(1),
    nSamples: 2,
    inputs: [f64(1, 0, 0, 1), null],
    targets: [null, f64(1, 2)],
    edgeGates: [null],
    nodeGateMode: i32(0, 0),
    nodeGates: [null, null],
  };
}
const twoNodeWeights = () => [f64(0.5, -1)];

/** x(8) -> h(16, tanh) -> y(4) with deterministic pseudo-random data: slow enough to cancel. */
function wide(N = 64): { model: NativeModel; weights: Float64Array[] } {
  const wave = (n: number, k: number) => Float64Array.from({ length: n }, (_, i) => Math.sin(1.7 * i + k) * 0.5);
  return {
    model: {
      nodeSize: i32(8, 16, 4),
      activation: i32(0, 3, 0),
      activationParam: f64(0, 0, 0),
      edgeSource: i32(0, 1),
      edgeTarget: i32(1, 2),
      nSamples: N,
      inputs: [wave(N * 8, 1), null, null],
      targets: [null, null, wave(N * 4, 2)],
      edgeGates: [null, null],
      nodeGateMode: i32(0, 0, 0),
      nodeGates: [null, null, null],
    },
    weights: [wave(16 * 8, 3), wave(4 * 16, 4)],
  };
}

function trainOptions(over: Partial<NativeTrainOptions> = {}): NativeTrainOptions {
  return {
    backend: 'cpu', dtype: 'float64', loss: 'mse', steps: 1000, lr: 0.1, momentum: 0, weightDecay: 0,
    batchSize: 0, seed: 1, recordEvery: 100, snapshotSteps: [], groups: null, nGroups: 0, progressEvery: 0,
    ...over,
  };
}

const cpu = { backend: 'cpu', dtype: 'float64' } as const;

/** Asserts fn throws (or rejects with) an error carrying `code` and naming `mentions`. */
async function assertCode(fn: () => unknown, code: string, mentions?: RegExp) {
  await assert.rejects(async () => fn(), (err: unknown) => {
    const e = err as { code?: string; message?: string };
    assert.equal(e.code, code, `expected ${code}, got ${e.code}: ${e.message}`);
    if (mentions) assert.match(e.message ?? '', mentions);
    return true;
  });
}

const ticks = async (n: number) => {
  for (let i = 0; i < n; i++) await new Promise((r) => setImmediate(r));
};

nativeTest('buildInfo and setThreads', (_t, b) => {
  const info = b.buildInfo();
  assert.equal(typeof info.version, 'string');
  assert.equal(typeof info.cudaBuilt, 'boolean');
  assert.ok(info.defaultThreads >= 1);
  assert.equal(b.setThreads(2), 2);
  assert.ok(b.setThreads(0) >= 1);
  assert.throws(() => b.setThreads(-1), { code: 'GDLN_INVALID_ARGUMENT' });
  assert.throws(() => b.setThreads(1.5), { code: 'GDLN_INVALID_ARGUMENT' });
});

nativeTest('forward on a 2-node graph: h_y = W x', (_t, b) => {
  const out = b.forward(twoNode(), twoNodeWeights(), cpu);
  assert.equal(out.length, 2);
  assert.deepEqual(out[0], f64(1, 0, 0, 1)); // input node: h = x
  assert.deepEqual(out[1], f64(0.5, -1));
  const out32 = b.forward(twoNode(), twoNodeWeights(), { backend: 'cpu', dtype: 'float32' });
  out32[1].forEach((v, i) => assert.ok(Math.abs(v - out[1][i]) < 1e-6));
});

nativeTest('edge and node gates reach the engine', (_t, b) => {
  const gated = { ...twoNode(), edgeGates: [f64(1, 0)] };
  assert.deepEqual(b.forward(gated, twoNodeWeights(), cpu)[1], f64(0.5, 0));
  const nodeGated = { ...twoNode(), nodeGateMode: i32(0, 1), nodeGates: [null, f64(2, 1)] };
  assert.deepEqual(b.forward(nodeGated, twoNodeWeights(), cpu)[1], f64(1, -1));
});

nativeTest('lossAndGradient matches the hand computation', (_t, b) => {
  // L = 1/(2N) Σ (y - Wx)² = ((0.5-1)² + (-1-2)²)/4; dL/dW = -(1/N) Σ (y - Wx) xᵀ.
  const { loss, gradient } = b.lossAndGradient(twoNode(), twoNodeWeights(), { ...cpu, loss: 'mse' });
  assert.ok(Math.abs(loss - 2.3125) < 1e-12);
  assert.ok(Math.abs(gradient[0][0] - -0.25) < 1e-12);
  assert.ok(Math.abs(gradient[0][1] - -1.5) < 1e-12);
});

nativeTest('train: 1000 steps with ordered progress, none after settlement', async (_t, b) => {
  const steps: number[] = [];
  let settled = false;
  let late = 0;
  const handle = b.train(twoNode(), twoNodeWeights(), trainOptions({ progressEvery: 100, snapshotSteps: [0, 1000] }), (step, loss) => {
    if (settled) late++;
    assert.ok(Number.isFinite(loss));
    steps.push(step);
  });
  const t = await handle.promise.finally(() => (settled = true));
  await ticks(5);
  assert.equal(late, 0);
  assert.ok(steps.length > 0, 'at least one progress event');
  steps.forEach((s, i) => {
    assert.equal(s % 100, 0);
    if (i > 0) assert.ok(s > steps[i - 1], 'progress in order');
  });
  assert.equal(t.stepsDone, 1000);
  assert.equal(t.cancelled, false);
  assert.deepEqual([...t.lossSteps], [0, 100, 200, 300, 400, 500, 600, 700, 800, 900, 1000]);
  assert.ok(t.loss[t.loss.length - 1] < 1e-10 * t.loss[0]);
  assert.ok(Math.abs(t.weights[0][0] - 1) < 1e-6 && Math.abs(t.weights[0][1] - 2) < 1e-6);
  assert.deepEqual([...t.snapshotSteps], [0, 1000]);
  assert.deepEqual(t.snapshots[0], twoNodeWeights());
  handle.cancel(); // after settlement: harmless
  handle.cancel();
});

nativeTest('train copies its inputs: transferring them right after the call is safe', async (_t, b) => {
  const weights = twoNodeWeights();
  const model = twoNode();
  const handle = b.train(model, weights, trainOptions({ steps: 200 }), null);
  structuredClone([weights[0].buffer, model.inputs[0]!.buffer], { transfer: [weights[0].buffer, model.inputs[0]!.buffer] });
  const t = await handle.promise;
  assert.equal(t.stepsDone, 200);
  assert.equal(weights[0].length, 0); // really detached
});

nativeTest('cancel via AbortSignal.timeout stops a long run at a step boundary', async (_t, b) => {
  const { model, weights } = wide();
  const backend = createNativeBackend('cpu');
  const started = Date.now();
  const raw = await backend.trainSteps(model, weights, trainOptions({ steps: 1e9, lr: 1e-3, recordEvery: 1000 }), {
    signal: AbortSignal.timeout(50),
  });
  assert.equal(raw.cancelled, true);
  assert.ok(raw.stepsDone > 0 && raw.stepsDone < 1e9);
  assert.equal(raw.lossSteps[raw.lossSteps.length - 1], raw.stepsDone, 'a final record where it stopped');
  assert.ok(Date.now() - started < 10_000);
});

nativeTest('an already-aborted signal never starts the run', async (_t) => {
  const backend = createNativeBackend('cpu');
  const weights = twoNodeWeights();
  let progress = 0;
  const raw = await backend.trainSteps(twoNode(), weights, trainOptions({ progressEvery: 1, snapshotSteps: [0] }), {
    signal: AbortSignal.abort(),
    onProgress: () => progress++,
  });
  assert.equal(raw.cancelled, true);
  assert.equal(raw.stepsDone, 0);
  assert.deepEqual(raw.weights, weights);
  assert.notEqual(raw.weights[0], weights[0], 'a copy, not the caller’s array');
  assert.deepEqual([...raw.snapshotSteps], [0]);
  assert.equal(progress, 0);
});

nativeTest('a throwing onProgress stops the run and rejects with that error', async (_t, b) => {
  const boom = new Error('boom');
  const backend = createNativeBackend('cpu');
  await assert.rejects(
    backend.trainSteps(twoNode(), twoNodeWeights(), trainOptions({ steps: 1e6, progressEvery: 10 }), {
      onProgress: () => {
        throw boom;
      },
    }),
    (err) => err === boom,
  );
  // The raw binding keeps even a non-Error value.
  await assert.rejects(
    b.train(twoNode(), twoNodeWeights(), trainOptions({ steps: 1e6, progressEvery: 10 }), () => {
      throw 42;
    }).promise,
    (err) => err === 42,
  );
});

nativeTest('bad input gives coded errors, never a crash', async (_t, b) => {
  const w = twoNodeWeights();
  const fwd = (model: unknown, weights: unknown = w, options: unknown = cpu) =>
    b.forward(model as NativeModel, weights as Float64Array[], options as typeof cpu);
  // Wrong types, named.
  await assertCode(() => fwd(null), 'GDLN_INVALID_ARGUMENT', /model/);
  await assertCode(() => fwd({ ...twoNode(), nodeSize: [2, 1] }), 'GDLN_INVALID_ARGUMENT', /model\.nodeSize.*array\(2\)/);
  await assertCode(() => fwd({ ...twoNode(), nSamples: '2' }), 'GDLN_INVALID_ARGUMENT', /model\.nSamples/);
  await assertCode(() => fwd({ ...twoNode(), inputs: [new Float32Array(4), null] }), 'GDLN_INVALID_ARGUMENT', /model\.inputs\[0\].*Float32Array/);
  await assertCode(() => fwd({ ...twoNode(), activation: i32(0, 9) }), 'GDLN_INVALID_ARGUMENT', /model\.activation\[1\]/);
  await assertCode(() => fwd(twoNode(), [new Float32Array(2)]), 'GDLN_INVALID_ARGUMENT', /weights\[0\]/);
  await assertCode(() => fwd(twoNode(), w, { backend: 'cpu', dtype: 'float16' }), 'GDLN_INVALID_ARGUMENT', /options\.dtype/);
  await assertCode(() => fwd(twoNode(), w, { backend: 'tpu', dtype: 'float64' }), 'GDLN_INVALID_ARGUMENT', /options\.backend/);
  // Wrong lengths: per-node lists (binding) and data sizes (core).
  await assertCode(() => fwd({ ...twoNode(), activation: i32(0) }), 'GDLN_SHAPE_MISMATCH', /model\.activation/);
  await assertCode(() => fwd({ ...twoNode(), inputs: [f64(1, 0, 0)] }), 'GDLN_SHAPE_MISMATCH', /model\.inputs/);
  await assertCode(() => fwd({ ...twoNode(), inputs: [f64(1, 0, 0), null] }), 'GDLN_SHAPE_MISMATCH');
  await assertCode(() => fwd(twoNode(), [f64(1, 2, 3)]), 'GDLN_SHAPE_MISMATCH');
  await assertCode(() => fwd(twoNode(), []), 'GDLN_SHAPE_MISMATCH');
  // Non-finite data.
  await assertCode(() => fwd({ ...twoNode(), inputs: [f64(NaN, 0, 0, 1), null] }), 'GDLN_NON_FINITE');
  // A detached buffer (transferred away) is named, not read as empty.
  const gone = f64(1, 0, 0, 1);
  structuredClone(gone.buffer, { transfer: [gone.buffer] });
  await assertCode(() => fwd({ ...twoNode(), inputs: [gone, null] }), 'GDLN_INVALID_ARGUMENT', /model\.inputs\[0\].*detached/);
  // Train options: checked before the run starts (thrown synchronously by the binding).
  const train = (over: Record<string, unknown>, cb: unknown = null) =>
    b.train(twoNode(), w, { ...trainOptions(), ...over } as NativeTrainOptions, cb as null);
  await assertCode(() => train({ lr: NaN }), 'GDLN_INVALID_ARGUMENT', /options\.lr.*NaN/);
  await assertCode(() => train({ steps: 1.5 }), 'GDLN_INVALID_ARGUMENT', /options\.steps/);
  await assertCode(() => train({ recordEvery: 0 }), 'GDLN_INVALID_ARGUMENT', /options\.recordEvery/);
  await assertCode(() => train({ seed: -1 }), 'GDLN_INVALID_ARGUMENT', /options\.seed/);
  await assertCode(() => train({ groups: [0, 1] }), 'GDLN_INVALID_ARGUMENT', /options\.groups/);
  await assertCode(() => train({}, 'not a function'), 'GDLN_INVALID_ARGUMENT', /onProgress/);
  // Errors found by the engine during a run reject the promise with their code.
  await assertCode(() => train({ lr: 1e6 }).promise, 'GDLN_DIVERGED');
  // The Backend adapter turns them into GdlnErrors with the same code.
  const backend = createNativeBackend('cpu');
  await assert.rejects(
    backend.trainSteps({ ...twoNode(), activation: i32(0) }, w, trainOptions(), {}),
    (err) => err instanceof GdlnError && err.code === 'GDLN_SHAPE_MISMATCH',
  );
  assert.throws(() => backend.forward(twoNode(), [], 'float64'), (err) => err instanceof GdlnError && err.code === 'GDLN_SHAPE_MISMATCH');
  // Still alive and correct afterwards.
  assert.deepEqual(fwd(twoNode())[1], f64(0.5, -1));
});

nativeTest('supports(): cpu everything, cuda nothing yet', () => {
  const backend = createNativeBackend('cpu');
  for (const k of ['forward', 'lossAndGradient', 'trainSteps'] as const) {
    assert.equal(backend.supports(k, 'float64'), true);
    assert.equal(backend.supports(k, 'float32'), true);
  }
  assert.equal(createNativeBackend('cuda').supports('forward', 'float64'), false);
});

nativeTest('a run keeps the process alive until it settles, then lets it exit', (_t, _b, path) => {
  // Nothing but the native run is pending in the child: if the run did not hold
  // the event loop, the child would exit before printing.
  const child = `
    const b = require(process.env.ADDON);
    const f = (...v) => Float64Array.from(v), i = (...v) => Int32Array.from(v);
    const model = { nodeSize: i(2, 1), activation: i(0, 0), activationParam: f(0, 0), edgeSource: i(0), edgeTarget: i(1),
      nSamples: 2, inputs: [f(1, 0, 0, 1), null], targets: [null, f(1, 2)], edgeGates: [null], nodeGateMode: i(0, 0), nodeGates: [null, null] };
    const o = { backend: 'cpu', dtype: 'float64', loss: 'mse', steps: 200000, lr: 1e-4, momentum: 0, weightDecay: 0, batchSize: 0,
      seed: 1, recordEvery: 100000, snapshotSteps: [], groups: null, nGroups: 0, progressEvery: 0 };
    b.train(model, [f(0.5, -1)], o, null).promise.then((t) => console.log('settled', t.stepsDone));`;
  const r = spawnSync(process.execPath, ['-e', child], { env: { ...process.env, ADDON: path }, encoding: 'utf8', timeout: 20_000 });
  assert.equal(r.error, undefined, 'the child exited by itself (no hang)');
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout.trim(), 'settled 200000');
});

nativeTest('worker_threads: the addon runs in workers, and terminating one mid-run is safe', async (_t, b, path) => {
  const code = `
    const { parentPort, workerData } = require('node:worker_threads');
    const b = require(workerData.path);
    const f = (...v) => Float64Array.from(v), i = (...v) => Int32Array.from(v);
    const model = { nodeSize: i(2, 1), activation: i(0, 0), activationParam: f(0, 0), edgeSource: i(0), edgeTarget: i(1),
      nSamples: 2, inputs: [f(1, 0, 0, 1), null], targets: [null, f(1, 2)], edgeGates: [null], nodeGateMode: i(0, 0), nodeGates: [null, null] };
    const o = { backend: 'cpu', dtype: 'float64', loss: 'mse', steps: workerData.steps, lr: 1e-6, momentum: 0, weightDecay: 0,
      batchSize: 0, seed: 1, recordEvery: 1000, snapshotSteps: [], groups: null, nGroups: 0, progressEvery: 1000 };
    b.setThreads(1);
    const y = b.forward(model, [f(0.5, -1)], { backend: 'cpu', dtype: 'float64' })[1];
    const run = b.train(model, [f(0.5, -1)], o, () => {});
    parentPort.postMessage({ y: Array.from(y) });
    run.promise.then((t) => parentPort.postMessage({ stepsDone: t.stepsDone }));`;
  const spawn = (steps: number) => new Worker(code, { eval: true, workerData: { path, steps } });

  // Two workers at once, each with its own addon instance.
  const done = await Promise.all(
    [spawn(500), spawn(500)].map(async (w) => {
      const msgs: unknown[] = [];
      w.on('message', (m) => msgs.push(m));
      await once(w, 'exit');
      return msgs;
    }),
  );
  for (const msgs of done) assert.deepEqual(msgs, [{ y: [0.5, -1] }, { stepsDone: 500 }]);

  // Terminate a worker while its run is in flight: the run is cancelled and
  // joined during teardown; this process carries on.
  const doomed = spawn(1e9);
  await once(doomed, 'message');
  await new Promise((r) => setTimeout(r, 50));
  await doomed.terminate();
  assert.deepEqual(b.forward(twoNode(), twoNodeWeights(), cpu)[1], f64(0.5, -1));
});
