/**
 * Analyses of parallel deep pathways (Shi, Shea-Brown & Buice 2022):
 *
 * - the singular-value basis of the task and each pathway's map in it, K_a = Uᵀ Ω_a V (eq. 10,
 *   Fig. 4), its diagonal, off-diagonal mass and each pathway's share of every singular value;
 * - a per-mode symmetry-breaking statistic;
 * - the reduced dynamics of eq. 17 (q, p per pathway and mode) and eq. 20 (p only), for any
 *   number of pathways and any depths, integrated with the Dormand–Prince RK45 of ode.ts;
 * - the invariant of eq. 22 (through {@link pathwayPotential}, i.e. ₂F₁) and the final split
 *   it implies; the large-depth forms eq. 25–31.
 *
 * Normalisation (docs/derivations/multiple-pathways.md). gdln's loss is the mean
 * L = 1/(2P) Σ_i ||y_i − h_i||² and t/τ = lr·step. With inputs of isotropic covariance
 * Σˣ = c·I (one-hot inputs: c = 1/P), gradient flow is eq. 3 with Σˣ = I, target map
 * Σʸˣ/c and time t_red = c·lr·step. So the "S" of every reduced equation here is
 * S_eff = singular values of Σʸˣ(Σˣ)⁻¹ (for eq. 32: of Yᵀ, i.e. 8× the singular values of
 * E[yxᵀ] that the paper writes), and the reduced time is t_red = lr·step/8 for the 8 items.
 * The released code sums the loss over samples: its lr·epoch equals our t_red directly, and its
 * K converge to the same S_eff (= "8·S" in the paper's notation; ERRATA.md).
 */
import { Matrix, SVD, inverse } from 'ml-matrix';
import type { ParallelPathways, PathwayLayout } from '../data/pathways.ts';
import type { WeightSet } from '../engine/WeightSet.ts';
import { GdlnError, invalidParameter } from '../errors.ts';
import { integrateOde, type OdeOptions } from './ode.ts';
import { pathwayPotential } from './hypergeometric.ts';

export interface TaskModes {
  /** Left singular vectors, [l_y × r]. */
  U: Matrix;
  /** Right singular vectors, [l_x × r]. */
  V: Matrix;
  /** S_eff: singular values of Σʸˣ(Σˣ)⁻¹, descending (the fixed point of Σ_a K_a). */
  S: number[];
  /** Singular values of Σʸˣ = (1/P) Σ y xᵀ itself (the paper's S). */
  sigmaYX: number[];
  /** c with Σˣ = c·I: the reduced time is t_red = c · lr · step. */
  inputScale: number;
  /** Groups of mode indices with equal S (degenerate blocks, where per-mode splits are basis-dependent). */
  blocks: number[][];
}

function rows(x: readonly (readonly number[])[]): Matrix {
  return new Matrix(x.map((r) => [...r]));
}

/**
 * The task's singular-value basis from the training inputs and targets (sample-major).
 * @throws GdlnError GDLN_ASSUMPTION_FAILED when Σˣ is not isotropic (the reduction assumes Σˣ ∝ I)
 */
