/**
 * The `js` backend: the float64 reference behind the Backend interface, with
 * the training loop written out plainly. Every rule of a run (record steps,
 * snapshots, minibatch order, momentum, divergence, cancellation) is stated
 * here in code and in docs/architecture.md; native backends must match it.
 */
import { GdlnError, invalidParameter } from '../../errors.ts';
import { isDetachedView } from '../../data/GatedDataset.ts';
import type { Backend, DType, KernelName, LossName, PlanModel, RawTrajectory, TrainHooks, TrainKernelOptions } from '../../engine/kernels.ts';
import { Rng } from '../../init/rng.ts';
import { referenceForward, referenceLossAndGradient, referenceSampleLosses } from './reference.ts';

function allSamples(n: number): Int32Array {
  return Int32Array.from({ length: n }, (_, i) => i);
}

/** Yields to the event loop so AbortSignal listeners and timers can run. */
const yieldToLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

export function createJsBackend(): Backend {
  return {
    name: 'js',
    supports(_kernel: KernelName, dtype: DType) {
      return dtype === 'float64';
    },
    forward(model, weights) {
      return referenceForward(model, weights, allSamples(model.nSamples)).post;
    },
    lossAndGradient(model, weights, _dtype, loss) {
      return referenceLossAndGradient(model, weights, allSamples(model.nSamples), loss);
    },
    trainSteps: jsTrainSteps,
  };
}

function recordLoss(model: PlanModel, weights: Float64Array[], loss: LossName, groups: Int32Array | null, nGroups: number, out: { loss: number[]; group: number[] }) {
  const per = referenceSampleLosses(model, weights, loss);
  let total = 0;
  for (let i = 0; i < per.length; i++) total += per[i];
  out.loss.push(total / per.length);
  if (groups !== null && nGroups > 0) {
    const sum = new Float64Array(nGroups);
    const count = new Float64Array(nGroups);
    for (let i = 0; i < per.length; i++) {
      sum[groups[i]] += per[i];
      count[groups[i]]++;
    }
    for (let g = 0; g < nGroups; g++) out.group.push(count[g] > 0 ? sum[g] / count[g] : NaN);
  }
}

async function jsTrainSteps(model: PlanModel, initial: Float64Array[], o: TrainKernelOptions, hooks: TrainHooks): Promise<RawTrajectory> {
  const weights = initial.map((w, e) => {
    if (isDetachedView(w)) throw invalidParameter('a Float64Array over a live (not detached) ArrayBuffer', `weights[${e}]`, 'a detached (transferred) ArrayBuffer', 'GDLN_INVALID_ARGUMENT', { edge: e });
    return w.slice();
  });
  const velocity = o.momentum > 0 ? initial.map((w) => new Float64Array(w.length)) : null;
  const N = model.nSamples;
  const full = allSamples(N);
  const batchSize = o.batchSize > 0 && o.batchSize < N ? o.batchSize : 0;
  const rng = new Rng(o.seed);
  const perm = allSamples(N);
  let cursor = N; // forces a shuffle before the first minibatch

  const lossSteps: number[] = [];
  const rec = { loss: [] as number[], group: [] as number[] };
  const snapshotSteps: number[] = [];
  const snapshots: Float64Array[][] = [];
  const snapshotSet = new Set(o.snapshotSteps);
  // GDLN_DIVERGED keeps what was recorded before the blow-up in details.partial
  // (a RawTrajectory without the non-finite record; its weights are those of the
  // failing step); lib/engine/train.ts turns it into a DivergedPartial.
  const diverged = (step: number, loss: number) => {
    const partial: RawTrajectory = {
      lossSteps: Float64Array.from(lossSteps),
      loss: Float64Array.from(rec.loss),
      groupLoss: Float64Array.from(rec.group),
      snapshotSteps: Float64Array.from(snapshotSteps),
      snapshots,
      weights,
      stepsDone: step,
      cancelled: false,
    };
    return new GdlnError('GDLN_DIVERGED', `The loss became non-finite (${loss}) at step ${step}; lower the learning rate`, { step, partial });
  };
  const record = (step: number) => {
    recordLoss(model, weights, o.loss, o.groups, o.nGroups, rec);
    const last = rec.loss[rec.loss.length - 1];
    if (!Number.isFinite(last)) {
      rec.loss.pop();
      rec.group.length = rec.loss.length * (o.groups !== null ? o.nGroups : 0);
      throw diverged(step, last);
    }
    lossSteps.push(step);
  };
  const snapshot = (step: number) => {
    if (snapshotSet.has(step)) {
      snapshotSteps.push(step);
      snapshots.push(weights.map((w) => w.slice()));
    }
  };

  record(0);
  snapshot(0);
  let stepsDone = 0;
  let cancelled = false;
  let lastYield = Date.now();
  for (let s = 0; s < o.steps; s++) {
    if (Date.now() - lastYield > 20) {
      await yieldToLoop();
      lastYield = Date.now();
    }
    if (hooks.signal?.aborted) {
      cancelled = true;
      break;
    }
    let batch: Int32Array = full;
    if (batchSize > 0) {
      if (cursor >= N) {
        rng.shuffle(perm);
        cursor = 0;
      }
      batch = perm.subarray(cursor, Math.min(cursor + batchSize, N));
      cursor += batch.length;
    }
    const { loss, gradient } = referenceLossAndGradient(model, weights, batch, o.loss);
    if (!Number.isFinite(loss)) throw diverged(s, loss);
    for (let e = 0; e < weights.length; e++) {
      const w = weights[e];
      const g = gradient[e];
      if (o.weightDecay !== 0) for (let k = 0; k < w.length; k++) g[k] += o.weightDecay * w[k];
      if (velocity) {
        const v = velocity[e];
        // PyTorch SGD: the first step sets buf = g, later buf = μ buf + g.
        for (let k = 0; k < w.length; k++) v[k] = s === 0 ? g[k] : o.momentum * v[k] + g[k];
        for (let k = 0; k < w.length; k++) w[k] -= o.lr * v[k];
      } else {
        for (let k = 0; k < w.length; k++) w[k] -= o.lr * g[k];
      }
    }
    stepsDone = s + 1;
    if (stepsDone % o.recordEvery === 0 || stepsDone === o.steps) record(stepsDone);
    snapshot(stepsDone);
    if (o.progressEvery > 0 && stepsDone % o.progressEvery === 0) hooks.onProgress?.(stepsDone, loss);
  }
  if (cancelled && lossSteps[lossSteps.length - 1] !== stepsDone) record(stepsDone);
  return {
    lossSteps: Float64Array.from(lossSteps),
    loss: Float64Array.from(rec.loss),
    groupLoss: Float64Array.from(rec.group),
    snapshotSteps: Float64Array.from(snapshotSteps),
    snapshots,
    weights,
    stepsDone,
    cancelled,
  };
}
