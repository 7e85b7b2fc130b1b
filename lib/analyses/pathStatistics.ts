/**
 * Path statistics of a gated dataset and the path-sum form of the gradient
 * (Saxe et al. 2022, eq. 3–6; Jarvis et al. 2025 eq. 3–4):
 *
 *   Σʸˣ(p)   = 1/N Σ_i g_p^i y_{t(p)}^i x_{s(p)}^iᵀ          [|t(p)|, |s(p)|]
 *   Σˣ(j, p) = 1/N Σ_i g_j^i x_{s(j)}^i x_{s(p)}^iᵀ g_p^i    [|s(j)|, |s(p)|]
 *   −∂L/∂W_e = Σ_{p∈P(e)} W_{t̄(p,e)}ᵀ [Σʸˣ(p) − Σ_{j∈T(t(p))} W_j Σˣ(j,p)] W_{s̄(p,e)}ᵀ
 *
 * g_p is the product of every edge gate and node gate along p (its input and
 * output nodes included). The formulas hold for scalar gates and linear nodes
 * only; other models get GDLN_UNSUPPORTED. Only paths that are ever active, and
 * pairs (j, p) that are ever active together on one sample, are stored or
 * visited: active paths are found per sample by walking only gated-on edges, so
 * a routing graph with 10⁴ paths costs what its active paths cost.
 */
import { Matrix } from 'ml-matrix';
import { GdlnError } from '../errors.ts';
import type { GatedDataset } from '../data/GatedDataset.ts';
import type { Graph, Path } from '../graph/Graph.ts';
import { WeightSet } from '../engine/WeightSet.ts';

export interface PathStatistics {
  graph: Graph;
  /** All input→output paths (the indices used below). */
  paths: readonly Path[];
  /** Σʸˣ(p) per path index; null for a path never active. */
  sigmaYX: (Matrix | null)[];
  /** Σˣ(j, p) for every ordered pair active together, keyed `${j},${p}` (same output node). */
  sigmaX: Map<string, Matrix>;
  /** Number of samples on which each path is active (g_p ≠ 0). */
  activeCount: Int32Array;
}

function nodeGate(data: GatedDataset, v: number, i: number): number {
  const g = data.nodeGates[v];
  return g === null ? 1 : g[i];
}

/** Throws unless the model is one the path formulas describe. */
export function assertPathFormulaApplies(graph: Graph, data: GatedDataset): void {
  for (const n of graph.nodes) {
    if (n.activation !== 'linear') {
      throw new GdlnError('GDLN_UNSUPPORTED', `Path statistics (eq. 4–6) assume linear nodes, but node ${JSON.stringify(n.name)} has activation ${JSON.stringify(n.activation)}`, { node: n.name });
    }
    if (data.isPerNeuronGate(n.index)) {
      throw new GdlnError('GDLN_UNSUPPORTED', `Path statistics (eq. 4–6) assume one scalar gate per node and sample, but node ${JSON.stringify(n.name)} has per-neuron gates`, { node: n.name });
    }
  }
}

function outer(a: Float64Array, aOff: number, aLen: number, b: Float64Array, bOff: number, bLen: number, scale: number, into: Matrix) {
  for (let r = 0; r < aLen; r++) {
    const ar = a[aOff + r] * scale;
    if (ar === 0) continue;
    for (let c = 0; c < bLen; c++) into.set(r, c, into.get(r, c) + ar * b[bOff + c]);
  }
}

/**
 * Computes Σʸˣ(p) for every active path and Σˣ(j,p) for every pair active together.
 * @throws GdlnError GDLN_UNSUPPORTED for nonlinear nodes or per-neuron gates
 */
