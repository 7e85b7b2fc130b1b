/**
 * Contextual tasks with C contexts and their ReLN gating (Jarvis et al. 2025, "make
 * haste slowly", Sec. 4–5, Fig. 3 and 5, App. F, G.1, G.2).
 *
 * n items (default the 4-item binary hierarchy, 7 features) are each presented in each
 * of C contexts. Input x = [one-hot item; one-hot context] (n + C). Target
 * y = [h_i; 0; …; h_i (block c); …; 0]: a context-independent block with the item's
 * hierarchical features, then C context blocks of which only block c is on (Sec. 5:
 * the same hierarchy in every block, which makes the closed forms of App. F/G apply).
 * Samples are ordered context-major: sample c·n + i is item i in context c.
 *
 * The ReLN (Fig. 3 right; App. F): a common pathway x → h* → y, always on, and C
 * context pathways items → h_k → y, pathway k gated on in every context except k
 * (active in C − 1 contexts; it sees only the item part of the input). `reln` is this
 * GDLN trained jointly (one loss, gradient descent on all weights).
 *
 * App. F/G analyse the context pathways on the *residual* of the common pathway at
 * convergence: the common pathway is linear in x, so it converges to the least-squares
 * map and leaves Y* = Y − Ŷ_LS, which is (e_c − 𝟙/C) ⊗ (h_i − h̄) on the context blocks
 * and 0 on the common block. `residual` is the GDLN of the C context pathways alone
 * trained on Y* (the second stage of the authors' staged scheme, see ERRATA; offered
 * under that name, it is not the joint ReLN). Its statistics: Σˣ(j,p) = (C−2)/(C−1) Σˣ(p,p),
 * U_pᵀU_j = −1/(C−1) — not mutually diagonalisable in the sense of eq. 7 (no shared
 * U for the output node), but on the symmetric manifold (all pathways equal) the
 * reduction of App. F/G is exact (closedForms.contextualPathwayRhs).
 */
import { EigenvalueDecomposition, Matrix, pseudoInverse } from 'ml-matrix';
import { Graph } from '../graph/Graph.ts';
import { GatedDataset } from './GatedDataset.ts';
import { binaryHierarchy } from './hierarchy.ts';
import { invalidParameter } from '../errors.ts';

export interface ContextualOptions {
  /** Number of contexts C ≥ 3 (App. F: 3, G.1: 4, G.2: 5). */
  contexts: number;
  /** Item feature rows (default binaryHierarchy(2): 4 items × 7 features). */
  items?: readonly (readonly number[])[];
  /** Neurons per pathway hidden node (default 100, App. H). */
  hidden?: number;
}

export interface ContextualTask {
  C: number;
  nItems: number;
  /** [N][n + C] inputs and [N][F·(C+1)] targets, N = n·C (context-major). */
  inputs: number[][];
  targets: number[][];
  /** Context of each sample. */
  context: number[];
  /** The joint ReLN: common pathway + C context pathways. */
  reln: { graph: Graph; data: GatedDataset };
  /** The C context pathways trained on the common pathway's least-squares residual (App. F/G). */
  residual: { graph: Graph; data: GatedDataset; targets: number[][] };
}

/** The samples of a contextual task, context-major (sample c·n + i is item i in context c). */
export interface ContextualSamples {
  /** [N][n + C]: [one-hot item | one-hot context] */
  inputs: number[][];
  /** [N][F·(C + 1)]: [common block | context block 0 | … | context block C−1], only block c on */
  targets: number[][];
  /** Context of each sample. */
  context: number[];
  /** Item of each sample. */
  item: number[];
}

/**
 * The N = n·C samples of n items in C contexts with F features per block: the common
 * block of item i is `common(i)`, context block c of item i in context c is `block(c, i)`.
 */
export function contextualSamples(
  n: number,
  C: number,
  F: number,
  common: (i: number) => ArrayLike<number>,
  block: (c: number, i: number) => ArrayLike<number>,
): ContextualSamples {
  const inputs: number[][] = [];
  const targets: number[][] = [];
  const context: number[] = [];
  const item: number[] = [];
  for (let c = 0; c < C; c++) {
    for (let i = 0; i < n; i++) {
      const x = new Array<number>(n + C).fill(0);
      x[i] = 1;
      x[n + c] = 1;
      const y = new Array<number>(F * (C + 1)).fill(0);
      const h = common(i);
      const b = block(c, i);
      for (let f = 0; f < F; f++) {
        y[f] = h[f];
        y[F * (c + 1) + f] = b[f];
      }
      inputs.push(x);
      targets.push(y);
      context.push(c);
      item.push(i);
    }
  }
  return { inputs, targets, context, item };
}

