/**
 * The `cpu` and `cuda` backends: the Backend interface of lib/engine/kernels.ts
 * on top of the compiled addon. A PlanModel already has the NativeModel shape,
 * so it is passed straight through (the addon copies it before returning).
 * Native errors come back as GdlnErrors with the addon's GDLN_* code.
 *
 * trainSteps: a signal that is already aborted means the run never starts (it
 * resolves at once, cancelled, with the initial weights); a later abort asks
 * the native run to stop at the next step boundary and it resolves with what it
 * recorded. onProgress never runs after the promise settles; if it throws, the
 * run stops and trainSteps rejects with that same error. A GDLN_DIVERGED
 * rejection keeps the records made before the blow-up in `details.partial`.
 */
import { fromNative, type GdlnError } from '../../errors.ts';
import { notStartedRawTrajectory, type Backend, type DType, type KernelName, type PlanModel, type RawTrajectory, type TrainHooks, type TrainKernelOptions } from '../../engine/kernels.ts';
import type { NativeBinding, NativeTrainHandle } from './binding.ts';
import { loadNative } from './loader.ts';

export type NativeBackendKind = 'cpu' | 'cuda';

/**
 * @throws GdlnError GDLN_NATIVE_UNAVAILABLE when the addon cannot be loaded
 *   (the message lists the paths tried and how to build it).
 */
export function createNativeBackend(kind: NativeBackendKind): Backend {
  const native = loadNative();
  if ('error' in native) throw native.error;
  const binding = native.binding;
  const call = (dtype: DType) => ({ backend: kind, dtype });

  return {
    name: kind,
    supports(_kernel: KernelName, dtype: DType) {
      // The CPU engine runs every kernel in both dtypes. The CUDA kernels are not
      // written yet, so cuda claims nothing and callers fall back (or skip).
      return kind === 'cpu' && (dtype === 'float64' || dtype === 'float32');
    },
    forward(model, weights, dtype) {
      try {
        return binding.forward(model, weights, call(dtype));
      } catch (err) {
        throw fromNative(err, `${kind} forward`);
      }
    },
    lossAndGradient(model, weights, dtype, loss) {
      try {
        return binding.lossAndGradient(model, weights, { ...call(dtype), loss });
      } catch (err) {
        throw fromNative(err, `${kind} lossAndGradient`);
      }
    },
    trainSteps(model, weights, options, hooks) {
      return trainSteps(binding, kind, model, weights, options, hooks);
    },
  };
}

async function trainSteps(
  binding: NativeBinding,
  kind: NativeBackendKind,
  model: PlanModel,
  weights: Float64Array[],
  options: TrainKernelOptions,
  hooks: TrainHooks,
): Promise<RawTrajectory> {
  const { signal, onProgress } = hooks;
  if (signal?.aborted) return notStartedRawTrajectory(weights, options.snapshotSteps);

  // A throwing onProgress stops the run; its error (not a GdlnError wrapper)
  // is what the caller gets, once the native run has actually stopped.
  let handle: NativeTrainHandle | undefined;
  let progressError: { error: unknown } | undefined;
  const progress = onProgress
    ? (step: number, loss: number) => {
        if (progressError) return;
        try {
          onProgress(step, loss);
        } catch (error) {
          progressError = { error };
          handle?.cancel();
        }
      }
    : null;

  try {
    handle = binding.train(model, weights, { ...options, backend: kind }, progress);
  } catch (err) {
    throw fromNative(err, `${kind} trainSteps`);
  }
  const started = handle;
  const onAbort = () => started.cancel();
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    let raw: RawTrajectory;
    try {
      raw = await started.promise;
    } catch (err) {
      if (progressError) throw progressError.error;
      throw withPartial(fromNative(err, `${kind} trainSteps`), err);
    }
    if (progressError) throw progressError.error;
    return raw;
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
}

/**
 * A GDLN_DIVERGED rejection from the addon carries `partial`, the raw
 * trajectory recorded before the blow-up (native/binding/train_worker.cc);
 * it is kept as `details.partial` (lib/engine/train.ts names it), and its
 * stepsDone as `details.step`.
 */
function withPartial(error: GdlnError, raw: unknown): GdlnError {
  const partial = (raw as { partial?: unknown } | null)?.partial;
  if (error.code === 'GDLN_DIVERGED' && partial != null && typeof partial === 'object') {
    // details.step as the js backend gives it: the step of the non-finite loss.
    const step = (partial as { stepsDone?: unknown }).stepsDone;
    if (typeof step === 'number') error.details.step = step;
    error.details.partial = partial;
  }
  return error;
}

