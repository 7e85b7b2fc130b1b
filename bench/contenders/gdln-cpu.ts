/**
 * gdln's native cpu backend: `getBackend('cpu').lossAndGradient` on a PlanModel
 * built once. Each call still crosses the N-API boundary with the whole model
 * (inputs of every input node are copied into C++ per call, see
 * lib/backends/native/binding.ts), so that copy is part of what is timed, as a
 * user calling lossAndGradient() would pay it.
 */
import type { DType } from '../../lib/engine/kernels.ts';
import { backendOrError } from './backends.ts';
import type { Contender } from './types.ts';

export function gdlnCpu(dtype: DType): Contender {
  return {
    name: `gdln-cpu ${dtype === 'float32' ? 'f32' : 'f64'}`,
    async unavailable() {
      const b = await backendOrError('cpu');
      if (b instanceof Error) return `native cpu backend unavailable: ${b.message.split('\n')[0]}`;
      if (!b.supports('lossAndGradient', dtype)) return `backend cpu does not support lossAndGradient in ${dtype}`;
      return null;
    },
    async setup(w) {
      const b = await backendOrError('cpu');
      if (b instanceof Error) throw b;
      const { model, weights } = w;
      return {
        run: () => b.lossAndGradient(model, weights, dtype, 'mse').loss,
        result: () => b.lossAndGradient(model, weights, dtype, 'mse'),
      };
    },
  };
}

/**
 * Diagnostic, not a separate implementation: the same native kernels inside
 * `trainSteps` (full batch, SGD with lr 1e-9 so the weights barely move),
 * where the model crosses N-API once per call instead of once per step. The
 * bench times 1 and 1 + k steps and reports the difference per step (forward +
 * backward + the SGD update, which is ~1 M multiply-adds and negligible), i.e.
 * what lossAndGradient would cost without its per-call copy/validate/convert.
 */
export function gdlnCpuTrainStep(dtype: DType): Contender {
  const base = gdlnCpu(dtype);
  return {
    name: `${base.name} train-step`,
    // ≈ 0.3 s of steps per call at either size, enough to rise above the per-call noise.
    perStep: { k: (config) => (config.shape.M * config.shape.K * config.shape.S <= 1000 ? 40 : 8) },
    unavailable: base.unavailable,
    async setup(w) {
      const b = await backendOrError('cpu');
      if (b instanceof Error) throw b;
      const { model, weights } = w;
      const runSteps = async (steps: number) => {
        const t = await b.trainSteps(
          model,
          weights,
          { dtype, loss: 'mse', steps, lr: 1e-9, momentum: 0, weightDecay: 0, batchSize: 0, seed: 0, recordEvery: steps, snapshotSteps: [], groups: null, nGroups: 0, progressEvery: 0 },
          {},
        );
        return t.loss[0];
      };
      return {
        run: () => {
          throw new Error('train-step contenders are timed through runSteps');
        },
        runSteps,
        result: () => b.lossAndGradient(model, weights, dtype, 'mse'),
      };
    },
  };
}
