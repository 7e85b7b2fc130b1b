/**
 * The core bad-input table: malformed input to every public entry point that
 * exists today (graph, dataset, weights, training options, reduction, the CLI,
 * the native boundary, a missing native build, divergence). Each row names the
 * GdlnError code it expects and the culprit the message must mention.
 * Rows marked `knownBug` are library bugs found by this table (reported as TODO).
 */
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { Graph, type GraphSpec } from '../../lib/graph/Graph.ts';
import { GatedDataset, type GatedDatasetSpec } from '../../lib/data/GatedDataset.ts';
import { initWeights } from '../../lib/init/initWeights.ts';
import { WeightSet } from '../../lib/engine/WeightSet.ts';
import { forward, lossAndGradient, train, type TrainOptions } from '../../lib/engine/train.ts';
import { buildPlanModel } from '../../lib/engine/Plan.ts';
import { backendStatus } from '../../lib/backends/index.ts';
import { loadNative } from '../../lib/backends/native/loader.ts';
import { fromNative, type ErrorCode } from '../../lib/errors.ts';
import { reduceGdln } from '../../lib/analyses/reduction.ts';
import { taskModes } from '../../lib/analyses/pathways.ts';
import { cliError, inChild, type BadInputRow } from './badInputRow.ts';

// ---------------------------------------------------------------- fixtures

/** x[2] → h[3] (tanh) → y[1], plus a skip x → y; N = 4. */
const SPEC: GraphSpec = {
  nodes: [{ name: 'x', size: 2 }, { name: 'h', size: 3, activation: 'tanh' }, { name: 'y', size: 1 }],
  edges: [{ from: 'x', to: 'h' }, { from: 'h', to: 'y' }, { from: 'x', to: 'y', name: 'skip' }],
};
const X = [[1, 0], [0, 1], [1, 1], [-1, 0.5]];
const Y = [[1], [0], [1], [0.5]];

function graph(): Graph {
  return new Graph(SPEC);
}
function data(g = graph(), extra: Partial<GatedDatasetSpec> = {}): GatedDataset {
  return new GatedDataset(g, { inputs: { x: X }, targets: { y: Y }, ...extra });
}
function fx() {
  const g = graph();
  const d = data(g);
  const w = initWeights(g, { seed: 1, scheme: { kind: 'gaussian', std: 0.3 } });
  return { g, d, w };
}
/** train() on the fixture with `options` spread over valid defaults (values deliberately untyped: they are the bad input). */
function trainWith(options: { [K in keyof TrainOptions]?: unknown }) {
  const { g, d, w } = fx();
  return train(g, d, w, { backend: 'js', steps: 3, lr: 0.1, ...options } as unknown as TrainOptions);
}
const nodes = (...xs: [string, number][]) => xs.map(([name, size]) => ({ name, size }));
const edges = (...xs: [string, string][]) => xs.map(([from, to]) => ({ from, to }));
/** A Float64Array whose buffer has been transferred away. */
function detached(n: number): Float64Array {
  const a = new Float64Array(n);
  structuredClone(a.buffer, { transfer: [a.buffer] });
  return a;
}

/** What requesting cuda gives on this machine when it is not usable. */
function cudaUnavailableCode(): ErrorCode {
  const native = loadNative();
  if ('error' in native) return 'GDLN_NATIVE_UNAVAILABLE';
  const info = native.binding.buildInfo();
  return info.cudaBuilt ? 'GDLN_NO_CUDA_DEVICE' : 'GDLN_NO_CUDA_BUILD';
}
const cudaAvailable = () => backendStatus().find((s) => s.name === 'cuda')?.available === true;

/** Calls the raw addon the way lib/backends/native does (errors through fromNative). */
function nativeForward(mutate: (m: ReturnType<typeof buildPlanModel>, w: Float64Array[]) => Float64Array[] | void, dtype: 'float64' | 'float32' = 'float64') {
  const native = loadNative();
  if ('error' in native) throw native.error;
  const { g, d, w } = fx();
  const model = { ...buildPlanModel(g, d) };
  const weights = w.matrices.map((m) => m.slice());
  const ws = mutate(model, weights) ?? weights;
  try {
    return native.binding.forward(model, ws, { backend: 'cpu', dtype });
  } catch (err) {
    throw fromNative(err, 'cpu forward');
  }
}

/** A temp folder for CLI rows; `after` checks its listing and removes it. */
function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'gdln-reliability-'));
}
/** Every file under `dir` (recursive), for "no temp file left" checks. */
function listing(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).sort();
}

const MISSING_NATIVE_SCRIPT = `
import { Graph, GatedDataset, initWeights, train } from './lib/index.ts';
async function run() {
  const g = new Graph({ nodes: [{ name: 'x', size: 1 }, { name: 'y', size: 1 }], edges: [{ from: 'x', to: 'y' }] });
  const d = new GatedDataset(g, { inputs: { x: [[1]] }, targets: { y: [[2]] } });
  const w = initWeights(g, { seed: 1, scheme: { kind: 'gaussian', std: 0.1 } });
  return await train(g, d, w, { backend: 'cpu', steps: 1, lr: 0.1 });
}`;

// ---------------------------------------------------------------- rows

