/**
 * Decoupled initialisation (Saxe et al. 2022, eq. 9): W_e = R_{t(e)} B_e R_{s(e)}ᵀ
 * with R_v = V_v on input nodes, R_v = U_v on output nodes (the bases found by
 * {@link reduceGdln}), any orthonormal R_v on hidden nodes, and B_e the partial
 * matching ("diagonal") matrix holding the reduced variables of edge e. A full
 * simulation started from these weights stays on the reduced manifold: full-batch
 * gradient descent with learning rate lr then equals the reduced recurrence
 * B ← B + lr·RHS(B) (`Reduction.recurrence`) to rounding error.
 */
import { Matrix, QrDecomposition } from 'ml-matrix';
import { GdlnError, invalidParameter } from '../errors.ts';
import { WeightSet } from '../engine/WeightSet.ts';
import type { Reduction } from '../analyses/reduction.ts';
import { Rng } from './rng.ts';

export interface DecoupledOptions {
  /**
   * Hidden-node bases R_v by node name: [|v|, ≥ modes] with orthonormal columns (column k
   * carries the k-th mode through v). Nodes not listed get `seed`'s random orthogonal
   * matrix, or the identity when no seed is given.
   */
  hiddenBases?: Record<string, Matrix | number[][]>;
  /** Draw the unlisted hidden bases as Haar-random orthogonal matrices from this seed. */
  seed?: number;
}

/** A Haar-distributed random orthogonal n×n matrix (QR of a Gaussian matrix, signs fixed by diag(R) > 0). */
export function randomOrthogonal(n: number, rng: Rng): Matrix {
  const g = new Matrix(n, n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) g.set(i, j, rng.normal());
  const qr = new QrDecomposition(g);
  const q = qr.orthogonalMatrix;
  const r = qr.upperTriangularMatrix;
  for (let j = 0; j < n; j++) if (r.get(j, j) < 0) for (let i = 0; i < n; i++) q.set(i, j, -q.get(i, j));
  return q;
}

/**
 * The basis R_v of every node as used by {@link decoupledWeights}: V / U from the
 * reduction on input / output nodes, the given or drawn basis on hidden nodes.
 */
export function nodeBases(reduction: Reduction, options: DecoupledOptions = {}): Matrix[] {
  const { graph } = reduction;
  const given = options.hiddenBases ?? {};
  for (const name of Object.keys(given)) {
    const v = graph.node(name);
    if (graph.inputs.includes(v.index) || graph.outputs.includes(v.index)) {
      throw invalidParameter('a hidden node (input and output bases are fixed by the dataset)', 'hiddenBases key', name);
    }
  }
  const rng = options.seed === undefined ? null : new Rng(options.seed);
  return graph.nodes.map((v) => {
    if (reduction.inputBases.has(v.index)) return reduction.inputBases.get(v.index) as Matrix;
    if (reduction.outputBases.has(v.index)) return reduction.outputBases.get(v.index) as Matrix;
    const g = given[v.name];
    if (g !== undefined) {
      const m = g instanceof Matrix ? g : new Matrix(g);
      const need = reduction.hiddenModes.get(v.index) ?? 0;
      if (m.rows !== v.size || m.columns < need) {
        throw new GdlnError('GDLN_SHAPE_MISMATCH', `Expected hidden basis of node ${JSON.stringify(v.name)} to be [${v.size}, ≥${need}] but received [${m.rows}, ${m.columns}]`, { node: v.name });
      }
      const gram = m.transpose().mmul(m);
      for (let i = 0; i < gram.rows; i++) for (let j = 0; j < gram.columns; j++) {
        if (Math.abs(gram.get(i, j) - (i === j ? 1 : 0)) > 1e-10) {
          throw invalidParameter('orthonormal columns (RᵀR = I)', `hidden basis of node ${JSON.stringify(v.name)}`, `RᵀR[${i},${j}] = ${gram.get(i, j)}`);
        }
      }
      return m;
    }
    return rng ? randomOrthogonal(v.size, rng) : Matrix.eye(v.size, v.size);
  });
}

/**
 * Weights W_e = R_t B_e R_sᵀ from a reduced state `b` (one value per
 * `reduction.variables` entry).
 * @example
 * const red = reduceGdln(graph, data);
 * const w0 = decoupledWeights(red, red.alignSigns(red.state(0.05)), { seed: 3 });
 */
export function decoupledWeights(reduction: Reduction, b: Float64Array, options: DecoupledOptions = {}): WeightSet {
  if (!(b instanceof Float64Array) || b.length !== reduction.variables.length) {
    throw new GdlnError('GDLN_SHAPE_MISMATCH', `Expected a reduced state of length ${reduction.variables.length} but received ${b instanceof Float64Array ? b.length : typeof b}`);
  }
  const { graph } = reduction;
  const R = nodeBases(reduction, options);
  const mats = graph.edges.map((e) => new Float64Array(graph.nodes[e.target].size * graph.nodes[e.source].size));
  for (const v of reduction.variables) {
    const e = graph.edges[v.edge];
    const Rt = R[e.target];
    const Rs = R[e.source];
    const cols = graph.nodes[e.source].size;
    const w = mats[v.edge];
    const val = b[v.index];
    if (!Number.isFinite(val)) throw invalidParameter('finite values', 'reduced state', val);
    for (let i = 0; i < Rt.rows; i++) {
      const ri = Rt.get(i, v.row) * val;
      if (ri === 0) continue;
      for (let j = 0; j < cols; j++) w[i * cols + j] += ri * Rs.get(j, v.col);
    }
  }
  return new WeightSet(graph, mats);
}
