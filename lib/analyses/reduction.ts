/**
 * The neural race reduction of any GDLN (Saxe, Sodhani & Lewallen 2022, Sec. 3.1,
 * eq. 7–10 and App. B; Jarvis et al. 2025 eq. 5–6).
 *
 * Given a graph and a gated dataset, `reduceGdln` computes the path statistics
 * Σʸˣ(p), Σˣ(j,p) (sparsely: active paths and co-active pairs only), finds one
 * orthonormal basis U_t per output node and V_s per input node, measures how well
 * the mutual-diagonalisability assumption (eq. 7–8) holds (a relative residual per
 * path, the worst one named), and builds the reduced dynamics of eq. 10 in units of
 * t/τ:
 *
 *   τ d/dt B_e = Σ_{p∈P(e)} B_{p∖e} [ S(p) − Σ_{j∈T(t(p))} B_j D(j,p) ]
 *
 * with one scalar per "edge mode" (a non-zero entry of the diagonal B_e).
 *
 * ## Bases, and what "diagonal" means here
 * Eq. 7–8 ask for Uᵀ Σʸˣ(p) V and Vᵀ Σˣ(j,p) V to be diagonal. In graphs where
 * different paths couple *different* input modes to the same output mode (the
 * four-pathway XoR: paths 0 and 1 both end at the 1-d output but start on
 * orthogonal input directions) no single column ordering makes every S(p)
 * diagonal, although the dynamics do decouple. gdln therefore uses the equivalent,
 * ordering-free form: every S(p) must be *monomial* (at most one non-zero per row
 * and per column, a "chain" α → β from input mode α to output mode β), each
 * hidden node gets one column of its R_v per chain class, and each B_e is a
 * partial matching between columns of R_{s(e)} and R_{t(e)} — diagonal after
 * permuting the columns of R_v, which eq. 9 leaves free. Chains that share an
 * edge and a column on one side are forced onto the same column on the other
 * side (a union–find fixed point); two different columns of an input or output
 * basis forced together is a violation of eq. 7. A path's chains are then all
 * walks through its edges' matchings (so a path also carries the modes its
 * edges carry for other paths).
 *
 * ## Degenerate singular values
 * V_s of the first input node of each connected component (input and output
 * nodes joined by active paths) diagonalises a generic combination Σ_k c_k A_k of
 * the symmetric matrices that must share its eigenvectors (Σʸˣ(p)ᵀΣʸˣ(p),
 * sym Σˣ(j,p) or Σˣ(j,p)ᵀΣˣ(j,p), each scaled to unit norm; c_k fixed pseudo-random
 * in [1, 2]). Commuting symmetric matrices are diagonalised by the eigenvectors of
 * a generic combination, and inside a degenerate eigenspace of the combination
 * every basis is equally valid. Equal or repeated singular values (the 4-item
 * hierarchy has two equal ones) therefore get *some* orthonormal basis, and
 * that choice is propagated, never re-drawn: output bases are built from images
 * u = Σʸˣ(p) v / |Σʸˣ(p) v| of already fixed input columns, and further input bases
 * from v = Σʸˣ(q)ᵀ u / |·| (breadth-first over the component), so that
 * degenerate subspaces are rotated consistently across nodes. Zero singular
 * values: columns not reached this way are completed from the eigenvectors of the
 * node's own combination on the orthogonal complement; modes with S = 0
 * everywhere carry no chain and, started at zero, stay exactly zero.
 *
 * ## Failure
 * The residual of path p is the norm of everything that would push B off the
 * decoupled manifold — entries of S̃(p) = U_tᵀΣʸˣ(p)V_s off p's chains, and
 * entries D̃(j,p)[α′,α] that couple a chain of j to a column α of p that is not
 * on a chain of p to the same output mode — divided by the norm of S̃(p) and all
 * its D̃(j,p). Above `tolerance` (default 1e-8), `reduceGdln` throws
 * GDLN_ASSUMPTION_FAILED naming the worst path and its residual, unless
 * `onFailure: 'report'`, which returns the reduction with `valid: false` (its
 * reduced dynamics are then those of the projected statistics, an approximation).
 *
 * ## Time
 * The reduced ODE is in t/τ. With gdln's mean loss L = 1/(2N)Σ||y−h||², one
 * full-batch gradient step of learning rate lr is one explicit-Euler step of this ODE
 * of size lr: `recurrence(b0, lr, steps)` reproduces a full simulation started from
 * `decoupledWeights(reduction, b0)` to machine precision, `integrate(b0, times)`
 * solves the continuous ODE (to which the simulation is an O(lr) approximation).
 */
import { EigenvalueDecomposition, Matrix } from 'ml-matrix';
import { GdlnError, invalidParameter } from '../errors.ts';
import type { GatedDataset } from '../data/GatedDataset.ts';
import type { Graph } from '../graph/Graph.ts';
import { Rng } from '../init/rng.ts';
import { integrateOde, type OdeOptions } from './ode.ts';
import { pathStatistics, pathSumGradientArrays, type PathStatistics } from './pathStatistics.ts';

export interface ReductionOptions {
  /** Largest relative residual (per path) accepted for eq. 7–8. Default 1e-8. */
  tolerance?: number;
  /** 'throw' (default): GDLN_ASSUMPTION_FAILED when the residual exceeds `tolerance`; 'report': return with valid = false. */
  onFailure?: 'throw' | 'report';
  /** Singular values below this fraction of a path's largest are treated as zero. Default 1e-9. */
  zeroTolerance?: number;
  /** Reuse already computed path statistics. */
  stats?: PathStatistics;
}

/** One scalar of the reduced system: entry (row, col) of B_e = R_tᵀ W_e R_s. */
export interface ReducedVariable {
  index: number;
  edge: number;
  edgeName: string;
  /** Column of R_{t(e)} (U_t for an output node). */
  row: number;
  /** Column of R_{s(e)} (V_s for an input node). */
  col: number;
}

/** A chain of path p: input mode α → output mode β, through one variable per edge. */
export interface PathChain {
  /** Column α of V_{s(p)}. */
  inMode: number;
  /** Column β of U_{t(p)}. */
  outMode: number;
  /** Variable indices, one per edge of p, source first. */
  variables: number[];
  /** S̃(p)[β, α] = u_βᵀ Σʸˣ(p) v_α (signed). */
  s: number;
  /** D̃(p,p)[α, α] = v_αᵀ Σˣ(p,p) v_α, the input variance of the mode on this path. */
  d: number;
}