export function taskModes(inputs: readonly (readonly number[])[], targets: readonly (readonly number[])[], tol = 1e-9): TaskModes {
  const X = rows(inputs);
  const Y = rows(targets);
  const P = X.rows;
  if (Y.rows !== P) throw new GdlnError('GDLN_SHAPE_MISMATCH', `Expected as many target rows as input rows (${P}) but received ${Y.rows}`);
  const sx = X.transpose().mmul(X).div(P);
  const c = sx.trace() / sx.rows;
  for (let i = 0; i < sx.rows; i++) {
    for (let j = 0; j < sx.columns; j++) {
      if (Math.abs(sx.get(i, j) - (i === j ? c : 0)) > tol * Math.max(c, 1e-300)) {
        throw new GdlnError('GDLN_ASSUMPTION_FAILED', `The pathway reduction assumes isotropic inputs (Σˣ = c·I) but Σˣ[${i}][${j}] = ${sx.get(i, j)} (c = ${c})`);
      }
    }
  }
  const syx = Y.transpose().mmul(X).div(P);
  const target = syx.div(c);
  const svd = new SVD(target, { autoTranspose: true });
  const all = svd.diagonal;
  const rank = all.filter((s) => s > 1e-10 * all[0]).length;
  const U = new Matrix(target.rows, rank);
  const V = new Matrix(target.columns, rank);
  for (let k = 0; k < rank; k++) {
    // Sign convention: the largest-magnitude entry of v_k is positive; u_k = M v_k / s_k.
    let big = 0;
    for (let i = 0; i < target.columns; i++) if (Math.abs(svd.rightSingularVectors.get(i, k)) > Math.abs(big)) big = svd.rightSingularVectors.get(i, k);
    const sg = big < 0 ? -1 : 1;
    for (let i = 0; i < target.columns; i++) V.set(i, k, sg * svd.rightSingularVectors.get(i, k));
    for (let i = 0; i < target.rows; i++) U.set(i, k, sg * svd.leftSingularVectors.get(i, k));
  }
  const S = all.slice(0, rank);
  const blocks: number[][] = [];
  S.forEach((s, k) => {
    const last = blocks.at(-1);
    if (last && Math.abs(S[last[0]] - s) <= 1e-8 * S[0]) last.push(k);
    else blocks.push([k]);
  });
  return { U, V, S, sigmaYX: S.map((s) => s * c), inputScale: c, blocks };
}

/** Row-major W [r × c] times H [c × B] (a Matrix), as a Matrix [r × B]; plain loops, no N×N temporaries. */
function mulEdge(net: ParallelPathways, weights: WeightSet, edge: string, H: Matrix, activation: PathwayLayout['activation'] = 'linear'): Matrix {
  const [r, c] = net.graph.weightShape(net.graph.edge(edge).index);
  if (H.rows !== c) throw new GdlnError('GDLN_SHAPE_MISMATCH', `Edge ${edge} expects ${c} inputs but received ${H.rows}`);
  const w = weights.get(edge);
  const B = H.columns;
  const h = new Float64Array(c * B);
  for (let j = 0; j < c; j++) for (let b = 0; b < B; b++) h[j * B + b] = H.get(j, b);
  const out = new Matrix(r, B);
  const acc = new Float64Array(B);
  for (let i = 0; i < r; i++) {
    acc.fill(0);
    const row = i * c;
    for (let j = 0; j < c; j++) {
      const wij = w[row + j];
      if (wij === 0) continue;
      const hj = j * B;
      for (let b = 0; b < B; b++) acc[b] += wij * h[hj + b];
    }
    for (let b = 0; b < B; b++) {
      const v = acc[b];
      out.set(i, b, activation === 'linear' ? v : activation === 'relu' ? (v > 0 ? v : 0) : Math.tanh(v));
    }
  }
  return out;
}

/**
 * Pathway a's output on a batch of inputs (columns of `Xt`, [l_x × B]): f_a(x) = W^{D}φ(…φ(W¹x)).
 * Linear pathways: Ω_a Xt. Computed right to left (N×N by N×B products only).
 */
export function pathwayOutputs(net: ParallelPathways, weights: WeightSet, Xt: Matrix): Matrix[] {
  return net.pathways.map((p) => {
    let h = Xt;
    p.edges.forEach((e, d) => {
      h = mulEdge(net, weights, e, h, d < p.depth - 1 ? p.activation : 'linear');
    });
    return h;
  });
}

export interface PathwayMaps {
  /** K_a = Uᵀ Ω_a V per pathway, [r × r]. For nonlinear pathways Ω_a is the least-squares linear map of the pathway's outputs on the training inputs. */
  K: Matrix[];
  /** diag(K_a) per pathway. */
  diagonal: number[][];
  /** ||offdiag(K_a)||_F / ||K_a||_F per pathway. */
  offDiagonalRatio: number[];
  /** ||offdiag(K_a)||_F per pathway. */
  offDiagonal: number[];
}

