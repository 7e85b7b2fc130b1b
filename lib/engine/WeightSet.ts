/**
 * The weights of a GDLN: one row-major Float64Array per edge, W_e of shape
 * [|t(e)|, |s(e)|]. Indexed by edge index (what kernels take) and by name.
 */
import { Matrix } from 'ml-matrix';
import { GdlnError } from '../errors.ts';
import { toFloat64, type ArrayInput } from '../data/GatedDataset.ts';
import type { Graph } from '../graph/Graph.ts';

export class WeightSet {
  readonly graph: Graph;
  /** Per edge index, [|t(e)|, |s(e)|] row-major. */
  readonly matrices: Float64Array[];

  /** @throws GdlnError GDLN_SHAPE_MISMATCH when a matrix has the wrong length. */
  constructor(graph: Graph, matrices: Float64Array[]) {
    if (!Array.isArray(matrices) || matrices.length !== graph.edges.length) {
      throw new GdlnError('GDLN_SHAPE_MISMATCH', `Expected ${graph.edges.length} weight matrices (one per edge) but received ${Array.isArray(matrices) ? matrices.length : typeof matrices}`);
    }
    matrices.forEach((m, e) => {
      const [r, c] = graph.weightShape(e);
      if (!(m instanceof Float64Array) || m.length !== r * c) {
        throw new GdlnError('GDLN_SHAPE_MISMATCH', `Expected weights of edge ${JSON.stringify(graph.edges[e].name)} to be a Float64Array of length ${r}×${c}=${r * c} but received ${m instanceof Float64Array ? `length ${m.length}` : typeof m}`, { edge: graph.edges[e].name });
      }
      for (let i = 0; i < m.length; i++) {
        if (!Number.isFinite(m[i])) throw new GdlnError('GDLN_NON_FINITE', `Expected finite weights for edge ${JSON.stringify(graph.edges[e].name)} but element ${i} is ${m[i]}`, { edge: graph.edges[e].name, index: i });
      }
    });
    this.graph = graph;
    this.matrices = matrices;
  }

  /** Builds a WeightSet from weights keyed by edge name (flat row-major or rows). */
  static fromRecord(graph: Graph, record: Record<string, ArrayInput>): WeightSet {
    for (const name of Object.keys(record)) graph.edge(name);
    return new WeightSet(
      graph,
      graph.edges.map((e) => {
        const value = record[e.name];
        if (value === undefined) throw new GdlnError('GDLN_INVALID_ARGUMENT', `Missing weights for edge ${JSON.stringify(e.name)}`, { edge: e.name });
        return toFloat64(value, `weights of edge ${JSON.stringify(e.name)}`);
      }),
    );
  }

  get(edgeName: string): Float64Array {
    return this.matrices[this.graph.edge(edgeName).index];
  }

  /** W_e as an ml-matrix Matrix (a copy). */
  matrix(edgeName: string): Matrix {
    const e = this.graph.edge(edgeName);
    const [r, c] = this.graph.weightShape(e.index);
    const w = this.matrices[e.index];
    return new Matrix(Array.from({ length: r }, (_, i) => Array.from(w.subarray(i * c, (i + 1) * c))));
  }

  clone(): WeightSet {
    return new WeightSet(this.graph, this.matrices.map((m) => m.slice()));
  }

  toRecord(): Record<string, number[]> {
    return Object.fromEntries(this.graph.edges.map((e) => [e.name, Array.from(this.matrices[e.index])]));
  }
}
