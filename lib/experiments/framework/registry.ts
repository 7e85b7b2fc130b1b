/**
 * Finding an experiment definition by reference: a built-in name, or a name
 * inside a module given by path. The same reference is sent to worker threads,
 * which load the definition themselves (functions cannot cross threads).
 */
import { existsSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { GdlnError } from '../../errors.ts';
import type { ExperimentDefinition } from './types.ts';

/**
 * Where a worker finds an experiment. `module` is an absolute path of an ES module
 * (.ts through tsx, or .js/.mjs) exporting `experiments` (an array of definitions),
 * `experiment` (one) or a default export of either; without it `name` is a built-in.
 */
export interface ExperimentRef {
  name: string;
  module?: string;
}

function definitionsOf(mod: Record<string, unknown>): ExperimentDefinition[] {
  const out: ExperimentDefinition[] = [];
  const add = (x: unknown) => {
    if (Array.isArray(x)) x.forEach(add);
    else if (x && typeof x === 'object' && typeof (x as { name?: unknown }).name === 'string' && typeof (x as { run?: unknown }).run === 'function') {
      out.push(x as ExperimentDefinition);
    }
  };
  add(mod.experiments);
  add(mod.experiment);
  add(mod.default);
  return out;
}

/**
 * @throws GdlnError GDLN_INVALID_ARGUMENT for an unknown name (listing the known ones) or a
 *   module that cannot be found; GDLN_IO when the module fails to load
 */
export async function loadExperiment(ref: ExperimentRef): Promise<ExperimentDefinition> {
  if (ref.module === undefined) {
    // Imported on demand: a worker running a module experiment never loads the built-ins.
    const { BUILTIN_EXPERIMENTS, findBuiltin } = await import('../builtins/index.ts');
    const def = findBuiltin(ref.name);
    if (!def) {
      const known = BUILTIN_EXPERIMENTS.map((e) => e.name);
      throw new GdlnError(
        'GDLN_INVALID_ARGUMENT',
        `experiment: ${JSON.stringify(ref.name)} is neither a config file nor a built-in experiment (built-ins: ${known.join(', ') || 'none'}; see \`gdln list\`)`,
        { experiment: ref.name, known },
      );
    }
    return def;
  }
  const path = isAbsolute(ref.module) ? ref.module : resolve(ref.module);
  if (!existsSync(path)) throw new GdlnError('GDLN_INVALID_ARGUMENT', `module: experiment module ${path} does not exist`, { module: path });
  let mod: Record<string, unknown>;
  try {
    mod = (await import(pathToFileURL(path).href)) as Record<string, unknown>;
  } catch (err) {
    throw new GdlnError('GDLN_IO', `module: could not load experiment module ${path}: ${(err as Error).message}`, { module: path });
  }
  const defs = definitionsOf(mod);
  const def = defs.find((d) => d.name === ref.name);
  if (!def) {
    throw new GdlnError(
      'GDLN_INVALID_ARGUMENT',
      `experiment: module ${path} has no experiment ${JSON.stringify(ref.name)} (it exports: ${defs.map((d) => d.name).join(', ') || 'none'})`,
      { experiment: ref.name, module: path },
    );
  }
  return def;
}
