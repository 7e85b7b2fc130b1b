/**
 * ReLU network vs ReLN (make-haste-slowly Sec. 4, Fig. 4a/c, App. B Fig. 9): loss
 * trajectories on one t/τ axis, outputs at chosen steps, hidden representations and their
 * classical MDS, and App. B's criterion for the number of gating patterns k — the
 * difference between the ReLU network's trajectory and that of the ReLN built from k
 * centroids, whose elbow over k picks k.
 */
import type { Graph } from '../graph/Graph.ts';
import type { GatedDataset } from '../data/GatedDataset.ts';
import type { WeightSet } from '../engine/WeightSet.ts';
import { forward, train, type Trajectory } from '../engine/train.ts';
import type { BackendChoice } from '../backends/index.ts';
import { classicalMds, procrustes } from '../analyses/mds.ts';
import { buildReln, type RelnOptions } from './reln.ts';
import { reluNetwork, smallInit } from './relu.ts';
import { timeToCriterion } from './race.ts';
import { invalidParameter } from '../errors.ts';

/** Mean squared and largest absolute difference of two loss trajectories recorded on the same steps. */
export function trajectoryDifference(a: ArrayLike<number>, b: ArrayLike<number>): { mse: number; maxAbs: number; relativeMse: number } {
  if (a.length !== b.length || a.length === 0) throw invalidParameter(`two trajectories of the same non-zero length`, 'trajectories', [a.length, b.length], 'GDLN_SHAPE_MISMATCH');
  let s = 0;
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    const d = a[i] - b[i];
    s += d * d;
    m = Math.max(m, Math.abs(d));
  }
  const l0 = Math.max(Math.abs(a[0]), Math.abs(b[0]), 1e-300);
  return { mse: s / a.length, maxAbs: m, relativeMse: s / a.length / (l0 * l0) };
}

/** Hidden activations of the given nodes side by side: [N][Σ|v|] (ReLN: all pathways; ReLU: the layer). */
export function hiddenRepresentation(graph: Graph, data: GatedDataset, weights: WeightSet, nodes: readonly string[], backend?: BackendChoice): number[][] {
  const acts = forward(graph, data, weights, { backend });
  const N = data.nSamples;
  return Array.from({ length: N }, (_, i) => nodes.flatMap((n) => {
    const w = graph.node(n).size;
    return Array.from(acts[n].subarray(i * w, (i + 1) * w));
  }));
}

/** The network output y on every sample, [N·|y|]. */
export function outputs(graph: Graph, data: GatedDataset, weights: WeightSet, backend?: BackendChoice): Float64Array {
  return forward(graph, data, weights, { backend }).y;
}

function meanSq(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i] - b[i]) ** 2;
  return s / a.length;
}

export interface CompareOptions {
  inputs: number[][];
  targets: number[][];
  /** Gating patterns of the ReLN (see buildReln). */
  patterns: RelnOptions['patterns'];
  /** Pathway names for the ReLN (optional). */
  names?: readonly string[];
  /** ReLU hidden width (App. H: 700), or [h1, h2]. */
  reluHidden: number | readonly [number, number];
  /** Neurons per ReLN pathway (App. H: 100). */
  relnHidden?: number | readonly number[];
  /** Shared first layer of the 2-layer ReLN (default 100). */
  firstHidden?: number;
  lr: number;
  steps: number;
  /** Std of every weight at init, the same in both networks (App. H "Init-Scale"). */
  initStd: number;
  seed: number;
  recordEvery?: number;
  /** Steps at which outputs and hidden representations are compared (default 5 evenly spaced). */
  compareAt?: number[];
  /** Loss criterion for the times to criterion (default 0.1 × initial loss). */
  criterion?: number;
  backend?: BackendChoice;
  signal?: AbortSignal;
  /** Skip the MDS (default false). */
  skipMds?: boolean;
}

export interface CompareResult {
  relu: Trajectory;
  reln: Trajectory;
  /** Loss trajectory difference (same records). */
  loss: { mse: number; maxAbs: number; relativeMse: number };
  /** Time to criterion t/τ of each, and the criterion. */
  time: { relu: number; reln: number; criterion: number };
  /** Per compared step: outputs, their mean squared difference, and the MDS of both hidden layers (ReLN aligned on ReLU by Procrustes). */
  at: { step: number; reluOut: Float64Array; relnOut: Float64Array; outputMse: number; mds?: { relu: number[][]; reln: number[][]; residual: number } }[];
  /** Mean over compared steps of the output mean squared difference. */
  outputMse: number;
}

