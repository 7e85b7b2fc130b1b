/**
 * Shared machinery of the routing built-ins (Saxe, Sodhani & Lewallen 2022, Sec. 4,
 * Fig. 4–6): the reduced theory per singular mode, one simulation with snapshots, mode
 * tracking of the input / hidden / output singular values, and evaluation on all M²
 * routes (trained and untrained).
 *
 * Units: t/τ = lr·step (docs/architecture.md), loss L = 1/(2N) Σ‖y − ŷ‖².
 *
 * Theory. For the routing task with P = g² routes through each hidden pathway (P = M²:
 * the fully shared network of Fig. 4) the per-path statistics are Σʸˣ(p) = USVᵀ/(KM) and
 * Σˣ(p,p) = VDVᵀ/(KM) (eq. 11–12, 41–43). On the balanced manifold B₁ = B₃ each singular
 * mode obeys eq. 16–17, τ dB₁/dt = (√P/M²) B₂B₁[S − B₂B₁²D], τ dB₂/dt = (P/M²) B₁²[S − B₂B₁²D]
 * (with K = M; for P = M² this is eq. 13–14 for any K, and with the conserved
 * C = M B₁² − B₂² it is eq. 15), S and D the per-item singular value and input variance of
 * the base dataset, recovered from the path chains as S = KM·s̃, D = KM·d̃. We integrate the
 * two-variable system with RK45 (pathwayRaceRhs, = routingRhs at P = M²) and evaluate the
 * loss of the decoupled network at that state with the exact reduction (`Reduction.loss`).
 */
import type { Matrix } from 'ml-matrix';
import { routingTask, type RoutingTask } from '../../data/routing.ts';
import { reduceGdln, type Reduction } from '../../analyses/reduction.ts';
import { integrateOde } from '../../analyses/ode.ts';
import { pathwayRaceRhs } from '../../analyses/closedForms.ts';
import { projectWeights } from '../../analyses/modeTracking.ts';
import { decoupledWeights } from '../../init/decoupled.ts';
import { initWeights } from '../../init/initWeights.ts';
import { forward, train, type Trajectory } from '../../engine/train.ts';
import type { WeightSet } from '../../engine/WeightSet.ts';
import type { BackendChoice } from '../../backends/index.ts';
import type { DType } from '../../engine/kernels.ts';
import { crossDomainSimilarity, similarityMatrix } from '../../analyses/similarity.ts';

/** One singular mode of the routing reduction. */
export interface RoutingMode {
  /** Per-item singular value S and input variance D of the base dataset (eq. 13–17 units). */
  S: number;
  D: number;
  /** Reduction variable indices on hidden (h1→h2) edges, input edges, output edges. */
  hidden: number[];
  input: number[];
  output: number[];
}

export interface RoutingSetup {
  task: RoutingTask;
  reduction: Reduction;
  modes: RoutingMode[];
  /** Modes grouped by equal (S, D) (degenerate singular values, and the copies of a mode in each hidden pathway when P < M²), strongest first. */
  classes: { S: number; D: number; members: number[] }[];
  /** Routes through each hidden pathway, P = g². */
  P: number;
}

export function routingSetup(options: { M: number; K: number; hidden: number; sharing?: number; seed: number }): RoutingSetup {
  const task = routingTask({ M: options.M, K: options.K, hidden: options.hidden, sharing: options.sharing, seed: options.seed });
  const reduction = reduceGdln(task.graph, task.data);
  const KM = task.K * task.M;
  const modes: RoutingMode[] = reduction.modes.map((m) => {
    const [p, c] = m.chains[0];
    const chain = reduction.path(p)!.chains[c];
    const mode: RoutingMode = { S: chain.s * KM, D: chain.d * KM, hidden: [], input: [], output: [] };
    for (const v of m.variables) {
      const name = reduction.variables[v].edgeName;
      if (name.startsWith('h1')) mode.hidden.push(v);
      else if (name.startsWith('in')) mode.input.push(v);
      else mode.output.push(v);
    }
    return mode;
  });
  // Strongest mode first.
  modes.sort((a, b) => b.S / b.D - a.S / a.D || b.S - a.S);
  const classes: RoutingSetup['classes'] = [];
  modes.forEach((m, a) => {
    const c = classes.find((x) => Math.abs(x.S - m.S) <= 1e-9 * x.S && Math.abs(x.D - m.D) <= 1e-9 * x.D);
    if (c) c.members.push(a);
    else classes.push({ S: m.S, D: m.D, members: [a] });
  });
  return { task, reduction, modes, classes, P: task.sharing * task.sharing };
}

