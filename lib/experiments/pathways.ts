/**
 * Built-in experiments for parallel deep pathways (Shi, Shea-Brown & Buice 2022):
 *
 * - fig3: phase portraits of the reduced dynamics (eq. 17) for two pathways on one mode,
 *   S_α = 10, q₀ = 1, 100 initial conditions p₀ ~ N(0, s²·I₂) for s = 0.1 and 0.01, depths
 *   2, 3, 4, 7; with the eq. 22 invariant evaluated along every trajectory (its drift is the
 *   integration error) and the final split it predicts.
 * - fig5 (linear), fig7 (ReLU), fig8 (tanh): two pathways of equal depth D ∈ {2, 3, 4, 7}
 *   trained by full-batch gradient descent on the 8 × 15 hierarchy (eq. 32) from N(0, σ²)
 *   weights, K_a = Uᵀ Ω_a V tracked over time, and the per-mode unevenness
 *   |K_1α − K_2α| / (K_1α + K_2α) at the end, over several seeds (and init scales σ).
 * - fig6: depth 7, two seeds, full trajectories.
 *
 * Normalisation: gdln's loss is the mean over the 8 samples; the paper's lr 0.01 on the
 * released code's summed loss is lr 0.08 here (same trajectory per epoch), and K converges to
 * S_eff = singular values of Yᵀ ("8·S"; lib/analyses/pathways.ts). Time axes are
 * t_red = lr·step/8 = the released code's lr·epoch.
 *
 * Sizes: the paper's N = 1000, σ = 0.01 (`paperScale: true`). The default is a reduced
 * width N = 256 with σ = 0.01·√(1000/256), which keeps the per-layer gain q₀ = σ√N = 0.316 of
 * the paper (so the time scales match) while each step costs 15× less; its finite-size
 * fluctuations are √(1000/256) ≈ 2× larger. Epochs default to what converges (ERRATA: the
 * paper's "1000 epochs" learns only the top mode at D = 7): 3000 / 6000 / 8000 / 16000 for
 * D = 2 / 3 / 4 / 7 (linear; nonlinear runs get 1.5×).
 */
import type { BackendChoice } from '../backends/index.ts';
import type { DType } from '../engine/kernels.ts';
import { train } from '../engine/train.ts';
import { hierarchyPathwayData, initPathways, parallelPathways, pathwayDataset, type PathwayActivation } from '../data/pathways.ts';
import {
  blockShares, finalSplitFromInvariant, integrateReducedPathways, modeShares, pathwayInvariant, pathwayMaps, taskModes,
} from '../analyses/pathways.ts';
import { Rng } from '../init/rng.ts';
import { invalidParameter } from '../errors.ts';

// ------------------------------------------------------------------ Fig. 3 (reduced ODE)

export interface PhasePortraitConfig {
  S: number;
  depths: number[];
  /** Std of the 2-d Gaussian initial p₀ (one row of Fig. 3 each). */
  initStds: number[];
  /** Initial conditions per row (the same draws for every depth in a row). */
  count: number;
  seed: number;
  /** Output points per trajectory. */
  points: number;
}

export const PHASE_DEFAULTS: PhasePortraitConfig = { S: 10, depths: [2, 3, 4, 7], initStds: [0.1, 0.01], count: 100, seed: 1, points: 200 };

export interface PhaseTrajectory {
  p0: [number, number];
  t: number[];
  K1: number[];
  K2: number[];
  /** max_t |C(t) − C(0)| (eq. 22): the integration error of the invariant. */
  invariantDrift: number;
  C: number;
  /** [K_1, K_2] at t → ∞ predicted from C alone. */
  predictedFinal: [number, number];
  final: [number, number];
}

export interface PhasePortraitResult {
  config: PhasePortraitConfig;
  panels: { depth: number; initStd: number; tEnd: number; trajectories: PhaseTrajectory[]; meanUnevenness: number }[];
  maxInvariantDrift: number;
  maxPredictionError: number;
}