export interface PathReduction {
  path: number;
  description: string;
  chains: PathChain[];
  /** Relative residual of eq. 7–8 for this path (0 when exact; Infinity for a basis conflict). */
  residual: number;
}

/** An independent block of the reduced system (one singular mode, coupled through shared edges). */
export interface ReducedMode {
  variables: number[];
  /** [path index, chain index] pairs whose products live in this block. */
  chains: [number, number][];
}

export interface ReducedTrajectory {
  /** Times in t/τ. */
  t: number[];
  /** Reduced state (one value per variable) at each time. */
  b: Float64Array[];
  /** Loss L = 1/(2N) Σ||y−h||² at each time. */
  loss: number[];
}

interface Coupling {
  /** Path j and its chain c′ whose product enters the error of this chain. */
  j: number;
  chain: number;
  /** D̃(j, p)[α′, α]. */
  d: number;
}

function frob2(m: Matrix): number {
  let s = 0;
  for (let i = 0; i < m.rows; i++) for (let j = 0; j < m.columns; j++) s += m.get(i, j) ** 2;
  return s;
}

/** Symmetric eigendecomposition with eigenvalues descending; columns are eigenvectors. */
function symEig(m: Matrix): { values: number[]; vectors: Matrix } {
  const sym = m.clone().add(m.transpose()).mul(0.5); // ml-matrix add/mul work in place
  const evd = new EigenvalueDecomposition(sym, { assumeSymmetric: true });
  const vals = evd.realEigenvalues;
  const vecs = evd.eigenvectorMatrix;
  const order = vals.map((_, i) => i).sort((a, b) => vals[b] - vals[a]);
  const vectors = new Matrix(m.rows, m.rows);
  order.forEach((k, c) => {
    for (let r = 0; r < m.rows; r++) vectors.set(r, c, vecs.get(r, k));
  });
  return { values: order.map((k) => vals[k]), vectors };
}

/**
 * Completes orthonormal columns `cols` (each length n) to a basis of Rⁿ, using
 * the eigenvectors of `m` (if given) on the orthogonal complement, largest first.
 */
function completeBasis(cols: Float64Array[], n: number, m: Matrix | null): Matrix {
  const out = new Matrix(n, n);
  cols.forEach((c, j) => {
    for (let i = 0; i < n; i++) out.set(i, j, c[i]);
  });
  if (cols.length === n) return out;
  // Projector onto the complement P = I − Q Qᵀ; its eigenvectors with eigenvalue 1 span it.
  const P = Matrix.eye(n, n);
  for (const c of cols) for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) P.set(i, j, P.get(i, j) - c[i] * c[j]);
  const { vectors: pv } = symEig(P);
  const k = n - cols.length;
  let comp = pv.subMatrix(0, n - 1, 0, k - 1); // n × k, orthonormal, spans the complement
  if (m) {
    const { vectors } = symEig(comp.transpose().mmul(m).mmul(comp));
    comp = comp.mmul(vectors);
  }
  for (let j = 0; j < k; j++) for (let i = 0; i < n; i++) out.set(i, cols.length + j, comp.get(i, j));
  return out;
}

/** Adds `cand` to the orthonormal set unless it is (numerically) in its span; returns whether added. */
function addIfNew(cols: Float64Array[], cand: Float64Array, tol: number): boolean {
  const v = Float64Array.from(cand);
  for (let pass = 0; pass < 2; pass++) {
    for (const c of cols) {
      let d = 0;
      for (let i = 0; i < v.length; i++) d += c[i] * v[i];
      for (let i = 0; i < v.length; i++) v[i] -= d * c[i];
    }
  }
  let nrm = 0;
  for (let i = 0; i < v.length; i++) nrm += v[i] * v[i];
  nrm = Math.sqrt(nrm);
  if (nrm <= tol || cols.length === v.length) return false;
  for (let i = 0; i < v.length; i++) v[i] /= nrm;
  cols.push(v);
  return true;
}

function column(m: Matrix, j: number): Float64Array {
  const c = new Float64Array(m.rows);
  for (let i = 0; i < m.rows; i++) c[i] = m.get(i, j);
  return c;
}

function matVec(m: Matrix, v: Float64Array, transpose = false): Float64Array {
  const rows = transpose ? m.columns : m.rows;
  const cols = transpose ? m.rows : m.columns;
  const out = new Float64Array(rows);
  for (let i = 0; i < rows; i++) {
    let s = 0;
    for (let j = 0; j < cols; j++) s += (transpose ? m.get(j, i) : m.get(i, j)) * v[j];
    out[i] = s;
  }
  return out;
}

function norm(v: Float64Array): number {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i] * v[i];
  return Math.sqrt(s);
}

class UnionFind {
  parent: number[] = [];
  fixed: (string | null)[] = [];
  make(fixed: string | null): number {
    this.parent.push(this.parent.length);
    this.fixed.push(fixed);
    return this.parent.length - 1;
  }
  find(a: number): number {
    let r = a;
    while (this.parent[r] !== r) r = this.parent[r];
    while (this.parent[a] !== r) {
      const n = this.parent[a];
      this.parent[a] = r;
      a = n;
    }
    return r;
  }
  /** 'same' | 'merged' | 'conflict' (two different fixed columns). */
  union(a: number, b: number): 'same' | 'merged' | 'conflict' {
    const ra = this.find(a);
    const rb = this.find(b);
    if (ra === rb) return 'same';
    const fa = this.fixed[ra];
    const fb = this.fixed[rb];
    if (fa !== null && fb !== null) return 'conflict';
    if (fa !== null) this.parent[rb] = ra;
    else this.parent[ra] = rb;
    return 'merged';
  }
}

/**
 * The reduced system of one GDLN on one gated dataset. Build with {@link reduceGdln}.
 */
