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
import { Graph } from '../../lib/graph/Graph.ts';
import { GatedDataset } from '../../lib/data/GatedDataset.ts';
import { initWeights } from '../../lib/init/initWeights.ts';
import { Rng } from '../../lib/init/rng.ts';
import { relativeError } from '../helpers/tolerance.ts';
import { reproducer, testSeed } from '../helpers/seed.ts';

const CASES = 12;

for (const loss of ['mse', 'softmaxCrossEntropy'] as const) {
  test(`reference gradient (${loss}) matches central finite differences on random gated DAGs`, () => {
    const seed = testSeed();
    for (let c = 0; c < CASES; c++) {
      // tanh / leaky relu / linear only: relu's kink at 0 makes finite differences ill-posed there.
      const { graph, data, weights, description } = randomDag(seed + c, { nonlinear: true, targets: loss === 'mse' ? 'gaussian' : 'probabilities' });
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

test('a routing graph with 10⁴ paths stays cheap: only active paths and pairs are visited', () => {
  // M = 100 input domains → shared h1 → h2 → M output domains: M² = 10⁴ paths, one active per sample.
  const M = 100;
  const K = 2;
  const nodes = [
    ...Array.from({ length: M }, (_, i) => ({ name: `in${i}`, size: 3 })),
    { name: 'h1', size: 4 },
    { name: 'h2', size: 4 },
    ...Array.from({ length: M }, (_, j) => ({ name: `out${j}`, size: 2 })),
  ];
  const edges = [
    ...Array.from({ length: M }, (_, i) => ({ from: `in${i}`, to: 'h1' })),
    { from: 'h1', to: 'h2' },
    ...Array.from({ length: M }, (_, j) => ({ from: 'h2', to: `out${j}` })),
  ];
  const graph = new Graph({ nodes, edges });
  assert.equal(graph.countPaths(), M * M);
  const N = M * K;
  const rng = new Rng(testSeed());
  const inputs: Record<string, Float64Array> = {};
  const targets: Record<string, Float64Array> = {};
  const edgeGates: Record<string, Float64Array> = {};
  for (let i = 0; i < M; i++) {
    inputs[`in${i}`] = Float64Array.from({ length: N * 3 }, () => rng.normal());
    targets[`out${i}`] = Float64Array.from({ length: N * 2 }, () => rng.normal());
    edgeGates[`in${i}->h1`] = new Float64Array(N);
    edgeGates[`h2->out${i}`] = new Float64Array(N);
  }
  for (let n = 0; n < N; n++) {
    const i = Math.floor(n / K);
    const j = (i + (n % K)) % M;
    edgeGates[`in${i}->h1`][n] = 1;
    edgeGates[`h2->out${j}`][n] = 1;
  }
  const data = new GatedDataset(graph, { inputs, targets, edgeGates });
  const weights = initWeights(graph, { seed: 3, scheme: { kind: 'xavier' } });
  const started = Date.now();
  const stats = pathStatistics(graph, data);
  const grad = pathSumGradient(stats, weights);
  const seconds = (Date.now() - started) / 1000;
  assert.equal(stats.sigmaYX.filter((m) => m !== null).length, M * K);
  assert.equal(stats.sigmaX.size, M * K); // each sample activates one path: only diagonal pairs
  const bp = referenceLossAndGradient(buildPlanModel(graph, data), weights.matrices, Array.from({ length: N }, (_, i) => i), 'mse');
  grad.matrices.forEach((g, e) => assert.ok(relativeError(g, bp.gradient[e]) < 1e-10, graph.edges[e].name));
  assert.ok(seconds < 30, `took ${seconds} s`);
});