export interface RoutingTheory {
  t: number[];
  /** [class][time] input/output (B₁ = B₃) and hidden (B₂) singular values (classes of RoutingSetup). */
  B1: number[][];
  B2: number[][];
  loss: number[];
}

/**
 * Reduced theory from the balanced decoupled state B₁ = B₂ = B₃ = b0 (all modes): eq. 16–17
 * (eq. 13–15 when P = M²) integrated per mode, and the loss of the network at that state.
 */
export function routingTheory(setup: RoutingSetup, b0: number, times: readonly number[]): RoutingTheory {
  const { reduction, modes, classes, P, task } = setup;
  const B1: number[][] = [];
  const B2: number[][] = [];
  for (const m of classes) {
    const sol = integrateOde((_t, y, dy) => {
      const [d1, d2] = pathwayRaceRhs(y[0], y[1], task.M, P, m.S, m.D);
      dy[0] = d1;
      dy[1] = d2;
    }, 0, Float64Array.of(b0, b0), times, { rtol: 1e-9, atol: 1e-13 });
    B1.push(sol.y.map((y) => y[0]));
    B2.push(sol.y.map((y) => y[1]));
  }
  const loss = times.map((_, k) => {
    const state = new Float64Array(reduction.size);
    classes.forEach((c, a) => {
      for (const mi of c.members) {
        const m = modes[mi];
        for (const v of m.hidden) state[v] = B2[a][k];
        for (const v of [...m.input, ...m.output]) state[v] = B1[a][k];
      }
    });
    return reduction.loss(state);
  });
  return { t: [...times], B1, B2, loss };
}

/** Time (linear interpolation) at which `loss` first falls below frac·loss[0]; NaN if never. */
export function crossingTime(t: readonly number[], loss: ArrayLike<number>, frac = 0.5): number {
  const target = frac * loss[0];
  for (let k = 1; k < loss.length; k++) {
    if (loss[k] < target) {
      const a = loss[k - 1] - target;
      const b = loss[k] - target;
      return t[k - 1] + ((t[k] - t[k - 1]) * a) / (a - b);
    }
  }
  return NaN;
}

export interface SimOptions {
  lr: number;
  steps: number;
  recordEvery: number;
  snapshots: number[];
  backend: BackendChoice;
  dtype: DType;
  signal: AbortSignal;
  onProgress?: (fraction: number) => void;
}

export async function simulate(setup: RoutingSetup, w0: WeightSet, o: SimOptions): Promise<Trajectory> {
  return train(setup.task.graph, setup.task.data, w0, {
    backend: o.backend, dtype: o.dtype, lr: o.lr, steps: o.steps, recordEvery: o.recordEvery, snapshots: o.snapshots, signal: o.signal,
    onProgress: o.onProgress ? (p) => o.onProgress?.(p.step / Math.max(1, p.steps)) : undefined,
  });
}

/** Small random init of Fig. 4e: Xavier-uniform weights scaled by σ₀ (the paper's "Xavier × 0.2"). */
export function randomInit(setup: RoutingSetup, sigma0: number, seed: number): WeightSet {
  return initWeights(setup.task.graph, { seed, scheme: { kind: 'xavier', gain: sigma0 } });
}