/** Trains a ReLU network and the ReLN of `patterns` from the same small init scale and compares them. */
export async function compareReluReln(o: CompareOptions): Promise<CompareResult> {
  const recordEvery = o.recordEvery ?? Math.max(1, Math.floor(o.steps / 200));
  const compareAt = (o.compareAt ?? [0.1, 0.25, 0.4, 0.6, 1].map((f) => Math.round(f * o.steps))).map((s) => Math.min(o.steps, Math.max(0, Math.round(s))));
  const relu = reluNetwork({ inputs: o.inputs, targets: o.targets, hidden: o.reluHidden });
  const layers = typeof o.reluHidden === 'number' ? 1 : 2;
  const reln = buildReln({ inputs: o.inputs, targets: o.targets, patterns: o.patterns, names: o.names, hidden: o.relnHidden ?? 100, layers, firstHidden: o.firstHidden });
  const opts = { steps: o.steps, lr: o.lr, recordEvery, snapshots: compareAt, backend: o.backend, signal: o.signal };
  const tr = await train(relu.graph, relu.data, smallInit(relu.graph, o.initStd, o.seed), opts);
  const tg = await train(reln.graph, reln.data, smallInit(reln.graph, o.initStd, o.seed + 7919), opts);
  const criterion = o.criterion ?? 0.1 * tr.loss[0];
  const at = compareAt.map((step) => {
    const wr = tr.snapshots.find((s) => s.step === step)!.weights;
    const wg = tg.snapshots.find((s) => s.step === step)!.weights;
    const reluOut = outputs(relu.graph, relu.data, wr, o.backend);
    const relnOut = outputs(reln.graph, reln.data, wg, o.backend);
    const entry: CompareResult['at'][number] = { step, reluOut, relnOut, outputMse: meanSq(reluOut, relnOut) };
    if (!o.skipMds) {
      const a = classicalMds({ points: hiddenRepresentation(relu.graph, relu.data, wr, relu.hiddenNodes.slice(-1), o.backend) }, 2).coordinates;
      const b = classicalMds({ points: hiddenRepresentation(reln.graph, reln.data, wg, reln.pathwayNodes, o.backend) }, 2).coordinates;
      const p = procrustes(b, a);
      entry.mds = { relu: a, reln: p.aligned, residual: p.residual };
    }
    return entry;
  });
  return {
    relu: tr,
    reln: tg,
    loss: trajectoryDifference(tr.loss, tg.loss),
    time: { relu: timeToCriterion(tr, o.lr, criterion), reln: timeToCriterion(tg, o.lr, criterion), criterion },
    at,
    outputMse: at.reduce((s, e) => s + e.outputMse, 0) / at.length,
  };
}

/**
 * Elbow of a decreasing curve: the point farthest from the chord joining its ends
 * (both axes scaled to [0, 1]). Returns the index.
 */
export function elbowIndex(x: readonly number[], y: readonly number[]): number {
  if (x.length !== y.length || x.length === 0) throw invalidParameter('two arrays of the same non-zero length', 'elbow x, y', x.length, 'GDLN_SHAPE_MISMATCH');
  if (x.length < 3) return x.length - 1;
  const x0 = Math.min(...x), x1 = Math.max(...x), y0 = Math.min(...y), y1 = Math.max(...y);
  const sx = (v: number) => (x1 > x0 ? (v - x0) / (x1 - x0) : 0);
  const sy = (v: number) => (y1 > y0 ? (v - y0) / (y1 - y0) : 0);
  const ax = sx(x[0]), ay = sy(y[0]), bx = sx(x[x.length - 1]), by = sy(y[y.length - 1]);
  const len = Math.hypot(bx - ax, by - ay) || 1;
  let best = 0;
  let bestD = -Infinity;
  for (let i = 0; i < x.length; i++) {
    const d = Math.abs((bx - ax) * (ay - sy(y[i])) - (ax - sx(x[i])) * (by - ay)) / len;
    if (d > bestD) {
      bestD = d;
      best = i;
    }
  }
  return best;
}

export interface KCriterionOptions {
  inputs: number[][];
  targets: number[][];
  /** Centroids per k: { k, centroids: flat [k·N] } (e.g. from kmeansRange(...).results). */
  clusterings: readonly { k: number; centroids: Float64Array | readonly number[] }[];
  /** The ReLU network's loss trajectory, recorded every `recordEvery` steps from step 0 to `steps`. */
  reluLoss: ArrayLike<number>;
  /** The ReLU network's outputs at `outputSteps` (optional; adds the output criterion). */
  reluOutputs?: { step: number; y: ArrayLike<number> }[];
  relnHidden?: number;
  layers?: 1 | 2;
  firstHidden?: number;
  lr: number;
  steps: number;
  recordEvery: number;
  initStd: number;
  seed: number;
  threshold?: number;
  backend?: BackendChoice;
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
}

export interface KCriterionResult {
  k: number[];
  /** Mean squared difference of the loss trajectories, ReLN(k) vs ReLU. */
  lossMse: number[];
  /** Mean over the compared steps of the output mean squared difference (NaN without reluOutputs). */
  outputMse: number[];
  /** The k at the elbow of lossMse over k. */
  elbow: number;
  /** Thresholded patterns used for each k (duplicates and all-zero patterns removed). */
  patterns: number[][][];
}

