/**
 * gdln — Gated Deep Linear Networks from TypeScript, on a float64 reference
 * or native C++/CUDA kernels. The curated public surface; no logic here.
 */
export { Graph } from './graph/Graph.ts';
export type { ActivationSpec, EdgeSpec, GraphSpec, NodeSpec, Path } from './graph/Graph.ts';
export { GatedDataset } from './data/GatedDataset.ts';
export type { ArrayInput, GatedDatasetSpec } from './data/GatedDataset.ts';
export { xorFourPathwayGdln, xorDecoupledWeights, XOR_INPUTS, xorTargets } from './data/xor.ts';
export { initWeights } from './init/initWeights.ts';
export type { InitOptions, InitScheme } from './init/initWeights.ts';
export { Rng } from './init/rng.ts';
export { WeightSet } from './engine/WeightSet.ts';
export { forward, lossAndGradient, train } from './engine/train.ts';
export { concurrency } from './engine/concurrency.ts';
export type { RunOptions, TrainOptions, Trajectory } from './engine/train.ts';
export type { BackendName, DType, LossName } from './engine/kernels.ts';
export { backendStatus, getBackend } from './backends/index.ts';
export type { BackendChoice, BackendStatus } from './backends/index.ts';
export { pathStatistics, pathSumGradient } from './analyses/pathStatistics.ts';
export type { PathStatistics } from './analyses/pathStatistics.ts';
export { twoLayerModeStrength, xorFourPathwayLoss } from './analyses/closedForms.ts';
export { GdlnError, GdlnAbortError, ErrorCodes } from './errors.ts';
export type { ErrorCode } from './errors.ts';
