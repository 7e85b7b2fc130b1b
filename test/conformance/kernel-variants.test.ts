/**
 * Conformance cases that steer the native kernels into their optimised variants, against the
 * float64 js reference, in float64 and float32:
 *   - shared prefixes (native/cpu/plan.h): samples with identical inputs and identical active
 *     sub-paths share a node's activation (routing as the authors batch it, W1b; and random
 *     DAGs whose samples are copies of each other up to some node), in full batch and minibatches;
 *   - the per-row path of the same problems (all inputs distinct);
 *   - wide layers with a small batch (bench W2: two linear pathways of width 300, batch 8, and a
 *     gated, non-linear relative): column-split GEMMs and, in plain-SGD training, the fused
 *     backward + update (native/cpu/fused_update.h), full batch and minibatches.
 * Tolerances: test/helpers/tolerance.ts.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { GatedDataset } from '../../lib/data/GatedDataset.ts';
import { Graph } from '../../lib/graph/Graph.ts';
import { WeightSet } from '../../lib/engine/WeightSet.ts';
import { lossAndGradient, train, type TrainOptions } from '../../lib/engine/train.ts';
import { initPathways, parallelPathways, pathwayDataset } from '../../lib/data/pathways.ts';
import { relativeError, TOLERANCE } from '../helpers/tolerance.ts';
import { backendsUnderTest, DTYPES, skipUnlessAvailable } from '../helpers/backendsUnderTest.ts';

/** Small W1-style routing: M domains, K routes each, S samples per route; shared = same S images on every route. */
function routing(M: number, K: number, S: number, shared: boolean, seed: number) {
  const D = 6;
  const H = 5;
  const C = 3;
  let a = seed >>> 0;
  const rnd = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296 - 0.5;
  };
  const graph = new Graph({
    nodes: [
      ...Array.from({ length: M }, (_, m) => ({ name: `in${m}`, size: D })),
      { name: 'h1', size: H, activation: 'tanh' as const },
      { name: 'h2', size: H },
      ...Array.from({ length: M }, (_, j) => ({ name: `out${j}`, size: C })),
    ],
    edges: [
      ...Array.from({ length: M }, (_, m) => ({ from: `in${m}`, to: 'h1' })),
      { from: 'h1', to: 'h2' },
      ...Array.from({ length: M }, (_, j) => ({ from: 'h2', to: `out${j}` })),
    ],
  });
  const N = M * K * S;
  const images = Array.from({ length: S * D }, rnd);
  const inputs: Record<string, Float64Array> = {};
  const targets: Record<string, Float64Array> = {};
  const edgeGates: Record<string, Float64Array> = {};
  for (let m = 0; m < M; m++) {
    inputs[`in${m}`] = new Float64Array(N * D);
    targets[`out${m}`] = new Float64Array(N * C);
    edgeGates[`in${m}->h1`] = new Float64Array(N);
    edgeGates[`h2->out${m}`] = new Float64Array(N);
  }
  let n = 0;
  for (let i = 0; i < M; i++) {
    for (let k = 0; k < K; k++) {
      for (let s = 0; s < S; s++, n++) {
        const j = (i + k) % M;
        const x = inputs[`in${i}`];
        for (let d = 0; d < D; d++) x[n * D + d] = shared ? images[s * D + d] : rnd();
        for (let c = 0; c < C; c++) targets[`out${j}`][n * C + c] = rnd();
        // A non-unit gate on some encoders: equal gates still share, unequal ones must not.
        edgeGates[`in${i}->h1`][n] = i % 2 === 0 ? 1 : 0.5 + (k % 2);
        edgeGates[`h2->out${j}`][n] = 1;
      }
    }
  }
  const data = new GatedDataset(graph, { inputs, targets, edgeGates, nSamples: N });
  const weights = new WeightSet(
    graph,
    graph.edges.map((e) => {
      const [r, c] = graph.weightShape(e.index);
      return Float64Array.from({ length: r * c }, () => rnd() / Math.sqrt(c));
    }),
  );
  return { graph, data, weights };
}

/** x(8) → a(300, tanh) → b(290) → y(15) plus x→b; random edge gates on a→b and x→b, batch 8 or 13. */
function wideGated(N: number, seed: number) {
  let a = seed >>> 0;
  const rnd = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296 - 0.5;
  };
  const graph = new Graph({
    nodes: [
      { name: 'x', size: 8 },
      { name: 'a', size: 300, activation: 'tanh' as const },
      { name: 'b', size: 290 },
      { name: 'y', size: 15 },
    ],
    edges: [
      { from: 'x', to: 'a' },
      { from: 'a', to: 'b' },
      { from: 'x', to: 'b' },
      { from: 'b', to: 'y' },
    ],
  });
  const gate = () => Float64Array.from({ length: N }, (_, n) => (n % 4 === 1 ? 0 : n % 4 === 2 ? 1 : 2 * rnd() + 0.5));
  const data = new GatedDataset(graph, {
    inputs: { x: Float64Array.from({ length: N * 8 }, rnd) },
    targets: { y: Float64Array.from({ length: N * 15 }, rnd) },
    edgeGates: { 'a->b': gate(), 'x->b': gate() },
    nSamples: N,
  });
  const weights = new WeightSet(
    graph,
    graph.edges.map((e) => {
      const [r, c] = graph.weightShape(e.index);
      return Float64Array.from({ length: r * c }, () => rnd() / Math.sqrt(c));
    }),
  );
  return { graph, data, weights };
}

