/**
 * A gated dataset for one graph (Saxe et al. 2022, Sec. 2; Jarvis et al. 2025 eq. 2):
 * N samples, each with values x_v for every input node, targets y_v for every
 * output node, and per-sample gates. Gates are part of the data, as in the papers.
 *
 * Layouts: inputs/targets per node are sample-major [N, |v|]; an edge gate is
 * [N]; a node gate is [N] (one scalar per sample) or [N, |v|] (one per neuron).
 * Missing gates are 1. Arrays may be given as Float64Array/Float32Array/number[]
 * (flat) or number[][] (one row per sample); they are copied into Float64Array.
 */
import { GdlnError, invalidParameter } from '../errors.ts';
import type { Graph } from '../graph/Graph.ts';

export type ArrayInput = Float64Array | Float32Array | readonly number[] | readonly (readonly number[])[];

export interface GatedDatasetSpec {
  /** Per input node name: [N, |v|]. */
  inputs: Record<string, ArrayInput>;
  /** Per output node name: [N, |v|]. */
  targets: Record<string, ArrayInput>;
  /** Per edge name: [N]. */
  edgeGates?: Record<string, ArrayInput>;
  /** Per node name: [N] or [N, |v|]. */
  nodeGates?: Record<string, ArrayInput>;
  /** Number of samples; inferred from the first input when omitted. */
  nSamples?: number;
}

/**
 * True when `view`'s ArrayBuffer was transferred away (detached). A detached
 * view reports length 0, so without this check it reads as an empty array.
 */
export function isDetachedView(view: ArrayBufferView): boolean {
  try {
    // Constructing any view over a detached buffer throws a TypeError.
    new Uint8Array(view.buffer, 0, 0);
    return false;
  } catch {
    return true;
  }
}

function notANumber(what: string, index: number, value: unknown, extra: Record<string, unknown> = {}): GdlnError {
  const shown = typeof value === 'string' ? JSON.stringify(value) : String(value);
  return new GdlnError(
    'GDLN_INVALID_ARGUMENT',
    `Expected numbers in ${what} but element ${index} is ${shown} (${value === null ? 'null' : typeof value})`,
    { name: what, index, ...extra },
  );
}

/**
 * Converts any accepted array form to a fresh Float64Array, checking that every
 * element is a finite number: strings, booleans, null and undefined are refused
 * (GDLN_INVALID_ARGUMENT naming the element), never coerced.
 */
export function toFloat64(value: ArrayInput, what: string): Float64Array {
  let out: Float64Array;
  if (value instanceof Float64Array || value instanceof Float32Array) {
    if (isDetachedView(value)) throw invalidParameter('a typed array with an attached buffer', what, 'a detached (transferred) ArrayBuffer');
    out = new Float64Array(value);
  } else if (Array.isArray(value)) {
    if (value.length > 0 && Array.isArray(value[0])) {
      const rows = value as readonly (readonly unknown[])[];
      const width = rows[0].length;
      out = new Float64Array(rows.length * width);
      for (let i = 0; i < rows.length; i++) {
        const row = rows[i];
        if (!Array.isArray(row) || row.length !== width) {
          throw new GdlnError('GDLN_SHAPE_MISMATCH', `Expected every row of ${what} to have length ${width} but row ${i} has ${Array.isArray(row) ? row.length : typeof row}`, { name: what, row: i });
        }
        for (let j = 0; j < width; j++) {
          const x = row[j];
          if (typeof x !== 'number') throw notANumber(what, i * width + j, x, { row: i, column: j });
          out[i * width + j] = x;
        }
      }
    } else {
      const flat = value as readonly unknown[];
      out = new Float64Array(flat.length);
      for (let i = 0; i < flat.length; i++) {
        const x = flat[i];
        if (typeof x !== 'number') throw notANumber(what, i, x);
        out[i] = x;
      }
    }
  } else {
    throw invalidParameter('a Float64Array, Float32Array, number[] or number[][]', what, value);
  }
  for (let i = 0; i < out.length; i++) {
    if (!Number.isFinite(out[i])) {
      throw new GdlnError('GDLN_NON_FINITE', `Expected finite numbers in ${what} but element ${i} is ${out[i]}`, { name: what, index: i });
    }
  }
  return out;
}

function isArrayInput(v: unknown): v is ArrayInput {
  return v instanceof Float64Array || v instanceof Float32Array || Array.isArray(v);
}

function firstLength(v: ArrayInput): number {
  return Array.isArray(v) && v.length > 0 && Array.isArray(v[0]) ? v.length : NaN;
}

export class GatedDataset {
  readonly graph: Graph;
  readonly nSamples: number;
  /** Per node index: [N, |v|] for inputs, null otherwise. */
  readonly inputs: (Float64Array | null)[];
  /** Per node index: [N, |v|] for outputs, null otherwise. */
  readonly targets: (Float64Array | null)[];
  /** Per edge index: [N] or null (all ones). */
  readonly edgeGates: (Float64Array | null)[];
  /** Per node index: [N] or [N, |v|] or null (all ones). */
  readonly nodeGates: (Float64Array | null)[];