/**
 * Each pathway's map in the task's singular-value basis.
 * Linear pathways: exactly Uᵀ W^{D}…W¹ V (computed as W^{D}(…(W¹V)), never forming N×N products).
 * Nonlinear pathways: Ω_a = F_a X (XᵀX)⁻¹ from the pathway's outputs F_a on the training inputs,
 * which equals the product for linear pathways.
 */
export function pathwayMaps(net: ParallelPathways, weights: WeightSet, modes: TaskModes, inputs: readonly (readonly number[])[]): PathwayMaps {
  const linear = net.pathways.every((p) => p.activation === 'linear');
  let Kmats: Matrix[];
  if (linear) {
    Kmats = pathwayOutputs(net, weights, modes.V).map((OV) => modes.U.transpose().mmul(OV));
  } else {
    const X = rows(inputs);
    const proj = X.mmul(inverse(X.transpose().mmul(X))).mmul(modes.V); // [P × r]
    Kmats = pathwayOutputs(net, weights, X.transpose()).map((F) => modes.U.transpose().mmul(F).mmul(proj));
  }
  const r = modes.S.length;
  const diagonal = Kmats.map((K) => Array.from({ length: r }, (_, k) => K.get(k, k)));
  const offDiagonal = Kmats.map((K) => {
    let s = 0;
    for (let i = 0; i < r; i++) for (let j = 0; j < r; j++) if (i !== j) s += K.get(i, j) ** 2;
    return Math.sqrt(s);
  });
  const offDiagonalRatio = Kmats.map((K, a) => offDiagonal[a] / Math.max(K.norm('frobenius'), 1e-300));
  return { K: Kmats, diagonal, offDiagonal, offDiagonalRatio };
}

/**
 * Per mode α: share_a = K_aα / Σ_b K_bα, and the unevenness
 *   u_α = (M · max_a share_a − 1) / (M − 1) ∈ [0, 1] (for shares in [0, 1]),
 * which for two pathways is |K_1α − K_2α| / (K_1α + K_2α): 0 = split evenly, 1 = one pathway
 * carries the whole singular value.
 */
export function modeShares(diagonal: number[][]): { shares: number[][]; unevenness: number[] } {
  const M = diagonal.length;
  const r = diagonal[0].length;
  const shares = diagonal.map((d) => d.map(() => 0));
  const unevenness: number[] = [];
  for (let k = 0; k < r; k++) {
    let total = 0;
    for (let a = 0; a < M; a++) total += diagonal[a][k];
    let maxShare = -Infinity;
    for (let a = 0; a < M; a++) {
      shares[a][k] = diagonal[a][k] / total;
      maxShare = Math.max(maxShare, shares[a][k]);
    }
    unevenness.push(M === 1 ? 1 : (M * maxShare - 1) / (M - 1));
  }
  return { shares, unevenness };
}

/**
 * Basis-independent shares per degenerate block of equal singular values: tr(K_a restricted
 * to the block) / Σ_b tr(…). Within a block the per-mode diagonal depends on the (arbitrary)
 * choice of singular vectors; the trace does not.
 */
export function blockShares(K: Matrix[], blocks: number[][]): { shares: number[][]; unevenness: number[] } {
  const diag = K.map((k) => blocks.map((b) => b.reduce((s, i) => s + k.get(i, i), 0)));
  return modeShares(diag);
}

/**
 * Measured reduced state of linear pathways (eq. 15–17): per pathway and mode,
 * q̂ = ||W^{D−1}…W¹ v_α||^{1/(D−1)} (the common hidden-layer gain along the mode) and
 * p̂ = K_αα / q̂^{D−1}. Exact on the diagonal ansatz; used to evaluate eq. 22 on full simulations.
 */