export class Reduction {
  readonly graph: Graph;
  readonly stats: PathStatistics;
  /** V_s per input node index ([|s|, |s|], orthonormal columns = input modes). */
  readonly inputBases: Map<number, Matrix>;
  /** U_t per output node index ([|t|, |t|]). */
  readonly outputBases: Map<number, Matrix>;
  /** Number of R_v columns each hidden node needs (the modes through it). */
  readonly hiddenModes: Map<number, number>;
  readonly variables: ReducedVariable[];
  /** Per active path (index into graph.paths()). */
  readonly paths: PathReduction[];
  readonly modes: ReducedMode[];
  /** Worst path residual of eq. 7–8 and whether it is within tolerance. */
  readonly residual: { worst: number; path: number | null; description: string | null; tolerance: number };
  readonly valid: boolean;
  /** ½⟨Σ_out ||y||²⟩ over all samples. */
  readonly halfTraceSigmaY: number;
  private readonly pathIndex: Map<number, number>;
  private readonly couplings: Coupling[][][];
  // Compiled form of the chains and couplings (flat typed arrays; the RHS runs on these).
  private readonly chainOffset: Int32Array; // chain g's variables: chainVars[chainOffset[g] .. chainOffset[g+1])
  private readonly chainVars: Int32Array;
  private readonly chainS: Float64Array;
  private readonly couplingOffset: Int32Array; // chain g's couplings: [couplingOffset[g] .. couplingOffset[g+1])
  private readonly couplingChain: Int32Array;
  private readonly couplingD: Float64Array;
  private readonly pathChainStart: Int32Array; // global index of each path slot's first chain

  /** @internal use {@link reduceGdln} */
  constructor(init: {
    graph: Graph; stats: PathStatistics; inputBases: Map<number, Matrix>; outputBases: Map<number, Matrix>;
    hiddenModes: Map<number, number>; variables: ReducedVariable[]; paths: PathReduction[]; couplings: Coupling[][][];
    tolerance: number; halfTraceSigmaY: number;
  }) {
    this.graph = init.graph;
    this.stats = init.stats;
    this.inputBases = init.inputBases;
    this.outputBases = init.outputBases;
    this.hiddenModes = init.hiddenModes;
    this.variables = init.variables;
    this.paths = init.paths;
    this.couplings = init.couplings;
    this.halfTraceSigmaY = init.halfTraceSigmaY;
    this.pathIndex = new Map(init.paths.map((p, k) => [p.path, k]));
    let worst = 0;
    let at: PathReduction | null = null;
    for (const p of init.paths) {
      if (!(p.residual <= worst)) {
        worst = p.residual;
        at = p;
      }
    }
    this.residual = { worst, path: at?.path ?? null, description: at?.description ?? null, tolerance: init.tolerance };
    this.valid = worst <= init.tolerance;
    this.modes = this.findModes();
    const start = new Int32Array(init.paths.length + 1);
    init.paths.forEach((p, k) => (start[k + 1] = start[k] + p.chains.length));
    this.pathChainStart = start;
    const G = start[init.paths.length];
    this.chainOffset = new Int32Array(G + 1);
    this.couplingOffset = new Int32Array(G + 1);
    this.chainS = new Float64Array(G);
    const vars: number[] = [];
    const cc: number[] = [];
    const cd: number[] = [];
    init.paths.forEach((p, k) => p.chains.forEach((ch, c) => {
      const g = start[k] + c;
      this.chainS[g] = ch.s;
      vars.push(...ch.variables);
      this.chainOffset[g + 1] = vars.length;
      for (const cp of init.couplings[k][c]) {
        cc.push(start[this.pathIndex.get(cp.j) as number] + cp.chain);
        cd.push(cp.d);
      }
      this.couplingOffset[g + 1] = cc.length;
    }));
    this.chainVars = Int32Array.from(vars);
    this.couplingChain = Int32Array.from(cc);
    this.couplingD = Float64Array.from(cd);
  }

  /** Chain products a_g for every chain (global chain order). */
  private chainProducts(b: Float64Array, a: Float64Array): void {
    const off = this.chainOffset;
    const vars = this.chainVars;
    for (let g = 0; g < a.length; g++) {
      let x = 1;
      for (let i = off[g]; i < off[g + 1]; i++) x *= b[vars[i]];
      a[g] = x;
    }
  }

  /** Connected components of the variables (through chains and couplings): the independent mode systems. */
  private findModes(): ReducedMode[] {
    const uf = new UnionFind();
    for (let i = 0; i < this.variables.length; i++) uf.make(null);
    const chainRep = (k: number, c: number) => this.paths[k].chains[c].variables[0];
    this.paths.forEach((p, k) => {
      p.chains.forEach((ch, c) => {
        for (const v of ch.variables) uf.union(ch.variables[0], v);
        for (const cp of this.couplings[k][c]) uf.union(chainRep(k, c), chainRep(this.pathIndex.get(cp.j) as number, cp.chain));
      });
    });
    const byRoot = new Map<number, ReducedMode>();
    const get = (r: number) => {
      let m = byRoot.get(r);
      if (!m) byRoot.set(r, (m = { variables: [], chains: [] }));
      return m;
    };
    this.variables.forEach((v) => get(uf.find(v.index)).variables.push(v.index));
    this.paths.forEach((p, k) => p.chains.forEach((ch, c) => get(uf.find(ch.variables[0])).chains.push([p.path, c])));
    return [...byRoot.values()];
  }

  get size(): number {
    return this.variables.length;
  }

  /** Product a_{p,c} of the variables along each chain of each active path, [path slot][chain]. */
  chainValues(b: Float64Array): Float64Array[] {
    const a = new Float64Array(this.chainS.length);
    this.chainProducts(b, a);
    return this.paths.map((_, k) => a.slice(this.pathChainStart[k], this.pathChainStart[k + 1]));
  }

  /**
   * Right-hand side of eq. 10, τ dB/dt, for state `b` (written into `out`).
   * Units: per unit of t/τ.
   */
  rhs(b: Float64Array, out: Float64Array = new Float64Array(b.length)): Float64Array {
    out.fill(0);
    const G = this.chainS.length;
    const a = new Float64Array(G);
    this.chainProducts(b, a);
    const off = this.chainOffset;
    const vars = this.chainVars;
    const coff = this.couplingOffset;
    for (let g = 0; g < G; g++) {
      let err = this.chainS[g];
      for (let i = coff[g]; i < coff[g + 1]; i++) err -= a[this.couplingChain[i]] * this.couplingD[i];
      if (err === 0) continue;
      // Product of all variables of the chain but one: prefix × suffix.
      const lo = off[g];
      const hi = off[g + 1];
      let prefix = 1;
      for (let i = lo; i < hi; i++) {
        let suffix = 1;
        for (let k = i + 1; k < hi; k++) suffix *= b[vars[k]];
        out[vars[i]] += prefix * suffix * err;
        prefix *= b[vars[i]];
      }
    }
    return out;
  }

