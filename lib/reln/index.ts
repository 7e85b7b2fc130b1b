/**
 * ReLN workflow (make-haste-slowly): record ReLU gating → discover patterns (k-means) →
 * build the ReLN → compare with the ReLU network → race candidate gatings.
 */
export { reluNetwork, smallInit } from './relu.ts';
export type { ReluNetwork, ReluNetworkOptions } from './relu.ts';
export { buildReln, contextPatterns, patternRows } from './reln.ts';
export type { Reln, RelnOptions } from './reln.ts';
export { compareReluReln, trajectoryDifference, hiddenRepresentation, outputs, elbowIndex, relnKCriterion, reluGatingRows } from './compare.ts';
export type { CompareOptions, CompareResult, KCriterionOptions, KCriterionResult, GatingRowsOptions } from './compare.ts';
export { raceGdlns, timeToCriterion, xorMarginRace, xorMarginBalancedWeights } from './race.ts';
export type { RaceCandidate, RaceOptions, RaceEntry, RaceResult } from './race.ts';
export { classicalMds, procrustes, squaredDistances } from '../analyses/mds.ts';
export type { MdsResult } from '../analyses/mds.ts';
// Algorithm 1 (App. B): native recording of ReLU gating and k-means of the rows (no name clashes with the above).
export * from './record.ts';
export * from './kmeans.ts';
export { contextualTaskSec4, SEC4_LEAF_ORDERS } from '../data/contextsSec4.ts';
export type { ContextualSec4Options, ContextualSec4Task } from '../data/contextsSec4.ts';