/** Fig. 3: phase portraits of (K_1α, K_2α) under eq. 17 (q₀ = 1, the paper's normalisation). */
export function runPhasePortraits(config: PhasePortraitConfig = PHASE_DEFAULTS): PhasePortraitResult {
  const c = config;
  if (!(c.S > 0)) throw invalidParameter('S > 0', 'S', c.S);
  if (!Number.isInteger(c.count) || c.count < 1) throw invalidParameter('a positive integer', 'count', c.count);
  const panels: PhasePortraitResult['panels'] = [];
  let maxInvariantDrift = 0;
  let maxPredictionError = 0;
  c.initStds.forEach((s, row) => {
    const rng = new Rng(c.seed + 1000 * row);
    const p0s: [number, number][] = Array.from({ length: c.count }, () => [s * rng.normal(), s * rng.normal()]);
    for (const D of c.depths) {
      const trajectories: PhaseTrajectory[] = [];
      // Time to converge grows as the initial K shrinks; extend until Σ K = S to 1e-6.
      let tEnd = 4;
      for (;;) {
        const probe = integrateReducedPathways({ S: [c.S], depths: [D, D], q0: 1, p0: [[s * 1e-2], [s * 1e-2]] }, [tEnd], { rtol: 1e-9, atol: 1e-12 });
        const k = probe.K[0];
        if (Math.abs(k[0][0] + k[1][0] - c.S) < 1e-6 * c.S || tEnd > 1e4) break;
        tEnd *= 2;
      }
      const times = Array.from({ length: c.points }, (_, k) => (tEnd * k) / (c.points - 1));
      for (const p0 of p0s) {
        const sol = integrateReducedPathways({ S: [c.S], depths: [D, D], q0: 1, p0: [[p0[0]], [p0[1]]] }, times, { rtol: 1e-11, atol: 1e-13 });
        // κ_a = q₀² − p₀² (eq. 19 generalised: the paper's p² = q² − 1 is the case p₀ = 0).
        const [k1, k2] = [sol.kappa[0][0], sol.kappa[1][0]];
        const Cs = sol.p.map((pt) => pathwayInvariant(pt[0][0], D, k1, pt[1][0], D, k2));
        const drift = Math.max(...Cs.map((x) => Math.abs(x - Cs[0])));
        const predictedFinal = finalSplitFromInvariant(Cs[0], c.S, D, k1, D, k2);
        const final: [number, number] = [sol.K.at(-1)![0][0], sol.K.at(-1)![1][0]];
        maxInvariantDrift = Math.max(maxInvariantDrift, drift);
        maxPredictionError = Math.max(maxPredictionError, Math.abs(final[0] - predictedFinal[0]), Math.abs(final[1] - predictedFinal[1]));
        trajectories.push({ p0, t: sol.t, K1: sol.K.map((k) => k[0][0]), K2: sol.K.map((k) => k[1][0]), invariantDrift: drift, C: Cs[0], predictedFinal, final });
      }
      const meanUnevenness = trajectories.reduce((acc, tr) => acc + Math.abs(tr.final[0] - tr.final[1]) / (tr.final[0] + tr.final[1]), 0) / trajectories.length;
      panels.push({ depth: D, initStd: s, tEnd, trajectories, meanUnevenness });
    }
  });
  return { config: c, panels, maxInvariantDrift, maxPredictionError };
}

// ------------------------------------------------------------------ Fig. 5–8 (full simulations)

export interface PathwaySweepConfig {
  depths: number[];
  /** Number of parallel pathways M (the paper: 2). */
  pathways: number;
  width: number;
  /** Init std(s) of every weight (N(0, σ²), the paper's unscaled init); one sweep per value. */
  stds: number[];
  /** Learning rate on gdln's mean loss (0.08 = the paper's 0.01 on the summed loss). */
  lr: number;
  /** Epochs (= full-batch steps) per depth; missing depths use the rule in the header. */
  epochs: Record<number, number>;
  seeds: number[];
  activation: PathwayActivation;
  backend: BackendChoice;
  dtype: DType;
  /** K_a snapshots per run (the training is chunked between them). */
  records: number;
}

export function defaultEpochs(D: number, activation: PathwayActivation): number {
  const base = D <= 2 ? 3000 : D === 3 ? 6000 : D <= 5 ? 8000 : 16000;
  return activation === 'linear' ? base : Math.round(1.5 * base);
}

export function sweepDefaults(activation: PathwayActivation, paperScale: boolean): PathwaySweepConfig {
  const width = paperScale ? 1000 : 256;
  return {
    depths: [2, 3, 4, 7],
    pathways: 2,
    width,
    stds: [0.01 * Math.sqrt(1000 / width)],
    lr: 0.08,
    epochs: {},
    seeds: paperScale ? [1, 2, 3] : [1, 2, 3, 4, 5, 6],
    activation,
    backend: 'auto',
    dtype: 'float32',
    records: 40,
  };
}

export interface PathwayRun {
  depth: number;
  std: number;
  seed: number;
  epochs: number;
  /** t_red = lr·step/8 at each record. */
  t: number[];
  loss: number[];
  /** [record][pathway][mode] diagonal of K_a. */
  diagonal: number[][][];
  /** [record][pathway] ||offdiag K_a||_F / ||K_a||_F. */
  offDiagonalRatio: number[][];
  finalShares: number[][];
  /** Per mode, at the end. */
  unevenness: number[];
  /** Per degenerate block of equal singular values (basis-independent). */
  blockUnevenness: number[];
  seconds: number;
}

