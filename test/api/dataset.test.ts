/** GatedDataset and WeightSet: accepted layouts and typed errors for bad data. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Graph } from '../../lib/graph/Graph.ts';
import { GatedDataset, type GatedDatasetSpec } from '../../lib/data/GatedDataset.ts';
import { WeightSet } from '../../lib/engine/WeightSet.ts';
import { initWeights } from '../../lib/init/initWeights.ts';
import { GdlnError } from '../../lib/errors.ts';

const graph = new Graph({
  nodes: [{ name: 'x', size: 2 }, { name: 'h', size: 3 }, { name: 'y', size: 1 }],
  edges: [{ from: 'x', to: 'h' }, { from: 'h', to: 'y' }],
});
const ok: GatedDatasetSpec = { inputs: { x: [[1, 2], [3, 4]] }, targets: { y: [[1], [0]] } };

test('rows and flat arrays give the same dataset; N is inferred', () => {
  const a = new GatedDataset(graph, ok);
  const b = new GatedDataset(graph, { inputs: { x: new Float32Array([1, 2, 3, 4]) }, targets: { y: [1, 0] } });
  assert.equal(a.nSamples, 2);
  assert.deepEqual(Array.from(a.inputs[0] as Float64Array), Array.from(b.inputs[0] as Float64Array));
});

test('node gates: per sample or per neuron; missing gates are 1', () => {
  const d = new GatedDataset(graph, { ...ok, nodeGates: { h: [1, 0, 1, 1, 0, 1] }, edgeGates: { 'h->y': [1, 0] } });
  assert.equal(d.isPerNeuronGate(1), true);
  assert.equal(d.edgeGate(0, 1), 1);
  assert.equal(d.edgeGate(1, 1), 0);
  const s = new GatedDataset(graph, { ...ok, nodeGates: { h: [1, 0] } });
  assert.equal(s.isPerNeuronGate(1), false);
});

const bad: [string, () => unknown, string, RegExp][] = [
  ['input of wrong length', () => new GatedDataset(graph, { ...ok, inputs: { x: [1, 2, 3] }, nSamples: 2 }), 'GDLN_SHAPE_MISMATCH', /inputs of node "x".*length 3/],
  ['ragged rows', () => new GatedDataset(graph, { ...ok, inputs: { x: [[1, 2], [3]] } }), 'GDLN_SHAPE_MISMATCH', /row 1/],
  ['target of wrong length', () => new GatedDataset(graph, { ...ok, targets: { y: [1, 2, 3] } }), 'GDLN_SHAPE_MISMATCH', /targets of node "y"/],
  ['edge gate of wrong length', () => new GatedDataset(graph, { ...ok, edgeGates: { 'x->h': [1] } }), 'GDLN_SHAPE_MISMATCH', /edge gate of edge "x->h"/],
  ['node gate of wrong length', () => new GatedDataset(graph, { ...ok, nodeGates: { h: [1, 1, 1] } }), 'GDLN_SHAPE_MISMATCH', /node gate of node "h"/],
  ['NaN input', () => new GatedDataset(graph, { ...ok, inputs: { x: [[1, NaN], [3, 4]] } }), 'GDLN_NON_FINITE', /element 1 is NaN/],
  ['Infinity target', () => new GatedDataset(graph, { ...ok, targets: { y: [Infinity, 0] } }), 'GDLN_NON_FINITE', /targets/],
  ['NaN gate', () => new GatedDataset(graph, { ...ok, edgeGates: { 'x->h': [NaN, 1] } }), 'GDLN_NON_FINITE', /edge gate/],
  ['unknown node in inputs', () => new GatedDataset(graph, { ...ok, inputs: { ...ok.inputs, q: [1] } }), 'GDLN_UNKNOWN_NODE', /"q"/],
  ['target given for a hidden node', () => new GatedDataset(graph, { ...ok, targets: { ...ok.targets, h: [1] } }), 'GDLN_INVALID_ARGUMENT', /"h"/],
  ['missing target', () => new GatedDataset(graph, { inputs: ok.inputs, targets: {} }), 'GDLN_INVALID_ARGUMENT', /Missing targets for output node "y"/],
  ['unknown edge gate', () => new GatedDataset(graph, { ...ok, edgeGates: { 'x->y': [1, 1] } }), 'GDLN_UNKNOWN_EDGE', /x->y/],
  ['string instead of array', () => new GatedDataset(graph, { ...ok, inputs: { x: 'abc' as never } }), 'GDLN_INVALID_ARGUMENT', /inputs of node "x"/],
  ['detached buffer', () => {
    const a = new Float64Array([1, 2, 3, 4]);
    structuredClone(a.buffer, { transfer: [a.buffer] });
    return new GatedDataset(graph, { ...ok, inputs: { x: a }, nSamples: 2 });
  }, 'GDLN_INVALID_ARGUMENT', /detached/],
  ['weights of wrong length', () => WeightSet.fromRecord(graph, { 'x->h': [1, 2], 'h->y': [1, 2, 3] }), 'GDLN_SHAPE_MISMATCH', /edge "x->h"/],
  ['missing weights', () => WeightSet.fromRecord(graph, { 'x->h': new Float64Array(6) }), 'GDLN_INVALID_ARGUMENT', /h->y/],
  ['NaN weights', () => WeightSet.fromRecord(graph, { 'x->h': [NaN, 0, 0, 0, 0, 0], 'h->y': [0, 0, 0] }), 'GDLN_NON_FINITE', /x->h/],
  ['bad seed', () => initWeights(graph, { seed: -1, scheme: { kind: 'xavier' } }), 'GDLN_INVALID_ARGUMENT', /seed/],
  ['bad scheme', () => initWeights(graph, { seed: 1, scheme: { kind: 'orthogonal' } as never }), 'GDLN_INVALID_ARGUMENT', /orthogonal/],
  ['negative std', () => initWeights(graph, { seed: 1, scheme: { kind: 'gaussian', std: -1 } }), 'GDLN_INVALID_ARGUMENT', /std/],
];

for (const [name, fn, code, message] of bad) {
  test(`bad data: ${name} → ${code}`, () => {
    assert.throws(fn, (e: unknown) => {
      assert.ok(e instanceof GdlnError, `not a GdlnError: ${e}`);
      assert.equal(e.code, code);
      assert.match(e.message, message);
      return true;
    });
  });
}

test('initWeights is reproducible from the seed and scales as documented', () => {
  const a = initWeights(graph, { seed: 7, scheme: { kind: 'gaussian', stdPerFanIn: 1 } });
  const b = initWeights(graph, { seed: 7, scheme: { kind: 'gaussian', stdPerFanIn: 1 } });
  const c = initWeights(graph, { seed: 8, scheme: { kind: 'gaussian', stdPerFanIn: 1 } });
  assert.deepEqual(a.matrices, b.matrices);
  assert.notDeepEqual(a.matrices, c.matrices);
  const big = new Graph({ nodes: [{ name: 'x', size: 400 }, { name: 'y', size: 300 }], edges: [{ from: 'x', to: 'y' }] });
  const w = initWeights(big, { seed: 1, scheme: { kind: 'xavier', gain: 2 } }).matrices[0];
  const bound = 2 * Math.sqrt(6 / 700);
  const max = w.reduce((m, x) => Math.max(m, Math.abs(x)), 0);
  assert.ok(max <= bound && max > 0.99 * bound, `max |w| ${max} vs bound ${bound}`);
  const g = initWeights(big, { seed: 1, scheme: { kind: 'gaussian', stdPerFanIn: 3 } }).matrices[0];
  const variance = g.reduce((s, x) => s + x * x, 0) / g.length;
  assert.ok(Math.abs(variance - 9 / 400) < 0.03 * (9 / 400), `variance ${variance}`);
});
