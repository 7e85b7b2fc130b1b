/**
 * The shapes the ReLN gate-discovery kernels share across their three layers:
 * the float64 reference (reference.ts), the native binding
 * (lib/backends/native/binding.ts) and the public calls (record.ts, kmeans.ts).
 * Declared once here; each layer adds only what is its own.
 */

/**
 * A batch of ReLU runs (native/cpu/relu_runs.h): the data, the network shape
 * and the training, without the record epochs (their array type differs by
 * layer) or the execution settings.
 */
export interface ReluRunsProblem {
  n: number;
  dIn: number;
  dOut: number;
  hidden: number[];
  /** [n, dIn] */
  inputs: Float64Array;
  /** [n, dOut] */
  targets: Float64Array;
  runs: number;
  /** [runs, params per run], per run: layers in order, each row-major [out, in]. */
  initWeights: Float64Array;
  epochs: number;
  lr: number;
  momentum: number;
  recordOutputs: boolean;
  returnWeights: boolean;
}

/** The per-run summaries every ReLU-runs call returns beside the gating bits. */
export interface ReluRunsSummaries {
  /** [runs, snapshots] */
  loss: Float64Array;
  /** [runs]: the loss after `epochs` updates */
  finalLoss: Float64Array;
  /** [runs, snapshots, layers] */
  activeFraction: Float64Array;
  /** [runs, snapshots, n, dOut] when recordOutputs */
  outputs: Float64Array | null;
  /** [runs, params] when returnWeights */
  weights: Float64Array | null;
}

/** The k-means settings shared by every k-means call (native/cpu/kmeans.h). */
export interface KmeansSettings {
  restarts: number;
  seed: number;
  maxIter: number;
  tol: number;
}

/** Which labels a k-means call returns: none, per distinct row, or per input row. */
export type KmeansLabels = 'none' | 'distinct' | 'rows';

/** One k-means fit for one k (on the de-duplicated rows, weighted by their counts). */
export interface KmeansFit {
  k: number;
  /** [k, d], each in [0, 1]: the mean gating pattern of the cluster */
  centroids: Float64Array;
  /** rows per cluster (over all rows) */
  sizes: Float64Array;
  /** Σ over ALL rows of the squared distance to their centroid */
  inertia: number;
  nIter: number;
  bestRestart: number;
  restartInertia: Float64Array;
}
