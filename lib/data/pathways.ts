/**
 * Parallel deep pathways (Shi, Shea-Brown & Buice 2022, Fig. 1, eq. 1–2) as an ordinary GDLN:
 * one input node x, one output node y, and M chains x → h_{a,1} → … → h_{a,D_a−1} → y.
 * Pathway a has D_a weight matrices W_a^1 … W_a^{D_a}; y sums the pathways (y = Σ_a Ω_a x).
 * No gates: every edge is always on, so the engine runs one dense GEMM per edge.
 *
 * Initialisations:
 * - `paper`: every entry N(0, σ²) with a fixed σ (the paper's simulations, σ = 0.01, "not
 *   scaled with network size"). The effective per-layer gain on a fixed low-dimensional
 *   subspace is then q₀ = σ√N_out for layers with N_out outputs.
 * - `largeWidth` (eq. 4, 13): W_a^d ~ N(0, σ²/N_a^d) for d < D_a, so (R_a^d)ᵀR_a^d ≈ σ²I, and
 *   the last layer with a separate std `lastStd` (eq. 13 takes it → 0, i.e. W̄_a^{D_a}(0) = δ).
 */
import { Graph, type ActivationSpec, type EdgeSpec, type NodeSpec } from '../graph/Graph.ts';
import { GatedDataset } from './GatedDataset.ts';
import { hierarchy8x15 } from './hierarchy.ts';
import { initWeights, type InitScheme } from '../init/initWeights.ts';
import { Rng } from '../init/rng.ts';
import type { WeightSet } from '../engine/WeightSet.ts';
import { invalidParameter } from '../errors.ts';

export type PathwayActivation = 'linear' | 'relu' | 'tanh';

export interface ParallelPathwaysOptions {
  /** D_a per pathway: the number of weight matrices (D_a − 1 hidden layers). */
  depths: number[];
  /** Hidden width: one number for every hidden layer, or per pathway a list of D_a − 1 widths. */
  widths: number | number[][];
  /** Input dimension l_x (default 8). */
  inputSize?: number;
  /** Output dimension l_y (default 15). */
  outputSize?: number;
  /** Nonlinearity after every hidden layer of every pathway (default 'linear'); y stays linear. */
  activation?: PathwayActivation;
}

export interface PathwayLayout {
  name: string;
  depth: number;
  /** Edge names W_a^1 … W_a^{D_a}, input side first. */
  edges: string[];
  /** Hidden node names h_{a,1} … h_{a,D_a−1}. */
  hidden: string[];
  widths: number[];
  activation: PathwayActivation;
}

export interface ParallelPathways {
  graph: Graph;
  pathways: PathwayLayout[];
  inputSize: number;
  outputSize: number;
}

/**
 * @throws GdlnError GDLN_INVALID_ARGUMENT for a bad depth, width or activation
 * @example parallelPathways({ depths: [7, 7], widths: 1000 }) // Fig. 5, D = 7
 */
export function parallelPathways(options: ParallelPathwaysOptions): ParallelPathways {
  const { depths } = options;
  if (!Array.isArray(depths) || depths.length === 0) throw invalidParameter('a non-empty list of depths', 'depths', depths);
  const lx = options.inputSize ?? 8;
  const ly = options.outputSize ?? 15;
  const activation = options.activation ?? 'linear';
  if (!['linear', 'relu', 'tanh'].includes(activation)) throw invalidParameter("'linear', 'relu' or 'tanh'", 'activation', activation);
  for (const [v, n] of [[lx, 'inputSize'], [ly, 'outputSize']] as const) if (!Number.isInteger(v) || v <= 0) throw invalidParameter('a positive integer', n, v);
  const nodes: NodeSpec[] = [{ name: 'x', size: lx }, { name: 'y', size: ly }];
  const edges: EdgeSpec[] = [];
  const pathways: PathwayLayout[] = depths.map((D, a) => {
    if (!Number.isInteger(D) || D < 1) throw invalidParameter('an integer depth ≥ 1', `depths[${a}]`, D);
    const widths = typeof options.widths === 'number' ? new Array<number>(D - 1).fill(options.widths) : options.widths[a];
    if (!Array.isArray(widths) || widths.length !== D - 1) throw invalidParameter(`${D - 1} hidden widths`, `widths[${a}]`, widths);
    for (const w of widths) if (!Number.isInteger(w) || w <= 0) throw invalidParameter('a positive integer width', `widths[${a}]`, w);
    const name = `p${a}`;
    const hidden = widths.map((_, d) => `${name}h${d + 1}`);
    hidden.forEach((h, d) => nodes.push({ name: h, size: widths[d], activation: activation as ActivationSpec }));
    const chain = ['x', ...hidden, 'y'];
    const edgeNames: string[] = [];
    for (let d = 0; d < D; d++) {
      // Parallel single-layer pathways (D = 1) all join x → y, so every edge gets an explicit name.
      const en = `${name}w${d + 1}`;
      edges.push({ from: chain[d], to: chain[d + 1], name: en });
      edgeNames.push(en);
    }
    return { name, depth: D, edges: edgeNames, hidden, widths, activation };
  });
  return { graph: new Graph({ nodes, edges }), pathways, inputSize: lx, outputSize: ly };
}

/** The identity inputs (rows of I_8) and the 8 × 15 hierarchy targets of eq. 32. */
export function hierarchyPathwayData(): { inputs: number[][]; targets: number[][] } {
  const targets = hierarchy8x15();
  const inputs = targets.map((_, i) => targets.map((__, j) => (i === j ? 1 : 0)));
  return { inputs, targets };
}

