/**
 * Mode tracking: project a network's weights onto the dataset's singular vectors
 * (the bases of a {@link Reduction}), so a simulation can be read as singular
 * values racing (Saxe et al. 2022, eq. 9–10, Fig. 4f, 5b).
 *
 * For every edge, B̂_e = R_{t(e)}ᵀ W_e R_{s(e)}: its entries at the reduction's
 * variables (the "diagonal" the reduced dynamics track) and the Frobenius norm of
 * everything else (off-diagonal mass: zero on the decoupled manifold, and its decay
 * from a random init is the silent alignment). For every active path, the
 * input–output map in the dataset basis Â_p = U_{t(p)}ᵀ W_p V_{s(p)} (W_p the ordered
 * product along p): its value on each chain α→β (the path's effective singular
 * values) and its off-chain mass. Path maps need no hidden basis. Edge projections
 * touching a hidden node need R_v: pass the bases used for a decoupled init
 * (`nodeBases(reduction, options)`), or let them be inferred from the weights
 * (column k of R_v = the normalised image W_e R_s[:, col] of a variable of an
 * incoming edge that carries mode k, Gram–Schmidt in mode order, completed
 * arbitrarily). An inferred basis fixes signs so that the incoming edge's value is
 * positive; the values of the path maps are sign-exact.
 */
import { Matrix } from 'ml-matrix';
import type { WeightSet } from '../engine/WeightSet.ts';
import type { Reduction } from './reduction.ts';

export interface EdgeModes {
  edge: string;
  /** B̂_e at the edge's reduced variables (same order as `variables`). */
  values: Float64Array;
  /** Indices into reduction.variables. */
  variables: number[];
  /** ||B̂_e||_F restricted to everything but the tracked entries. */
  offDiagonal: number;
  /** ||W_e||_F. */
  total: number;
}

export interface PathModes {
  path: number;
  description: string;
  /** Â_p[β, α] per chain of the path (effective singular values of the path map). */
  values: Float64Array;
  /** Norm of Â_p off its chains. */
  offPattern: number;
  total: number;
}

export interface ModeSnapshot {
  /** The implied reduced state (one value per reduction variable). */
  b: Float64Array;
  edges: EdgeModes[];
  paths: PathModes[];
}

function toMatrix(w: Float64Array, rows: number, cols: number): Matrix {
  const m = new Matrix(rows, cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) m.set(i, j, w[i * cols + j]);
  return m;
}

function frob(m: Matrix): number {
  let s = 0;
  for (let i = 0; i < m.rows; i++) for (let j = 0; j < m.columns; j++) s += m.get(i, j) ** 2;
  return Math.sqrt(s);
}