export interface PathwaySweepResult {
  config: PathwaySweepConfig;
  backend: string;
  S: number[];
  blocks: number[][];
  runs: PathwayRun[];
  /** Mean over seeds, per (std, depth): per-mode and per-block unevenness and its mean over modes. */
  summary: { depth: number; std: number; modeUnevenness: number[]; blockUnevenness: number[]; meanUnevenness: number; finalLoss: number }[];
  seconds: number;
}

function validateSweep(c: PathwaySweepConfig): void {
  for (const D of c.depths) if (!Number.isInteger(D) || D < 1) throw invalidParameter('integer depths ≥ 1', 'depths', D);
  for (const [v, n] of [[c.width, 'width'], [c.pathways, 'pathways'], [c.records, 'records']] as const) {
    if (!Number.isInteger(v) || v < 1) throw invalidParameter('a positive integer', n, v);
  }
  if (!(c.lr > 0)) throw invalidParameter('lr > 0', 'lr', c.lr);
  for (const s of c.stds) if (!(s > 0)) throw invalidParameter('stds > 0', 'stds', s);
  if (c.seeds.length === 0) throw invalidParameter('at least one seed', 'seeds', c.seeds);
}

/** Trains M equal-depth pathways for every (σ, D, seed) and tracks K_a (Fig. 5–8). */
export async function runPathwaySweep(
  config: PathwaySweepConfig,
  onProgress?: (what: string, done: number, total: number) => void,
  signal?: AbortSignal,
): Promise<PathwaySweepResult> {
  validateSweep(config);
  const started = Date.now();
  const data = hierarchyPathwayData();
  const modes = taskModes(data.inputs, data.targets);
  const runs: PathwayRun[] = [];
  let backend = '';
  const total = config.stds.length * config.depths.length * config.seeds.length;
  for (const std of config.stds) {
    for (const D of config.depths) {
      const net = parallelPathways({ depths: new Array(config.pathways).fill(D), widths: config.width, activation: config.activation });
      const dataset = pathwayDataset(net, data);
      const epochs = config.epochs[D] ?? defaultEpochs(D, config.activation);
      const chunk = Math.max(1, Math.ceil(epochs / config.records));
      for (const seed of config.seeds) {
        const t0 = Date.now();
        let w = initPathways(net, { kind: 'paper', std }, seed);
        const t: number[] = [];
        const loss: number[] = [];
        const diagonal: number[][][] = [];
        const offDiagonalRatio: number[][] = [];
        const record = (step: number, l: number) => {
          const K = pathwayMaps(net, w, modes, data.inputs);
          t.push(step * config.lr * modes.inputScale);
          loss.push(l);
          diagonal.push(K.diagonal);
          offDiagonalRatio.push(K.offDiagonalRatio);
          return K;
        };
        let done = 0;
        let K = null as ReturnType<typeof pathwayMaps> | null;
        while (done < epochs) {
          const steps = Math.min(chunk, epochs - done);
          const tr = await train(net.graph, dataset, w, { backend: config.backend, dtype: config.dtype, steps, lr: config.lr, recordEvery: steps, signal });
          backend = tr.backend;
          if (done === 0) K = record(0, tr.loss[0]); // w is still the initial weights here
          w = tr.weights;
          done += steps;
          K = record(done, tr.loss[tr.loss.length - 1]);
          onProgress?.(`σ=${std.toPrecision(3)} D=${D} seed ${seed}`, done, epochs);
        }
        const finalK = K!;
        const { shares, unevenness } = modeShares(finalK.diagonal);
        runs.push({
          depth: D, std, seed, epochs, t, loss, diagonal, offDiagonalRatio, finalShares: shares, unevenness,
          blockUnevenness: blockShares(finalK.K, modes.blocks).unevenness, seconds: (Date.now() - t0) / 1000,
        });
        onProgress?.('runs', runs.length, total);
      }
    }
  }
  const summary = config.stds.flatMap((std) => config.depths.map((D) => {
    const rs = runs.filter((r) => r.depth === D && r.std === std);
    const mean = (xs: number[][]) => xs[0].map((_, k) => xs.reduce((s, x) => s + x[k], 0) / xs.length);
    const modeUnevenness = mean(rs.map((r) => r.unevenness));
    return {
      depth: D, std, modeUnevenness, blockUnevenness: mean(rs.map((r) => r.blockUnevenness)),
      meanUnevenness: modeUnevenness.reduce((a, b) => a + b, 0) / modeUnevenness.length,
      finalLoss: rs.reduce((s, r) => s + r.loss[r.loss.length - 1], 0) / rs.length,
    };
  }));
  return { config, backend, S: modes.S, blocks: modes.blocks, runs, summary, seconds: (Date.now() - started) / 1000 };
}
