/**
 * One conformance suite, run against every native backend: forward activations,
 * gradients (both losses) and 50-step trajectories (full batch, and minibatch
 * SGD with momentum, weight decay, groups and snapshots) must agree with the
 * float64 js reference on fresh random gated DAGs (relu / leaky / tanh nodes,
 * edge, node and per-neuron gates, skip and parallel edges, several inputs and
 * outputs). Tolerances: test/helpers/tolerance.ts. A backend missing on this
 * machine is skipped with its reason printed.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { forward, lossAndGradient, train, type TrainOptions } from '../../lib/engine/train.ts';
import { GdlnError } from '../../lib/errors.ts';
import { randomDag } from '../helpers/randomDag.ts';
import { derivativeTolerance, relativeError, tanhConditioning, TOLERANCE } from '../helpers/tolerance.ts';
import { reproducer, testSeed } from '../helpers/seed.ts';
import { backendsUnderTest, DTYPES, skipUnlessAvailable } from '../helpers/backendsUnderTest.ts';

const CASES = Number(process.env.GDLN_CONFORMANCE_CASES ?? 25);

for (const b of backendsUnderTest()) {
  for (const dtype of DTYPES) {
    describe(`conformance: ${b.name} ${dtype} vs js float64`, { skip: skipUnlessAvailable(b) }, () => {
      const tol = TOLERANCE[dtype];
      test('backend is available (required by GDLN_REQUIRE_BACKENDS)', { skip: b.required ? false : 'not required here' }, () => {
        assert.ok(b.available, `${b.name} is required but unavailable: ${b.reason}`);
      });

      test('forward activations of every node', () => {
        const seed = testSeed();
        for (let c = 0; c < CASES; c++) {
          const { graph, data, weights, description } = randomDag(seed + c);
          const ref = forward(graph, data, weights, { backend: 'js' });
          const got = forward(graph, data, weights, { backend: b.name, dtype });
          for (const n of graph.nodes) {
            const err = relativeError(got[n.name], ref[n.name]);
            assert.ok(err <= tol, `node ${n.name}: rel err ${err} > ${tol} (case ${c}: ${description}; ${reproducer(seed)})`);
          }
        }
      });

      for (const loss of ['mse', 'softmaxCrossEntropy'] as const) {
        test(`loss and gradient (${loss})`, () => {
          const seed = testSeed();
          for (let c = 0; c < CASES; c++) {
            const { graph, data, weights, description } = randomDag(seed + c, { targets: loss === 'mse' ? 'gaussian' : 'probabilities' });
            const ref = lossAndGradient(graph, data, weights, { backend: 'js', loss });
            const got = lossAndGradient(graph, data, weights, { backend: b.name, dtype, loss });
            const where = `(case ${c}: ${description}; ${reproducer(seed)})`;
            // Through a saturated tanh float32 derivatives lose digits in 1 − h² (test/helpers/tolerance.ts).
            const dtol = derivativeTolerance(dtype, tanhConditioning(graph, forward(graph, data, weights, { backend: 'js' })));
            assert.ok(relativeError([got.loss], [ref.loss]) <= tol, `loss ${got.loss} vs ${ref.loss} ${where}`);
            graph.edges.forEach((e) => {
              const err = relativeError(got.gradient.matrices[e.index], ref.gradient.matrices[e.index]);
              assert.ok(err <= dtol, `edge ${e.name}: rel err ${err} > ${dtol} ${where}`);
            });
          }
        });
      }

      const runs: [string, Partial<TrainOptions>][] = [
        ['full batch', { lr: 0.05 }],
        ['minibatch SGD + momentum + weight decay', { lr: 0.01, batchSize: 3, momentum: 0.8, weightDecay: 1e-3, seed: 17 }],
        ['softmax cross-entropy', { lr: 0.05, loss: 'softmaxCrossEntropy' }],
      ];
      for (const [name, extra] of runs) {
        test(`50-step trajectory: ${name}`, async () => {
          const seed = testSeed();
          for (let c = 0; c < Math.ceil(CASES / 3); c++) {
            // Cross-entropy needs probability targets; with Gaussian ones it is unbounded below.
            const { graph, data, weights, description } = randomDag(seed + c, { targets: extra.loss === 'softmaxCrossEntropy' ? 'probabilities' : 'gaussian' });
            const groups = Array.from({ length: data.nSamples }, (_, i) => i % 3);
            const opts: TrainOptions = { steps: 50, lr: 0.05, recordEvery: 7, snapshots: [0, 13, 50], groups, ...extra };
            const where = `(case ${c}: ${description}; ${reproducer(seed)})`;
            let ref: Awaited<ReturnType<typeof train>>;
            try {
              ref = await train(graph, data, weights, { ...opts, backend: 'js' });
            } catch (err) {
              // A random graph can blow up at this lr (the reference says so with GDLN_DIVERGED):
              // then the backend must diverge too, not return numbers.
              if (!(err instanceof GdlnError && err.code === 'GDLN_DIVERGED')) throw err;
              await assert.rejects(train(graph, data, weights, { ...opts, backend: b.name, dtype }), (e: unknown) => e instanceof GdlnError && e.code === 'GDLN_DIVERGED', `reference diverged but ${b.name} did not ${where}`);
              continue;
            }
            const got = await train(graph, data, weights, { ...opts, backend: b.name, dtype });
            // Saturated tanh anywhere on the way widens float32's bound (test/helpers/tolerance.ts).
            const kappa = Math.max(...[weights, ...ref.snapshots.map((s) => s.weights)].map((w) => tanhConditioning(graph, forward(graph, data, w, { backend: 'js' }))));
            const dtol = derivativeTolerance(dtype, kappa);
            assert.deepEqual(got.steps, ref.steps, where);
            assert.ok(relativeError(got.loss, ref.loss) <= dtol, `loss curve: rel err ${relativeError(got.loss, ref.loss)} ${where}`);
            for (const g of Object.keys(ref.groupLoss ?? {})) {
              const err = relativeError(got.groupLoss?.[g] ?? [], ref.groupLoss?.[g] ?? [NaN]);
              assert.ok(err <= dtol, `group ${g} loss: rel err ${err} ${where}`);
            }
            assert.deepEqual(got.snapshots.map((s) => s.step), ref.snapshots.map((s) => s.step));
            got.snapshots.forEach((s, k) =>
              s.weights.matrices.forEach((w, e) => {
                const err = relativeError(w, ref.snapshots[k].weights.matrices[e]);
                assert.ok(err <= dtol, `snapshot ${s.step} edge ${graph.edges[e].name}: rel err ${err} > ${dtol} ${where}`);
              }),
            );
          }
        });
      }
    });
  }
}