export function pathStatistics(graph: Graph, data: GatedDataset): PathStatistics {
  assertPathFormulaApplies(graph, data);
  const paths = graph.paths();
  const index = new Map<string, number>(paths.map((p, k) => [p.join(','), k]));
  const N = data.nSamples;
  const sigmaYX: (Matrix | null)[] = paths.map(() => null);
  const sigmaX = new Map<string, Matrix>();
  const activeCount = new Int32Array(paths.length);
  const size = (v: number) => graph.nodes[v].size;

  for (let i = 0; i < N; i++) {
    // Active paths of sample i with their gate products, by depth-first walk over gated-on edges.
    const active: { p: number; g: number }[] = [];
    const walk = (v: number, prefix: number[], g: number) => {
      if (graph.outgoing[v].length === 0) {
        active.push({ p: index.get(prefix.join(',')) as number, g });
        return;
      }
      for (const e of graph.outgoing[v]) {
        const t = graph.edges[e].target;
        const ge = g * data.edgeGate(e, i) * nodeGate(data, t, i);
        if (ge === 0) continue;
        prefix.push(e);
        walk(t, prefix, ge);
        prefix.pop();
      }
    };
    for (const v of graph.inputs) {
      const g = nodeGate(data, v, i);
      if (g !== 0) walk(v, [], g);
    }
    for (const { p, g } of active) {
      activeCount[p]++;
      const s = graph.pathSource(paths[p]);
      const t = graph.pathTarget(paths[p]);
      const m = (sigmaYX[p] ??= Matrix.zeros(size(t), size(s)));
      outer(data.targets[t] as Float64Array, i * size(t), size(t), data.inputs[s] as Float64Array, i * size(s), size(s), g / N, m);
    }
    for (const a of active) {
      for (const b of active) {
        if (graph.pathTarget(paths[a.p]) !== graph.pathTarget(paths[b.p])) continue;
        const sj = graph.pathSource(paths[a.p]);
        const sp = graph.pathSource(paths[b.p]);
        const key = `${a.p},${b.p}`;
        let m = sigmaX.get(key);
        if (!m) sigmaX.set(key, (m = Matrix.zeros(size(sj), size(sp))));
        outer(data.inputs[sj] as Float64Array, i * size(sj), size(sj), data.inputs[sp] as Float64Array, i * size(sp), size(sp), (a.g * b.g) / N, m);
      }
    }
  }
  return { graph, paths, sigmaYX, sigmaX, activeCount };
}

/** W_e (row-major [r, c]) as an ml-matrix. */
function toMatrix(w: Float64Array, r: number, c: number): Matrix {
  const m = new Matrix(r, c);
  for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) m.set(i, j, w[i * c + j]);
  return m;
}

/** Ordered product of the weights on a stretch of a path (target on the left); identity of size `n` if empty. */
function productAlong(mats: Matrix[], edges: readonly number[], n: number): Matrix {
  let m = Matrix.eye(n, n);
  for (const e of edges) m = mats[e].mmul(m);
  return m;
}

/**
 * ∂L/∂W_e by the path-sum formula (eq. 3) for weights given as plain
 * row-major arrays per edge (e.g. rotated into a reduction's basis, where they
 * need not form a validated WeightSet). Visits only active paths and pairs.
 */
export function pathSumGradientArrays(stats: PathStatistics, matrices: readonly Float64Array[]): Float64Array[] {
  const { graph, paths } = stats;
  const mats = graph.edges.map((e) => {
    const [r, c] = graph.weightShape(e.index);
    return toMatrix(matrices[e.index], r, c);
  });
  const pathMatrix = new Map<number, Matrix>();
  const Wp = (p: number) => {
    let m = pathMatrix.get(p);
    if (!m) pathMatrix.set(p, (m = productAlong(mats, paths[p], graph.nodes[graph.pathSource(paths[p])].size)));
    return m;
  };
  // E(p) = Σʸˣ(p) − Σ_j W_j Σˣ(j, p), over paths active at all.
  const error = new Map<number, Matrix>();
  stats.sigmaYX.forEach((syx, p) => {
    if (syx) error.set(p, syx.clone());
  });
  for (const [key, sx] of stats.sigmaX) {
    const [j, p] = key.split(',').map(Number);
    (error.get(p) as Matrix).sub(Wp(j).mmul(sx));
  }
  const grads = graph.edges.map((e) => {
    const [r, c] = graph.weightShape(e.index);
    return Matrix.zeros(r, c);
  });
  for (const [p, E] of error) {
    const path = paths[p];
    path.forEach((e, k) => {
      const before = productAlong(mats, path.slice(0, k), graph.nodes[graph.pathSource(path)].size); // W_{s̄(p,e)}
      const after = productAlong(mats, path.slice(k + 1), graph.nodes[graph.edges[e].target].size); // W_{t̄(p,e)}
      grads[e].sub(after.transpose().mmul(E).mmul(before.transpose()));
    });
  }
  return grads.map((m) => Float64Array.from(m.to1DArray()));
}

/**
 * The gradient ∂L/∂W_e of the mean-squared loss computed by the path-sum
 * formula (eq. 3). Equal to backprop's gradient up to rounding; that identity
 * is tested. Visits only active paths and active pairs.
 */
export function pathSumGradient(stats: PathStatistics, weights: WeightSet): WeightSet {
  return new WeightSet(stats.graph, pathSumGradientArrays(stats, weights.matrices));
}