  /** Loss L = 1/(2N) Σ||y − h||² of the network whose weights are on the reduced manifold at state `b`. */
  loss(b: Float64Array): number {
    const G = this.chainS.length;
    const a = new Float64Array(G);
    this.chainProducts(b, a);
    let l = this.halfTraceSigmaY;
    const coff = this.couplingOffset;
    for (let g = 0; g < G; g++) {
      if (a[g] === 0) continue;
      let q = 0;
      for (let i = coff[g]; i < coff[g + 1]; i++) q += a[this.couplingChain[i]] * this.couplingD[i];
      l += a[g] * (0.5 * q - this.chainS[g]);
    }
    return l;
  }

  /**
   * A state with every variable set by `value` (a number, or a function of the variable).
   * @example reduction.state(Math.sqrt(1e-3)) // balanced two-layer paths with a₀ = 1e-3
   */
  state(value: number | ((v: ReducedVariable) => number)): Float64Array {
    const b = new Float64Array(this.variables.length);
    for (const v of this.variables) b[v.index] = typeof value === 'number' ? value : value(v);
    for (let i = 0; i < b.length; i++) if (!Number.isFinite(b[i])) throw invalidParameter('finite initial values', 'reduced state', b[i]);
    return b;
  }

  /**
   * Flips signs so that every chain product starts with the sign of its S̃ (so that
   * each mode grows towards S/D instead of first passing through zero): for a chain
   * whose product has the wrong sign, the first variable used by no other path's
   * chain is negated. Chains without such a private variable are left as they are.
   */
  alignSigns(b: Float64Array): Float64Array {
    const out = Float64Array.from(b);
    const users = new Map<number, Set<number>>();
    for (const p of this.paths) for (const ch of p.chains) for (const v of ch.variables) {
      let s = users.get(v);
      if (!s) users.set(v, (s = new Set()));
      s.add(p.path);
    }
    for (const p of this.paths) {
      for (const ch of p.chains) {
        let a = 1;
        for (const v of ch.variables) a *= out[v];
        if (a * ch.s >= 0) continue;
        const priv = ch.variables.find((v) => (users.get(v) as Set<number>).size === 1);
        if (priv !== undefined) out[priv] = -out[priv];
      }
    }
    return out;
  }

  /**
   * Integrates the reduced ODE (eq. 10) with adaptive Dormand–Prince RK45 from `b0`
   * at t/τ = 0 and reports the state and the loss at each requested time (t/τ).
   */
  integrate(b0: Float64Array, times: readonly number[], options: OdeOptions = {}): ReducedTrajectory {
    this.checkState(b0);
    const sol = integrateOde((_t, y, dy) => this.rhs(y, dy), 0, b0, times, { rtol: 1e-11, atol: 1e-14, ...options });
    return { t: sol.t, b: sol.y, loss: sol.y.map((y) => this.loss(y)) };
  }

  /**
   * The discrete reduced recurrence B ← B + lr·RHS(B): exactly what full-batch
   * gradient descent with learning rate lr does to decoupled weights. Records at
   * step 0, every `recordEvery` steps and the last step (like `train`).
   */
  recurrence(b0: Float64Array, lr: number, steps: number, recordEvery = 1): ReducedTrajectory & { steps: number[] } {
    this.checkState(b0);
    if (!(lr > 0) || !Number.isFinite(lr)) throw invalidParameter('a finite learning rate > 0', 'lr', lr);
    if (!Number.isInteger(steps) || steps < 0) throw invalidParameter('a non-negative integer', 'steps', steps);
    return runRecurrence((b, d) => this.rhs(b, d), (b) => this.loss(b), b0, lr, steps, recordEvery);
  }

  /** The reduction data of one path (graph path index), or undefined when the path is never active. */
  path(pathIndex: number): PathReduction | undefined {
    const k = this.pathIndex.get(pathIndex);
    return k === undefined ? undefined : this.paths[k];
  }

  /** Variables of one edge. */
  edgeVariables(edgeName: string): ReducedVariable[] {
    const e = this.graph.edge(edgeName).index;
    return this.variables.filter((v) => v.edge === e);
  }

  private checkState(b: Float64Array): void {
    if (!(b instanceof Float64Array) || b.length !== this.variables.length) {
      throw new GdlnError('GDLN_SHAPE_MISMATCH', `Expected a reduced state of length ${this.variables.length} but received ${b instanceof Float64Array ? b.length : typeof b}`);
    }
  }
}

/**
 * Reduces a GDLN (eq. 7–10). See the module comment for the algorithm.
 *
 * @throws GdlnError GDLN_ASSUMPTION_FAILED when eq. 7–8 fail beyond `tolerance` (details:
 *   path, description, residual) or a hidden node has fewer neurons than the modes it must
 *   carry; GDLN_UNSUPPORTED for nonlinear nodes or per-neuron gates (from pathStatistics)
 * @example
 * const { graph, data } = xorFourPathwayGdln({ hidden: 2 });
 * const red = reduceGdln(graph, data);
 * const traj = red.integrate(red.alignSigns(red.state(Math.sqrt(1e-3))), [0, 5, 10]);
 */
