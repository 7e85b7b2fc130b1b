/**
 * One run of an experiment, the same in the main thread and in a worker thread:
 * call run(), check its result, render its files (CSV, SVG, PNG, log.txt).
 * Writing them is left to the main thread (one writer, atomic writes).
 */
import type { BackendChoice } from '../../backends/index.ts';
import type { DType } from '../../engine/kernels.ts';
import { GdlnError } from '../../errors.ts';
import { checkRunResult, renderRunFiles, type RunFile } from './results.ts';
import type { ExperimentDefinition, RunResult } from './types.ts';

export interface RunJob {
  id: string;
  seed: number;
  params: Record<string, unknown>;
  backend: BackendChoice;
  dtype: DType;
}

export type RunOutcome =
  | { ok: true; id: string; result: RunResult; files: RunFile[]; seconds: number }
  | { ok: false; id: string; aborted: boolean; code: string; message: string; seconds: number };

export interface RunHooks {
  progress(fraction: number, message?: string): void;
  log(line: string): void;
}

/** Runs one job; never throws (failures and aborts are outcomes). */
export async function executeRun(definition: ExperimentDefinition, job: RunJob, signal: AbortSignal, hooks: RunHooks): Promise<RunOutcome> {
  const t0 = performance.now();
  const lines: string[] = [];
  const seconds = () => (performance.now() - t0) / 1000;
  try {
    if (signal.aborted) throw new GdlnError('GDLN_ABORTED', 'aborted before it started');
    const raw = await definition.run(structuredClone(job.params), {
      seed: job.seed,
      backend: job.backend,
      dtype: job.dtype,
      signal,
      progress: (fraction, message) => hooks.progress(Math.min(1, Math.max(0, Number(fraction) || 0)), message),
      log: (line) => {
        lines.push(String(line));
        hooks.log(String(line));
      },
    });
    const result = checkRunResult(raw, definition.name);
    const files = renderRunFiles(result);
    if (lines.length > 0) files.push({ name: 'log.txt', contents: lines.join('\n') + '\n' });
    return { ok: true, id: job.id, result, files, seconds: seconds() };
  } catch (err) {
    const e = err as Partial<GdlnError> & Error;
    const aborted = e?.code === 'GDLN_ABORTED' || signal.aborted;
    return {
      ok: false,
      id: job.id,
      aborted,
      code: typeof e?.code === 'string' ? e.code : 'GDLN_INTERNAL',
      message: e?.message ?? String(err),
      seconds: seconds(),
    };
  }
}
