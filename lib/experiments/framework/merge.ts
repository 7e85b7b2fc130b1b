/**
 * Joining results folders of the same config (shards run on several machines, or
 * separate partial runs) into one, then recomputing its results and report.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { GdlnError } from '../../errors.ts';
import { writeFileAtomic, writeJsonAtomic } from '../../report/atomicWrite.ts';
import { expandRuns } from './expand.ts';
import { loadExperiment } from './registry.ts';
import { finalizeResults, readRunError, readStoredRun, runDir, type FinalizeSummary, type StoredRun } from './results.ts';
import { diffPaths, readFolderConfig, type FolderConfig } from './runner.ts';
import { canonicalJson } from './schema.ts';

export interface MergeSummary extends FinalizeSummary {
  out: string;
  /** Runs copied into `out` (not there before). */
  copied: string[];
  sources: string[];
}

/** What must agree between two copies of one run for them to count as the same run. */
function runContent(s: StoredRun): string {
  return canonicalJson({ id: s.id, seed: s.seed, point: s.point, params: s.params, metrics: s.metrics, data: s.data, series: s.series });
}

function isDir(p: string): boolean {
  return existsSync(p) && statSync(p).isDirectory();
}

/**
 * Merges the run folders of `sources` into `out` (which may be one of them, or new).
 * @throws GdlnError GDLN_INVALID_ARGUMENT when a source is not a results folder, the configs
 *   differ (naming the folder and the differing fields), or one run id has different contents
 *   in two folders (naming the ids)
 */
export async function mergeResults(sources: string[], out: string, options: { report?: boolean } = {}): Promise<MergeSummary> {
  if (sources.length === 0) throw new GdlnError('GDLN_INVALID_ARGUMENT', 'merge: expected at least one results folder', {});
  const dirs = sources.map((s) => resolve(s));
  const target = resolve(out);
  const configs: FolderConfig[] = dirs.map((d) => {
    const c = isDir(d) ? readFolderConfig(d) : undefined;
    if (!c) throw new GdlnError('GDLN_INVALID_ARGUMENT', `merge: ${d} is not a gdln results folder (no config.json)`, { path: d });
    return c;
  });
  const first = configs[0];
  configs.forEach((c, k) => {
    if (canonicalJson(c.config) !== canonicalJson(first.config)) {
      throw new GdlnError('GDLN_INVALID_ARGUMENT', `merge: ${dirs[k]} was run with a different config than ${dirs[0]} (differs at ${diffPaths(first.config, c.config).join(', ')})`, {
        path: dirs[k],
      });
    }
  });
  const config = first.config;
  const definition = await loadExperiment({ name: config.experiment, module: config.module });

  if (isDir(target)) {
    const existing = readFolderConfig(target);
    if (existing && canonicalJson(existing.config) !== canonicalJson(config)) {
      throw new GdlnError('GDLN_INVALID_ARGUMENT', `merge: --out ${target} holds results of a different config (differs at ${diffPaths(existing.config, config).join(', ')})`, { path: target });
    }
    if (!existing && readdirSync(target).length > 0) {
      throw new GdlnError('GDLN_INVALID_ARGUMENT', `merge: --out ${target} is not empty and is not a gdln results folder`, { path: target });
    }
  }

  const specs = expandRuns(config);
  const known = new Set(specs.map((s) => s.id));
  const found = new Map<string, { dir: string; stored: StoredRun }>();
  const conflicts: string[] = [];
  for (const dir of [target, ...dirs.filter((d) => d !== target)]) {
    const runs = join(dir, 'runs');
    if (!isDir(runs)) continue;
    for (const id of readdirSync(runs).sort()) {
      const stored = readStoredRun(dir, id);
      if (!stored) continue;
      if (!known.has(id)) throw new GdlnError('GDLN_INVALID_ARGUMENT', `merge: ${join(runs, id)} is not a run of this config`, { run: id, path: dir });
      const seen = found.get(id);
      if (!seen) found.set(id, { dir, stored });
      else if (runContent(seen.stored) !== runContent(stored) && !conflicts.includes(id)) conflicts.push(id);
    }
  }
  if (conflicts.length > 0) {
    throw new GdlnError('GDLN_INVALID_ARGUMENT', `merge: run ${conflicts.join(', ')} ${conflicts.length > 1 ? 'have' : 'has'} different results in different folders; remove the copy you do not want`, { runs: conflicts });
  }

  mkdirSync(target, { recursive: true });
  if (!readFolderConfig(target)) writeJsonAtomic(join(target, 'config.json'), { ...first, merged: { from: dirs, at: new Date().toISOString() } });
  const copied: string[] = [];
  for (const [id, { dir, stored }] of found) {
    if (dir === target) continue;
    const from = runDir(dir, id);
    for (const name of readdirSync(from)) {
      if (name === 'result.json' || name === 'error.json' || name.startsWith('.')) continue;
      writeFileAtomic(join(runDir(target, id), name), readFileSync(join(from, name)));
    }
    writeJsonAtomic(join(runDir(target, id), 'result.json'), stored);
    rmSync(join(runDir(target, id), 'error.json'), { force: true });
    copied.push(id);
  }
  // Failures recorded in a shard, for runs finished nowhere, stay visible.
  for (const spec of specs) {
    if (found.has(spec.id) || readRunError(target, spec.id)) continue;
    for (const dir of dirs) {
      const e = readRunError(dir, spec.id);
      if (e) {
        writeJsonAtomic(join(runDir(target, spec.id), 'error.json'), e);
        break;
      }
    }
  }
  const fin = finalizeResults(target, definition, config, { report: options.report });
  return { ...fin, out: target, copied, sources: dirs };
}
