/**
 * The user-facing engine calls: forward(), lossAndGradient() and train().
 * They validate options in TypeScript (typed errors naming the option), build
 * the flat plan once, pick a backend and turn raw results into named objects.
 */
import { GdlnAbortError, GdlnError, invalidParameter } from '../errors.ts';
import { GatedDataset, isDetachedView } from '../data/GatedDataset.ts';
import { Graph } from '../graph/Graph.ts';
import { getBackend, type BackendChoice } from '../backends/index.ts';
import { notStartedRawTrajectory, type Backend, type DType, type LossName, type RawTrajectory } from './kernels.ts';
import { buildPlanModel } from './Plan.ts';
import { WeightSet } from './WeightSet.ts';

export interface RunOptions {
  /** 'auto' (default) = cuda if built and a device is present, else cpu, else js. */
  backend?: BackendChoice;
  /** Default 'float64'. The js backend is float64 only. */
  dtype?: DType;
}

export interface TrainOptions extends RunOptions {
  /** Number of optimiser steps (a step is one minibatch, or the full batch). */
  steps: number;
  /** Learning rate > 0. A full-batch step advances t/τ by lr (docs/architecture.md). */
  lr: number;
  /** Default 'mse' (L = 1/(2N) Σ||y−h||²); 'softmaxCrossEntropy' as App. D's code. */
  loss?: LossName;
  /** SGD momentum μ in [0, 1) (PyTorch convention). Default 0. */
  momentum?: number;
  /** L2 weight decay added to the gradient. Default 0. */
  weightDecay?: number;
  /** Minibatch size; omitted or ≥ N = full batch. */
  batchSize?: number;
  /** Seed of the minibatch order (weights are given). Default 0. */
  seed?: number;
  /** Record the full-dataset loss every k steps (and at 0 and the last). Default 1. */
  recordEvery?: number;
  /** Steps (after that many updates) at which to keep weight snapshots; 0 allowed. */
  snapshots?: number[];
  /** Split the recorded loss by a sample grouping: a label per sample. */
  groups?: ArrayLike<number | string>;
  /** Called on the JS thread every `progressEvery` steps. */
  onProgress?: (progress: { step: number; steps: number; loss: number }) => void;
  /** Default: about 100 callbacks per run. */
  progressEvery?: number;
  /** Cancels the run; the promise then rejects with a GdlnAbortError holding the partial trajectory. */
  signal?: AbortSignal;
}

export interface Trajectory {
  backend: string;
  dtype: DType;
  /** Step index of each loss record. */
  steps: number[];
  /** Full-dataset loss at those steps. */
  loss: Float64Array;
  /** Mean loss per group label at each record (when `groups` was given). */
  groupLoss?: Record<string, Float64Array>;
  snapshots: { step: number; weights: WeightSet }[];
  weights: WeightSet;
  stepsDone: number;
}

function positiveInt(x: unknown, name: string, allowZero = false): number {
  if (typeof x !== 'number' || !Number.isInteger(x) || x < (allowZero ? 0 : 1)) {
    throw invalidParameter(allowZero ? 'a non-negative integer' : 'a positive integer', name, x);
  }
  return x;
}

function finiteIn(x: unknown, name: string, lo: number, hi: number, what: string): number {
  if (typeof x !== 'number' || !Number.isFinite(x) || x < lo || x >= hi) throw invalidParameter(what, name, x);
  return x;
}

function resolveBackend(options: RunOptions | undefined): { backend: Backend; dtype: DType } {
  const dtype = options?.dtype ?? 'float64';
  if (dtype !== 'float64' && dtype !== 'float32') throw invalidParameter("'float64' or 'float32'", 'dtype', dtype);
  const backend = getBackend(options?.backend ?? 'auto');
  return { backend, dtype };
}