/** Infers hidden-node bases from the weights (see the module comment). */
export function inferNodeBases(reduction: Reduction, weights: WeightSet): Matrix[] {
  const { graph } = reduction;
  const R: (Matrix | null)[] = graph.nodes.map((v) => reduction.inputBases.get(v.index) ?? reduction.outputBases.get(v.index) ?? null);
  for (const v of graph.topoOrder) {
    if (R[v]) continue;
    const n = graph.nodes[v].size;
    const modes = reduction.hiddenModes.get(v) ?? 0;
    const cand: (Float64Array | null)[] = new Array(modes).fill(null);
    for (const e of graph.incoming[v]) {
      const Rs = R[graph.edges[e].source] as Matrix;
      const cols = graph.nodes[graph.edges[e].source].size;
      const w = weights.matrices[e];
      for (const x of reduction.variables) {
        if (x.edge !== e || cand[x.row]) continue;
        const img = new Float64Array(n);
        for (let i = 0; i < n; i++) {
          let s = 0;
          for (let j = 0; j < cols; j++) s += w[i * cols + j] * Rs.get(j, x.col);
          img[i] = s;
        }
        let nrm = 0;
        for (let i = 0; i < n; i++) nrm += img[i] * img[i];
        if (nrm > 0) cand[x.row] = img;
      }
    }
    // Gram–Schmidt in mode order; missing or dependent columns are completed from the identity.
    const basis: Float64Array[] = [];
    const orth = (c: Float64Array, tol: number): Float64Array | null => {
      const u = Float64Array.from(c);
      for (let pass = 0; pass < 2; pass++) for (const q of basis) {
        let d = 0;
        for (let i = 0; i < n; i++) d += q[i] * u[i];
        for (let i = 0; i < n; i++) u[i] -= d * q[i];
      }
      let nrm = 0;
      for (let i = 0; i < n; i++) nrm += u[i] * u[i];
      nrm = Math.sqrt(nrm);
      if (nrm < tol) return null;
      for (let i = 0; i < n; i++) u[i] /= nrm;
      basis.push(u);
      return u;
    };
    const cols: (Float64Array | null)[] = cand.map((c) => (c ? orth(c, 1e-12) : null));
    const completion: Float64Array[] = [];
    for (let i = 0; i < n && basis.length < n; i++) {
      const e = new Float64Array(n);
      e[i] = 1;
      const u = orth(e, 1e-8);
      if (u) completion.push(u);
    }
    for (let k = 0; k < cols.length; k++) if (!cols[k]) cols[k] = completion.shift() as Float64Array;
    const all = [...(cols as Float64Array[]), ...completion];
    const m = new Matrix(n, n);
    all.forEach((c, j) => {
      for (let i = 0; i < n; i++) m.set(i, j, c[i]);
    });
    R[v] = m;
  }
  return R as Matrix[];
}

/**
 * Projects one set of weights onto the reduction's bases.
 * @param bases R_v per node index (e.g. `nodeBases(reduction, opts)` for a decoupled run);
 *   inferred from the weights when omitted
 * @example
 * const snaps = run.snapshots.map((s) => projectWeights(red, s.weights));
 * console.log(snaps.map((s) => s.paths[0].values[0])); // the top singular value of path 0 over time
 */
export function projectWeights(reduction: Reduction, weights: WeightSet, bases?: Matrix[]): ModeSnapshot {
  const { graph } = reduction;
  const R = bases ?? inferNodeBases(reduction, weights);
  const b = new Float64Array(reduction.variables.length);
  const mats = graph.edges.map((e) => toMatrix(weights.matrices[e.index], graph.nodes[e.target].size, graph.nodes[e.source].size));
  const edges: EdgeModes[] = graph.edges.map((e) => {
    const Bh = R[e.target].transpose().mmul(mats[e.index]).mmul(R[e.source]);
    const vars = reduction.variables.filter((x) => x.edge === e.index);
    const values = Float64Array.from(vars.map((x) => Bh.get(x.row, x.col)));
    vars.forEach((x, k) => {
      b[x.index] = values[k];
      Bh.set(x.row, x.col, 0); // what is left is the off-diagonal mass (computed directly, no cancellation)
    });
    return { edge: e.name, values, variables: vars.map((x) => x.index), offDiagonal: frob(Bh), total: frob(mats[e.index]) };
  });
  const paths: PathModes[] = reduction.paths.map((pr) => {
    const p = graph.paths()[pr.path];
    let W = mats[p[0]];
    for (let k = 1; k < p.length; k++) W = mats[p[k]].mmul(W);
    const A = (reduction.outputBases.get(graph.pathTarget(p)) as Matrix).transpose().mmul(W).mmul(reduction.inputBases.get(graph.pathSource(p)) as Matrix);
    const values = Float64Array.from(pr.chains.map((c) => A.get(c.outMode, c.inMode)));
    const total = frob(A);
    for (const c of pr.chains) A.set(c.outMode, c.inMode, 0);
    return { path: pr.path, description: pr.description, values, offPattern: frob(A), total };
  });
  return { b, edges, paths };
}

/** {@link projectWeights} for every snapshot of a training run (see `train(..., { snapshots })`). */
export function trackModes(reduction: Reduction, snapshots: readonly { step: number; weights: WeightSet }[], bases?: Matrix[]): (ModeSnapshot & { step: number })[] {
  return snapshots.map((s) => ({ step: s.step, ...projectWeights(reduction, s.weights, bases) }));
}
