/**
 * Simulation vs closed form: the four-pathway XoR GDLN (race-reduction App. A.1)
 * from a small decoupled init follows L(t) = 1/2 − √2 a(t) + a(t)² with a(t)
 * from eq. 21. Time mapping: t/τ = lr · step (mean loss, full batch).
 * Tolerance: gradient descent with step lr is an O(lr) discretisation of the
 * flow; at lr = 0.01 the largest gap over the whole curve is ≈ 1.2e-3
 * (measured), so we require ≤ 2e-3 absolute, and ≤ 1e-4 before and after the
 * fast transition.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { xorDecoupledWeights, xorFourPathwayGdln } from '../../lib/data/xor.ts';
import { xorFourPathwayLoss } from '../../lib/analyses/closedForms.ts';
import { train } from '../../lib/engine/train.ts';

test('XoR four-pathway GDLN follows the analytic loss curve (eq. 21–23)', async () => {
  const { graph, data } = xorFourPathwayGdln({ hidden: 2 });
  const a0 = 1e-3;
  const lr = 0.01;
  const traj = await train(graph, data, xorDecoupledWeights(graph, a0), { backend: 'js', steps: 2000, lr, recordEvery: 10 });
  let worst = 0;
  traj.steps.forEach((step, k) => {
    const theory = xorFourPathwayLoss(a0, lr * step);
    const gap = Math.abs(traj.loss[k] - theory);
    worst = Math.max(worst, gap);
    if (theory > 0.49 || theory < 1e-3) assert.ok(gap < 1e-4, `step ${step}: sim ${traj.loss[k]} vs theory ${theory}`);
  });
  assert.ok(worst < 2e-3, `largest gap ${worst}`);
  assert.ok(traj.loss[traj.loss.length - 1] < 1e-6, 'converges to zero loss');
});
