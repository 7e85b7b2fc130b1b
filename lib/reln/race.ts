/**
 * Neural races between candidate gating strategies (make-haste-slowly Sec. 3–4, Fig. 2d–e,
 * Fig. 4a, Prop. 4.2; race-reduction paper): train each candidate GDLN for one task on the
 * same t/τ axis, measure its time to a loss criterion, name the winner, and check whether a
 * reference network (the ReLU network) follows the winner.
 */
import type { Graph } from '../graph/Graph.ts';
import type { GatedDataset } from '../data/GatedDataset.ts';
import type { WeightSet } from '../engine/WeightSet.ts';
import { train, type Trajectory } from '../engine/train.ts';
import type { BackendChoice } from '../backends/index.ts';
import { xorMarginLearningTime, xorMarginModes } from '../analyses/closedForms.ts';
import { invalidParameter } from '../errors.ts';

/**
 * First time t/τ = lr·step at which the recorded loss falls to `criterion`, linearly
 * interpolated between records; Infinity when it never does, 0 when it starts below.
 */
export function timeToCriterion(traj: { steps: readonly number[]; loss: ArrayLike<number> }, lr: number, criterion: number): number {
  if (!(lr > 0)) throw invalidParameter('a learning rate > 0', 'lr', lr);
  if (!Number.isFinite(criterion)) throw invalidParameter('a finite criterion', 'criterion', criterion);
  const { steps, loss } = traj;
  if (loss.length === 0) return Infinity;
  if (loss[0] <= criterion) return 0;
  for (let i = 1; i < loss.length; i++) {
    if (loss[i] <= criterion) {
      const f = (loss[i - 1] - criterion) / (loss[i - 1] - loss[i]);
      return lr * (steps[i - 1] + f * (steps[i] - steps[i - 1]));
    }
  }
  return Infinity;
}

export interface RaceCandidate {
  name: string;
  graph: Graph;
  data: GatedDataset;
  weights: WeightSet;
}

export interface RaceOptions {
  lr: number;
  steps: number;
  /** Loss criterion for the learning time (Fig. 2d: 0.2). */
  criterion: number;
  recordEvery?: number;
  backend?: BackendChoice;
  signal?: AbortSignal;
  /** The network whose dynamics the race should explain (e.g. the ReLU network). */
  reference?: RaceCandidate;
}

export interface RaceEntry {
  name: string;
  /** Time to criterion, t/τ. */
  time: number;
  trajectory: Trajectory;
}

export interface RaceResult {
  entries: RaceEntry[];
  /** The candidate reaching the criterion first. */
  winner: string;
  reference?: {
    time: number;
    trajectory: Trajectory;
    /** reference time / winner time. */
    ratioToWinner: number;
    /** Candidate whose loss trajectory is closest (mean squared difference) to the reference's. */
    closest: string;
    /** That mean squared difference per candidate. */
    lossMse: Record<string, number>;
    /** Whether the closest candidate is the winner (the ReLU network follows the race winner). */
    followsWinner: boolean;
  };
}

function mse(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n = Math.min(a.length, b.length);
  let s = 0;
  for (let i = 0; i < n; i++) s += (a[i] - b[i]) ** 2;
  return s / n;
}

/**
 * Trains every candidate (and the reference) with the same lr, steps and record grid.
 * @example const r = await raceGdlns([{ name: 'double', ...relnA, weights: wA }, { name: 'single', ...relnB, weights: wB }],
 *   { lr: 0.05, steps: 4000, criterion: 0.1, reference: { name: 'relu', ...relu, weights: w0 } });
 */
export async function raceGdlns(candidates: readonly RaceCandidate[], options: RaceOptions): Promise<RaceResult> {
  if (!Array.isArray(candidates) || candidates.length === 0) throw invalidParameter('at least one candidate', 'candidates', candidates);
  const recordEvery = options.recordEvery ?? Math.max(1, Math.floor(options.steps / 400));
  const run = (c: RaceCandidate) => train(c.graph, c.data, c.weights, { steps: options.steps, lr: options.lr, recordEvery, backend: options.backend, signal: options.signal });
  const entries: RaceEntry[] = [];
  for (const c of candidates) {
    const trajectory = await run(c);
    entries.push({ name: c.name, time: timeToCriterion(trajectory, options.lr, options.criterion), trajectory });
  }
  const winner = entries.reduce((a, b) => (b.time < a.time ? b : a)).name;
  const result: RaceResult = { entries, winner };
  if (options.reference) {
    const trajectory = await run(options.reference);
    const time = timeToCriterion(trajectory, options.lr, options.criterion);
    const lossMse = Object.fromEntries(entries.map((e) => [e.name, mse(trajectory.loss, e.trajectory.loss)]));
    const closest = entries.reduce((a, b) => (lossMse[b.name] < lossMse[a.name] ? b : a)).name;
    const wt = entries.find((e) => e.name === winner)!.time;
    result.reference = { time, trajectory, ratioToWinner: time / wt, closest, lossMse, followsWinner: closest === winner };
  }
  return result;
}

/**
 * The closed-form race on XoR with margin Δ (App. C; d corrected per ERRATA): both GDLNs'
 * singular values s (they cross at Δ = √(2/3)) and times to `criterion` from a₀ (their
 * crossover lies above √(2/3) at finite a₀ — a separate quantity, see xorMarginTimeCrossover).
 */
export function xorMarginRace(delta: number, a0: number, criterion: number): {
  s: { linear: number; xor: number };
  time: { linear: number; xor: number };
  /** Winner by singular value (the larger s learns faster as a₀ → 0). */
  winnerBySingularValue: 'linear' | 'xor';
  /** Winner by time to criterion at this a₀. */
  winnerByTime: 'linear' | 'xor';
} {
  const m = xorMarginModes(delta);
  const time = { linear: xorMarginLearningTime('linear', delta, a0, criterion), xor: xorMarginLearningTime('xor', delta, a0, criterion) };
  return {
    s: { linear: m.linear.s, xor: m.xor.s },
    time,
    winnerBySingularValue: m.linear.s > m.xor.s ? 'linear' : 'xor',
    winnerByTime: time.linear < time.xor ? 'linear' : 'xor',
  };
}

/**
 * Balanced, aligned initial weights (one hidden neuron per pathway) for
 * xorMarginGdln(kind, Δ, { hidden: 1 }): every pathway starts with effective singular
 * value a₀ on its mode (w₁ = √a₀ vᵀ, w₂ = √a₀), the initial condition of App. C eq. 18.
 */
export function xorMarginBalancedWeights(kind: 'linear' | 'xor', delta: number, a0: number): Record<string, number[]> {
  if (!(a0 > 0)) throw invalidParameter('a0 > 0', 'a0', a0);
  const r = Math.sqrt(a0);
  if (kind === 'linear') return { 'x->hpos': [0, 0, r], 'hpos->y': [r], 'x->hneg': [0, 0, r], 'hneg->y': [r] };
  const X = [[-1, -1, -delta], [1, -1, delta], [-1, 1, delta], [1, 1, -delta]];
  const y = [-1, 1, 1, -1];
  const out: Record<string, number[]> = {};
  X.forEach((x, k) => {
    const n = Math.hypot(...x);
    out[`x${k}->h${k}`] = x.map((v) => (r * y[k] * v) / n);
    out[`h${k}->y`] = [r];
  });
  return out;
}
