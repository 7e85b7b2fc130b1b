/**
 * The routing task and its gated networks (Saxe, Sodhani & Lewallen 2022, Sec. 4,
 * Fig. 4a–d and Fig. 5a; App. C).
 *
 * M input domains (banks of neurons in_0 … in_{M−1}) and M output domains
 * (out_0 … out_{M−1}). A sample is an item k presented on input domain i with its
 * target on output domain j: in_i = x_k, out_j = y_k, every other domain is zero.
 * Each input domain is trained with K output domains — by default the cyclic routes
 * j = i, i+1, …, i+K−1 (mod M), so every output domain also sees K inputs (Fig. 4d).
 *
 * Gating (Fig. 4a): edge in_i → h1 is on only when the sample's input domain is i,
 * h2 → out_j only when its output domain is j; the hidden edge h1 → h2 is always on.
 * There are M² paths; each sample activates exactly one.
 *
 * Sharing schemes (Fig. 5a, eq. 16–17): with `sharing: g` (g divides M), input and
 * output domains are grouped in blocks of g and each (input block, output block) pair
 * gets its own hidden pathway h1_{a,b} → h2_{a,b}, so P = g² routes flow through each
 * hidden weight matrix: g = 1 is a dedicated pathway per route (P = 1), g = M the fully
 * shared network of Fig. 4 (P = M², the default).
 *
 * Items default to the 4-item × 7-feature hierarchy of Fig. 4c with random orthogonal
 * input vectors (one fixed set, the same on every domain), N_h = 64 (Fig. 4 parameters).
 */
import { Matrix } from 'ml-matrix';
import { Graph, type EdgeSpec, type NodeSpec } from '../graph/Graph.ts';
import { GatedDataset } from './GatedDataset.ts';
import { hierarchy4x7 } from './hierarchy.ts';
import { invalidParameter } from '../errors.ts';
import { Rng } from '../init/rng.ts';
import { randomOrthogonal } from '../init/decoupled.ts';

export interface RoutingOptions {
  /** Number of input (and output) domains. */
  M: number;
  /** Output domains trained per input domain (default M). */
  K?: number;
  /** Target feature vector per item, rows (default the 4 × 7 hierarchy of Fig. 4c). */
  items?: readonly (readonly number[])[];
  /** Input vector per item: 'randomOrthogonal' (default; Fig. 4c), 'oneHot', or explicit rows. */
  inputs?: 'randomOrthogonal' | 'oneHot' | readonly (readonly number[])[];
  /** Input dimension for 'randomOrthogonal' / 'oneHot' (default: number of items). */
  inputDim?: number;
  /** Neurons per hidden node (default 64, Fig. 4: N_h = 64). */
  hidden?: number;
  /** Group size g of the sharing scheme (divides M; default M = full sharing). P = g². */
  sharing?: number;
  /** Seed of the random orthogonal inputs (default 0). */
  seed?: number;
}

export interface RoutingTask {
  graph: Graph;
  /** The training set: trained routes × items. */
  data: GatedDataset;
  /** All M² routes × items (for generalisation to untrained routes). */
  evaluation: GatedDataset;
  /** Per evaluation sample: 'trained' or 'untrained' (pass as `groups` to train()). */
  evaluationGroups: string[];
  /** trained[i][j]: whether route in_i → out_j is in the training set. */
  trained: boolean[][];
  /** Per training sample: [input domain, output domain, item]. */
  samples: [number, number, number][];
  /** Input vectors (rows per item) and targets (rows per item) used. */
  itemInputs: number[][];
  itemTargets: number[][];
  M: number;
  K: number;
  sharing: number;
}

function positiveInt(x: unknown, name: string): number {
  if (typeof x !== 'number' || !Number.isInteger(x) || x < 1) throw invalidParameter('a positive integer', name, x);
  return x;
}

/**
 * Builds the routing task, its GDLN and gates.
 * @example
 * const task = routingTask({ M: 7, K: 4 }); // Fig. 4: 49 paths, 28 trained routes × 4 items
 */
