/**
 * The experiment contract shared by the runner, the built-in experiments and the
 * report. An experiment is a pure function of (params, seed, backend, dtype) that
 * returns metrics, series and plots; the runner owns seeds, sweeps, files, resume.
 */
import type { BackendChoice } from '../../backends/index.ts';
import type { DType } from '../../engine/kernels.ts';
import type { PlotSpec } from '../../report/plotSpec.ts';

/** A schema node: enough to validate configs with messages naming the field path. */
export type Schema =
  | { kind: 'number'; doc: string; integer?: boolean; min?: number; max?: number; exclusiveMin?: boolean }
  | { kind: 'string'; doc: string; enum?: readonly string[] }
  | { kind: 'boolean'; doc: string }
  | { kind: 'array'; doc: string; items: Schema; minItems?: number; maxItems?: number }
  | { kind: 'object'; doc: string; fields: Record<string, Schema>; optional?: readonly string[] };

export type ObjectSchema = Extract<Schema, { kind: 'object' }>;

export interface RunContext {
  seed: number;
  backend: BackendChoice;
  dtype: DType;
  /** Aborted on Ctrl-C / cancel: pass to train() and stop promptly. */
  signal: AbortSignal;
  /** Fraction done in [0, 1] of this run, and an optional short status. */
  progress(fraction: number, message?: string): void;
  log(line: string): void;
}

/** A table written as CSV: one x column and named y columns of equal length. */
export interface SeriesTable {
  xLabel: string;
  x: number[];
  columns: Record<string, number[]>;
}

export interface RunResult {
  /** Key scalar numbers (reported as mean ± standard error over seeds). */
  metrics: Record<string, number>;
  /** Trajectories, written as <name>.csv in the run folder. */
  series: Record<string, SeriesTable>;
  plots: PlotSpec[];
  /** Anything else worth keeping (JSON-serialisable; typed arrays become arrays). */
  data?: Record<string, unknown>;
  /** Backend actually used (after 'auto'). */
  backend?: string;
}

/** One finished run as the aggregate step sees it. */
export interface RunRecord<P> {
  id: string;
  seed: number;
  /** The sweep point: swept field paths → values ({} when no sweep). */
  point: Record<string, unknown>;
  params: P;
  result: RunResult;
  seconds: number;
}

export interface AggregateResult {
  metrics?: Record<string, number>;
  plots: PlotSpec[];
  series?: Record<string, SeriesTable>;
}

export interface ExperimentDefinition<P = any> {
  /** CLI name, kebab-case, e.g. 'race-fig4-routing'. */
  name: string;
  title: string;
  /** Paper and figure, e.g. 'Saxe, Sodhani & Lewallen 2022, Fig. 4e–h'. */
  paper: string;
  /** The paper's parameters this reproduces, and what differs (reduced size and why). */
  parameters: string;
  description: string;
  schema: ObjectSchema;
  defaults: P;
  /** Default seeds when the config gives none (papers: mean ± SE over seeds). */
  defaultSeeds?: number[];
  run(params: P, ctx: RunContext): Promise<RunResult>;
  /** Figures across seeds and sweep points (e.g. error vs K/M with error bars). */
  aggregate?(runs: RunRecord<P>[]): AggregateResult;
}