export function reduceGdln(graph: Graph, data: GatedDataset, options: ReductionOptions = {}): Reduction {
  const tolerance = options.tolerance ?? 1e-8;
  const zeroTol = options.zeroTolerance ?? 1e-9;
  if (!(tolerance >= 0)) throw invalidParameter('a tolerance ≥ 0', 'tolerance', tolerance);
  const onFailure = options.onFailure ?? 'throw';
  if (onFailure !== 'throw' && onFailure !== 'report') throw invalidParameter("'throw' or 'report'", 'onFailure', onFailure);
  const stats = options.stats ?? pathStatistics(graph, data);
  if (stats.graph !== graph) throw new GdlnError('GDLN_INVALID_ARGUMENT', 'The path statistics were computed for a different Graph instance');
  const paths = stats.paths;
  const active: number[] = [];
  stats.sigmaYX.forEach((m, p) => {
    if (m) active.push(p);
  });
  const src = (p: number) => graph.pathSource(paths[p]);
  const tgt = (p: number) => graph.pathTarget(paths[p]);
  const size = (v: number) => graph.nodes[v].size;

  // Pairs (j, p) by p.
  const pairsOf = new Map<number, { j: number; m: Matrix }[]>();
  for (const [key, m] of stats.sigmaX) {
    const [j, p] = key.split(',').map(Number);
    let l = pairsOf.get(p);
    if (!l) pairsOf.set(p, (l = []));
    l.push({ j, m });
  }

  // ---- Generic combinations per input and output node.
  const rng = new Rng(0x5eed);
  const combo = new Map<number, Matrix>();
  const addTo = (v: number, a: Matrix) => {
    const n2 = Math.sqrt(frob2(a));
    if (n2 === 0) return;
    let m = combo.get(v);
    if (!m) combo.set(v, (m = Matrix.zeros(size(v), size(v))));
    m.add(a.clone().mul((1 + rng.uniform()) / n2));
  };
  for (const p of active) {
    const syx = stats.sigmaYX[p] as Matrix;
    addTo(src(p), syx.transpose().mmul(syx));
    addTo(tgt(p), syx.mmul(syx.transpose()));
    for (const { j, m } of pairsOf.get(p) ?? []) {
      if (src(j) === src(p)) addTo(src(p), m.clone().add(m.transpose()).mul(0.5));
      else addTo(src(p), m.transpose().mmul(m));
    }
  }

  // ---- Bases by breadth-first propagation over input/output nodes joined by active paths.
  const inputBases = new Map<number, Matrix>();
  const outputBases = new Map<number, Matrix>();
  const pathsByInput = new Map<number, number[]>();
  const pathsByOutput = new Map<number, number[]>();
  for (const p of active) {
    (pathsByInput.get(src(p)) ?? pathsByInput.set(src(p), []).get(src(p)) as number[]).push(p);
    (pathsByOutput.get(tgt(p)) ?? pathsByOutput.set(tgt(p), []).get(tgt(p)) as number[]).push(p);
  }
  const vecTol = 1e-7;
  for (const s0 of graph.inputs) {
    if (inputBases.has(s0) || !pathsByInput.has(s0)) continue;
    const c0 = combo.get(s0) ?? Matrix.zeros(size(s0), size(s0));
    inputBases.set(s0, symEig(c0).vectors);
    const queue: { kind: 'in' | 'out'; v: number }[] = [{ kind: 'in', v: s0 }];
    for (let head = 0; head < queue.length; head++) {
      const { kind, v } = queue[head];
      // From an input basis V the output bases follow as u = Σʸˣ v / |·|; from an
      // output basis U the input bases as v = Σʸˣᵀ u / |·|. One step, two directions.
      const fromInput = kind === 'in';
      const known = (fromInput ? inputBases : outputBases).get(v) as Matrix;
      const farBases = fromInput ? outputBases : inputBases;
      const pending = new Map<number, Float64Array[]>();
      for (const p of (fromInput ? pathsByInput : pathsByOutput).get(v) ?? []) {
        const far = fromInput ? tgt(p) : src(p);
        if (farBases.has(far)) continue;
        const syx = stats.sigmaYX[p] as Matrix;
        let cols = pending.get(far);
        if (!cols) pending.set(far, (cols = []));
        for (let a = 0; a < known.columns; a++) {
          const img = matVec(syx, column(known, a), !fromInput);
          const n = norm(img);
          if (n > zeroTol * Math.sqrt(frob2(syx)) && n > 0) addIfNew(cols, img.map((x) => x / n), vecTol);
        }
      }
      for (const [far, cols] of pending) {
        farBases.set(far, completeBasis(cols, size(far), combo.get(far) ?? null));
        queue.push({ kind: fromInput ? 'out' : 'in', v: far });
      }
    }
  }
  for (const s of graph.inputs) if (!inputBases.has(s)) inputBases.set(s, Matrix.eye(size(s), size(s)));
  for (const t of graph.outputs) if (!outputBases.has(t)) outputBases.set(t, Matrix.eye(size(t), size(t)));

  // ---- Rotated statistics.
  const sTilde = new Map<number, Matrix>();
  for (const p of active) sTilde.set(p, (outputBases.get(tgt(p)) as Matrix).transpose().mmul(stats.sigmaYX[p] as Matrix).mmul(inputBases.get(src(p)) as Matrix));
  const dTilde = new Map<number, { j: number; d: Matrix }[]>();
  for (const p of active) {
    dTilde.set(p, (pairsOf.get(p) ?? []).map(({ j, m }) => ({ j, d: (inputBases.get(src(j)) as Matrix).transpose().mmul(m).mmul(inputBases.get(src(p)) as Matrix) })));
  }

  // ---- Seed chains from S̃(p): the largest entry of each column, if significant and its row is free.
  const conflicts = new Map<number, string>();
  const uf = new UnionFind();
  const fixedIds = new Map<string, number>();
  const fixedSlot = (key: string) => {
    let id = fixedIds.get(key);
    if (id === undefined) fixedIds.set(key, (id = uf.make(key)));
    return id;
  };
  // Per edge: [srcElement, tgtElement, path]
  const entries: [number, number, number][][] = graph.edges.map(() => []);
  const hiddenSlots: { node: number; elem: number }[] = [];
  for (const p of active) {
    const S = sTilde.get(p) as Matrix;
    let maxAbs = 0;
    for (let i = 0; i < S.rows; i++) for (let j = 0; j < S.columns; j++) maxAbs = Math.max(maxAbs, Math.abs(S.get(i, j)));
    if (maxAbs === 0) continue;
    const cand: { a: number; b: number; v: number }[] = [];
    for (let a = 0; a < S.columns; a++) {
      let best = -1;
      let bv = 0;
      for (let r = 0; r < S.rows; r++) if (Math.abs(S.get(r, a)) > bv) { bv = Math.abs(S.get(r, a)); best = r; }
      if (best >= 0 && bv > zeroTol * maxAbs) cand.push({ a, b: best, v: bv });
    }
    cand.sort((x, y) => y.v - x.v);
    const usedRows = new Set<number>();
    const path = paths[p];
    for (const { a, b } of cand) {
      if (usedRows.has(b)) continue;
      usedRows.add(b);
      let prev = fixedSlot(`${src(p)}:${a}`);
      path.forEach((e, k) => {
        const t = graph.edges[e].target;
        let next: number;
        if (k === path.length - 1) next = fixedSlot(`${t}:${b}`);
        else {
          next = uf.make(null);
          hiddenSlots.push({ node: t, elem: next });
        }
        entries[e].push([prev, next, p]);
        prev = next;
      });
    }
  }
  // Union–find fixed point: each B_e must be a partial matching between columns.
  for (let changed = true; changed;) {
    changed = false;
    graph.edges.forEach((_, e) => {
      const fwd = new Map<number, number>();
      const bwd = new Map<number, number>();
      for (const [a, b, p] of entries[e]) {
        const ra = uf.find(a);
        const rb = uf.find(b);
        const f = fwd.get(ra);
        if (f === undefined) fwd.set(ra, b);
        else {
          const r = uf.union(f, b);
          if (r === 'merged') changed = true;
          else if (r === 'conflict' && !conflicts.has(p)) conflicts.set(p, `edge ${JSON.stringify(graph.edges[e].name)} would map one column to two different output-basis columns`);
        }
        const g = bwd.get(rb);
        if (g === undefined) bwd.set(rb, a);
        else {
          const r = uf.union(g, a);
          if (r === 'merged') changed = true;
          else if (r === 'conflict' && !conflicts.has(p)) conflicts.set(p, `edge ${JSON.stringify(graph.edges[e].name)} would map two different input-basis columns to one column`);
        }
      }
    });
  }
  // Columns: fixed elements carry theirs; hidden classes are numbered per node in order of appearance.
  const colOf = new Map<number, number>();
  const hiddenModes = new Map<number, number>();
  for (const { node, elem } of hiddenSlots) {
    const r = uf.find(elem);
    if (colOf.has(r)) continue;
    const k = hiddenModes.get(node) ?? 0;
    colOf.set(r, k);
    hiddenModes.set(node, k + 1);
  }
  for (const [node, k] of hiddenModes) {
    if (k > size(node)) {
      throw new GdlnError('GDLN_ASSUMPTION_FAILED', `The reduction needs ${k} modes through hidden node ${JSON.stringify(graph.nodes[node].name)} but it has only ${size(node)} neurons (a node can carry at most |v| singular modes)`, { node: graph.nodes[node].name, modes: k, size: size(node) });
    }
  }
  const columnOf = (elem: number): number => {
    const r = uf.find(elem);
    const f = uf.fixed[r];
    if (f !== null) return Number(f.split(':')[1]);
    return colOf.get(r) as number;
  };
  // Variables (edge modes) and per-edge maps srcCol → variable.
  const variables: ReducedVariable[] = [];
  const edgeMap: Map<number, number>[] = graph.edges.map(() => new Map());
  graph.edges.forEach((edge, e) => {
    const seen = new Map<string, number>();
    for (const [a, b, p] of entries[e]) {
      const col = columnOf(a);
      const row = columnOf(b);
      const key = `${row},${col}`;
      if (seen.has(key)) continue;
      if (edgeMap[e].has(col)) {
        if (!conflicts.has(p)) conflicts.set(p, `edge ${JSON.stringify(edge.name)} would carry column ${col} of its source to two columns of its target`);
        continue;
      }
      const v: ReducedVariable = { index: variables.length, edge: e, edgeName: edge.name, row, col };
      variables.push(v);
      seen.set(key, v.index);
      edgeMap[e].set(col, v.index);
    }
  });

  // ---- Chains of each active path: all complete walks through its edges' matchings.
  const pathReds: PathReduction[] = [];
  const slotOf = new Map<number, number>();
  for (const p of active) {
    const path = paths[p];
    const chains: PathChain[] = [];
    const S = sTilde.get(p) as Matrix;
    for (const [col, v0] of edgeMap[path[0]]) {
      const vars = [v0];
      let cur = variables[v0].row;
      let ok = true;
      for (let k = 1; k < path.length; k++) {
        const v = edgeMap[path[k]].get(cur);
        if (v === undefined) { ok = false; break; }
        vars.push(v);
        cur = variables[v].row;
      }
      if (ok) chains.push({ inMode: col, outMode: cur, variables: vars, s: S.get(cur, col), d: 0 });
    }
    slotOf.set(p, pathReds.length);
    pathReds.push({ path: p, description: graph.describePath(path), chains, residual: 0 });
  }

  // ---- Couplings and residuals (eq. 7–8).
  const couplings: Coupling[][][] = pathReds.map((pr) => pr.chains.map(() => []));
  for (const pr of pathReds) {
    const p = pr.path;
    const S = sTilde.get(p) as Matrix;
    let total = frob2(S);
    let on = 0;
    for (const ch of pr.chains) on += ch.s ** 2;
    let off = Math.max(0, total - on);
    const chainByIn = new Map<number, number>(pr.chains.map((ch, c) => [ch.inMode, c]));
    for (const { j, d } of dTilde.get(p) as { j: number; d: Matrix }[]) {
      total += frob2(d);
      const jr = pathReds[slotOf.get(j) as number];
      if (!jr) continue;
      for (let cj = 0; cj < jr.chains.length; cj++) {
        const chj = jr.chains[cj];
        for (let a = 0; a < d.columns; a++) {
          const val = d.get(chj.inMode, a);
          if (val === 0) continue;
          const c = chainByIn.get(a);
          if (c !== undefined && pr.chains[c].outMode === chj.outMode) {
            couplings[slotOf.get(p) as number][c].push({ j, chain: cj, d: val });
            if (j === p && cj === c) pr.chains[c].d = val;
          }
          else off += val * val;
        }
      }
    }
    pr.residual = conflicts.has(p) ? Infinity : total === 0 ? 0 : Math.sqrt(off / total);
  }

  let halfTraceSigmaY = 0;
  for (const t of graph.outputs) {
    const y = data.targets[t] as Float64Array;
    for (let i = 0; i < y.length; i++) halfTraceSigmaY += y[i] * y[i];
  }
  halfTraceSigmaY /= 2 * data.nSamples;

  const red = new Reduction({ graph, stats, inputBases, outputBases, hiddenModes, variables, paths: pathReds, couplings, tolerance, halfTraceSigmaY });
  if (!red.valid && onFailure === 'throw') {
    const p = red.residual.path as number;
    const why = conflicts.get(p);
    throw new GdlnError(
      'GDLN_ASSUMPTION_FAILED',
      `The dataset statistics are not mutually diagonalisable (eq. 7–8): path ${red.residual.description} has relative residual ${red.residual.worst === Infinity ? 'Infinity' : red.residual.worst.toExponential(3)} > ${tolerance}${why ? ` (${why})` : ''}`,
      { path: p, description: red.residual.description, residual: red.residual.worst, tolerance },
    );
  }
  return red;
}

