/**
 * Cancellation and progress under fire (issue 8): many training runs aborted
 * through an AbortSignal at random points — before the start, after a random
 * delay, from inside a progress callback, twice, right after the run settled —
 * each awaited with a timeout. Counted: hangs, non-abort rejections, partial
 * trajectories that are not what the run had recorded, progress callbacks after
 * settlement, late aborts that changed a finished run.
 */
import { GdlnAbortError } from '../../lib/errors.ts';
import { Graph } from '../../lib/graph/Graph.ts';
import { GatedDataset } from '../../lib/data/GatedDataset.ts';
import { initWeights } from '../../lib/init/initWeights.ts';
import { Rng } from '../../lib/init/rng.ts';
import { train, type TrainOptions, type Trajectory } from '../../lib/engine/train.ts';
import type { BackendName } from '../../lib/engine/kernels.ts';

export type Scenario = 'before' | 'delay' | 'in-progress' | 'twice' | 'after-settle' | 'at-last-progress';
export const SCENARIOS: Scenario[] = ['before', 'delay', 'in-progress', 'twice', 'after-settle', 'at-last-progress'];

export interface CancellationSummary {
  backend: BackendName;
  runs: number;
  byScenario: Record<string, { runs: number; aborted: number; completed: number }>;
  hangs: number;
  /** Rejections that were not a GdlnAbortError, or resolutions where an abort was certain. */
  wrongOutcome: string[];
  /** Partial trajectories that break the rules (monotone steps, finite losses, = the uninterrupted run's records). */
  badPartial: string[];
  lateProgress: number;
  lateAbortChanged: number;
  escaped: string[];
  seconds: number;
}

