/**
 * The kernel interface every backend implements (js reference, native cpu,
 * native cuda). Backends take a whole {@link PlanModel} and run many steps per
 * call, so data crosses a native boundary once per call, not once per step.
 *
 * Weights are passed by edge index as row-major Float64Arrays `[|t(e)|, |s(e)|]`;
 * activations by node index as sample-major `[N, |v|]`. Every result is float64
 * whatever dtype the run used. The semantics (forward, loss, time, minibatch
 * order, trajectory records) are written down once in docs/architecture.md.
 */

export type BackendName = 'js' | 'cpu' | 'cuda';
export type DType = 'float64' | 'float32';
export type LossName = 'mse' | 'softmaxCrossEntropy';
export type KernelName = 'forward' | 'lossAndGradient' | 'trainSteps';

/** Activation codes shared with native (`gdln::Activation`). */
export const ActivationCode = { linear: 0, relu: 1, leakyRelu: 2, tanh: 3 } as const;
/** Node-gate modes shared with native (`gdln::GateMode`). */
export const GateModeCode = { none: 0, perSample: 1, perNeuron: 2 } as const;

/** The flattened, index-based model every backend consumes (graph + gated data). */
export interface PlanModel {
  nodeSize: Int32Array;
  activation: Int32Array;
  activationParam: Float64Array;
  edgeSource: Int32Array;
  edgeTarget: Int32Array;
  nSamples: number;
  /** Per node: [N, |v|] for input nodes, null otherwise. */
  inputs: (Float64Array | null)[];
  /** Per node: [N, |v|] for output nodes, null otherwise. */
  targets: (Float64Array | null)[];
  /** Per edge: [N] or null (all ones). */
  edgeGates: (Float64Array | null)[];
  /** Per node, a GateModeCode. */
  nodeGateMode: Int32Array;
  /** Per node: [N] (perSample), [N, |v|] (perNeuron) or null. */
  nodeGates: (Float64Array | null)[];
}

export interface TrainKernelOptions {
  dtype: DType;
  loss: LossName;
  steps: number;
  lr: number;
  momentum: number;
  weightDecay: number;
  /** 0 = full batch. */
  batchSize: number;
  seed: number;
  recordEvery: number;
  /** Sorted, unique, each in [0, steps]. */
  snapshotSteps: number[];
  /** Per-sample group ids in [0, nGroups), or null. */
  groups: Int32Array | null;
  nGroups: number;
  /** 0 = no progress callbacks. */
  progressEvery: number;
}

export interface TrainHooks {
  signal?: AbortSignal;
  onProgress?: (step: number, loss: number) => void;
}

/** What a backend's trainSteps returns; lib/engine/train.ts turns it into a Trajectory. */
export interface RawTrajectory {
  lossSteps: Float64Array;
  loss: Float64Array;
  /** [nRecords, nGroups] row-major. */
  groupLoss: Float64Array;
  snapshotSteps: Float64Array;
  /** Per snapshot, per edge. */
  snapshots: Float64Array[][];
  weights: Float64Array[];
  stepsDone: number;
  cancelled: boolean;
}

export interface Backend {
  readonly name: BackendName;
  supports(kernel: KernelName, dtype: DType): boolean;
  /** Activations of every node, per node [N, |v|]. */
  forward(model: PlanModel, weights: Float64Array[], dtype: DType): Float64Array[];
  lossAndGradient(
    model: PlanModel,
    weights: Float64Array[],
    dtype: DType,
    loss: LossName,
  ): { loss: number; gradient: Float64Array[] };
  /**
   * Runs `options.steps` optimiser steps. Resolves with cancelled: true (and the
   * partial trajectory) when `hooks.signal` aborts; rejects with a GdlnError on
   * bad input or divergence. onProgress never fires after settlement.
   */
  trainSteps(
    model: PlanModel,
    weights: Float64Array[],
    options: TrainKernelOptions,
    hooks: TrainHooks,
  ): Promise<RawTrajectory>;
}

/** The trajectory of a run aborted before its first step: nothing computed, the weights as given. */
export function notStartedRawTrajectory(weights: readonly Float64Array[], snapshotSteps: readonly number[]): RawTrajectory {
  const copy = () => weights.map((w) => w.slice());
  const atZero = snapshotSteps.includes(0);
  return {
    lossSteps: new Float64Array(0),
    loss: new Float64Array(0),
    groupLoss: new Float64Array(0),
    snapshotSteps: atZero ? Float64Array.of(0) : new Float64Array(0),
    snapshots: atZero ? [copy()] : [],
    weights: copy(),
    stepsDone: 0,
    cancelled: true,
  };
}