// ---------------------------------------------------------------------------
// The non-diagonalisable reduction (make-haste-slowly App. A.1)
// ---------------------------------------------------------------------------

/**
 * The reduction that does not need Σʸˣ and Σˣ to share singular vectors
 * (make-haste-slowly App. A.1: "if the assumption of the correlation matrices being
 * mutually diagonalisable does not hold then the update equations simplify to
 * τ d/dt W̄¹ = W̄²ᵀ(S V̂ᵀV − W̄²W̄¹D), τ d/dt W̄² = (S V̂ᵀV − W̄²W̄¹D)W̄¹ᵀ"), for any graph:
 *
 *   τ d/dt B_e = Σ_{p∈P(e)} B_{t̄(p,e)}ᵀ [ S̃(p) − Σ_j B_j D̃(j,p) ] B_{s̄(p,e)}ᵀ
 *
 * with V_s the eigenvectors of the input correlations at input node s (so D̃(j,p) =
 * V_{s(j)}ᵀΣˣ(j,p)V_{s(p)} is diagonal when the Σˣ commute), U_t the left singular
 * vectors of the Σʸˣ ending at t, and S̃(p) = U_tᵀΣʸˣ(p)V_s = S(p) · V̂(p)ᵀV_s — the
 * singular values times the alignment factor between Σʸˣ's own right singular vectors
 * V̂(p) and the input basis. B_e are full matrices (hidden bases R_v = I); the dynamics are
 * exact (a rotation of eq. 3) for every weight configuration, B need not stay diagonal.
 */