/** Decoupled init (eq. 9) with every reduced variable = b0 (balanced, B₁ = B₂ = B₃). */
export function decoupledInit(setup: RoutingSetup, b0: number, seed: number): WeightSet {
  const r = setup.reduction;
  return decoupledWeights(r, r.alignSigns(r.state(b0)), { seed });
}

/**
 * A-priori effective initial singular value of a random init: b₀ = (RMS of the initial
 * path-map singular values)^{1/3} (each three-layer path map is a product of three
 * b₀-sized factors). See test/theory/reduction.test.ts and the ERRATA note on σ₀.
 */
export function effectiveB0(setup: RoutingSetup, w0: WeightSet): number {
  const snap = projectWeights(setup.reduction, w0);
  let s2 = 0;
  let n = 0;
  for (const p of snap.paths) for (const v of p.values) { s2 += v * v; n++; }
  return Math.cbrt(Math.sqrt(s2 / Math.max(n, 1)));
}

export interface TrackedSingularValues {
  /** [class][snapshot]: mean |value| over the class's hidden edges, input edges, output edges. */
  hidden: number[][];
  input: number[][];
  output: number[][];
  /** Worst relative off-diagonal mass over the snapshots' edges, at the last snapshot. */
  offDiagonalEnd: number;
}

/** Mode tracking (eq. 9–10) of every snapshot, hidden bases inferred from the weights. */
export function trackSingularValues(setup: RoutingSetup, snapshots: readonly { weights: WeightSet }[], bases?: Matrix[]): TrackedSingularValues {
  const { modes, classes, reduction } = setup;
  const hidden = classes.map(() => [] as number[]);
  const input = classes.map(() => [] as number[]);
  const output = classes.map(() => [] as number[]);
  let offDiagonalEnd = 0;
  snapshots.forEach((s, k) => {
    const snap = projectWeights(reduction, s.weights, bases);
    const mean = (vs: number[]) => vs.reduce((a, v) => a + Math.abs(snap.b[v]), 0) / Math.max(1, vs.length);
    classes.forEach((c, a) => {
      const ms = c.members.map((i) => modes[i]);
      hidden[a].push(mean(ms.flatMap((m) => m.hidden)));
      input[a].push(mean(ms.flatMap((m) => m.input)));
      output[a].push(mean(ms.flatMap((m) => m.output)));
    });
    if (k === snapshots.length - 1) for (const e of snap.edges) offDiagonalEnd = Math.max(offDiagonalEnd, e.offDiagonal / Math.max(e.total, 1e-300));
  });
  return { hidden, input, output, offDiagonalEnd };
}

export interface RouteEvaluation {
  /** Mean per-sample ½‖y − ŷ‖² on trained / untrained routes (the training loss's normalisation). */
  trainedMse: number;
  untrainedMse: number;
  /** The same divided by the mean ½‖y‖² (the error of a zero output): 1 = nothing learned. */
  trainedRelError: number;
  untrainedRelError: number;
  /** Fraction of samples whose output is nearest (Euclidean) to the correct item's target. */
  trainedAccuracy: number;
  untrainedAccuracy: number;
  /** [route·items + item][feature]: the active output domain's output for every (i, j, k). */
  outputs: number[][];
  rowLabels: string[];
  /** First-hidden-layer activity per (input domain, item) (full sharing only), [M·items][hidden]. */
  h1?: { acts: Float64Array; width: number; labels: { domain: number; item: number }[] };
}

