/**
 * gdln's float64 TypeScript reference (`getBackend('js')`): loops over samples
 * one at a time, skips gated-off edges per sample, no blocking. It defines what
 * is correct; it is here to show what the native backend buys.
 */
import { backendOrError } from './backends.ts';
import type { Contender } from './types.ts';

export function jsRef(): Contender {
  return {
    name: 'js-ref f64',
    async unavailable(config) {
      if (config.nativeOnlyReason) return config.nativeOnlyReason;
      const b = await backendOrError('js');
      return b instanceof Error ? b.message : null;
    },
    async setup(w) {
      const b = await backendOrError('js');
      if (b instanceof Error) throw b;
      const { model, weights } = w;
      return {
        run: () => b.lossAndGradient(model, weights, 'float64', 'mse').loss,
        result: () => b.lossAndGradient(model, weights, 'float64', 'mse'),
      };
    },
  };
}