export function routingTask(options: RoutingOptions): RoutingTask {
  const M = positiveInt(options?.M, 'M');
  const K = positiveInt(options.K ?? M, 'K');
  if (K > M) throw invalidParameter(`K ≤ M = ${M}`, 'K', K);
  const g = positiveInt(options.sharing ?? M, 'sharing');
  if (M % g !== 0) throw invalidParameter(`a divisor of M = ${M}`, 'sharing', g);
  const hidden = positiveInt(options.hidden ?? 64, 'hidden');
  const itemTargets = (options.items ?? hierarchy4x7()).map((r) => [...r]);
  const nItems = itemTargets.length;
  if (nItems === 0) throw invalidParameter('at least one item', 'items', itemTargets);
  const F = itemTargets[0].length;
  let itemInputs: number[][];
  const spec = options.inputs ?? 'randomOrthogonal';
  if (spec === 'randomOrthogonal' || spec === 'oneHot') {
    const dim = positiveInt(options.inputDim ?? nItems, 'inputDim');
    if (dim < nItems) throw invalidParameter(`inputDim ≥ number of items (${nItems}) for orthogonal inputs`, 'inputDim', dim);
    const Q = spec === 'oneHot' ? Matrix.eye(dim, dim) : randomOrthogonal(dim, new Rng(options.seed ?? 0));
    itemInputs = Array.from({ length: nItems }, (_, k) => Array.from({ length: dim }, (_, r) => Q.get(r, k)));
  } else {
    itemInputs = spec.map((r) => [...r]);
    if (itemInputs.length !== nItems) throw invalidParameter(`one input row per item (${nItems})`, 'inputs', itemInputs.length);
  }
  const D = itemInputs[0].length;

  const blocks = M / g;
  const nodes: NodeSpec[] = [...Array.from({ length: M }, (_, i) => ({ name: `in${i}`, size: D }))];
  const edges: EdgeSpec[] = [];
  const h1 = (a: number, b: number) => (g === M ? 'h1' : `h1_${a}_${b}`);
  const h2 = (a: number, b: number) => (g === M ? 'h2' : `h2_${a}_${b}`);
  for (let a = 0; a < blocks; a++) for (let b = 0; b < blocks; b++) {
    nodes.push({ name: h1(a, b), size: hidden }, { name: h2(a, b), size: hidden });
    edges.push({ from: h1(a, b), to: h2(a, b) });
  }
  nodes.push(...Array.from({ length: M }, (_, j) => ({ name: `out${j}`, size: F })));
  for (let i = 0; i < M; i++) for (let b = 0; b < blocks; b++) edges.push({ from: `in${i}`, to: h1(Math.floor(i / g), b) });
  for (let j = 0; j < M; j++) for (let a = 0; a < blocks; a++) edges.push({ from: h2(a, Math.floor(j / g)), to: `out${j}` });
  const graph = new Graph({ nodes, edges });

  const trained = Array.from({ length: M }, () => new Array<boolean>(M).fill(false));
  for (let i = 0; i < M; i++) for (let k = 0; k < K; k++) trained[i][(i + k) % M] = true;

  const build = (routes: [number, number][]): { data: GatedDataset; samples: [number, number, number][] } => {
    const samples: [number, number, number][] = [];
    for (const [i, j] of routes) for (let k = 0; k < nItems; k++) samples.push([i, j, k]);
    const N = samples.length;
    const inputs: Record<string, Float64Array> = {};
    const targets: Record<string, Float64Array> = {};
    const edgeGates: Record<string, Float64Array> = {};
    for (let i = 0; i < M; i++) inputs[`in${i}`] = new Float64Array(N * D);
    for (let j = 0; j < M; j++) targets[`out${j}`] = new Float64Array(N * F);
    for (const e of graph.edges) if (!e.name.startsWith('h1')) edgeGates[e.name] = new Float64Array(N);
    samples.forEach(([i, j, k], n) => {
      inputs[`in${i}`].set(itemInputs[k], n * D);
      targets[`out${j}`].set(itemTargets[k], n * F);
      const a = Math.floor(i / g);
      const b = Math.floor(j / g);
      edgeGates[`in${i}->${h1(a, b)}`][n] = 1;
      edgeGates[`${h2(a, b)}->out${j}`][n] = 1;
      // Hidden pathways of other block pairs stay off: their input edges are gated off.
    });
    // With sharing < M, the hidden edge of a block pair is on only for that pair's routes.
    if (g !== M) {
      for (let a = 0; a < blocks; a++) for (let b = 0; b < blocks; b++) {
        const gate = new Float64Array(N);
        samples.forEach(([i, j], n) => {
          if (Math.floor(i / g) === a && Math.floor(j / g) === b) gate[n] = 1;
        });
        edgeGates[`${h1(a, b)}->${h2(a, b)}`] = gate;
      }
    }
    return { data: new GatedDataset(graph, { inputs, targets, edgeGates, nSamples: N }), samples };
  };
  const trainedRoutes: [number, number][] = [];
  const allRoutes: [number, number][] = [];
  for (let i = 0; i < M; i++) for (let j = 0; j < M; j++) {
    allRoutes.push([i, j]);
    if (trained[i][j]) trainedRoutes.push([i, j]);
  }
  const train = build(trainedRoutes);
  const evaluation = build(allRoutes);
  return {
    graph,
    data: train.data,
    evaluation: evaluation.data,
    evaluationGroups: evaluation.samples.map(([i, j]) => (trained[i][j] ? 'trained' : 'untrained')),
    trained,
    samples: train.samples,
    itemInputs,
    itemTargets,
    M,
    K,
    sharing: g,
  };
}
