/** The contenders of the routing bench, in table order; gdln-cpu f32 is the baseline of the ratios. */
import { gdlnCpu, gdlnCpuTrainStep } from './gdln-cpu.ts';
import { jsRef } from './js-ref.ts';
import { mlMatrixDense } from './ml-matrix-dense.ts';
import type { Contender } from './types.ts';

export const BASELINE = 'gdln-cpu f32';

/** `gdln-cpu f32 train-step` is a diagnostic row (per-call costs cancelled), see gdln-cpu.ts. */
export const CONTENDERS: readonly Contender[] = [gdlnCpu('float32'), gdlnCpu('float64'), gdlnCpuTrainStep('float32'), jsRef(), mlMatrixDense()];

export function contenderByName(name: string): Contender {
  const c = CONTENDERS.find((x) => x.name === name);
  if (!c) throw new Error(`unknown contender ${JSON.stringify(name)}; known: ${CONTENDERS.map((x) => x.name).join(', ')}`);
  return c;
}
