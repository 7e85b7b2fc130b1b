/** Graph: paths, P(e), T(v), topological order and typed errors for bad graphs. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Graph } from '../../lib/graph/Graph.ts';
import { GdlnError } from '../../lib/errors.ts';

function diamond(): Graph {
  // a → h1 → y, a → h2 → y, b → h2, a → y (skip), h2 → z
  return new Graph({
    nodes: [
      { name: 'a', size: 2 },
      { name: 'b', size: 3 },
      { name: 'h1', size: 4, activation: 'relu' },
      { name: 'h2', size: 5 },
      { name: 'y', size: 1 },
      { name: 'z', size: 2 },
    ],
    edges: [
      { from: 'a', to: 'h1' },
      { from: 'a', to: 'h2' },
      { from: 'b', to: 'h2' },
      { from: 'h1', to: 'y' },
      { from: 'h2', to: 'y' },
      { from: 'a', to: 'y' },
      { from: 'h2', to: 'z' },
    ],
  });
}

test('inputs, outputs, topological order', () => {
  const g = diamond();
  assert.deepEqual(g.inputs.map((v) => g.nodes[v].name), ['a', 'b']);
  assert.deepEqual(g.outputs.map((v) => g.nodes[v].name), ['y', 'z']);
  const pos = new Map(g.topoOrder.map((v, k) => [v, k]));
  for (const e of g.edges) assert.ok((pos.get(e.source) as number) < (pos.get(e.target) as number), e.name);
  assert.deepEqual(g.weightShape(g.edge('a->h1').index), [4, 2]);
});

test('paths, P(e) and T(v)', () => {
  const g = diamond();
  const described = g.paths().map((p) => g.describePath(p)).sort();
  assert.deepEqual(described, ['a -> h1 -> y', 'a -> h2 -> y', 'a -> h2 -> z', 'a -> y', 'b -> h2 -> y', 'b -> h2 -> z']);
  assert.equal(g.countPaths(), 6);
  const through = g.pathsThrough(g.edge('h2->y').index).map((p) => g.describePath(g.paths()[p])).sort();
  assert.deepEqual(through, ['a -> h2 -> y', 'b -> h2 -> y']);
  const ending = g.pathsEndingAt(g.node('z').index).map((p) => g.describePath(g.paths()[p])).sort();
  assert.deepEqual(ending, ['a -> h2 -> z', 'b -> h2 -> z']);
});

test('parallel edges need names and give distinct paths', () => {
  const g = new Graph({
    nodes: [{ name: 'x', size: 1 }, { name: 'y', size: 1 }],
    edges: [{ from: 'x', to: 'y', name: 'e1' }, { from: 'x', to: 'y', name: 'e2' }],
  });
  assert.equal(g.paths().length, 2);
  assert.throws(
    () => new Graph({ nodes: [{ name: 'x', size: 1 }, { name: 'y', size: 1 }], edges: [{ from: 'x', to: 'y' }, { from: 'x', to: 'y' }] }),
    (e: unknown) => e instanceof GdlnError && e.code === 'GDLN_DUPLICATE_NAME' && /x->y/.test(e.message),
  );
});

const bad: [string, () => unknown, string, RegExp][] = [
  ['unknown node', () => new Graph({ nodes: [{ name: 'x', size: 1 }], edges: [{ from: 'x', to: 'nope' }] }), 'GDLN_UNKNOWN_NODE', /nope/],
  ['cycle', () => new Graph({ nodes: [{ name: 'x', size: 1 }, { name: 'a', size: 1 }, { name: 'b', size: 1 }, { name: 'y', size: 1 }], edges: [{ from: 'x', to: 'a' }, { from: 'a', to: 'b' }, { from: 'b', to: 'a' }, { from: 'b', to: 'y' }] }), 'GDLN_CYCLE', /"a".*"b"/],
  ['self loop', () => new Graph({ nodes: [{ name: 'x', size: 1 }, { name: 'y', size: 1 }], edges: [{ from: 'x', to: 'y' }, { from: 'y', to: 'y' }] }), 'GDLN_CYCLE', /self-loop/],
  ['no input node (pure cycle)', () => new Graph({ nodes: [{ name: 'a', size: 1 }, { name: 'b', size: 1 }], edges: [{ from: 'a', to: 'b' }, { from: 'b', to: 'a' }] }), 'GDLN_NO_INPUT_NODE', /input/],
  ['zero size', () => new Graph({ nodes: [{ name: 'x', size: 0 }, { name: 'y', size: 1 }], edges: [{ from: 'x', to: 'y' }] }), 'GDLN_INVALID_ARGUMENT', /"x"/],
  ['negative size', () => new Graph({ nodes: [{ name: 'x', size: -3 }, { name: 'y', size: 1 }], edges: [{ from: 'x', to: 'y' }] }), 'GDLN_INVALID_ARGUMENT', /-3/],
  ['fractional size', () => new Graph({ nodes: [{ name: 'x', size: 1.5 }, { name: 'y', size: 1 }], edges: [{ from: 'x', to: 'y' }] }), 'GDLN_INVALID_ARGUMENT', /1.5/],
  ['duplicate node', () => new Graph({ nodes: [{ name: 'x', size: 1 }, { name: 'x', size: 1 }], edges: [] }), 'GDLN_DUPLICATE_NAME', /"x"/],
  ['isolated node', () => new Graph({ nodes: [{ name: 'x', size: 1 }, { name: 'y', size: 1 }, { name: 'lone', size: 1 }], edges: [{ from: 'x', to: 'y' }] }), 'GDLN_INVALID_ARGUMENT', /lone/],
  ['activation on input', () => new Graph({ nodes: [{ name: 'x', size: 1, activation: 'relu' }, { name: 'y', size: 1 }], edges: [{ from: 'x', to: 'y' }] }), 'GDLN_INVALID_ARGUMENT', /input node "x"/],
  ['unknown activation', () => new Graph({ nodes: [{ name: 'x', size: 1 }, { name: 'y', size: 1, activation: 'gelu' as never }], edges: [{ from: 'x', to: 'y' }] }), 'GDLN_INVALID_ARGUMENT', /gelu/],
  ['not a spec', () => new Graph(null as never), 'GDLN_INVALID_ARGUMENT', /graph spec/],
  ['unknown node lookup', () => diamond().node('q'), 'GDLN_UNKNOWN_NODE', /"q"/],
  ['unknown edge lookup', () => diamond().edge('q->y'), 'GDLN_UNKNOWN_EDGE', /q->y/],
];

for (const [name, fn, code, message] of bad) {
  test(`bad graph: ${name} → ${code}`, () => {
    assert.throws(fn, (e: unknown) => {
      assert.ok(e instanceof GdlnError, `not a GdlnError: ${e}`);
      assert.equal(e.code, code);
      assert.match(e.message, message);
      return true;
    });
  });
}
