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
}
