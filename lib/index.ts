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
// Neural race reduction, decoupled init, mode tracking, closed forms and task generators (issue 3).
export { reduceGdln, reduceGdlnAligned, Reduction, AlignedReduction } from './analyses/reduction.ts';
export type { ReductionOptions, ReducedVariable, PathChain, PathReduction, ReducedMode, ReducedTrajectory } from './analyses/reduction.ts';
export { integrateOde } from './analyses/ode.ts';
export type { OdeRhs, OdeOptions, OdeSolution } from './analyses/ode.ts';
export { decoupledWeights, nodeBases, randomOrthogonal } from './init/decoupled.ts';
export type { DecoupledOptions } from './init/decoupled.ts';
export { projectWeights, trackModes, inferNodeBases } from './analyses/modeTracking.ts';
export type { EdgeModes, PathModes, ModeSnapshot } from './analyses/modeTracking.ts';
export {
  deepLinearMode, deepLinearModeTime, deepLinearLoss, XOR_MARGIN_CROSSOVER, xorMarginModes, xorMarginLinearGdln, xorMarginXorGdln,
  xorMarginLearningTime, xorMarginTimeCrossover, pathwayRaceRhs, routingRhs, routingConserved, routingB2Rhs, routingSteadyRatio,
  pathwayRaceConserved, pathwayRaceSteadyRatio, cubicModeTime, cubicMode, routingB2, pathwayRaceB2, contextualPathwayRhs,
  contextualPathwayMode, contextualPathwayLoss, timeFromSteps, stepsForTime, lrFromSummedLossStep,
} from './analyses/closedForms.ts';
export type { LinearMode } from './analyses/closedForms.ts';
export { binaryHierarchy, hierarchy4x7, hierarchy8x15 } from './data/hierarchy.ts';
export { routingTask } from './data/routing.ts';
export type { RoutingOptions, RoutingTask } from './data/routing.ts';
export { contextualTask, contextualModes, contextualDecoupledWeights, contextualModeValues } from './data/contexts.ts';
export type { ContextualOptions, ContextualTask, ContextualModes } from './data/contexts.ts';
export { xorMarginGdln, xorMarginInputs, XOR_MARGIN_TARGETS } from './data/xorMargin.ts';
export type { XorMarginGdln } from './data/xorMargin.ts';
export { parallelPathways, pathwayDataset, hierarchyPathwayData, initPathways, haarOrthogonal } from './data/pathways.ts';
export type { ParallelPathways, ParallelPathwaysOptions, PathwayLayout, PathwayInit, PathwayActivation } from './data/pathways.ts';
export {
  taskModes, pathwayMaps, pathwayOutputs, modeShares, blockShares, measuredPathwayState, integrateReducedPathways,
  pathwayInvariant, kFromP, pFromK, finalSplitFromInvariant, largeDepthConstant, largeDepthConstantLimit, largeDepthSplit,
} from './analyses/pathways.ts';
export type { TaskModes, PathwayMaps, ReducedPathwaysProblem, ReducedPathwaysSolution } from './analyses/pathways.ts';
export { hyp2f1, pathwayPotential } from './analyses/hypergeometric.ts';
export { runPhasePortraits, runPathwaySweep, sweepDefaults, PHASE_DEFAULTS } from './experiments/pathways.ts';
export type { PathwaySweepConfig, PathwaySweepResult, PhasePortraitConfig, PhasePortraitResult } from './experiments/pathways.ts';
// Transformed vision datasets and their loaders (race-reduction Sec. 5, App. D).
export * from './data/vision/index.ts';
// ReLU networks → ReLNs: gating record, k-means gate discovery, ReLN builder, races, MDS (issue 6).
export * from './reln/index.ts';
export { classicalMds, procrustes, squaredDistances } from './analyses/mds.ts';
export { similarityMatrix, crossDomainSimilarity } from './analyses/similarity.ts';
// Experiments from configs, the runner and the built-ins.
export { BUILTIN_EXPERIMENTS, findBuiltin } from './experiments/builtins/index.ts';
export * from './experiments/framework/index.ts';
export type { PlotSpec } from './report/plotSpec.ts';
export { renderPlotSvg } from './report/renderPlot.ts';
export { svgToPng } from './report/png.ts';
export { writeHtmlReport } from './report/htmlReport.ts';
export { contextualClassificationTask } from './data/contextualClassification.ts';
export type { ContextualClassificationOptions, ContextualClassificationTask } from './data/contextualClassification.ts';