/** A dataset on x / y for a parallel-pathways graph (default: eq. 32 with one-hot inputs). */
export function pathwayDataset(net: ParallelPathways, data = hierarchyPathwayData()): GatedDataset {
  return new GatedDataset(net.graph, { inputs: { x: data.inputs }, targets: { y: data.targets } });
}

export type PathwayInit =
  | { kind: 'paper'; std: number }
  | {
      kind: 'largeWidth';
      sigma: number;
      lastStd: number;
      /**
       * Square hidden-to-hidden layers: 'gaussian' (N(0, σ²/N), default) or 'orthogonal'
       * (σ × a Haar-random orthogonal matrix, so (R_a^d)ᵀR_a^d = σ²I exactly). Eq. 4 holds
       * only weakly for square Gaussian matrices (their Gram matrix is Wishart, not σ²I), and
       * the full dynamics then deviate from eq. 17 by an amount that does not vanish with N
       * for D ≥ 3 (docs/derivations/multiple-pathways.md); with orthogonal hidden layers the
       * deviation is O(1/√N) from the first layer only.
       */
      hidden?: 'gaussian' | 'orthogonal';
    };

/** σ × a Haar-distributed orthogonal n×n matrix (Householder QR of a Gaussian, Q·diag(sign R_kk); Mezzadri 2007). Row-major. */
export function haarOrthogonal(n: number, rng: Rng, sigma = 1): Float64Array {
  // Column-major work arrays, so every reflector touches contiguous memory.
  const A = new Float64Array(n * n);
  for (let i = 0; i < A.length; i++) A[i] = rng.normal();
  const vs: Float64Array[] = [];
  const signs = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    const colK = k * n;
    let norm = 0;
    for (let i = k; i < n; i++) norm += A[colK + i] ** 2;
    norm = Math.sqrt(norm);
    const akk = A[colK + k];
    const alpha = akk > 0 ? -norm : norm; // R_kk
    signs[k] = alpha < 0 ? -1 : 1;
    const vk = new Float64Array(n - k);
    vk[0] = akk - alpha;
    for (let i = k + 1; i < n; i++) vk[i - k] = A[colK + i];
    let vn = 0;
    for (let i = 0; i < vk.length; i++) vn += vk[i] ** 2;
    if (vn > 0) {
      const inv = 1 / Math.sqrt(vn);
      for (let i = 0; i < vk.length; i++) vk[i] *= inv;
      for (let j = k; j < n; j++) {
        const col = j * n;
        let dot = 0;
        for (let i = k; i < n; i++) dot += vk[i - k] * A[col + i];
        dot *= 2;
        for (let i = k; i < n; i++) A[col + i] -= dot * vk[i - k];
      }
    }
    vs.push(vk);
  }
  // Q = H_0 H_1 … H_{n−1}: apply the reflectors to the identity, last first (column-major).
  const Q = new Float64Array(n * n);
  for (let i = 0; i < n; i++) Q[i * n + i] = 1;
  for (let k = n - 1; k >= 0; k--) {
    const vk = vs[k];
    for (let j = 0; j < n; j++) {
      const col = j * n;
      let dot = 0;
      for (let i = k; i < n; i++) dot += vk[i - k] * Q[col + i];
      if (dot === 0) continue;
      dot *= 2;
      for (let i = k; i < n; i++) Q[col + i] -= dot * vk[i - k];
    }
  }
  // Row-major output of σ·Q·diag(signs): out[i][j] = σ·signs[j]·Q_col-major[j*n + i].
  const out = new Float64Array(n * n);
  for (let j = 0; j < n; j++) {
    const f = sigma * signs[j];
    for (let i = 0; i < n; i++) out[i * n + j] = f * Q[j * n + i];
  }
  return out;
}

/**
 * Seeded initial weights (drawn in TypeScript; every backend starts from the same numbers).
 * @example initPathways(net, { kind: 'paper', std: 0.01 }, 3)
 */
export function initPathways(net: ParallelPathways, init: PathwayInit, seed: number): WeightSet {
  const perEdge: Record<string, InitScheme> = {};
  if (init.kind === 'paper') {
    if (!(init.std >= 0)) throw invalidParameter('a std ≥ 0', 'init.std', init.std);
    return initWeights(net.graph, { seed, scheme: { kind: 'gaussian', std: init.std } });
  }
  if (init.kind !== 'largeWidth') throw invalidParameter("'paper' or 'largeWidth'", 'init.kind', (init as { kind: unknown }).kind);
  if (!(init.sigma >= 0) || !(init.lastStd >= 0)) throw invalidParameter('sigma ≥ 0 and lastStd ≥ 0', 'largeWidth init', init as unknown);
  for (const p of net.pathways) {
    p.edges.forEach((e, d) => {
      const [fanOut] = net.graph.weightShape(net.graph.edge(e).index);
      perEdge[e] = d === p.depth - 1 ? { kind: 'gaussian', std: init.lastStd } : { kind: 'gaussian', std: init.sigma / Math.sqrt(fanOut) };
    });
  }
  const w = initWeights(net.graph, { seed, scheme: { kind: 'gaussian', std: 0 }, perEdge });
  if (init.hidden === 'orthogonal') {
    const rng = new Rng((seed ^ 0x9e3779b9) >>> 0);
    for (const p of net.pathways) {
      p.edges.forEach((e, d) => {
        const [r, c] = net.graph.weightShape(net.graph.edge(e).index);
        if (d > 0 && d < p.depth - 1 && r === c) w.get(e).set(haarOrthogonal(r, rng, init.sigma));
      });
    }
  } else if (init.hidden !== undefined && init.hidden !== 'gaussian') {
    throw invalidParameter("'gaussian' or 'orthogonal'", 'init.hidden', init.hidden);
  }
  return w;
}