export function measuredPathwayState(net: ParallelPathways, weights: WeightSet, modes: TaskModes): { q: number[][]; p: number[][]; K: number[][] } {
  const r = modes.S.length;
  const q: number[][] = [];
  const p: number[][] = [];
  const K: number[][] = [];
  for (const path of net.pathways) {
    if (path.activation !== 'linear') throw invalidParameter('linear pathways', 'measuredPathwayState', path.activation);
    let h = modes.V;
    for (let d = 0; d < path.depth - 1; d++) h = mulEdge(net, weights, path.edges[d], h);
    const out = modes.U.transpose().mmul(mulEdge(net, weights, path.edges[path.depth - 1], h));
    const qa: number[] = [];
    const pa: number[] = [];
    const Ka: number[] = [];
    for (let k = 0; k < r; k++) {
      let n2 = 0;
      for (let i = 0; i < h.rows; i++) n2 += h.get(i, k) ** 2;
      const qq = path.depth === 1 ? 1 : Math.sqrt(n2) ** (1 / (path.depth - 1));
      const KK = out.get(k, k);
      qa.push(qq);
      Ka.push(KK);
      pa.push(KK / qq ** (path.depth - 1));
    }
    q.push(qa);
    p.push(pa);
    K.push(Ka);
  }
  return { q, p, K };
}

// ---------------------------------------------------------------- reduced dynamics (eq. 17, 20)

export interface ReducedPathwaysProblem {
  /** S_eff per mode (see the normalisation note at the top). */
  S: number[];
  /** D_a per pathway. */
  depths: number[];
  /** q_aα(0): a number for all, or [pathway][mode] (eq. 17: 1 in the paper's normalisation). */
  q0: number | number[][];
  /** p_aα(0): [pathway][mode] (eq. 13: δ, → 0 at infinite width). */
  p0: number[][];
}

export interface ReducedPathwaysSolution {
  t: number[];
  /** [time][pathway][mode] */
  q: number[][][];
  p: number[][][];
  K: number[][][];
  /** κ_aα = q² − p², conserved by eq. 17 (eq. 19 with the paper's κ = 1). */
  kappa: number[][];
}

function q0Of(problem: ReducedPathwaysProblem, a: number, k: number): number {
  return typeof problem.q0 === 'number' ? problem.q0 : problem.q0[a][k];
}

function checkProblem(problem: ReducedPathwaysProblem): void {
  const r = problem.S.length;
  if (r === 0) throw invalidParameter('at least one singular value', 'S', problem.S);
  problem.depths.forEach((D, a) => {
    if (!Number.isInteger(D) || D < 1) throw invalidParameter('an integer depth ≥ 1', `depths[${a}]`, D);
    if (!Array.isArray(problem.p0[a]) || problem.p0[a].length !== r) throw invalidParameter(`${r} initial values`, `p0[${a}]`, problem.p0[a]);
  });
}

/**
 * Integrates eq. 17, per pathway a and mode α:
 *   dq/dt = q^{D_a−2} p (S_α − Ω̄_α),  dp/dt = q^{D_a−1} (S_α − Ω̄_α),  Ω̄_α = Σ_a p q^{D_a−1}
 * (a pathway with D_a = 1 has no hidden layer: only p, with K = p). With form 'p' it integrates
 * eq. 20 instead, eliminating q through the invariant q² = p² + κ (κ = q₀² − p₀² > 0).
 * Time is t_red (t/τ in units where Σˣ = I).
 */