function requireSupport(backend: Backend, kernel: 'forward' | 'lossAndGradient' | 'trainSteps', dtype: DType) {
  if (!backend.supports(kernel, dtype)) {
    throw new GdlnError('GDLN_UNSUPPORTED', `Backend ${JSON.stringify(backend.name)} does not support ${kernel} in ${dtype}`, { backend: backend.name, kernel, dtype });
  }
}

/**
 * The three positional arguments every engine call takes: a Graph, a
 * GatedDataset and a WeightSet, the last two built for that Graph, with no
 * weight buffer transferred away since. Checked before anything else runs.
 */
function checkArguments(graph: Graph, data: GatedDataset, weights: WeightSet): void {
  if (!(graph instanceof Graph)) throw invalidParameter('a Graph (new Graph({ nodes, edges }))', 'graph', graph);
  if (!(data instanceof GatedDataset)) throw invalidParameter('a GatedDataset (new GatedDataset(graph, { inputs, targets }))', 'data', data);
  if (!(weights instanceof WeightSet)) throw invalidParameter('a WeightSet (see initWeights / WeightSet.fromRecord)', 'weights', weights);
  if (weights.graph !== graph) throw new GdlnError('GDLN_INVALID_ARGUMENT', 'The weights were built for a different Graph instance than the one given');
  weights.matrices.forEach((m, e) => {
    if (isDetachedView(m)) {
      const edge = graph.edges[e]?.name;
      throw invalidParameter('a Float64Array over a live (not detached) ArrayBuffer', `weights[${e}] (edge ${JSON.stringify(edge)})`, 'a detached (transferred) ArrayBuffer', 'GDLN_INVALID_ARGUMENT', { edge });
    }
  });
}

/** An AbortSignal, or an object that behaves like one (aborted + addEventListener / removeEventListener). */
function isAbortSignalLike(x: unknown): x is AbortSignal {
  if (typeof AbortSignal !== 'undefined' && x instanceof AbortSignal) return true;
  const s = x as { aborted?: unknown; addEventListener?: unknown; removeEventListener?: unknown } | null;
  return s != null && typeof s === 'object' && typeof s.aborted === 'boolean' && typeof s.addEventListener === 'function' && typeof s.removeEventListener === 'function';
}


/**
 * Activations h_v of every node on every sample.
 * @returns per node name, [N, |v|] row-major
 */
export function forward(graph: Graph, data: GatedDataset, weights: WeightSet, options?: RunOptions): Record<string, Float64Array> {
  checkArguments(graph, data, weights);
  const { backend, dtype } = resolveBackend(options);
  requireSupport(backend, 'forward', dtype);
  const acts = backend.forward(buildPlanModel(graph, data), weights.matrices, dtype);
  return Object.fromEntries(graph.nodes.map((n) => [n.name, acts[n.index]]));
}

/** The full-dataset loss and its exact gradient ∂L/∂W_e (as a WeightSet of gradients). */
export function lossAndGradient(graph: Graph, data: GatedDataset, weights: WeightSet, options?: RunOptions & { loss?: LossName }): { loss: number; gradient: WeightSet } {
  checkArguments(graph, data, weights);
  const { backend, dtype } = resolveBackend(options);
  const loss = options?.loss ?? 'mse';
  if (loss !== 'mse' && loss !== 'softmaxCrossEntropy') throw invalidParameter("'mse' or 'softmaxCrossEntropy'", 'loss', loss);
  requireSupport(backend, 'lossAndGradient', dtype);
  const r = backend.lossAndGradient(buildPlanModel(graph, data), weights.matrices, dtype, loss);
  return { loss: r.loss, gradient: new WeightSet(graph, r.gradient) };
}