for (const b of backendsUnderTest()) {
  for (const dtype of DTYPES) {
    describe(`kernel variants: ${b.name} ${dtype} vs js float64`, { skip: skipUnlessAvailable(b) }, () => {
      const tol = TOLERANCE[dtype];
      for (const shared of [true, false]) {
        const what = shared ? 'shared prefixes (same images on every route)' : 'per-row path (distinct inputs)';
        test(`routing loss and gradient: ${what}`, () => {
          for (const [M, K, S] of [[3, 2, 2], [4, 3, 5], [5, 5, 1]] as const) {
            const { graph, data, weights } = routing(M, K, S, shared, 7 + M);
            const ref = lossAndGradient(graph, data, weights, { backend: 'js' });
            const got = lossAndGradient(graph, data, weights, { backend: b.name, dtype });
            assert.ok(relativeError([got.loss], [ref.loss]) <= tol, `M=${M} K=${K}: loss ${got.loss} vs ${ref.loss}`);
            graph.edges.forEach((e) => {
              const err = relativeError(got.gradient.matrices[e.index], ref.gradient.matrices[e.index]);
              assert.ok(err <= tol, `M=${M} K=${K} edge ${e.name}: rel err ${err} > ${tol}`);
            });
          }
        });
        for (const [name, extra] of [
          ['full batch', {}],
          ['minibatch + momentum', { batchSize: 7, momentum: 0.5, seed: 3 }],
        ] as [string, Partial<TrainOptions>][]) {
          test(`routing 30-step trajectory, ${name}: ${what}`, async () => {
            const { graph, data, weights } = routing(4, 3, 3, shared, 11);
            const opts: TrainOptions = { steps: 30, lr: 0.2, recordEvery: 5, snapshots: [30], ...extra };
            const ref = await train(graph, data, weights, { ...opts, backend: 'js' });
            const got = await train(graph, data, weights, { ...opts, backend: b.name, dtype });
            assert.ok(relativeError(got.loss, ref.loss) <= tol, `loss curve: rel err ${relativeError(got.loss, ref.loss)}`);
            got.snapshots[0].weights.matrices.forEach((w, e) => {
              const err = relativeError(w, ref.snapshots[0].weights.matrices[e]);
              assert.ok(err <= tol, `edge ${graph.edges[e].name}: rel err ${err}`);
            });
          });
        }
      }
      const wideCases: [string, () => { graph: Graph; data: GatedDataset; weights: WeightSet }, Partial<TrainOptions>][] = [
        ['two linear pathways 8 → 300 → 300 → 300 → 15, batch 8, full batch', () => {
          const net = parallelPathways({ depths: [4, 4], widths: 300 });
          return { graph: net.graph, data: pathwayDataset(net), weights: initPathways(net, { kind: 'paper', std: 0.05 }, 3) };
        }, { lr: 0.08 }],
        ['the same pathways, weight decay', () => {
          const net = parallelPathways({ depths: [4, 4], widths: 300 });
          return { graph: net.graph, data: pathwayDataset(net), weights: initPathways(net, { kind: 'paper', std: 0.05 }, 4) };
        }, { lr: 0.08, weightDecay: 0.01 }],
        ['gated tanh chain, batch 13, full batch', () => wideGated(13, 5), { lr: 0.05 }],
        ['gated tanh chain, 13 samples, minibatch 6', () => wideGated(13, 6), { lr: 0.05, batchSize: 6, seed: 2 }],
      ];
      for (const [name, make, extra] of wideCases) {
        test(`wide layers, small batch (fused backward + SGD update): ${name}`, async () => {
          const { graph, data, weights } = make();
          const opts: TrainOptions = { steps: 12, lr: 0.05, recordEvery: 3, snapshots: [12], ...extra };
          const ref = await train(graph, data, weights, { ...opts, backend: 'js' });
          const got = await train(graph, data, weights, { ...opts, backend: b.name, dtype });
          assert.ok(relativeError(got.loss, ref.loss) <= tol, `loss curve: rel err ${relativeError(got.loss, ref.loss)}`);
          got.snapshots[0].weights.matrices.forEach((w, e) => {
            const err = relativeError(w, ref.snapshots[0].weights.matrices[e]);
            assert.ok(err <= tol, `edge ${graph.edges[e].name}: rel err ${err}`);
          });
        });
      }
    });
  }
}