export const rows: BadInputRow[] = [
  // ---- graph
  {
    id: 'graph.cycle', area: 'graph', description: 'a cycle h1 → h2 → h3 → h1 between an input and an output',
    act: () => new Graph({ nodes: nodes(['x', 1], ['h1', 2], ['h2', 2], ['h3', 2], ['y', 1]), edges: edges(['x', 'h1'], ['h1', 'h2'], ['h2', 'h3'], ['h3', 'h1'], ['h3', 'y']) }),
    expect: { code: 'GDLN_CYCLE', mentions: ['"h1"', '"h2"', '"h3"'] },
  },
  {
    id: 'graph.self-loop', area: 'graph', description: 'an edge from a node to itself',
    act: () => new Graph({ nodes: nodes(['x', 1], ['h', 2], ['y', 1]), edges: edges(['x', 'h'], ['h', 'h'], ['h', 'y']) }),
    expect: { code: 'GDLN_CYCLE', mentions: ['h->h'] },
  },
  {
    id: 'graph.dangling-target', area: 'graph', description: 'an edge to a node name that does not exist',
    act: () => new Graph({ nodes: nodes(['x', 1], ['y', 1]), edges: edges(['x', 'y'], ['x', 'ghost']) }),
    expect: { code: 'GDLN_UNKNOWN_NODE', mentions: ['ghost'] },
  },
  {
    id: 'graph.dangling-source', area: 'graph', description: 'an edge from a node name that does not exist',
    act: () => new Graph({ nodes: nodes(['x', 1], ['y', 1]), edges: edges(['x', 'y'], ['phantom', 'y']) }),
    expect: { code: 'GDLN_UNKNOWN_NODE', mentions: ['phantom'] },
  },
  {
    id: 'graph.duplicate-node', area: 'graph', description: 'two nodes named "h"',
    act: () => new Graph({ nodes: nodes(['x', 1], ['h', 2], ['h', 3], ['y', 1]), edges: edges(['x', 'h'], ['h', 'y']) }),
    expect: { code: 'GDLN_DUPLICATE_NAME', mentions: ['"h"'] },
  },
  {
    id: 'graph.duplicate-edge', area: 'graph', description: 'parallel edges without distinct names',
    act: () => new Graph({ nodes: nodes(['x', 1], ['y', 1]), edges: edges(['x', 'y'], ['x', 'y']) }),
    expect: { code: 'GDLN_DUPLICATE_NAME', mentions: ['x->y'] },
  },
  {
    id: 'graph.size-zero', area: 'graph', description: 'node size 0',
    act: () => new Graph({ nodes: nodes(['x', 1], ['h', 0], ['y', 1]), edges: edges(['x', 'h'], ['h', 'y']) }),
    expect: { code: 'GDLN_INVALID_ARGUMENT', mentions: ['"h"', 'size'] },
  },
  {
    id: 'graph.size-negative', area: 'graph', description: 'node size −3',
    act: () => new Graph({ nodes: nodes(['x', 1], ['h', -3], ['y', 1]), edges: edges(['x', 'h'], ['h', 'y']) }),
    expect: { code: 'GDLN_INVALID_ARGUMENT', mentions: ['"h"', '-3'] },
  },
  {
    id: 'graph.size-fraction', area: 'graph', description: 'node size 2.5',
    act: () => new Graph({ nodes: nodes(['x', 1], ['h', 2.5], ['y', 1]), edges: edges(['x', 'h'], ['h', 'y']) }),
    expect: { code: 'GDLN_INVALID_ARGUMENT', mentions: ['"h"', '2.5'] },
  },
  {
    id: 'graph.size-string', area: 'graph', description: 'node size "3" (a string)',
    act: () => new Graph({ nodes: [{ name: 'x', size: 1 }, { name: 'h', size: '3' as never }, { name: 'y', size: 1 }], edges: edges(['x', 'h'], ['h', 'y']) }),
    expect: { code: 'GDLN_INVALID_ARGUMENT', mentions: ['"h"', '"3"'] },
  },
  {
    id: 'graph.size-nan', area: 'graph', description: 'node size NaN',
    act: () => new Graph({ nodes: nodes(['x', 1], ['h', NaN], ['y', 1]), edges: edges(['x', 'h'], ['h', 'y']) }),
    expect: { code: 'GDLN_INVALID_ARGUMENT', mentions: ['"h"', 'NaN'] },
  },
  {
    id: 'graph.unknown-activation', area: 'graph', description: "activation 'sigmoid'",
    act: () => new Graph({ nodes: [{ name: 'x', size: 1 }, { name: 'h', size: 2, activation: 'sigmoid' as never }, { name: 'y', size: 1 }], edges: edges(['x', 'h'], ['h', 'y']) }),
    expect: { code: 'GDLN_INVALID_ARGUMENT', mentions: ['"h"', 'sigmoid'] },
  },
  {
    id: 'graph.leaky-nan', area: 'graph', description: 'leakyRelu slope NaN',
    act: () => new Graph({ nodes: [{ name: 'x', size: 1 }, { name: 'h', size: 2, activation: { leakyRelu: NaN } }, { name: 'y', size: 1 }], edges: edges(['x', 'h'], ['h', 'y']) }),
    expect: { code: 'GDLN_INVALID_ARGUMENT', mentions: ['"h"', 'leakyRelu'] },
  },
  {
    id: 'graph.input-activation', area: 'graph', description: 'an activation on an input node',
    act: () => new Graph({ nodes: [{ name: 'x', size: 1, activation: 'relu' }, { name: 'y', size: 1 }], edges: edges(['x', 'y']) }),
    expect: { code: 'GDLN_INVALID_ARGUMENT', mentions: ['input node "x"'] },
  },
  {
    id: 'graph.no-input', area: 'graph', description: 'every node has an incoming edge (a 2-cycle only)',
    act: () => new Graph({ nodes: nodes(['a', 1], ['b', 1]), edges: edges(['a', 'b'], ['b', 'a']) }),
    expect: { code: 'GDLN_NO_INPUT_NODE', mentions: ['input node'] },
  },
  {
    id: 'graph.no-output', area: 'graph', description: 'an input feeding a cycle: no node without outgoing edges',
    act: () => new Graph({ nodes: nodes(['x', 1], ['a', 1], ['b', 1]), edges: edges(['x', 'a'], ['a', 'b'], ['b', 'a']) }),
    expect: { code: 'GDLN_NO_OUTPUT_NODE', mentions: ['output node'] },
  },
  {
    id: 'graph.isolated', area: 'graph', description: 'a node with no edges',
    act: () => new Graph({ nodes: nodes(['x', 1], ['lonely', 4], ['y', 1]), edges: edges(['x', 'y']) }),
    expect: { code: 'GDLN_INVALID_ARGUMENT', mentions: ['lonely'] },
  },
  {
    id: 'graph.blank-name', area: 'graph', description: 'a node name with whitespace',
    act: () => new Graph({ nodes: nodes(['x', 1], ['my layer', 2], ['y', 1]), edges: edges(['x', 'my layer'], ['my layer', 'y']) }),
    expect: { code: 'GDLN_INVALID_ARGUMENT', mentions: ['my layer'] },
  },
  {
    id: 'graph.not-a-spec', area: 'graph', description: 'new Graph(null)',
    act: () => new Graph(null as never),
    expect: { code: 'GDLN_INVALID_ARGUMENT', mentions: ['graph spec'] },
  },

  // ---- dataset
  {
    id: 'data.input-length', area: 'dataset', description: 'flat inputs of the wrong length (nSamples given)',
    act: () => new GatedDataset(graph(), { nSamples: 4, inputs: { x: [1, 2, 3] }, targets: { y: Y } }),
    expect: { code: 'GDLN_SHAPE_MISMATCH', mentions: ['inputs of node "x"', '3'] },
  },
  {
    id: 'data.ragged-rows', area: 'dataset', description: 'input rows of different lengths',
    act: () => new GatedDataset(graph(), { inputs: { x: [[1, 0], [0], [1, 1], [0, 0]] }, targets: { y: Y } }),
    expect: { code: 'GDLN_SHAPE_MISMATCH', mentions: ['inputs of node "x"', 'row 1'] },
  },
  {
    id: 'data.input-width', area: 'dataset', description: 'input rows of width 3 for a node of size 2',
    act: () => new GatedDataset(graph(), { inputs: { x: [[1, 0, 0], [0, 1, 0]] }, targets: { y: [[1], [0]] } }),
    expect: { code: 'GDLN_SHAPE_MISMATCH', mentions: ['inputs of node "x"'] },
  },
  {
    id: 'data.target-count', area: 'dataset', description: 'targets for 3 samples when the inputs have 4',
    act: () => new GatedDataset(graph(), { inputs: { x: X }, targets: { y: Y.slice(0, 3) } }),
    expect: { code: 'GDLN_SHAPE_MISMATCH', mentions: ['targets of node "y"', 'length 3'] },
  },
  {
    id: 'data.input-nan', area: 'dataset', description: 'NaN in the inputs',
    act: () => new GatedDataset(graph(), { inputs: { x: [[1, 0], [0, NaN], [1, 1], [0, 0]] }, targets: { y: Y } }),
    expect: { code: 'GDLN_NON_FINITE', mentions: ['inputs of node "x"', 'element 3', 'NaN'] },
  },
  {
    id: 'data.target-inf', area: 'dataset', description: 'Infinity in the targets',
    act: () => new GatedDataset(graph(), { inputs: { x: X }, targets: { y: [[1], [Infinity], [0], [0]] } }),
    expect: { code: 'GDLN_NON_FINITE', mentions: ['targets of node "y"', 'Infinity'] },
  },
  {
    id: 'data.edge-gate-nan', area: 'dataset', description: 'NaN in an edge gate',
    act: () => data(graph(), { edgeGates: { skip: [1, 0, NaN, 1] } }),
    expect: { code: 'GDLN_NON_FINITE', mentions: ['edge "skip"'] },
  },
  {
    id: 'data.node-gate-neg-inf', area: 'dataset', description: '−Infinity in a per-neuron node gate (Float32Array)',
    act: () => data(graph(), { nodeGates: { h: Float32Array.from({ length: 12 }, (_, i) => (i === 7 ? -Infinity : 1)) } }),
    expect: { code: 'GDLN_NON_FINITE', mentions: ['node "h"', 'element 7'] },
  },
  {
    id: 'data.edge-gate-length', area: 'dataset', description: 'an edge gate with 3 values for 4 samples',
    act: () => data(graph(), { edgeGates: { 'x->h': [1, 0, 1] } }),
    expect: { code: 'GDLN_SHAPE_MISMATCH', mentions: ['edge "x->h"', 'length 3'] },
  },
  {
    id: 'data.node-gate-length', area: 'dataset', description: 'a node gate that is neither [N] nor [N, |v|]',
    act: () => data(graph(), { nodeGates: { h: new Float64Array(5).fill(1) } }),
    expect: { code: 'GDLN_SHAPE_MISMATCH', mentions: ['node "h"', 'length 5'] },
  },
  {
    id: 'data.int32array', area: 'dataset', description: 'inputs as an Int32Array',
    act: () => new GatedDataset(graph(), { inputs: { x: new Int32Array(8) as never }, targets: { y: Y } }),
    expect: { code: 'GDLN_INVALID_ARGUMENT', mentions: ['inputs of node "x"', 'Int32Array'] },
  },
  {
    id: 'data.string-value', area: 'dataset', description: 'targets given as a string',
    act: () => new GatedDataset(graph(), { inputs: { x: X }, targets: { y: 'oops' as never } }),
    expect: { code: 'GDLN_INVALID_ARGUMENT', mentions: ['targets of node "y"', 'oops'] },
  },
  {
    id: 'data.string-elements', area: 'dataset', description: "numeric strings ['1', '0', …] as inputs",
    act: () => new GatedDataset(graph(), { inputs: { x: ['1', '0', '0', '1', '1', '1', '0', '0'] as never }, targets: { y: Y } }),
    expect: { code: 'GDLN_INVALID_ARGUMENT', mentions: ['inputs of node "x"'] },
  },
  {
    id: 'data.null-elements', area: 'dataset', description: 'null entries in input rows',
    act: () => new GatedDataset(graph(), { inputs: { x: [[null, 0], [0, 1], [1, 1], [0, 0]] as never }, targets: { y: Y } }),
    expect: { code: 'GDLN_INVALID_ARGUMENT', mentions: ['inputs of node "x"'] },
  },
  {
    id: 'data.detached-target', area: 'dataset', description: 'targets over a transferred (detached) ArrayBuffer',
    act: () => new GatedDataset(graph(), { inputs: { x: X }, targets: { y: detached(4) } }),
    expect: { code: 'GDLN_INVALID_ARGUMENT', mentions: ['targets of node "y"', 'detached'] },
  },
  {
    id: 'data.detached-gate', area: 'dataset', description: 'an edge gate over a detached ArrayBuffer',
    act: () => data(graph(), { edgeGates: { skip: detached(4) } }),
    expect: { code: 'GDLN_INVALID_ARGUMENT', mentions: ['edge "skip"', 'detached'] },
  },
  {
    id: 'data.detached-first-input', area: 'dataset', description: 'the first input (N inferred from it) over a detached ArrayBuffer',
    act: () => new GatedDataset(graph(), { inputs: { x: detached(8) }, targets: { y: Y } }),
    expect: { code: 'GDLN_INVALID_ARGUMENT', mentions: ['node "x"', 'detached'] },
  },
  {
    id: 'data.unknown-input-node', area: 'dataset', description: 'inputs keyed by a node that does not exist',
    act: () => new GatedDataset(graph(), { inputs: { x: X, z: X }, targets: { y: Y } }),
    expect: { code: 'GDLN_UNKNOWN_NODE', mentions: ['"z"'] },
  },
  {
    id: 'data.input-on-hidden', area: 'dataset', description: 'inputs keyed by a hidden node',
    act: () => new GatedDataset(graph(), { inputs: { x: X, h: [[1, 2, 3]] }, targets: { y: Y } }),
    expect: { code: 'GDLN_INVALID_ARGUMENT', mentions: ['"h"'] },
  },
  {
    id: 'data.unknown-edge-gate', area: 'dataset', description: 'an edge gate for an edge that does not exist',
    act: () => data(graph(), { edgeGates: { 'x->nowhere': [1, 1, 1, 1] } }),
    expect: { code: 'GDLN_UNKNOWN_EDGE', mentions: ['x->nowhere'] },
  },
  {
    id: 'data.unknown-node-gate', area: 'dataset', description: 'a node gate for a node that does not exist',
    act: () => data(graph(), { nodeGates: { h9: [1, 1, 1, 1] } }),
    expect: { code: 'GDLN_UNKNOWN_NODE', mentions: ['h9'] },
  },
  {
    id: 'data.missing-targets', area: 'dataset', description: 'no targets for the output node',
    act: () => new GatedDataset(graph(), { inputs: { x: X }, targets: {} }),
    expect: { code: 'GDLN_INVALID_ARGUMENT', mentions: ['"y"'] },
  },
  {
    id: 'data.nsamples-zero', area: 'dataset', description: 'nSamples: 0',
    act: () => new GatedDataset(graph(), { nSamples: 0, inputs: { x: [] }, targets: { y: [] } }),
    expect: { code: 'GDLN_SHAPE_MISMATCH', mentions: ['nSamples'] },
  },
  {
    id: 'data.other-graph', area: 'dataset', description: 'a dataset built for another Graph instance',
    act: () => {
      const { w, g } = fx();
      return forward(g, data(graph()), w, { backend: 'js' });
    },
    expect: { code: 'GDLN_INVALID_ARGUMENT', mentions: ['different Graph'] },
  },
  {
    id: 'data.null-dataset', area: 'dataset', description: 'forward(graph, null, weights)',
    act: () => {
      const { g, w } = fx();
      return forward(g, null as never, w, { backend: 'js' });
    },
    expect: { code: 'GDLN_INVALID_ARGUMENT', mentions: ['data'] },
  },

  // ---- training options
  {
    id: 'train.lr-zero', area: 'train-options', description: 'lr 0',
    act: () => trainWith({ lr: 0 }),
    expect: { code: 'GDLN_INVALID_ARGUMENT', mentions: ['lr', '0'] },
  },
  {
    id: 'train.lr-negative', area: 'train-options', description: 'lr −0.1',
    act: () => trainWith({ lr: -0.1 }),
    expect: { code: 'GDLN_INVALID_ARGUMENT', mentions: ['lr', '-0.1'] },
  },
  {
    id: 'train.lr-nan', area: 'train-options', description: 'lr NaN',
    act: () => trainWith({ lr: NaN }),
    expect: { code: 'GDLN_INVALID_ARGUMENT', mentions: ['lr', 'NaN'] },
  },
  {
    id: 'train.lr-string', area: 'train-options', description: 'lr "0.1" (a string)',
    act: () => trainWith({ lr: '0.1' }),
    expect: { code: 'GDLN_INVALID_ARGUMENT', mentions: ['lr', '"0.1"'] },
  },
  {
    id: 'train.steps-negative', area: 'train-options', description: 'steps −5',
    act: () => trainWith({ steps: -5 }),
    expect: { code: 'GDLN_INVALID_ARGUMENT', mentions: ['steps', '-5'] },
  },
  {
    id: 'train.steps-fraction', area: 'train-options', description: 'steps 2.5',
    act: () => trainWith({ steps: 2.5 }),
    expect: { code: 'GDLN_INVALID_ARGUMENT', mentions: ['steps', '2.5'] },
  },
  {
    id: 'train.batch-zero', area: 'train-options', description: 'batchSize 0',
    act: () => trainWith({ batchSize: 0 }),
    expect: { code: 'GDLN_INVALID_ARGUMENT', mentions: ['batchSize'] },
  },
  {
    id: 'train.momentum-one', area: 'train-options', description: 'momentum 1',
    act: () => trainWith({ momentum: 1 }),
    expect: { code: 'GDLN_INVALID_ARGUMENT', mentions: ['momentum', '1'] },
  },
  {
    id: 'train.momentum-negative', area: 'train-options', description: 'momentum −0.5',
    act: () => trainWith({ momentum: -0.5 }),
    expect: { code: 'GDLN_INVALID_ARGUMENT', mentions: ['momentum'] },
  },
  {
    id: 'train.weight-decay-nan', area: 'train-options', description: 'weightDecay NaN',
    act: () => trainWith({ weightDecay: NaN }),
    expect: { code: 'GDLN_INVALID_ARGUMENT', mentions: ['weightDecay'] },
  },
  {
    id: 'train.unknown-backend', area: 'train-options', description: "backend 'tpu'",
    act: () => trainWith({ backend: 'tpu' }),
    expect: { code: 'GDLN_INVALID_ARGUMENT', mentions: ['backend', 'tpu'] },
  },
  {
    id: 'train.dtype-float16', area: 'train-options', description: "dtype 'float16'",
    act: () => trainWith({ dtype: 'float16' }),
    expect: { code: 'GDLN_INVALID_ARGUMENT', mentions: ['dtype', 'float16'] },
  },
  {
    id: 'train.float32-on-js', area: 'train-options', description: "dtype 'float32' on the js reference",
    act: () => trainWith({ dtype: 'float32' }),
    expect: { code: 'GDLN_UNSUPPORTED', mentions: ['"js"', 'float32'] },
  },
  {
    id: 'train.unknown-loss', area: 'train-options', description: "loss 'hinge'",
    act: () => trainWith({ loss: 'hinge' }),
    expect: { code: 'GDLN_INVALID_ARGUMENT', mentions: ['loss', 'hinge'] },
  },
  {
    id: 'train.snapshot-range', area: 'train-options', description: 'a snapshot step after the last step',
    act: () => trainWith({ snapshots: [0, 99] }),
    expect: { code: 'GDLN_INVALID_ARGUMENT', mentions: ['snapshots', '99'] },
  },
  {
    id: 'train.snapshots-not-array', area: 'train-options', description: 'snapshots: 2 (a number, not a list)',
    act: () => trainWith({ snapshots: 2 }),
    expect: { code: 'GDLN_INVALID_ARGUMENT', mentions: ['snapshots'] },
  },
  {
    id: 'train.groups-length', area: 'train-options', description: 'groups with 2 labels for 4 samples',
    act: () => trainWith({ groups: ['a', 'b'] }),
    expect: { code: 'GDLN_SHAPE_MISMATCH', mentions: ['groups', '2'] },
  },
  {
    id: 'train.seed-negative', area: 'train-options', description: 'seed −1',
    act: () => trainWith({ seed: -1 }),
    expect: { code: 'GDLN_INVALID_ARGUMENT', mentions: ['seed'] },
  },
  {
    id: 'train.record-every-zero', area: 'train-options', description: 'recordEvery 0',
    act: () => trainWith({ recordEvery: 0 }),
    expect: { code: 'GDLN_INVALID_ARGUMENT', mentions: ['recordEvery'] },
  },
  {
    id: 'train.no-options', area: 'train-options', description: 'train(g, d, w) without options',
    act: () => {
      const { g, d, w } = fx();
      return train(g, d, w, undefined as never);
    },
    expect: { code: 'GDLN_INVALID_ARGUMENT', mentions: ['train options'] },
  },
  {
    id: 'train.on-progress-not-function', area: 'train-options', description: 'onProgress: 5 (not a function)',
    act: () => trainWith({ onProgress: 5, progressEvery: 1 }),
    expect: { code: 'GDLN_INVALID_ARGUMENT', mentions: ['onProgress'] },
  },
  {
    id: 'train.signal-not-abortsignal', area: 'train-options', description: 'signal: {} on the cpu backend',
    needs: 'cpu',
    act: () => trainWith({ backend: 'cpu', signal: {} }),
    expect: { code: 'GDLN_INVALID_ARGUMENT', mentions: ['signal'] },
  },
  {
    id: 'train.forward-float16-cpu', area: 'train-options', description: "forward on cpu with dtype 'float16'",
    needs: 'cpu',
    act: () => {
      const { g, d, w } = fx();
      return forward(g, d, w, { backend: 'cpu', dtype: 'float16' as never });
    },
    expect: { code: 'GDLN_INVALID_ARGUMENT', mentions: ['dtype', 'float16'] },
  },
  {
    id: 'train.cuda-unavailable', area: 'train-options', description: "backend 'cuda' where it is not usable",
    skip: () => (cudaAvailable() ? 'cuda is available here' : false),
    act: () => trainWith({ backend: 'cuda' }),
    expect: { code: cudaUnavailableCode(), mentions: [cudaUnavailableCode() === 'GDLN_NATIVE_UNAVAILABLE' ? 'native addon' : 'cuda'] },
  },

  // ---- weights
  {
    id: 'weights.count', area: 'weights', description: 'two matrices for three edges',
    act: () => new WeightSet(graph(), [new Float64Array(6), new Float64Array(3)]),
    expect: { code: 'GDLN_SHAPE_MISMATCH', mentions: ['3 weight matrices', 'received 2'] },
  },
  {
    id: 'weights.length', area: 'weights', description: 'W of edge h->y with 4 entries instead of 3',
    act: () => new WeightSet(graph(), [new Float64Array(6), new Float64Array(4), new Float64Array(2)]),
    expect: { code: 'GDLN_SHAPE_MISMATCH', mentions: ['edge "h->y"', 'length 4'] },
  },
  {
    id: 'weights.nan', area: 'weights', description: 'NaN in W of the skip edge',
    act: () => new WeightSet(graph(), [new Float64Array(6), new Float64Array(3), Float64Array.of(0, NaN)]),
    expect: { code: 'GDLN_NON_FINITE', mentions: ['edge "skip"', 'element 1'] },
  },
  {
    id: 'weights.float32', area: 'weights', description: 'a Float32Array matrix',
    act: () => new WeightSet(graph(), [new Float32Array(6) as never, new Float64Array(3), new Float64Array(2)]),
    expect: { code: 'GDLN_SHAPE_MISMATCH', mentions: ['edge "x->h"', 'Float64Array'] },
  },
  {
    id: 'weights.record-unknown-edge', area: 'weights', description: 'WeightSet.fromRecord with an unknown edge',
    act: () => WeightSet.fromRecord(graph(), { 'x->h': new Float64Array(6), 'h->y': [1, 2, 3], skip: [0, 0], extra: [1] }),
    expect: { code: 'GDLN_UNKNOWN_EDGE', mentions: ['extra'] },
  },
  {
    id: 'weights.record-missing-edge', area: 'weights', description: 'WeightSet.fromRecord without the skip edge',
    act: () => WeightSet.fromRecord(graph(), { 'x->h': new Float64Array(6), 'h->y': [1, 2, 3] }),
    expect: { code: 'GDLN_INVALID_ARGUMENT', mentions: ['skip'] },
  },
  {
    id: 'weights.plain-object', area: 'weights', description: 'a plain object as the weights of train()',
    act: () => {
      const { g, d } = fx();
      return train(g, d, { matrices: [] } as never, { backend: 'js', steps: 1, lr: 0.1 });
    },
    expect: { code: 'GDLN_INVALID_ARGUMENT', mentions: ['weights', 'WeightSet'] },
  },
  {
    id: 'weights.other-graph', area: 'weights', description: 'weights drawn for another Graph instance',
    act: () => {
      const { g, d } = fx();
      return lossAndGradient(g, d, initWeights(graph(), { seed: 1, scheme: { kind: 'xavier' } }), { backend: 'js' });
    },
    expect: { code: 'GDLN_INVALID_ARGUMENT', mentions: ['different Graph'] },
  },
  {
    id: 'weights.detached-js', area: 'weights', description: 'a weight matrix whose buffer was transferred after construction (js)',
    act: () => {
      const { g, d, w } = fx();
      structuredClone(w.matrices[1].buffer, { transfer: [w.matrices[1].buffer] });
      return train(g, d, w, { backend: 'js', steps: 1, lr: 0.1 });
    },
    expect: { code: 'GDLN_INVALID_ARGUMENT', mentions: ['detached'] },
  },
  {
    id: 'weights.detached-cpu', area: 'weights', description: 'a weight matrix whose buffer was transferred after construction (cpu)',
    needs: 'cpu',
    act: () => {
      const { g, d, w } = fx();
      structuredClone(w.matrices[1].buffer, { transfer: [w.matrices[1].buffer] });
      return train(g, d, w, { backend: 'cpu', steps: 1, lr: 0.1 });
    },
    expect: { code: 'GDLN_INVALID_ARGUMENT', mentions: ['weights[1]', 'detached'] },
  },
  {
    id: 'weights.init-scheme', area: 'weights', description: "initWeights with scheme kind 'orthogonal'",
    act: () => initWeights(graph(), { seed: 1, scheme: { kind: 'orthogonal' } as never }),
    expect: { code: 'GDLN_INVALID_ARGUMENT', mentions: ['orthogonal'] },
  },
  {
    id: 'weights.init-seed', area: 'weights', description: 'initWeights with seed 1.5',
    act: () => initWeights(graph(), { seed: 1.5, scheme: { kind: 'xavier' } }),
    expect: { code: 'GDLN_INVALID_ARGUMENT', mentions: ['seed', '1.5'] },
  },

  {
    id: 'weights.init-per-edge-unknown', area: 'weights', description: 'initWeights perEdge naming an edge that does not exist',
    act: () => initWeights(graph(), { seed: 1, scheme: { kind: 'xavier' }, perEdge: { 'y->x': { kind: 'xavier' } } }),
    expect: { code: 'GDLN_UNKNOWN_EDGE', mentions: ['y->x'] },
  },
  {
    id: 'weights.get-unknown', area: 'weights', description: "WeightSet.get('nope')",
    act: () => fx().w.get('nope'),
    expect: { code: 'GDLN_UNKNOWN_EDGE', mentions: ['nope'] },
  },
  {
    id: 'graph.lookup-unknown', area: 'graph', description: "graph.node('zzz')",
    act: () => graph().node('zzz'),
    expect: { code: 'GDLN_UNKNOWN_NODE', mentions: ['zzz'] },
  },
  {
    id: 'train.gradient-unknown-loss', area: 'train-options', description: "lossAndGradient with loss 'hinge'",
    act: () => {
      const { g, d, w } = fx();
      return lossAndGradient(g, d, w, { backend: 'js', loss: 'hinge' as never });
    },
    expect: { code: 'GDLN_INVALID_ARGUMENT', mentions: ['loss', 'hinge'] },
  },
  {
    id: 'train.forward-unknown-backend', area: 'train-options', description: "forward with backend 'gpu'",
    act: () => {
      const { g, d, w } = fx();
      return forward(g, d, w, { backend: 'gpu' as never });
    },
    expect: { code: 'GDLN_INVALID_ARGUMENT', mentions: ['backend', 'gpu'] },
  },
  {
    id: 'reduction.negative-tolerance', area: 'reduction', description: 'reduceGdln with tolerance −1',
    act: () => {
      const g = new Graph({ nodes: nodes(['x', 2], ['h', 2], ['y', 1]), edges: edges(['x', 'h'], ['h', 'y']) });
      return reduceGdln(g, new GatedDataset(g, { inputs: { x: [[1, 0], [0, 1]] }, targets: { y: [[1], [0]] } }), { tolerance: -1 });
    },
    expect: { code: 'GDLN_INVALID_ARGUMENT', mentions: ['tolerance'] },
  },

  // ---- reduction
  {
    id: 'reduction.not-diagonalisable', area: 'reduction', description: 'Σʸˣ and Σˣ of path xb → hb → y share no singular basis (eq. 7–8)',
    act: () => {
      const g = new Graph({
        nodes: nodes(['xa', 2], ['xb', 2], ['ha', 2], ['hb', 2], ['y', 1]),
        edges: edges(['xa', 'ha'], ['ha', 'y'], ['xb', 'hb'], ['hb', 'y']),
      });
      const a = [1, 1, 0, 0];
      const b = [0, 0, 1, 1];
      const d = new GatedDataset(g, {
        inputs: { xa: [[1, 0], [0, 1], [0, 0], [0, 0]], xb: [[0, 0], [0, 0], [1, 0], [1, 1]] },
        targets: { y: [[1], [0], [1], [0]] },
        edgeGates: { 'xa->ha': a, 'ha->y': a, 'xb->hb': b, 'hb->y': b },
      });
      return reduceGdln(g, d);
    },
    expect: { code: 'GDLN_ASSUMPTION_FAILED', mentions: ['xb -> hb -> y', 'residual'] },
  },
  {
    id: 'reduction.nonlinear', area: 'reduction', description: 'reduceGdln on a tanh hidden node',
    act: () => reduceGdln(graph(), data()),
    expect: { code: 'GDLN_UNSUPPORTED', mentions: ['"h"', 'tanh'] },
  },
  {
    id: 'reduction.non-isotropic', area: 'reduction', description: 'taskModes with non-isotropic inputs (Σˣ ≠ c·I)',
    act: () => taskModes([[1, 0], [1, 1]], [[1], [0]]),
    expect: { code: 'GDLN_ASSUMPTION_FAILED', mentions: ['isotropic'] },
  },

  // ---- CLI (main(argv) in-process, stderr captured)
  {
    id: 'cli.unknown-command', area: 'cli', description: 'gdln frobnicate',
    act: () => cliError(['frobnicate']),
    expect: { code: 'GDLN_INVALID_ARGUMENT', mentions: ['frobnicate'] },
  },
  {
    id: 'cli.unknown-flag', area: 'cli', description: 'gdln xor --bogus 1',
    act: () => cliError(['xor', '--bogus', '1']),
    expect: { code: 'GDLN_INVALID_ARGUMENT', mentions: ['bogus'] },
  },
  {
    id: 'cli.bad-number', area: 'cli', description: 'gdln xor --lr fast',
    act: () => cliError(['xor', '--lr', 'fast']),
    expect: { code: 'GDLN_INVALID_ARGUMENT', mentions: ['--lr', 'fast'] },
  },
  {
    id: 'cli.empty-number', area: 'cli', description: "gdln xor --steps ''",
    act: () => cliError(['xor', '--steps', '']),
    expect: { code: 'GDLN_INVALID_ARGUMENT', mentions: ['--steps'] },
  },
  {
    id: 'cli.bad-backend', area: 'cli', description: 'gdln xor --backend tpu',
    act: () => cliError(['xor', '--backend', 'tpu']),
    expect: { code: 'GDLN_INVALID_ARGUMENT', mentions: ['--backend', 'tpu'] },
  },
  {
    id: 'cli.bad-dtype', area: 'cli', description: 'gdln xor --dtype float16',
    act: () => cliError(['xor', '--backend', 'js', '--steps', '10', '--dtype', 'float16', '--out', join(tmpdir(), 'gdln-reliability-never-written')]),
    expect: { code: 'GDLN_INVALID_ARGUMENT', mentions: ['float16'] },
  },
  {
    id: 'cli.unknown-experiment', area: 'cli', description: 'gdln run no-such-experiment',
    act: () => cliError(['run', 'no-such-experiment', '--out', join(tmpdir(), 'gdln-reliability-never-written')]),
    expect: { code: 'GDLN_INVALID_ARGUMENT', mentions: ['no-such-experiment'] },
  },
  (() => {
    let dir = '';
    return {
      id: 'cli.out-blocked-file', area: 'cli', description: 'gdln xor --out <dir> where <dir>/xor.json is a folder: the rename fails; no temp file may remain',
      act: () => {
        dir = tempDir();
        mkdirSync(join(dir, 'xor.json'));
        return cliError(['xor', '--backend', 'js', '--steps', '20', '--out', dir]);
      },
      expect: { code: 'GDLN_IO', mentions: ['xor.json'] },
      after: () => {
        try {
          assert.deepEqual(listing(dir), ['xor.json'], `only the blocking folder may remain in ${dir}`);
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      },
    } satisfies BadInputRow;
  })(),
  (() => {
    let dir = '';
    return {
      id: 'cli.out-is-a-file', area: 'cli', description: 'gdln xor --out <a regular file>: nothing written next to it',
      act: () => {
        dir = tempDir();
        writeFileSync(join(dir, 'results'), 'not a folder');
        return cliError(['xor', '--backend', 'js', '--steps', '20', '--out', join(dir, 'results')]);
      },
      expect: { code: 'GDLN_IO', mentions: ['results'] },
      after: () => {
        try {
          assert.deepEqual(listing(dir), ['results'], `no temp file may remain in ${dir}`);
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      },
    } satisfies BadInputRow;
  })(),

  // ---- the native boundary (the raw addon, as lib/backends/native calls it)
  {
    id: 'native.node-size-negative', area: 'native', description: 'PlanModel.nodeSize with −1',
    needs: 'cpu',
    act: () => nativeForward((m) => { m.nodeSize = Int32Array.of(2, -1, 1); }),
    expect: { code: 'GDLN_INVALID_ARGUMENT', mentions: ['node'] },
  },
  {
    id: 'native.edge-out-of-range', area: 'native', description: 'PlanModel.edgeTarget naming node 7 of 3',
    needs: 'cpu',
    act: () => nativeForward((m) => { m.edgeTarget = Int32Array.of(1, 7, 2); }),
    expect: { code: 'GDLN_UNKNOWN_NODE', mentions: ['7'] },
  },
  {
    id: 'native.cycle', area: 'native', description: 'PlanModel edges h → h (a cycle the Graph class would refuse)',
    needs: 'cpu',
    act: () => nativeForward((m) => { m.edgeSource = Int32Array.of(0, 1, 1); m.edgeTarget = Int32Array.of(1, 1, 2); }),
    expect: { code: 'GDLN_CYCLE', mentions: ['cycle'] },
  },
  {
    id: 'native.input-float32', area: 'native', description: 'a Float32Array where the addon expects Float64Array inputs',
    needs: 'cpu',
    act: () => nativeForward((m) => { m.inputs = m.inputs.map((a) => (a ? (new Float32Array(a) as never) : null)); }),
    expect: { code: 'GDLN_INVALID_ARGUMENT', mentions: ['inputs'] },
  },
  {
    id: 'native.input-short', area: 'native', description: 'inputs shorter than N·|x|',
    needs: 'cpu',
    act: () => nativeForward((m) => { m.inputs = m.inputs.map((a) => (a ? a.subarray(0, 3) : null)); }),
    expect: { code: 'GDLN_SHAPE_MISMATCH', mentions: ['input'] },
  },
  {
    id: 'native.gate-nan', area: 'native', description: 'a NaN edge gate that bypassed GatedDataset',
    needs: 'cpu',
    act: () => nativeForward((m) => { m.edgeGates = [Float64Array.of(1, NaN, 1, 1), null, null]; }),
    expect: { code: 'GDLN_NON_FINITE', mentions: ['gate'] },
  },
  {
    id: 'native.weights-count', area: 'native', description: 'two weight matrices for three edges',
    needs: 'cpu',
    act: () => nativeForward((_m, w) => w.slice(0, 2)),
    expect: { code: 'GDLN_SHAPE_MISMATCH', mentions: ['weight matrix', 'received 2'] },
  },
  {
    id: 'native.weights-inf', area: 'native', description: 'an infinite weight that bypassed WeightSet',
    needs: 'cpu',
    act: () => nativeForward((_m, w) => { w[2][1] = Infinity; }),
    expect: { code: 'GDLN_NON_FINITE', mentions: ['weight'] },
  },
  {
    id: 'native.float32-overflow', area: 'native', description: 'a finite double that overflows float32 (1e300) in a float32 run',
    needs: 'cpu',
    act: () => nativeForward((m) => { m.targets = m.targets.map((a) => (a ? Float64Array.from(a, (v, i) => (i === 2 ? 1e300 : v)) : null)); }, 'float32'),
    expect: { code: 'GDLN_NON_FINITE', mentions: ['target'] },
  },
  {
    id: 'native.model-not-object', area: 'native', description: 'forward(undefined, …) on the raw addon',
    needs: 'cpu',
    act: () => {
      const native = loadNative();
      if ('error' in native) throw native.error;
      try {
        return native.binding.forward(undefined as never, [], { backend: 'cpu', dtype: 'float64' });
      } catch (err) {
        throw fromNative(err, 'cpu forward');
      }
    },
    expect: { code: 'GDLN_INVALID_ARGUMENT', mentions: ['model'] },
  },

  // ---- a missing / broken native build (child processes: the addon is loaded once per process)
  {
    id: 'native.missing-build', area: 'native-build', description: "backend 'cpu' with GDLN_ADDON_PATH pointing at no file",
    act: () => inChild(MISSING_NATIVE_SCRIPT, { GDLN_ADDON_PATH: '/nonexistent/gdln.node' }),
    expect: { code: 'GDLN_NATIVE_UNAVAILABLE', mentions: ['/nonexistent/gdln.node', 'file not found', 'npm run build:native'] },
  },
  (() => {
    let dir = '';
    return {
      id: 'native.corrupt-build', area: 'native-build', description: "backend 'cpu' with GDLN_ADDON_PATH pointing at a text file",
      act: () => {
        dir = tempDir();
        writeFileSync(join(dir, 'gdln.node'), 'not an ELF file');
        return inChild(MISSING_NATIVE_SCRIPT, { GDLN_ADDON_PATH: join(dir, 'gdln.node') });
      },
      expect: { code: 'GDLN_NATIVE_UNAVAILABLE', mentions: ['gdln.node', 'failed to load'] },
      after: () => rmSync(dir, { recursive: true, force: true }),
    } satisfies BadInputRow;
  })(),

  // ---- divergence
  {
    id: 'diverge.js', area: 'divergence', description: 'lr 1e6 on the js reference',
    act: () => trainWith({ lr: 1e6, steps: 50 }),
    expect: { code: 'GDLN_DIVERGED', mentions: ['step', 'learning rate'] },
  },
  {
    id: 'diverge.cpu-float64', area: 'divergence', description: 'lr 1e6 on cpu float64',
    needs: 'cpu',
    act: () => trainWith({ backend: 'cpu', lr: 1e6, steps: 50 }),
    expect: { code: 'GDLN_DIVERGED', mentions: ['step', 'learning rate'] },
  },
  {
    id: 'diverge.cpu-float32', area: 'divergence', description: 'lr 1e6 on cpu float32',
    needs: 'cpu',
    act: () => trainWith({ backend: 'cpu', dtype: 'float32', lr: 1e6, steps: 50 }),
    expect: { code: 'GDLN_DIVERGED', mentions: ['step'] },
  },
  {
    id: 'diverge.partial-kept', area: 'divergence', description: 'a diverged run keeps the trajectory recorded before the blow-up',
    act: () => trainWith({ lr: 1e6, steps: 50 }),
    expect: { code: 'GDLN_DIVERGED', mentions: ['step'] },
    after: (err) => {
      const partial = (err as { partial?: { steps?: number[]; loss?: Float64Array } }).partial ?? (err.details as { partial?: unknown }).partial;
      assert.ok(partial != null, 'the GDLN_DIVERGED error carries no partial trajectory');
      const p = partial as { steps: number[]; loss: Float64Array };
      assert.ok(p.steps.length > 0 && p.steps[0] === 0, 'the partial trajectory starts at step 0');
      assert.ok(Array.from(p.loss).slice(0, -1).every(Number.isFinite), 'records before the last are finite');
    },
  },
  {
    id: 'diverge.partial-kept-cpu', area: 'divergence', description: 'a diverged cpu float64 run keeps the trajectory recorded before the blow-up',
    needs: 'cpu',
    act: () => trainWith({ backend: 'cpu', lr: 1e6, steps: 50 }),
    expect: { code: 'GDLN_DIVERGED', mentions: ['step'] },
    after: (err) => {
      const partial = (err as { partial?: { steps?: number[]; loss?: Float64Array } }).partial ?? (err.details as { partial?: unknown }).partial;
      assert.ok(partial != null, 'the GDLN_DIVERGED error carries no partial trajectory');
      const p = partial as { steps: number[]; loss: Float64Array };
      assert.ok(p.steps.length > 0 && p.steps[0] === 0, 'the partial trajectory starts at step 0');
      assert.ok(Array.from(p.loss).slice(0, -1).every(Number.isFinite), 'records before the last are finite');
    },
  },
  {
    id: 'diverge.partial-kept-cpu-f32', area: 'divergence', description: 'a diverged cpu float32 minibatch run keeps its records and groups',
    needs: 'cpu',
    act: () => trainWith({ backend: 'cpu', dtype: 'float32', lr: 1e6, steps: 50, batchSize: 2, groups: ['a', 'b', 'a', 'b'] }),
    expect: { code: 'GDLN_DIVERGED', mentions: ['step'] },
    after: (err) => {
      const partial = (err as { partial?: { steps?: number[]; loss?: Float64Array } }).partial ?? (err.details as { partial?: unknown }).partial;
      assert.ok(partial != null, 'the GDLN_DIVERGED error carries no partial trajectory');
      const p = partial as { steps: number[]; loss: Float64Array };
      assert.ok(p.steps.length > 0 && p.steps[0] === 0, 'the partial trajectory starts at step 0');
      assert.ok(Array.from(p.loss).slice(0, -1).every(Number.isFinite), 'records before the last are finite');
    },
  },
  {
    id: 'abort.before-start', area: 'cancellation', description: 'an AbortSignal aborted before train() is called',
    act: () => trainWith({ signal: AbortSignal.abort(), snapshots: [0] }),
    expect: { code: 'GDLN_ABORTED', mentions: ['aborted before it started'] },
    after: (err) => {
      // The same partial on every backend: no records, the given weights, a snapshot at 0 if asked.
      const p = (err as { partial?: { steps: number[]; loss: Float64Array; stepsDone: number; snapshots: { step: number }[] } | null }).partial;
      assert.ok(p != null, 'the abort carries a partial trajectory');
      assert.deepEqual(p.steps, []);
      assert.equal(p.loss.length, 0);
      assert.equal(p.stepsDone, 0);
      assert.deepEqual(p.snapshots.map((x) => x.step), [0]);
    },
  },
  {
    id: 'abort.before-start-cpu', area: 'cancellation', description: 'an AbortSignal aborted before train() on cpu: the same empty partial as js',
    needs: 'cpu',
    act: () => trainWith({ backend: 'cpu', signal: AbortSignal.abort() }),
    expect: { code: 'GDLN_ABORTED', mentions: ['aborted before it started'] },
    after: (err) => {
      const p = (err as { partial?: { steps: number[]; loss: Float64Array; backend: string } | null }).partial;
      assert.ok(p != null, 'the abort carries a partial trajectory');
      assert.deepEqual(p.steps, []);
      assert.equal(p.loss.length, 0);
      assert.equal(p.backend, 'cpu');
    },
  },
];