export function integrateReducedPathways(problem: ReducedPathwaysProblem, times: readonly number[], options: OdeOptions & { form?: 'qp' | 'p' } = {}): ReducedPathwaysSolution {
  checkProblem(problem);
  const { S, depths } = problem;
  const M = depths.length;
  const r = S.length;
  const form = options.form ?? 'qp';
  const kappa = depths.map((_, a) => S.map((__, k) => q0Of(problem, a, k) ** 2 - problem.p0[a][k] ** 2));
  if (form === 'p') {
    kappa.forEach((ka, a) => ka.forEach((kk, k) => {
      if (depths[a] > 1 && !(kk > 0)) throw invalidParameter('q₀² − p₀² > 0 for the p-only form (eq. 20)', `κ[${a}][${k}]`, kk);
    }));
  }
  const width = form === 'qp' ? 2 : 1;
  const y0 = new Float64Array(M * r * width);
  for (let a = 0; a < M; a++) for (let k = 0; k < r; k++) {
    const i = (a * r + k) * width;
    if (form === 'qp') {
      y0[i] = q0Of(problem, a, k);
      y0[i + 1] = problem.p0[a][k];
    } else y0[i] = problem.p0[a][k];
  }
  const qOf = (y: Float64Array, a: number, k: number) => (form === 'qp' ? y[(a * r + k) * 2] : Math.sqrt(y[a * r + k] ** 2 + kappa[a][k]));
  const pOf = (y: Float64Array, a: number, k: number) => (form === 'qp' ? y[(a * r + k) * 2 + 1] : y[a * r + k]);
  const rhs = (_t: number, y: Float64Array, dy: Float64Array) => {
    for (let k = 0; k < r; k++) {
      let omega = 0;
      for (let a = 0; a < M; a++) omega += pOf(y, a, k) * qOf(y, a, k) ** (depths[a] - 1);
      const err = S[k] - omega;
      for (let a = 0; a < M; a++) {
        const D = depths[a];
        const q = qOf(y, a, k);
        const p = pOf(y, a, k);
        if (form === 'qp') {
          const i = (a * r + k) * 2;
          dy[i] = D === 1 ? 0 : q ** (D - 2) * p * err;
          dy[i + 1] = q ** (D - 1) * err;
        } else dy[a * r + k] = q ** (D - 1) * err;
      }
    }
  };
  const sol = integrateOde(rhs, 0, y0, times, { rtol: options.rtol ?? 1e-10, atol: options.atol ?? 1e-12, ...options });
  const q = sol.y.map((y) => depths.map((_, a) => S.map((__, k) => qOf(y, a, k))));
  const p = sol.y.map((y) => depths.map((_, a) => S.map((__, k) => pOf(y, a, k))));
  const K = q.map((qt, n) => qt.map((qa, a) => qa.map((qq, k) => p[n][a][k] * qq ** (depths[a] - 1))));
  return { t: sol.t, q, p, K, kappa };
}

// ---------------------------------------------------------------- invariant (eq. 21–22)

/**
 * C_ab = G_{D_a}(p_a; κ_a) − G_{D_b}(p_b; κ_b) with G_D(p; κ) = ∫₀^p (κ + s²)^{−(D−1)/2} ds.
 * For κ = 1 this is eq. 22: p_a ₂F₁(½, (D_a−1)/2; 3/2; −p_a²) − p_b ₂F₁(½, (D_b−1)/2; 3/2; −p_b²).
 * (Derivation: dp_a/dt ÷ (p_a² + κ_a)^{(D_a−1)/2} = S − Ω̄ is the same for every pathway.)
 */
export function pathwayInvariant(pa: number, Da: number, kappaA: number, pb: number, Db: number, kappaB: number): number {
  return pathwayPotential(pa, Da, kappaA) - pathwayPotential(pb, Db, kappaB);
}

/** K = p (p² + κ)^{(D−1)/2} (eq. 20's Ω̄ term); increasing in p. */
export function kFromP(p: number, D: number, kappa: number): number {
  return p * (p * p + kappa) ** ((D - 1) / 2);
}

/** Inverse of {@link kFromP} (bisection to machine precision; K ↦ p is monotone). */
export function pFromK(K: number, D: number, kappa: number): number {
  if (K === 0) return 0;
  const sgn = K < 0 ? -1 : 1;
  const target = Math.abs(K);
  let lo = 0;
  let hi = Math.max(1, target);
  while (kFromP(hi, D, kappa) < target) hi *= 2;
  for (let it = 0; it < 200; it++) {
    const mid = 0.5 * (lo + hi);
    if (mid === lo || mid === hi) break;
    if (kFromP(mid, D, kappa) < target) lo = mid;
    else hi = mid;
  }
  return sgn * 0.5 * (lo + hi);
}