/**
 * App. B's criterion for choosing k (Fig. 9): for each k, the ReLN built from the k
 * centroids (thresholded at 0.5; all-zero and duplicate patterns dropped) is trained from
 * the matching init and its loss trajectory (and outputs) compared with the ReLU network's.
 */
export async function relnKCriterion(o: KCriterionOptions): Promise<KCriterionResult> {
  const N = o.inputs.length;
  const threshold = o.threshold ?? 0.5;
  const res: KCriterionResult = { k: [], lossMse: [], outputMse: [], elbow: NaN, patterns: [] };
  let done = 0;
  for (const c of o.clusterings) {
    const flat = Array.from(c.centroids);
    if (flat.length !== c.k * N) throw invalidParameter(`k·N = ${c.k * N} centroid values`, `clusterings[k=${c.k}].centroids`, flat.length, 'GDLN_SHAPE_MISMATCH');
    const seen = new Set<string>();
    const pats: number[][] = [];
    for (let j = 0; j < c.k; j++) {
      const p = flat.slice(j * N, (j + 1) * N).map((v) => (v >= threshold ? 1 : 0));
      const key = p.join('');
      if (p.some((v) => v) && !seen.has(key)) {
        seen.add(key);
        pats.push(p);
      }
    }
    const reln = buildReln({ inputs: o.inputs, targets: o.targets, patterns: pats, hidden: o.relnHidden ?? 100, layers: o.layers, firstHidden: o.firstHidden, threshold: null });
    const snaps = (o.reluOutputs ?? []).map((r) => r.step);
    const tg = await train(reln.graph, reln.data, smallInit(reln.graph, o.initStd, o.seed + 7919), {
      steps: o.steps, lr: o.lr, recordEvery: o.recordEvery, snapshots: snaps, backend: o.backend, signal: o.signal,
    });
    res.k.push(c.k);
    res.patterns.push(pats);
    res.lossMse.push(trajectoryDifference(o.reluLoss, tg.loss).mse);
    if (o.reluOutputs?.length) {
      let s = 0;
      for (const r of o.reluOutputs) s += meanSq(outputs(reln.graph, reln.data, tg.snapshots.find((q) => q.step === r.step)!.weights, o.backend), r.y);
      res.outputMse.push(s / o.reluOutputs.length);
    } else res.outputMse.push(NaN);
    o.onProgress?.(++done, o.clusterings.length);
  }
  res.elbow = res.k[elbowIndex(res.k, res.lossMse)];
  return res;
}

export interface GatingRowsOptions {
  inputs: number[][];
  targets: number[][];
  hidden: number | readonly [number, number];
  runs: number;
  steps: number;
  lr: number;
  initStd: number;
  seed: number;
  /** Record every this many steps (Algorithm 1: 100), from step `recordEvery`. */
  recordEvery: number;
  /** Hidden layer whose gating is recorded (default the last). */
  layer?: number;
  backend?: BackendChoice;
  signal?: AbortSignal;
}

/**
 * Algorithm 1's samples through the engine (no native recorder needed): the binary
 * step(h) of every hidden neuron over the N samples, stacked over runs and recorded steps,
 * as rows of a flat Uint8Array [nRows·N], plus each run's loss trajectory (recorded every
 * `recordEvery` steps). The native `recordReluGating` (lib/reln/record.ts) does the same
 * for many runs in C++.
 */
export async function reluGatingRows(o: GatingRowsOptions): Promise<{ rows: Uint8Array; nRows: number; N: number; losses: Float64Array[]; steps: number[] }> {
  const net = reluNetwork({ inputs: o.inputs, targets: o.targets, hidden: o.hidden });
  const node = net.hiddenNodes[o.layer ?? net.hiddenNodes.length - 1];
  const H = net.graph.node(node).size;
  const N = o.inputs.length;
  const at: number[] = [];
  for (let s = o.recordEvery; s <= o.steps; s += o.recordEvery) at.push(s);
  const chunks: Uint8Array[] = [];
  const losses: Float64Array[] = [];
  let steps: number[] = [];
  for (let r = 0; r < o.runs; r++) {
    const t = await train(net.graph, net.data, smallInit(net.graph, o.initStd, o.seed + r), {
      steps: o.steps, lr: o.lr, recordEvery: o.recordEvery, snapshots: at, backend: o.backend, signal: o.signal,
    });
    losses.push(t.loss);
    steps = t.steps;
    for (const s of t.snapshots) {
      const h = forward(net.graph, net.data, s.weights, { backend: o.backend })[node];
      const rows = new Uint8Array(H * N);
      for (let j = 0; j < H; j++) for (let i = 0; i < N; i++) rows[j * N + i] = h[i * H + j] > 0 ? 1 : 0;
      chunks.push(rows);
    }
  }
  const rows = new Uint8Array(chunks.reduce((a, c) => a + c.length, 0));
  let off = 0;
  for (const c of chunks) {
    rows.set(c, off);
    off += c.length;
  }
  return { rows, nRows: rows.length / N, N, losses, steps };
}
