/**
 * The experiment framework: configs (JSON/YAML, schema-validated), sweeps × seeds,
 * the resumable parallel runner, merging shard folders. docs/experiments.md.
 */
export type { ExperimentDefinition, RunContext, RunResult, RunRecord, AggregateResult, SeriesTable, Schema, ObjectSchema } from './types.ts';
export { validate, schemaAt, deepMerge, canonicalJson, describeSchema } from './schema.ts';
export {
  loadConfig,
  resolveConfig,
  readConfigSource,
  parseConfigText,
  applyOverrides,
  parseSetFlag,
  parseSweepFlag,
  parseSeedsFlag,
  type ExperimentConfigFile,
  type ResolvedConfig,
  type ConfigOverrides,
  type LoadedConfig,
} from './config.ts';
export { expandRuns, sweepPoints, parseShard, selectShard, meanSe, type RunSpec, type Shard, type MeanSe } from './expand.ts';
export { loadExperiment, type ExperimentRef } from './registry.ts';
export { runExperiment, prepareFolder, readFolderConfig, type RunnerOptions, type RunnerSummary, type RunnerEvent, type FolderConfig } from './runner.ts';
export { finalizeResults, type StoredRun, type RunError, type PointSummary, type FinalizeSummary } from './results.ts';
export { mergeResults, type MergeSummary } from './merge.ts';