export class AlignedReduction {
  readonly graph: Graph;
  readonly stats: PathStatistics;
  readonly inputBases: Map<number, Matrix>;
  readonly outputBases: Map<number, Matrix>;
  /** Largest relative off-diagonal mass of D̃(j,p) (0 when the input correlations are mutually diagonalisable). */
  readonly inputResidual: number;
  readonly halfTraceSigmaY: number;
  private readonly rotated: PathStatistics;
  private readonly offsets: number[];

  /** @internal use {@link reduceGdlnAligned} */
  constructor(graph: Graph, stats: PathStatistics, inputBases: Map<number, Matrix>, outputBases: Map<number, Matrix>, halfTraceSigmaY: number) {
    this.graph = graph;
    this.stats = stats;
    this.inputBases = inputBases;
    this.outputBases = outputBases;
    this.halfTraceSigmaY = halfTraceSigmaY;
    const src = (p: number) => graph.pathSource(stats.paths[p]);
    const tgt = (p: number) => graph.pathTarget(stats.paths[p]);
    const sigmaYX = stats.sigmaYX.map((m, p) => (m ? (outputBases.get(tgt(p)) as Matrix).transpose().mmul(m).mmul(inputBases.get(src(p)) as Matrix) : null));
    const sigmaX = new Map<string, Matrix>();
    let worst = 0;
    for (const [key, m] of stats.sigmaX) {
      const [j, p] = key.split(',').map(Number);
      const d = (inputBases.get(src(j)) as Matrix).transpose().mmul(m).mmul(inputBases.get(src(p)) as Matrix);
      sigmaX.set(key, d);
      let all = 0;
      let off = 0;
      for (let r = 0; r < d.rows; r++) for (let c = 0; c < d.columns; c++) {
        all += d.get(r, c) ** 2;
        if (r !== c) off += d.get(r, c) ** 2;
      }
      if (all > 0) worst = Math.max(worst, Math.sqrt(off / all));
    }
    this.inputResidual = worst;
    this.rotated = { ...stats, sigmaYX, sigmaX };
    this.offsets = [0];
    for (const e of graph.edges) {
      const [r, c] = graph.weightShape(e.index);
      this.offsets.push(this.offsets[this.offsets.length - 1] + r * c);
    }
  }

  get size(): number {
    return this.offsets[this.offsets.length - 1];
  }

  /** S̃(p) = U_tᵀ Σʸˣ(p) V_s (= S(p) V̂(p)ᵀ V_s): the rotated input–output correlation of a path. */
  sTilde(path: number): Matrix | null {
    return this.rotated.sigmaYX[path];
  }

  /** The alignment factor V̂(p)ᵀ V_s [rank × |s|] of App. A.1 (V̂(p): right singular vectors of Σʸˣ(p) with σ > 0). */
  alignment(path: number): Matrix | null {
    const m = this.stats.sigmaYX[path];
    if (!m) return null;
    const evd = symEig(m.transpose().mmul(m));
    const top = evd.values[0];
    const k = evd.values.filter((v) => v > 1e-20 * top).length;
    const vHat = evd.vectors.subMatrix(0, m.columns - 1, 0, Math.max(0, k - 1));
    return vHat.transpose().mmul(this.inputBases.get(this.graph.pathSource(this.stats.paths[path])) as Matrix);
  }

  private toWeights(b: Float64Array): WeightSetLike {
    return { graph: this.graph, matrices: this.graph.edges.map((e) => b.subarray(this.offsets[e.index], this.offsets[e.index + 1])) };
  }

  /** τ dB/dt (exact rotated gradient flow). */
  rhs(b: Float64Array, out: Float64Array = new Float64Array(b.length)): Float64Array {
    const g = pathSumGradientArrays(this.rotated, this.toWeights(b).matrices);
    g.forEach((m, e) => {
      for (let i = 0; i < m.length; i++) out[this.offsets[e] + i] = -m[i];
    });
    return out;
  }

  /** L = ½trΣʸ − Σ_p tr(B_pᵀS̃(p)) + ½ Σ_{j,p} tr(B_j D̃(j,p) B_pᵀ). */
  loss(b: Float64Array): number {
    const W = this.toWeights(b);
    const Bp = new Map<number, Matrix>();
    const prod = (p: number) => {
      let m = Bp.get(p);
      if (!m) Bp.set(p, (m = pathProduct(this.graph, W, this.stats.paths[p])));
      return m;
    };
    let l = this.halfTraceSigmaY;
    this.rotated.sigmaYX.forEach((s, p) => {
      if (!s) return;
      const B = prod(p);
      for (let r = 0; r < s.rows; r++) for (let c = 0; c < s.columns; c++) l -= B.get(r, c) * s.get(r, c);
    });
    for (const [key, d] of this.rotated.sigmaX) {
      const [j, p] = key.split(',').map(Number);
      const m = prod(j).mmul(d);
      const B = prod(p);
      for (let r = 0; r < m.rows; r++) for (let c = 0; c < m.columns; c++) l += 0.5 * m.get(r, c) * B.get(r, c);
    }
    return l;
  }