  /**
   * @throws GdlnError GDLN_UNKNOWN_NODE / GDLN_UNKNOWN_EDGE (a key names nothing in the graph),
   *   GDLN_INVALID_ARGUMENT (a key names a node of the wrong kind, a missing input or target),
   *   GDLN_SHAPE_MISMATCH (wrong lengths), GDLN_NON_FINITE (NaN/Inf)
   */
  constructor(graph: Graph, spec: GatedDatasetSpec) {
    if (spec == null || typeof spec !== 'object') throw invalidParameter('a dataset spec object', 'dataset', spec);
    this.graph = graph;
    const inputs = spec.inputs ?? {};
    const targets = spec.targets ?? {};
    for (const name of Object.keys(inputs)) {
      const v = graph.node(name);
      if (!graph.inputs.includes(v.index)) throw invalidParameter('an input node (no incoming edge)', `inputs key ${JSON.stringify(name)}`, name, 'GDLN_INVALID_ARGUMENT', { node: name });
    }
    for (const name of Object.keys(targets)) {
      const v = graph.node(name);
      if (!graph.outputs.includes(v.index)) throw invalidParameter('an output node (no outgoing edge)', `targets key ${JSON.stringify(name)}`, name, 'GDLN_INVALID_ARGUMENT', { node: name });
    }
    // N: given, or inferred from the first input (rows, or flat length / |v|).
    let n = spec.nSamples;
    if (n === undefined) {
      const first = graph.nodes[graph.inputs[0]];
      const value = inputs[first.name];
      if (value === undefined) throw new GdlnError('GDLN_INVALID_ARGUMENT', `Missing inputs for input node ${JSON.stringify(first.name)}`, { node: first.name });
      if (!isArrayInput(value)) throw invalidParameter('a Float64Array, Float32Array, number[] or number[][]', `inputs of node ${JSON.stringify(first.name)}`, value);
      if (ArrayBuffer.isView(value) && isDetachedView(value)) {
        throw invalidParameter('a typed array with an attached buffer', `inputs of node ${JSON.stringify(first.name)}`, 'a detached (transferred) ArrayBuffer', 'GDLN_INVALID_ARGUMENT', { node: first.name });
      }
      const rows = firstLength(value);
      n = Number.isNaN(rows) ? (value as { length: number }).length / first.size : rows;
    }
    if (!Number.isInteger(n) || (n as number) <= 0) throw invalidParameter('a positive integer number of samples', 'nSamples', n, 'GDLN_SHAPE_MISMATCH');
    const N = n as number;
    this.nSamples = N;

    const sized = (value: ArrayInput, what: string, lengths: number[]): Float64Array => {
      const arr = toFloat64(value, what);
      if (!lengths.includes(arr.length)) {
        throw new GdlnError('GDLN_SHAPE_MISMATCH', `Expected ${what} to have length ${lengths.join(' or ')} but received length ${arr.length}`, { name: what, expected: lengths, received: arr.length });
      }
      return arr;
    };

    this.inputs = graph.nodes.map((v) => {
      if (!graph.inputs.includes(v.index)) return null;
      const value = inputs[v.name];
      if (value === undefined) throw new GdlnError('GDLN_INVALID_ARGUMENT', `Missing inputs for input node ${JSON.stringify(v.name)}`, { node: v.name });
      return sized(value, `inputs of node ${JSON.stringify(v.name)} ([N=${N}, ${v.size}])`, [N * v.size]);
    });
    this.targets = graph.nodes.map((v) => {
      if (!graph.outputs.includes(v.index)) return null;
      const value = targets[v.name];
      if (value === undefined) throw new GdlnError('GDLN_INVALID_ARGUMENT', `Missing targets for output node ${JSON.stringify(v.name)}`, { node: v.name });
      return sized(value, `targets of node ${JSON.stringify(v.name)} ([N=${N}, ${v.size}])`, [N * v.size]);
    });
    const edgeGates = spec.edgeGates ?? {};
    for (const name of Object.keys(edgeGates)) graph.edge(name);
    this.edgeGates = graph.edges.map((e) => {
      const value = edgeGates[e.name];
      return value === undefined ? null : sized(value, `edge gate of edge ${JSON.stringify(e.name)} ([N=${N}])`, [N]);
    });
    const nodeGates = spec.nodeGates ?? {};
    for (const name of Object.keys(nodeGates)) graph.node(name);
    this.nodeGates = graph.nodes.map((v) => {
      const value = nodeGates[v.name];
      return value === undefined ? null : sized(value, `node gate of node ${JSON.stringify(v.name)} ([N=${N}] or [N=${N}, ${v.size}])`, [N, N * v.size]);
    });
  }

  /** True when the node gate of node `v` holds one value per neuron. */
  isPerNeuronGate(v: number): boolean {
    const g = this.nodeGates[v];
    return g !== null && g.length === this.nSamples * this.graph.nodes[v].size && this.graph.nodes[v].size > 1;
  }

  /** Gate of edge e on sample i (1 when absent). */
  edgeGate(e: number, i: number): number {
    const g = this.edgeGates[e];
    return g === null ? 1 : g[i];
  }
}