/**
 * Trains the GDLN for `steps` optimiser steps inside one backend call and
 * returns its trajectory.
 *
 * @throws GdlnError GDLN_INVALID_ARGUMENT (an argument or option, named), GDLN_DIVERGED (non-finite
 *   loss; `details.partial` is the {@link DivergedPartial} recorded before it, `details.step` its step),
 *   GdlnAbortError (code GDLN_ABORTED) when `signal` aborts; its `partial` is the Trajectory so far
 *   (the empty trajectory when the signal was aborted before the call).
 * @example
 * const traj = await train(graph, data, initWeights(graph, { seed: 1, scheme: { kind: 'gaussian', std: 1e-3 } }),
 *   { steps: 1000, lr: 0.1, backend: 'cpu', recordEvery: 10 });
 */
export async function train(graph: Graph, data: GatedDataset, weights: WeightSet, options: TrainOptions): Promise<Trajectory> {
  checkArguments(graph, data, weights);
  if (options == null || typeof options !== 'object') throw invalidParameter('an options object', 'train options', options);
  const steps = positiveInt(options.steps, 'steps', true);
  const lr = options.lr;
  if (typeof lr !== 'number' || !Number.isFinite(lr) || lr <= 0) throw invalidParameter('a finite learning rate > 0', 'lr', lr);
  const loss = options.loss ?? 'mse';
  if (loss !== 'mse' && loss !== 'softmaxCrossEntropy') throw invalidParameter("'mse' or 'softmaxCrossEntropy'", 'loss', loss);
  const momentum = finiteIn(options.momentum ?? 0, 'momentum', 0, 1, 'a momentum in [0, 1)');
  const weightDecay = finiteIn(options.weightDecay ?? 0, 'weightDecay', 0, Infinity, 'a finite weight decay ≥ 0');
  const N = data.nSamples;
  const batchSize = options.batchSize === undefined ? 0 : positiveInt(options.batchSize, 'batchSize');
  const seed = options.seed ?? 0;
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) throw invalidParameter('an integer seed in [0, 2^32)', 'seed', seed);
  const recordEvery = positiveInt(options.recordEvery ?? 1, 'recordEvery');
  if (options.snapshots !== undefined && !Array.isArray(options.snapshots)) throw invalidParameter(`an array of integer steps in [0, ${steps}]`, 'snapshots', options.snapshots);
  const snapshotSteps = [...new Set(options.snapshots ?? [])].sort((a, b) => a - b);
  for (const s of snapshotSteps) if (!Number.isInteger(s) || s < 0 || s > steps) throw invalidParameter(`a snapshot step in [0, ${steps}]`, 'snapshots', s);
  const progressEvery = options.progressEvery === undefined ? Math.max(1, Math.floor(steps / 100)) : positiveInt(options.progressEvery, 'progressEvery');
  if (options.onProgress != null && typeof options.onProgress !== 'function') throw invalidParameter('a function (step, steps, loss) => void', 'onProgress', options.onProgress);
  if (options.signal != null && !isAbortSignalLike(options.signal)) throw invalidParameter('an AbortSignal (e.g. new AbortController().signal)', 'signal', options.signal);

  let groups: Int32Array | null = null;
  let groupNames: string[] = [];
  if (options.groups !== undefined) {
    if (options.groups == null || options.groups.length !== N) {
      throw new GdlnError('GDLN_SHAPE_MISMATCH', `Expected groups to have one label per sample (${N}) but received ${options.groups?.length}`, { name: 'groups' });
    }
    const ids = new Map<string, number>();
    groups = new Int32Array(N);
    for (let i = 0; i < N; i++) {
      const label = String(options.groups[i]);
      if (!ids.has(label)) ids.set(label, ids.size);
      groups[i] = ids.get(label) as number;
    }
    groupNames = [...ids.keys()];
  }

  const { backend, dtype } = resolveBackend(options);
  requireSupport(backend, 'trainSteps', dtype);
  if (options.signal?.aborted) {
    throw new GdlnAbortError('The run was aborted before it started', toTrajectory(graph, backend.name, dtype, notStartedRawTrajectory(weights.matrices, snapshotSteps), groupNames), { stepsDone: 0, steps });
  }
  const onProgress = options.onProgress ?? undefined;
  const signal = options.signal ?? undefined;
  let settled = false;
  const raw = await backend.trainSteps(
    buildPlanModel(graph, data),
    weights.matrices,
    {
      dtype, loss, steps, lr, momentum, weightDecay, batchSize: batchSize >= N ? 0 : batchSize, seed, recordEvery,
      snapshotSteps, groups, nGroups: groupNames.length, progressEvery: onProgress ? progressEvery : 0,
    },
    {
      signal,
      onProgress: onProgress ? (step, l) => { if (!settled) onProgress({ step, steps, loss: l }); } : undefined,
    },
  ).catch((err: unknown) => {
    throw withDivergedPartial(err, graph, backend.name, dtype, groupNames);
  }).finally(() => { settled = true; });
  const trajectory = toTrajectory(graph, backend.name, dtype, raw, groupNames);
  if (raw.cancelled) {
    throw new GdlnAbortError(`The run was aborted after ${raw.stepsDone} of ${steps} steps`, trajectory, { stepsDone: raw.stepsDone, steps });
  }
  return trajectory;
}