/**
 * The fixed point the invariant selects for two pathways on one mode: K_a + K_b = S' and
 * G_{D_a}(p_a; κ_a) − G_{D_b}(p_b; κ_b) = C (exact for the reduced dynamics, eq. 22). Solved by
 * bisection on p_b ∈ [0, p_b(S')] (K_a + K_b is monotone along the invariant curve).
 * @returns [K_a, K_b] at t → ∞
 */
export function finalSplitFromInvariant(C: number, Sprime: number, Da: number, kappaA: number, Db: number, kappaB: number): [number, number] {
  const Gb = (pb: number) => pathwayPotential(pb, Db, kappaB);
  // Along the invariant, p_a = G_a⁻¹(C + G_b(p_b)) (G_a is increasing; bounded for D_a ≥ 3).
  const GaInv = (g: number): number => {
    let lo = -1;
    let hi = 1;
    // G_a is bounded for D_a ≥ 3: a level outside its range has no preimage (p_a = ±∞).
    let guard = 0;
    while (pathwayPotential(lo, Da, kappaA) > g && guard++ < 80) lo *= 2;
    while (pathwayPotential(hi, Da, kappaA) < g && guard++ < 80) hi *= 2;
    if (guard >= 80) return g > 0 ? Infinity : -Infinity;
    for (let it = 0; it < 200; it++) {
      const mid = 0.5 * (lo + hi);
      if (mid === lo || mid === hi) break;
      if (pathwayPotential(mid, Da, kappaA) < g) lo = mid;
      else hi = mid;
    }
    return 0.5 * (lo + hi);
  };
  const total = (pb: number) => {
    const pa = GaInv(C + Gb(pb));
    return (Number.isFinite(pa) ? kFromP(pa, Da, kappaA) : Math.sign(pa) * Infinity) + kFromP(pb, Db, kappaB);
  };
  let lo = -pFromK(Sprime, Db, kappaB) - 1;
  let hi = pFromK(Sprime, Db, kappaB);
  for (let guard = 0; total(lo) > Sprime && guard < 80; guard++) lo = 2 * lo - 1;
  for (let it = 0; it < 200; it++) {
    const mid = 0.5 * (lo + hi);
    if (mid === lo || mid === hi) break;
    if (total(mid) < Sprime) lo = mid;
    else hi = mid;
  }
  const pb = 0.5 * (lo + hi);
  const Kb = kFromP(pb, Db, kappaB);
  return [Sprime - Kb, Kb];
}

// ---------------------------------------------------------------- large depth (eq. 25–31)

/** Eq. 26 (p ≈ q, valid when S_α ≫ 1): C_ab = K_a^{2/D_a−1}/(2−D_a) − K_b^{2/D_b−1}/(2−D_b) (D ≠ 2). */
export function largeDepthConstant(Ka: number, Da: number, Kb: number, Db: number): number {
  const term = (K: number, D: number) => (D === 2 ? Math.log(K) : K ** (2 / D - 1) / (2 - D));
  return term(Ka, Da) - term(Kb, Db);
}

/** Eq. 27 (D_a, D_b → ∞): C' = 1/K_a − 1/K_b. */
export function largeDepthConstantLimit(Ka: number, Kb: number): number {
  return 1 / Ka - 1 / Kb;
}

/**
 * Eq. 28–30: the K_b ∈ [0, S'] with 1/(S' − K_b) − 1/K_b = C', and eq. 31's |C'| → ∞ limit
 * S'/2 + sign(C')·S'/2.
 */
export function largeDepthSplit(Cprime: number, Sprime: number): { Kb: number; limit: number } {
  let Kb: number;
  if (Math.abs(Cprime * Sprime) < 1e-12) Kb = Sprime / 2;
  else {
    const b = Cprime * Sprime - 2;
    const disc = Math.sqrt(b * b + 4 * Sprime * Cprime);
    const roots = [(b + disc) / (2 * Cprime), (b - disc) / (2 * Cprime)];
    Kb = roots.find((x) => x >= -1e-12 * Sprime && x <= Sprime * (1 + 1e-12)) ?? NaN;
  }
  return { Kb, limit: Sprime / 2 + Math.sign(Cprime) * Sprime / 2 };
}
