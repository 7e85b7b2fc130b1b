/**
 * What every contender factory returns. `setup` does all the one-off work
 * (backend lookup, conversions, allocations) and hands back a hot closure that
 * runs exactly one gated forward+backward (loss + ∂L/∂W_e for every edge) of
 * the workload; `result` runs it once more and returns the loss and gradients
 * as per-edge Float64Arrays for the correctness check (not timed).
 */
import type { RoutingConfig, RoutingWorkload } from '../workloads/routing.ts';

export interface LossAndGradient {
  loss: number;
  /** Per edge index, row-major [|t(e)|, |s(e)|]. */
  gradient: Float64Array[];
}

export interface Prepared {
  /** The timed closure. Returns the loss so the work cannot be optimised away. */
  run(): number;
  /** Only for `perStep` contenders: n full-batch steps in one call; resolves with the loss at step 0. */
  runSteps?(n: number): Promise<number>;
  result(): LossAndGradient;
}

export interface Contender {
  /** Name as printed in the table, e.g. "gdln-cpu f32". */
  name: string;
  /**
   * Set on diagnostic contenders that time `runSteps(n)` (n optimiser steps in
   * one call) at n = 1 and n = 1 + k and report (T(1+k) − T(1)) / k: the cost of
   * one step with the per-call costs (marshalling, plan build) cancelled out.
   */
  perStep?: { k(config: RoutingConfig): number };
  /** Null when it can run this workload here, else why not (printed). Cheap: no workload is built. */
  unavailable(config: RoutingConfig): Promise<string | null>;
  setup(w: RoutingWorkload): Promise<Prepared>;
}