function toTrajectory(graph: Graph, backend: string, dtype: DType, raw: RawTrajectory, groupNames: string[]): Trajectory {
  return { ...toRecords(graph, backend, dtype, raw, groupNames), weights: new WeightSet(graph, raw.weights) };
}

/** Everything of a Trajectory but the final weights. */
function toRecords(graph: Graph, backend: string, dtype: DType, raw: Omit<RawTrajectory, 'weights'>, groupNames: string[]): Omit<Trajectory, 'weights'> {
  const nRecords = raw.loss.length;
  const t: Omit<Trajectory, 'weights'> = {
    backend,
    dtype,
    steps: Array.from(raw.lossSteps),
    loss: raw.loss,
    snapshots: raw.snapshots.map((w, k) => ({ step: raw.snapshotSteps[k], weights: new WeightSet(graph, w) })),
    stepsDone: raw.stepsDone,
  };
  if (groupNames.length > 0) {
    t.groupLoss = Object.fromEntries(
      groupNames.map((name, g) => [name, Float64Array.from({ length: nRecords }, (_, r) => raw.groupLoss[r * groupNames.length + g])]),
    );
  }
  return t;
}

/**
 * What a run that diverged had recorded before the blow-up: the records (steps,
 * loss, groupLoss) and the snapshots made so far, and `stepsDone`, the step at
 * which the non-finite loss appeared. No `weights`: those are the non-finite ones.
 */
export type DivergedPartial = Omit<Trajectory, 'weights'>;

/**
 * A backend's GDLN_DIVERGED error carries the raw records in `details.partial`
 * (lib/backends/js, lib/backends/native); this turns them into a
 * {@link DivergedPartial} with named groups and WeightSet snapshots. Any other
 * error passes through unchanged.
 */
function withDivergedPartial(err: unknown, graph: Graph, backend: string, dtype: DType, groupNames: string[]): unknown {
  if (!(err instanceof GdlnError) || err.code !== 'GDLN_DIVERGED') return err;
  const raw = err.details.partial as RawTrajectory | undefined;
  if (raw == null || typeof raw !== 'object' || !(raw.loss instanceof Float64Array)) return err;
  // A snapshot is kept only if its weights are still finite (WeightSet refuses others).
  const finite = (ws: Float64Array[]) => ws.every((w) => w.every(Number.isFinite));
  const kept = raw.snapshots.map((w, k) => ({ w, step: raw.snapshotSteps[k] })).filter((x) => finite(x.w));
  const partial: DivergedPartial = toRecords(graph, backend, dtype, {
    ...raw,
    snapshots: kept.map((x) => x.w),
    snapshotSteps: Float64Array.from(kept, (x) => x.step),
  }, groupNames);
  return new GdlnError('GDLN_DIVERGED', err.message, { ...err.details, partial });
}