/**
 * @example const task = contextualTask({ contexts: 3 }); // App. F
 */
export function contextualTask(options: ContextualOptions): ContextualTask {
  const C = options?.contexts;
  if (!Number.isInteger(C) || C < 3) throw invalidParameter('an integer number of contexts ≥ 3', 'contexts', C);
  const hidden = options.hidden ?? 100;
  if (!Number.isInteger(hidden) || hidden < 1) throw invalidParameter('a positive integer', 'hidden', hidden);
  const items = (options.items ?? binaryHierarchy(2)).map((r) => [...r]);
  const n = items.length;
  const F = items[0].length;
  const { inputs, targets, context } = contextualSamples(n, C, F, (i) => items[i], (_c, i) => items[i]);
  const N = inputs.length;
  const itemPart = inputs.map((x) => x.slice(0, n));
  const gateOf = (k: number) => context.map((c) => (c === k ? 0 : 1));

  const relnGraph = new Graph({
    nodes: [
      { name: 'x', size: n + C },
      { name: 'items', size: n },
      { name: 'hc', size: hidden },
      ...Array.from({ length: C }, (_, k) => ({ name: `h${k}`, size: hidden })),
      { name: 'y', size: F * (C + 1) },
    ],
    edges: [
      { from: 'x', to: 'hc' },
      { from: 'hc', to: 'y' },
      ...Array.from({ length: C }, (_, k) => [{ from: 'items', to: `h${k}` }, { from: `h${k}`, to: 'y' }]).flat(),
    ],
  });
  const ctxGates = Object.fromEntries(Array.from({ length: C }, (_, k) => [[`items->h${k}`, gateOf(k)], [`h${k}->y`, gateOf(k)]]).flat());
  const relnData = new GatedDataset(relnGraph, { inputs: { x: inputs, items: itemPart }, targets: { y: targets }, edgeGates: ctxGates });

  // Least-squares residual of the (linear) common pathway: Y* = Y − Y X⁺ X (rows are samples).
  const X = new Matrix(inputs);
  const Y = new Matrix(targets);
  const fit = X.mmul(pseudoInverse(X)).mmul(Y);
  const residualTargets = Y.clone().sub(fit).to2DArray().map((r) => r.map((v) => (Math.abs(v) < 1e-13 ? 0 : v)));
  const residualGraph = new Graph({
    nodes: [
      { name: 'items', size: n },
      ...Array.from({ length: C }, (_, k) => ({ name: `h${k}`, size: hidden })),
      { name: 'y', size: F * (C + 1) },
    ],
    edges: Array.from({ length: C }, (_, k) => [{ from: 'items', to: `h${k}` }, { from: `h${k}`, to: 'y' }]).flat(),
  });
  const residualData = new GatedDataset(residualGraph, { inputs: { items: itemPart }, targets: { y: residualTargets }, edgeGates: ctxGates, nSamples: N });
  return {
    C,
    nItems: n,
    inputs,
    targets,
    context,
    reln: { graph: relnGraph, data: relnData },
    residual: { graph: residualGraph, data: residualData, targets: residualTargets },
  };
}

/** The singular structure of the residual contextual GDLN (App. F/G), from its path statistics. */
export interface ContextualModes {
  /** Shared input singular vectors v_α (columns, n × r), modes with S_α > 0 only, S descending. */
  V: Matrix;
  /** Per pathway k: U_k (columns u_{k,α} = Σʸˣ(k) v_α / S_α). */
  U: Matrix[];
  /** S_α (the same for every pathway). */
  S: number[];
  /** D_α = v_αᵀ Σˣ(k,k) v_α. */
  D: number[];
  /** Σˣ(j,p) = rho · Σˣ(p,p) for j ≠ p: (C−2)/(C−1). */
  rho: number;
  /** u_{p,α}ᵀ u_{j,α} for j ≠ p (measured; −1/(C−1) for this dataset). */
  omega: number;
}

