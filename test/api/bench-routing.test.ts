/**
 * The bench's routing workload (bench/workloads/routing.ts) in its two layouts is the same
 * network: per-domain input / output nodes ('domains') and one input x with M gated encoder edges
 * plus one output y with M gated decoder edges ('compact') give the same loss and per-edge gradients.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildRouting, type RoutingShape } from '../../bench/workloads/routing.ts';
import { lossAndGradient } from '../../lib/engine/train.ts';
import { WeightSet } from '../../lib/engine/WeightSet.ts';

const shape: RoutingShape = { M: 4, K: 2, S: 3, D: 7, H: 5, C: 3 };

for (const sharedImages of [false, true]) {
  test(`routing workload: compact layout = per-domain layout (sharedImages ${sharedImages})`, () => {
    const dom = buildRouting({ id: 'dom', shape, sharedImages });
    const cmp = buildRouting({ id: 'cmp', shape, sharedImages, layout: 'compact' });
    assert.equal(cmp.graph.nodes.length, 4);
    assert.equal(cmp.graph.edges.length, 2 * shape.M + 1);
    const a = lossAndGradient(dom.graph, dom.data, new WeightSet(dom.graph, dom.weights), { backend: 'js' });
    const b = lossAndGradient(cmp.graph, cmp.data, new WeightSet(cmp.graph, cmp.weights), { backend: 'js' });
    assert.ok(a.loss > 0);
    assert.ok(Math.abs(a.loss - b.loss) <= 1e-12 * a.loss, `loss ${a.loss} vs ${b.loss}`);
    // Same edge order in both layouts: encoders, h1->h2, decoders.
    for (let e = 0; e < dom.graph.edges.length; e++) {
      const ga = a.gradient.matrices[e];
      const gb = b.gradient.matrices[e];
      assert.equal(ga.length, gb.length);
      for (let i = 0; i < ga.length; i++) assert.ok(Math.abs(ga[i] - gb[i]) <= 1e-12, `edge ${e} [${i}]`);
    }
  });
}
