/**
 * The float64 reference's gradients against two independent definitions:
 * central finite differences of its own loss, and the path-sum formula of
 * eq. 3 (which must equal backprop to rounding for linear nodes and scalar gates).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildPlanModel } from '../../lib/engine/Plan.ts';
import { referenceLoss, referenceLossAndGradient } from '../../lib/backends/js/reference.ts';
import { pathStatistics, pathSumGradient } from '../../lib/analyses/pathStatistics.ts';
import { randomDag } from '../helpers/randomDag.ts';
import { relativeError } from '../helpers/tolerance.ts';
import { reproducer, testSeed } from '../helpers/seed.ts';

const CASES = 12;

for (const loss of ['mse', 'softmaxCrossEntropy'] as const) {
  test(`reference gradient (${loss}) matches central finite differences on random gated DAGs`, () => {
    const seed = testSeed();
    for (let c = 0; c < CASES; c++) {
      // tanh / leaky relu / linear only: relu's kink at 0 makes finite differences ill-posed there.
      const { graph, data, weights, description } = randomDag(seed + c, { nonlinear: true });
      const model = buildPlanModel(graph, data);
      if (graph.nodes.some((n) => n.activation === 'relu')) continue;
      const all = Array.from({ length: data.nSamples }, (_, i) => i);
      const { gradient } = referenceLossAndGradient(model, weights.matrices, all, loss);
      const h = 1e-6;
      weights.matrices.forEach((w, e) => {
        const fd = new Float64Array(w.length);
        for (let k = 0; k < w.length; k++) {
          const keep = w[k];
          w[k] = keep + h;
          const up = referenceLoss(model, weights.matrices, all, loss);
          w[k] = keep - h;
          const down = referenceLoss(model, weights.matrices, all, loss);
          w[k] = keep;
          fd[k] = (up - down) / (2 * h);
        }
        // Central differences: truncation O(h²) plus rounding O(ε/h) ≈ 1e-10 absolute.
        const err = relativeError(gradient[e], fd);
        const scale = Math.sqrt(fd.reduce((a, x) => a + x * x, 0));
        assert.ok(err < 1e-6 || err * scale < 1e-8, `edge ${graph.edges[e].name}: rel err ${err} (case ${c}: ${description}; ${reproducer(seed)})`);
      });
    }
  });
}

test('path-sum gradient (eq. 3) equals the backprop gradient on random linear gated DAGs', () => {
  const seed = testSeed();
  for (let c = 0; c < 20; c++) {
    const { graph, data, weights, description } = randomDag(seed + c, { nonlinear: false, perNeuronGates: false });
    const model = buildPlanModel(graph, data);
    const all = Array.from({ length: data.nSamples }, (_, i) => i);
    const bp = referenceLossAndGradient(model, weights.matrices, all, 'mse');
    const ps = pathSumGradient(pathStatistics(graph, data), weights);
    ps.matrices.forEach((g, e) => {
      const err = relativeError(g, bp.gradient[e]);
      assert.ok(err < 1e-10, `edge ${graph.edges[e].name}: rel err ${err} (case ${c}: ${description}; ${reproducer(seed)})`);
    });
  }
});

test('path statistics skip paths and pairs never active together', () => {
  const seed = testSeed();
  const { graph, data } = randomDag(seed, { nonlinear: false, perNeuronGates: false, binaryGates: true });
  const stats = pathStatistics(graph, data);
  stats.paths.forEach((_, p) => {
    assert.equal(stats.sigmaYX[p] === null, stats.activeCount[p] === 0, reproducer(seed));
  });
  for (const key of stats.sigmaX.keys()) {
    const [j, p] = key.split(',').map(Number);
    assert.ok(stats.activeCount[j] > 0 && stats.activeCount[p] > 0, reproducer(seed));
    assert.equal(graph.pathTarget(stats.paths[j]), graph.pathTarget(stats.paths[p]));
  }
});
