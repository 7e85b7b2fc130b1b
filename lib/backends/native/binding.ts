/**
 * The raw shape of the compiled addon (`build/Release/gdln.node`). Only
 * `lib/backends/native/` imports this; everything else goes through the
 * Backend interface in `lib/engine/kernels.ts`.
 *
 * All arrays cross the boundary once per call and are copied into plain C++
 * structs on the JS thread before any work starts (so a caller may reuse or
 * transfer its buffers as soon as the call returns).
 */
import type { PlanModel, RawTrajectory } from '../../engine/kernels.ts';
import type { KmeansFit, KmeansLabels, KmeansSettings, ReluRunsProblem, ReluRunsSummaries } from '../../reln/types.ts';

/**
 * The flattened model crosses the boundary exactly as the engine builds it
 * (`PlanModel`, which mirrors `gdln::GraphSpec` + `gdln::DatasetSpec`; the
 * activation and gate-mode codes are `ActivationCode` / `GateModeCode`).
 */
export type NativeModel = PlanModel;

export interface NativeCallOptions {
  backend: 'cpu' | 'cuda';
  dtype: 'float64' | 'float32';
}

export interface NativeTrainOptions extends NativeCallOptions {
  loss: 'mse' | 'softmaxCrossEntropy';
  steps: number;
  lr: number;
  momentum: number;
  weightDecay: number;
  /** 0 = full batch. */
  batchSize: number;
  seed: number;
  recordEvery: number;
  snapshotSteps: number[];
  /** Per-sample group ids in [0, nGroups), or null. */
  groups: Int32Array | null;
  nGroups: number;
  /** 0 = no progress callbacks. */
  progressEvery: number;
}

/** What a run resolves with: the engine's RawTrajectory (float64 at the boundary). */
export type NativeTrajectory = RawTrajectory;

export interface NativeTrainHandle {
  /** Resolves with the trajectory (cancelled: true when cancel() was called). */
  promise: Promise<NativeTrajectory>;
  /** Asks the run to stop at the next step boundary. Idempotent. */
  cancel(): void;
}

export interface NativeBuildInfo {
  version: string;
  blas: string;
  cudaBuilt: boolean;
  cudaDevices: number;
  cudaStatus: string;
  defaultThreads: number;
}

/** reluRuns spec (native/cpu/relu_runs.h). */
export interface NativeReluRunsSpec extends ReluRunsProblem {
  /** Strictly ascending epochs (= updates done) in [0, epochs]. */
  recordEpochs: Float64Array;
  dtype: 'float64' | 'float32';
  /** 0 = hardware concurrency. */
  threads: number;
  /** Epochs (summed over runs) between progress events; 0 = none. */
  progressEvery: number;
}

/** An opaque, type-tagged handle to a native GatingRecord (the packed gating bits). */
export type NativeRecordHandle = { readonly __gdlnGatingRecord: unique symbol };

export interface NativeGatingRecord extends ReluRunsSummaries {
  handle: NativeRecordHandle;
  runs: number;
  snapshots: number;
  n: number;
  words: number;
  hidden: number[];
  recordEpochs: Float64Array;
}

/** Index lists (null = all) selecting rows of a GatingRecord in (run, snapshot, layer, neuron) order. */
export interface NativeRecordSelection {
  runs: Int32Array | null;
  snapshots: Int32Array | null;
  layers: Int32Array | null;
}

export interface NativeKmeansOptions extends KmeansSettings {
  ks: Int32Array;
  labels: KmeansLabels;
  threads: number;
}

export interface NativeKmeansOne extends KmeansFit {
  labels?: Int32Array;
}

export interface NativeKmeansResult {
  distinct: number;
  totalRows: number;
  d: number;
  results: NativeKmeansOne[];
  /** [distinct, d] 0/1, with labels: 'distinct' */
  distinctRows?: Uint8Array;
  distinctCounts?: Float64Array;
}

/**
 * What the `.node` file exports. Every function throws an Error whose `code`
 * is a GDLN_* string on bad input; none of them aborts the process.
 */
export interface NativeBinding {
  buildInfo(): NativeBuildInfo;
  /** Sets the size of gdln's compute pool (0 = hardware concurrency); returns it. */
  setThreads(n: number): number;
  forward(model: NativeModel, weights: Float64Array[], options: NativeCallOptions): Float64Array[];
  lossAndGradient(
    model: NativeModel,
    weights: Float64Array[],
    options: NativeCallOptions & { loss: 'mse' | 'softmaxCrossEntropy' },
  ): { loss: number; gradient: Float64Array[] };
  /**
   * Runs off the JS thread. `onProgress(step, loss)` is called on the JS
   * thread every `progressEvery` steps and never after the promise settles.
   */
  train(
    model: NativeModel,
    weights: Float64Array[],
    options: NativeTrainOptions,
    onProgress: ((step: number, loss: number) => void) | null,
  ): NativeTrainHandle;
  /** Many small ReLU runs off the JS thread; rejects with code GDLN_ABORTED after cancel(). */
  reluRuns(
    spec: NativeReluRunsSpec,
    onProgress: ((runsDone: number, epochsDone: number) => void) | null,
  ): { promise: Promise<NativeGatingRecord>; cancel(): void };
  /** The selected rows as 0/1 bytes, [rows, n]. */
  recordRows(handle: NativeRecordHandle, selection: NativeRecordSelection): Uint8Array;
  /** Frees the record now; idempotent. Later use throws GDLN_DISPOSED. */
  recordDispose(handle: NativeRecordHandle): void;
  /** Synchronous de-duplication + weighted k-means for every k in options.ks. */
  kmeans(
    source: { record: NativeRecordHandle; selection: NativeRecordSelection } | { rows: Uint8Array | Float32Array; d: number },
    options: NativeKmeansOptions,
  ): NativeKmeansResult;
}