  /** The state of given weights: B_e = R_tᵀ W_e R_s (R = V, U on input/output nodes, I on hidden nodes). */
  project(weights: { matrices: Float64Array[] }): Float64Array {
    const b = new Float64Array(this.size);
    this.graph.edges.forEach((e) => {
      const [r, c] = this.graph.weightShape(e.index);
      const W = new Matrix(r, c);
      for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) W.set(i, j, weights.matrices[e.index][i * c + j]);
      const Rt = this.outputBases.get(e.target) ?? Matrix.eye(r, r);
      const Rs = this.inputBases.get(e.source) ?? Matrix.eye(c, c);
      const B = Rt.transpose().mmul(W).mmul(Rs);
      for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) b[this.offsets[e.index] + i * c + j] = B.get(i, j);
    });
    return b;
  }

  /** Weights W_e = R_t B_e R_sᵀ of a state (row-major per edge, edge order). */
  weights(b: Float64Array): Float64Array[] {
    return this.graph.edges.map((e) => {
      const [r, c] = this.graph.weightShape(e.index);
      const B = new Matrix(r, c);
      for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) B.set(i, j, b[this.offsets[e.index] + i * c + j]);
      const Rt = this.outputBases.get(e.target) ?? Matrix.eye(r, r);
      const Rs = this.inputBases.get(e.source) ?? Matrix.eye(c, c);
      return Float64Array.from(Rt.mmul(B).mmul(Rs.transpose()).to1DArray());
    });
  }

  /** RK45 solution at the requested t/τ. */
  integrate(b0: Float64Array, times: readonly number[], options: OdeOptions = {}): ReducedTrajectory {
    const sol = integrateOde((_t, y, dy) => this.rhs(y, dy), 0, b0, times, { rtol: 1e-10, atol: 1e-13, ...options });
    return { t: sol.t, b: sol.y, loss: sol.y.map((y) => this.loss(y)) };
  }

  /** Discrete recurrence B ← B + lr·RHS(B) (= full-batch GD on W = R B Rᵀ). */
  recurrence(b0: Float64Array, lr: number, steps: number, recordEvery = 1): ReducedTrajectory & { steps: number[] } {
    return runRecurrence((b, d) => this.rhs(b, d), (b) => this.loss(b), b0, lr, steps, recordEvery);
  }
}

interface WeightSetLike {
  graph: Graph;
  matrices: Float64Array[];
}

function pathProduct(graph: Graph, w: WeightSetLike, path: readonly number[]): Matrix {
  const mat = (e: number) => {
    const [r, c] = graph.weightShape(e);
    const m = new Matrix(r, c);
    for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) m.set(i, j, w.matrices[e][i * c + j]);
    return m;
  };
  let m = mat(path[0]);
  for (let k = 1; k < path.length; k++) m = mat(path[k]).mmul(m);
  return m;
}


/**
 * Builds the non-diagonalisable reduction of make-haste-slowly App. A.1 (see
 * {@link AlignedReduction}). Never fails on eq. 7; reports `inputResidual` for eq. 8.
 * @example
 * const ar = reduceGdlnAligned(graph, data);
 * ar.alignment(0); // V̂ᵀV of path 0
 */
export function reduceGdlnAligned(graph: Graph, data: GatedDataset, options: { stats?: PathStatistics } = {}): AlignedReduction {
  const stats = options.stats ?? pathStatistics(graph, data);
  const size = (v: number) => graph.nodes[v].size;
  const rng = new Rng(0x5eed);
  const combo = new Map<number, Matrix>();
  const addTo = (v: number, a: Matrix) => {
    const n2 = Math.sqrt(frob2(a));
    if (n2 === 0) return;
    let m = combo.get(v);
    if (!m) combo.set(v, (m = Matrix.zeros(size(v), size(v))));
    m.add(a.clone().mul((1 + rng.uniform()) / n2));
  };
  for (const [key, m] of stats.sigmaX) {
    const [j, p] = key.split(',').map(Number);
    const sj = graph.pathSource(stats.paths[j]);
    const sp = graph.pathSource(stats.paths[p]);
    if (sj === sp) addTo(sp, m.clone().add(m.transpose()).mul(0.5));
    else addTo(sp, m.transpose().mmul(m));
  }
  stats.sigmaYX.forEach((m, p) => {
    if (m) addTo(graph.pathTarget(stats.paths[p]), m.mmul(m.transpose()));
  });
  const inputBases = new Map<number, Matrix>(graph.inputs.map((s) => [s, combo.has(s) ? symEig(combo.get(s) as Matrix).vectors : Matrix.eye(size(s), size(s))]));
  const outputBases = new Map<number, Matrix>(graph.outputs.map((t) => [t, combo.has(t) ? symEig(combo.get(t) as Matrix).vectors : Matrix.eye(size(t), size(t))]));
  let half = 0;
  for (const t of graph.outputs) {
    const y = data.targets[t] as Float64Array;
    for (let i = 0; i < y.length; i++) half += y[i] * y[i];
  }
  return new AlignedReduction(graph, stats, inputBases, outputBases, half / (2 * data.nSamples));
}

/**
 * The discrete map B ← B + lr·RHS(B) (full-batch gradient descent on decoupled
 * weights), recorded at step 0, every `recordEvery` steps and the last step, like train().
 */
function runRecurrence(
  rhs: (b: Float64Array, d: Float64Array) => void,
  loss: (b: Float64Array) => number,
  b0: Float64Array,
  lr: number,
  steps: number,
  recordEvery: number,
): ReducedTrajectory & { steps: number[] } {
  const b = Float64Array.from(b0);
  const d = new Float64Array(b.length);
  const out: ReducedTrajectory & { steps: number[] } = { t: [], b: [], loss: [], steps: [] };
  const record = (s: number) => {
    out.steps.push(s);
    out.t.push(lr * s);
    out.b.push(Float64Array.from(b));
    out.loss.push(loss(b));
  };
  record(0);
  for (let s = 1; s <= steps; s++) {
    rhs(b, d);
    for (let i = 0; i < b.length; i++) b[i] += lr * d[i];
    if (s % recordEvery === 0 || s === steps) record(s);
  }
  return out;
}