/**
 * Measures the pathway statistics of the residual GDLN: S_α, D_α, the shared V, each
 * pathway's U_k, the input overlap ρ and output overlap ω (App. F/G).
 */
export function contextualModes(task: ContextualTask, pathStats: { sigmaYX: (Matrix | null)[]; sigmaX: Map<string, Matrix> }): ContextualModes {
  const syx = pathStats.sigmaYX as Matrix[];
  // V from Σʸˣ(0)ᵀΣʸˣ(0), descending, non-zero modes only.
  const m = syx[0].transpose().mmul(syx[0]);
  const evd = new EigenvalueDecomposition(m.clone().add(m.transpose()).mul(0.5), { assumeSymmetric: true });
  const order = evd.realEigenvalues.map((_, i) => i).sort((a, b) => evd.realEigenvalues[b] - evd.realEigenvalues[a]);
  const top = evd.realEigenvalues[order[0]];
  const keep = order.filter((i) => evd.realEigenvalues[i] > 1e-12 * top);
  const V = new Matrix(m.rows, keep.length);
  keep.forEach((k, c) => {
    for (let r = 0; r < m.rows; r++) V.set(r, c, evd.eigenvectorMatrix.get(r, k));
  });
  const S = keep.map((k) => Math.sqrt(evd.realEigenvalues[k]));
  const U = syx.map((s) => {
    const img = s.mmul(V);
    for (let c = 0; c < img.columns; c++) for (let r = 0; r < img.rows; r++) img.set(r, c, img.get(r, c) / S[c]);
    return img;
  });
  const sxx = pathStats.sigmaX.get('0,0') as Matrix;
  const D = keep.map((_, c) => {
    const v = V.getColumnVector(c);
    return v.transpose().mmul(sxx).mmul(v).get(0, 0);
  });
  const sx10 = pathStats.sigmaX.get('1,0') as Matrix;
  const rho = sx10.get(0, 0) / sxx.get(0, 0);
  const omega = U[0].getColumnVector(0).transpose().mmul(U[1].getColumnVector(0)).get(0, 0);
  return { V, U, S, D, rho, omega };
}

/**
 * Symmetric decoupled weights for the residual contextual GDLN: pathway k gets
 * W₁ = R_k diag(b0) Vᵀ and W₂ = U_k diag(b1) R_kᵀ (R_k = the first r hidden units), the
 * same b0, b1 (one value per mode) for every pathway — the manifold on which App. F/G's
 * reduction is exact.
 */
export function contextualDecoupledWeights(task: ContextualTask, modes: ContextualModes, b0: readonly number[], b1: readonly number[]): Record<string, Float64Array> {
  const { graph } = task.residual;
  const r = modes.S.length;
  if (b0.length !== r || b1.length !== r) throw invalidParameter(`one value per mode (${r})`, 'b0, b1', b0.length);
  const out: Record<string, Float64Array> = {};
  const n = task.nItems;
  for (let k = 0; k < task.C; k++) {
    const H = graph.node(`h${k}`).size;
    if (H < r) throw invalidParameter(`hidden ≥ ${r} modes`, 'hidden', H);
    const Fy = graph.node('y').size;
    const w1 = new Float64Array(H * n);
    const w2 = new Float64Array(Fy * H);
    for (let a = 0; a < r; a++) {
      for (let j = 0; j < n; j++) w1[a * n + j] = b0[a] * modes.V.get(j, a);
      for (let i = 0; i < Fy; i++) w2[i * H + a] = modes.U[k].get(i, a) * b1[a];
    }
    out[`items->h${k}`] = w1;
    out[`h${k}->y`] = w2;
  }
  return out;
}

/** Effective singular values a_{k,α} = u_{k,α}ᵀ W₂W₁ v_α of each pathway k (rows) and mode α. */
export function contextualModeValues(task: ContextualTask, modes: ContextualModes, weights: { matrix(edge: string): Matrix }): number[][] {
  return Array.from({ length: task.C }, (_, k) => {
    const Wp = weights.matrix(`h${k}->y`).mmul(weights.matrix(`items->h${k}`));
    const A = modes.U[k].transpose().mmul(Wp).mmul(modes.V);
    return modes.S.map((_, a) => A.get(a, a));
  });
}