function problem(seed: number) {
  const rng = new Rng(seed);
  const N = 48;
  const graph = new Graph({
    nodes: [{ name: 'x', size: 24 }, { name: 'h1', size: 32, activation: 'tanh' }, { name: 'h2', size: 32 }, { name: 'y', size: 8 }],
    edges: [{ from: 'x', to: 'h1' }, { from: 'h1', to: 'h2' }, { from: 'h2', to: 'y' }, { from: 'x', to: 'h2' }],
  });
  const data = new GatedDataset(graph, {
    inputs: { x: Float64Array.from({ length: N * 24 }, () => rng.normal()) },
    targets: { y: Float64Array.from({ length: N * 8 }, () => rng.normal()) },
    edgeGates: { 'x->h2': Float64Array.from({ length: N }, (_, i) => i % 3 === 0 ? 0 : 1) },
  });
  const weights = initWeights(graph, { seed, scheme: { kind: 'xavierNormal', gain: 1 } });
  return { graph, data, weights };
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const tick = () => new Promise<void>((r) => setImmediate(r));

/**
 * Runs `runs` aborted trainings on `backend`. `stepsPerRun` sets how long a run
 * lasts (the delay scenario draws its delay within the measured duration).
 */
export async function runCancellation(options: { runs: number; backend: BackendName; seed?: number; stepsPerRun?: number; timeoutMs?: number }): Promise<CancellationSummary> {
  const t0 = performance.now();
  const seed = options.seed ?? 1;
  const rng = new Rng(seed);
  const backend = options.backend;
  const { graph, data, weights } = problem(seed);
  const steps = options.stepsPerRun ?? (backend === 'js' ? 200 : 1500);
  const timeoutMs = options.timeoutMs ?? 20_000;
  const base: TrainOptions = { backend, steps, lr: 0.01, batchSize: 16, momentum: 0.5, seed: 3 };
  // The uninterrupted run: every partial record must equal its record at the same step.
  const startFull = performance.now();
  const full = await train(graph, data, weights, { ...base, recordEvery: 1 });
  const fullMs = performance.now() - startFull;

  const s: CancellationSummary = { backend, runs: 0, byScenario: {}, hangs: 0, wrongOutcome: [], badPartial: [], lateProgress: 0, lateAbortChanged: 0, escaped: [], seconds: 0 };
  const onUncaught = (e: unknown) => s.escaped.push(`uncaughtException: ${String(e)}`);
  const onUnhandled = (e: unknown) => s.escaped.push(`unhandledRejection: ${String(e)}`);
  process.on('uncaughtException', onUncaught);
  process.on('unhandledRejection', onUnhandled);
  try {
    for (let i = 0; i < options.runs; i++) {
      const scenario = SCENARIOS[rng.below(SCENARIOS.length)];
      const recordEvery = [1, 7, 50][rng.below(3)];
      const progressEvery = 1 + rng.below(40);
      const where = `run ${i} (${scenario}, recordEvery ${recordEvery}, progressEvery ${progressEvery}, seed ${seed})`;
      const stat = (s.byScenario[scenario] ??= { runs: 0, aborted: 0, completed: 0 });
      stat.runs++;
      s.runs++;
      const controller = new AbortController();
      if (scenario === 'before') controller.abort();
      let settled = false;
      let lastProgress = 0;
      const abortAt = 1 + rng.below(Math.floor(steps / 2));
      const opts: TrainOptions = {
        ...base,
        recordEvery,
        progressEvery,
        signal: controller.signal,
        onProgress: ({ step }) => {
          if (settled) s.lateProgress++;
          if (step <= lastProgress) s.badPartial.push(`${where}: progress step ${step} after ${lastProgress}`);
          lastProgress = step;
          if (scenario === 'in-progress' && step >= abortAt) controller.abort();
          if (scenario === 'at-last-progress' && step + progressEvery > steps) controller.abort();
        },
      };
      const promise = train(graph, data, weights, opts).then(
        (t) => ({ ok: true as const, t }),
        (err: unknown) => ({ ok: false as const, err }),
      );
      if (scenario === 'delay' || scenario === 'twice') {
        const delay = rng.uniform() * fullMs * 0.8;
        void sleep(delay).then(() => {
          controller.abort();
          if (scenario === 'twice') {
            controller.abort(new Error('second abort'));
            void tick().then(() => controller.abort());
          }
        });
      }
      let timer: NodeJS.Timeout | undefined;
      const outcome = await Promise.race([promise, new Promise<'hang'>((r) => (timer = setTimeout(() => r('hang'), timeoutMs)))]);
      clearTimeout(timer);
      settled = true;
      if (outcome === 'hang') {
        s.hangs++;
        s.wrongOutcome.push(`${where}: no settlement within ${timeoutMs} ms`);
        continue;
      }
      let snapshotOfResult: string | null = null;
      if (outcome.ok) {
        stat.completed++;
        const t = outcome.t;
        // An abort from a progress callback may reach a native run that has already finished
        // (progress events are delivered asynchronously), so only 'before' must reject.
        if (scenario === 'before') s.wrongOutcome.push(`${where}: resolved although the signal was aborted before the start`);
        if (t.stepsDone !== steps) s.wrongOutcome.push(`${where}: resolved with stepsDone ${t.stepsDone} of ${steps}`);
        checkRecords(t, full, `${where} (completed)`, s.badPartial);
        snapshotOfResult = JSON.stringify([t.steps, Array.from(t.loss), Array.from(t.weights.matrices[0])]);
        if (scenario === 'after-settle') {
          controller.abort();
          controller.abort();
        }
      } else {
        const err = outcome.err;
        if (!(err instanceof GdlnAbortError) || err.code !== 'GDLN_ABORTED') {
          s.wrongOutcome.push(`${where}: rejected with ${(err as Error)?.constructor?.name} ${(err as { code?: string }).code}: ${(err as Error)?.message}`);
        } else {
          stat.aborted++;
          if (scenario === 'after-settle') s.wrongOutcome.push(`${where}: aborted although the abort came after settlement`);
          const p = err.partial as Trajectory | null;
          if (scenario === 'before') {
            // train() rejects before calling the backend: an empty trajectory (no records, the given weights).
            if (p === null || typeof p !== 'object') s.badPartial.push(`${where}: pre-aborted run has no partial trajectory`);
            else if (p.stepsDone !== 0 || p.steps.length !== 0 || p.loss.length !== 0) s.badPartial.push(`${where}: pre-aborted run reports stepsDone ${p.stepsDone} and ${p.steps.length} records`);
          } else if (p === null || typeof p !== 'object') {
            s.badPartial.push(`${where}: no partial trajectory`);
          } else {
            checkRecords(p, full, where, s.badPartial);
            if (p.stepsDone > steps) s.badPartial.push(`${where}: stepsDone ${p.stepsDone} > ${steps}`);
            if (p.steps.at(-1) !== p.stepsDone) s.badPartial.push(`${where}: last record at ${p.steps.at(-1)}, stopped at ${p.stepsDone}`);
            if (scenario === 'in-progress' && p.stepsDone < abortAt) s.badPartial.push(`${where}: stopped at ${p.stepsDone} before the abort at ${abortAt}`);
            if (lastProgress > p.stepsDone) s.badPartial.push(`${where}: progress reported step ${lastProgress} beyond the stop at ${p.stepsDone}`);
          }
        }
      }
      // Let anything late surface: progress callbacks, listeners, rejections.
      await tick();
      await sleep(5);
      if (snapshotOfResult !== null && outcome.ok) {
        const t = outcome.t;
        if (JSON.stringify([t.steps, Array.from(t.loss), Array.from(t.weights.matrices[0])]) !== snapshotOfResult) s.lateAbortChanged++;
      }
    }
    await tick();
    await sleep(20);
  } finally {
    process.off('uncaughtException', onUncaught);
    process.off('unhandledRejection', onUnhandled);
  }
  s.seconds = (performance.now() - t0) / 1000;
  return s;
}

/** Steps 0, k, 2k, … then the stop; finite losses equal to the uninterrupted run's. */
function checkRecords(t: Trajectory, full: Trajectory, where: string, bad: string[]) {
  if (t.steps[0] !== 0) bad.push(`${where}: first record at step ${t.steps[0]}`);
  for (let k = 1; k < t.steps.length; k++) if (!(t.steps[k] > t.steps[k - 1])) bad.push(`${where}: steps not increasing at record ${k}`);
  if (t.loss.length !== t.steps.length) bad.push(`${where}: ${t.loss.length} losses for ${t.steps.length} steps`);
  t.steps.forEach((step, k) => {
    const l = t.loss[k];
    if (!Number.isFinite(l)) bad.push(`${where}: loss ${l} at step ${step}`);
    const ref = full.loss[step];
    if (Math.abs(l - ref) > 1e-12 * Math.max(1, Math.abs(ref))) bad.push(`${where}: loss at step ${step} is ${l}, the uninterrupted run recorded ${ref}`);
  });
  for (const w of t.weights.matrices) for (const x of w) if (!Number.isFinite(x)) { bad.push(`${where}: non-finite weight`); return; }
}

export function formatCancellation(s: CancellationSummary): string {
  const sc = Object.entries(s.byScenario).map(([k, v]) => `${k} ${v.runs} (${v.aborted} aborted, ${v.completed} completed)`).join(', ');
  return `cancellation on ${s.backend}: ${s.runs} runs [${sc}]; hangs ${s.hangs}, wrong outcomes ${s.wrongOutcome.length}, bad partial trajectories ${s.badPartial.length}, progress after settle ${s.lateProgress}, late aborts that changed a result ${s.lateAbortChanged}, escaped errors ${s.escaped.length}; ${s.seconds.toFixed(1)} s`;
}
