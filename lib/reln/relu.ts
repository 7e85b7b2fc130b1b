/**
 * A plain ReLU network as a gdln Graph (make-haste-slowly Sec. 3–6): x → h1 (ReLU)
 * [→ h2 (ReLU)] → y, no biases (the one-hot context and item features play that role,
 * as in the paper's networks), linear output. ReLU is a data-dependent node gate
 * (docs/architecture.md: relu(a) = step(a)·a, relu'(0) = 0), so the same engine
 * trains the ReLU network and its ReLN.
 */
import { Graph } from '../graph/Graph.ts';
import { GatedDataset, type ArrayInput } from '../data/GatedDataset.ts';
import { initWeights } from '../init/initWeights.ts';
import type { WeightSet } from '../engine/WeightSet.ts';
import { invalidParameter } from '../errors.ts';

export interface ReluNetworkOptions {
  /** [N][d] inputs (rows are samples). */
  inputs: readonly (readonly number[])[];
  /** [N][o] targets. */
  targets: readonly (readonly number[])[];
  /** Hidden width, or [h1, h2] for two hidden ReLU layers (Sec. 6). */
  hidden: number | readonly [number, number];
}

export interface ReluNetwork {
  graph: Graph;
  data: GatedDataset;
  /** Names of the hidden nodes, first layer first ('h1', and 'h2' with two layers). */
  hiddenNodes: string[];
}

export function checkMatrix(m: unknown, name: string): { rows: number; cols: number } {
  if (!Array.isArray(m) || m.length === 0 || !Array.isArray(m[0])) throw invalidParameter('a non-empty array of rows', name, m);
  const cols = (m[0] as unknown[]).length;
  if (cols === 0) throw invalidParameter('rows with at least one column', name, m[0]);
  for (let i = 0; i < m.length; i++) {
    const r = m[i] as unknown[];
    if (!Array.isArray(r) || r.length !== cols) throw invalidParameter(`rows of length ${cols}`, `${name}[${i}]`, r, 'GDLN_SHAPE_MISMATCH');
    for (let j = 0; j < cols; j++) {
      if (typeof r[j] !== 'number' || !Number.isFinite(r[j] as number)) throw invalidParameter('a finite number', `${name}[${i}][${j}]`, r[j], 'GDLN_NON_FINITE');
    }
  }
  return { rows: m.length, cols };
}

/**
 * @example const { graph, data } = reluNetwork({ inputs: task.inputs, targets: task.targets, hidden: 700 });
 */
export function reluNetwork(options: ReluNetworkOptions): ReluNetwork {
  const X = checkMatrix(options?.inputs, 'inputs');
  const Y = checkMatrix(options.targets, 'targets');
  if (X.rows !== Y.rows) throw invalidParameter(`${X.rows} target rows (one per input row)`, 'targets', Y.rows, 'GDLN_SHAPE_MISMATCH');
  const widths = typeof options.hidden === 'number' ? [options.hidden] : [...(options.hidden ?? [])];
  if (widths.length < 1 || widths.length > 2 || !widths.every((h) => Number.isInteger(h) && h >= 1)) {
    throw invalidParameter('a positive integer width or [h1, h2]', 'hidden', options.hidden);
  }
  const hiddenNodes = widths.map((_, l) => `h${l + 1}`);
  const graph = new Graph({
    nodes: [
      { name: 'x', size: X.cols },
      ...widths.map((h, l) => ({ name: hiddenNodes[l], size: h, activation: 'relu' as const })),
      { name: 'y', size: Y.cols },
    ],
    edges: ['x', ...hiddenNodes, 'y'].slice(1).map((to, l, arr) => ({ from: l === 0 ? 'x' : arr[l - 1], to })),
  });
  const data = new GatedDataset(graph, { inputs: { x: options.inputs as ArrayInput }, targets: { y: options.targets as ArrayInput } });
  return { graph, data, hiddenNodes };
}

/**
 * The small Gaussian initialisation shared by the ReLU network and its ReLN
 * (make-haste-slowly App. H, "Init-Scale": every weight N(0, σ²), the same σ in both
 * networks; Algorithm 1 draws W ~ N(0, σ)).
 */
export function smallInit(graph: Graph, std: number, seed: number): WeightSet {
  if (!(std >= 0) || !Number.isFinite(std)) throw invalidParameter('a finite std ≥ 0', 'initStd', std);
  return initWeights(graph, { seed, scheme: { kind: 'gaussian', std } });
}
