/**
 * The built-in experiments, by paper. `gdln list` prints them; `gdln run <name>`
 * runs one. Each module exports `experiments`, an array of definitions.
 */
import type { ExperimentDefinition } from '../framework/types.ts';
import { experiments as raceReduction } from './raceReduction.ts';
import { experiments as pathways } from './pathways.ts';
import { experiments as reln } from './reln.ts';

export const BUILTIN_EXPERIMENTS: readonly ExperimentDefinition[] = [...raceReduction, ...reln, ...pathways];

export function findBuiltin(name: string): ExperimentDefinition | undefined {
  return BUILTIN_EXPERIMENTS.find((e) => e.name === name);
}