/** Evaluates the network on all M² routes × items (the task's evaluation set). */
export function evaluateRoutes(setup: RoutingSetup, w: WeightSet, backend: BackendChoice, dtype: DType): RouteEvaluation {
  const { task } = setup;
  const { M } = task;
  const items = task.itemTargets.length;
  const F = task.itemTargets[0].length;
  const acts = forward(task.graph, task.evaluation, w, { backend, dtype });
  const outputs: number[][] = [];
  const rowLabels: string[] = [];
  const acc = { trained: [0, 0, 0, 0], untrained: [0, 0, 0, 0] }; // mse, zero-mse, correct, count
  for (let i = 0; i < M; i++) for (let j = 0; j < M; j++) for (let k = 0; k < items; k++) {
    const n = (i * M + j) * items + k;
    const o = acts[`out${j}`];
    const row = Array.from({ length: F }, (_, f) => o[n * F + f]);
    outputs.push(row);
    rowLabels.push(`${i}→${j}${task.trained[i][j] ? '' : '*'} item ${k}`);
    const y = task.itemTargets[k];
    let err = 0;
    let zero = 0;
    for (let f = 0; f < F; f++) { err += (y[f] - row[f]) ** 2; zero += y[f] * y[f]; }
    let best = 0;
    let bestD = Infinity;
    task.itemTargets.forEach((t, kk) => {
      let d = 0;
      for (let f = 0; f < F; f++) d += (t[f] - row[f]) ** 2;
      if (d < bestD) { bestD = d; best = kk; }
    });
    const g = task.trained[i][j] ? acc.trained : acc.untrained;
    g[0] += err / 2;
    g[1] += zero / 2;
    g[2] += best === k ? 1 : 0;
    g[3] += 1;
  }
  const stat = (g: number[]) => ({ mse: g[3] ? g[0] / g[3] : NaN, rel: g[3] ? g[0] / g[1] : NaN, accuracy: g[3] ? g[2] / g[3] : NaN });
  const tr = stat(acc.trained);
  const un = stat(acc.untrained);
  let h1: RouteEvaluation['h1'];
  if (acts.h1 !== undefined) {
    const width = task.graph.nodes.find((v) => v.name === 'h1')!.size;
    const rows = M * items;
    const out = new Float64Array(rows * width);
    const labels: { domain: number; item: number }[] = [];
    for (let i = 0; i < M; i++) for (let k = 0; k < items; k++) {
      const n = (i * M + i) * items + k; // the h1 code depends only on (input domain, item)
      out.set(acts.h1.subarray(n * width, (n + 1) * width), labels.length * width);
      labels.push({ domain: i, item: k });
    }
    h1 = { acts: out, width, labels };
  }
  return {
    trainedMse: tr.mse, untrainedMse: un.mse, trainedRelError: tr.rel, untrainedRelError: un.rel,
    trainedAccuracy: tr.accuracy, untrainedAccuracy: un.accuracy, outputs, rowLabels, h1,
  };
}

/** RSA of the first hidden layer: the dot-product matrix (Fig. 4g) and the cross-domain cosine summary. */
export function hiddenSimilarity(ev: RouteEvaluation): { dot: number[][]; labels: string[]; sameItem: number; differentItem: number; contrast: number } | null {
  if (!ev.h1) return null;
  const n = ev.h1.labels.length;
  const dot = similarityMatrix(ev.h1.acts, n, ev.h1.width, { kind: 'dot' });
  const cos = similarityMatrix(ev.h1.acts, n, ev.h1.width, { kind: 'cosine' });
  const s = crossDomainSimilarity(cos, ev.h1.labels);
  return { dot, labels: ev.h1.labels.map((l) => `in${l.domain} item ${l.item}`), ...s };
}

/** Evenly spaced record steps 0 … steps (count + 1 of them, deduplicated). */
export function snapshotSteps(steps: number, count: number): number[] {
  const out = new Set<number>();
  for (let k = 0; k <= count; k++) out.add(Math.round((k * steps) / count));
  return [...out].sort((a, b) => a - b);
}

/** Mean and standard error of the finite values. */
export function meanSe(xs: readonly number[]): { mean: number; se: number } {
  const v = xs.filter(Number.isFinite);
  if (v.length === 0) return { mean: NaN, se: NaN };
  const mean = v.reduce((a, b) => a + b, 0) / v.length;
  if (v.length < 2) return { mean, se: 0 };
  const varc = v.reduce((a, b) => a + (b - mean) ** 2, 0) / (v.length - 1);
  return { mean, se: Math.sqrt(varc / v.length) };
}

export const MODE_COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f'];
