/**
 * Random GDLNs for conformance tests: random DAGs with skip edges, fan-in and
 * fan-out, several input and output nodes, awkward sizes, relu / leaky relu /
 * tanh hidden nodes, and random edge, node and per-neuron gates (with zeros).
 */
import { Graph, type ActivationSpec, type EdgeSpec, type NodeSpec } from '../../lib/graph/Graph.ts';
import { GatedDataset } from '../../lib/data/GatedDataset.ts';
import { initWeights } from '../../lib/init/initWeights.ts';
import { Rng } from '../../lib/init/rng.ts';
import type { WeightSet } from '../../lib/engine/WeightSet.ts';

export interface RandomCase {
  graph: Graph;
  data: GatedDataset;
  weights: WeightSet;
  description: string;
}

export interface RandomDagOptions {
  /** Allow nonlinear hidden nodes (default true). */
  nonlinear?: boolean;
  /** Allow per-neuron node gates (default true). */
  perNeuronGates?: boolean;
  /** Gates in {0, 1} only (default false: real gates in [0, 1.5] with zeros). */
  binaryGates?: boolean;
  maxHidden?: number;
  samples?: number;
  /** 'gaussian' (default) or 'probabilities' (each output row a softmax: targets for cross-entropy). */
  targets?: 'gaussian' | 'probabilities';
}

/** Rows of length `width` mapped through softmax, so each is a probability vector. */
function softmaxRows(x: Float64Array, width: number): Float64Array {
  for (let r = 0; r < x.length / width; r++) {
    const row = x.subarray(r * width, (r + 1) * width);
    const max = Math.max(...row);
    let z = 0;
    for (let k = 0; k < width; k++) z += (row[k] = Math.exp(row[k] - max));
    for (let k = 0; k < width; k++) row[k] /= z;
  }
  return x;
}

const SIZES = [1, 2, 3, 5, 7, 8, 13, 19];

export function randomDag(seed: number, options: RandomDagOptions = {}): RandomCase {
  const rng = new Rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[rng.below(xs.length)];
  const nInputs = 1 + rng.below(2);
  const nOutputs = 1 + rng.below(2);
  const nHidden = 1 + rng.below(options.maxHidden ?? 4);
  const nodes: NodeSpec[] = [];
  const acts: ActivationSpec[] = options.nonlinear === false ? ['linear'] : ['linear', 'relu', 'tanh', { leakyRelu: 0.1 }];
  for (let i = 0; i < nInputs; i++) nodes.push({ name: `in${i}`, size: pick(SIZES) });
  for (let i = 0; i < nHidden; i++) nodes.push({ name: `h${i}`, size: pick(SIZES), activation: pick(acts) });
  for (let i = 0; i < nOutputs; i++) nodes.push({ name: `out${i}`, size: pick(SIZES.slice(0, 5)) });
  const edges: EdgeSpec[] = [];
  const has = new Set<string>();
  const add = (from: string, to: string) => {
    if (!has.has(`${from}->${to}`)) {
      has.add(`${from}->${to}`);
      edges.push({ from, to });
    }
  };
  // A chain through every hidden node keeps every node connected; random extra
  // edges (forward in the ordering) add skips, fan-in and fan-out.
  const hidden = nodes.filter((n) => n.name.startsWith('h')).map((n) => n.name);
  for (let i = 0; i < nInputs; i++) add(`in${i}`, hidden[0]);
  for (let i = 0; i + 1 < hidden.length; i++) add(hidden[i], hidden[i + 1]);
  for (let i = 0; i < nOutputs; i++) add(hidden[hidden.length - 1], `out${i}`);
  const order = [...nodes.filter((n) => n.name.startsWith('in')).map((n) => n.name), ...hidden, ...nodes.filter((n) => n.name.startsWith('out')).map((n) => n.name)];
  const extra = rng.below(4);
  for (let k = 0; k < extra; k++) {
    const a = rng.below(order.length - 1);
    const b = a + 1 + rng.below(order.length - 1 - a);
    const from = order[a];
    const to = order[b];
    if (from.startsWith('out') || to.startsWith('in')) continue;
    add(from, to);
  }
  // A parallel edge now and then (named, so both can exist).
  if (rng.below(4) === 0) edges.push({ from: order[0], to: hidden[0], name: 'parallel' });
  const graph = new Graph({ nodes, edges });

  const N = options.samples ?? 3 + rng.below(10);
  const gaussian = (n: number) => Float64Array.from({ length: n }, () => rng.normal());
  const gate = (n: number) =>
    Float64Array.from({ length: n }, () => {
      const r = rng.uniform();
      if (r < 0.25) return 0;
      if (options.binaryGates || r < 0.6) return 1;
      return 1.5 * rng.uniform();
    });
  const inputs = Object.fromEntries(graph.inputs.map((v) => [graph.nodes[v].name, gaussian(N * graph.nodes[v].size)]));
  const targets = Object.fromEntries(
    graph.outputs.map((v) => {
      const y = gaussian(N * graph.nodes[v].size);
      return [graph.nodes[v].name, options.targets === 'probabilities' ? softmaxRows(y, graph.nodes[v].size) : y];
    }),
  );
  const edgeGates = Object.fromEntries(graph.edges.filter(() => rng.below(2) === 0).map((e) => [e.name, gate(N)]));
  const nodeGates = Object.fromEntries(
    graph.nodes
      .filter(() => rng.below(3) === 0)
      .map((n) => [n.name, options.perNeuronGates !== false && rng.below(2) === 0 ? gate(N * n.size) : gate(N)]),
  );
  const data = new GatedDataset(graph, { inputs, targets, edgeGates, nodeGates });
  const weights = initWeights(graph, { seed: rng.nextU32(), scheme: { kind: 'xavierNormal', gain: 1 } });
  const description = `${graph.nodes.map((n) => `${n.name}[${n.size}${n.activation !== 'linear' ? ',' + JSON.stringify(n.activation) : ''}]`).join(' ')}; edges ${graph.edges.map((e) => e.name).join(' ')}; N=${N}`;
  return { graph, data, weights, description };
}
