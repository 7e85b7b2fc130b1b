/**
 * The neural race reduction (race-reduction eq. 7–10) against full simulation.
 *
 * Exact agreement is demanded against the DISCRETE reduced recurrence
 * B ← B + lr·RHS(B): from decoupled weights W_e = R_t B_e R_sᵀ, full-batch gradient
 * descent with learning rate lr is exactly that recurrence (ERRATA: decoupled init matches
 * the discrete recurrence to machine precision). Tolerance: relative error ≤ 1e-4 on the
 * loss and on every reduced variable (singular value of every B_e) and every path
 * singular value, at every record. The loss floor is 1e-9·L(0): below it the loss
 * L = ½trΣʸ − … is a cancellation of O(1) terms with no relative digits left (observed
 * errors are ~1e-10 relative on singular values, ~1e-6 on the loss near its floor).
 *
 * The continuous RK45 solution of eq. 10 is compared separately at an O(lr) tolerance
 * (explicit Euler's global error is O(lr · t · |∂f/∂B|)): stated per test.
 *
 * Hidden bases R_v are Haar-random orthogonal matrices from the printed seed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Graph } from '../../lib/graph/Graph.ts';
import { GatedDataset } from '../../lib/data/GatedDataset.ts';
import { xorFourPathwayGdln } from '../../lib/data/xor.ts';
import { routingTask } from '../../lib/data/routing.ts';
import { contextualTask, contextualModes, contextualDecoupledWeights, contextualModeValues } from '../../lib/data/contexts.ts';
import { reduceGdln, reduceGdlnAligned, type Reduction } from '../../lib/analyses/reduction.ts';
import { pathStatistics } from '../../lib/analyses/pathStatistics.ts';
import { decoupledWeights, nodeBases } from '../../lib/init/decoupled.ts';
import { initWeights } from '../../lib/init/initWeights.ts';
import { projectWeights, trackModes } from '../../lib/analyses/modeTracking.ts';
import { contextualPathwayLoss, contextualPathwayRhs } from '../../lib/analyses/closedForms.ts';
import { WeightSet } from '../../lib/engine/WeightSet.ts';
import { train } from '../../lib/engine/train.ts';
import { GdlnError } from '../../lib/errors.ts';
import { reproducer, testSeed } from '../helpers/seed.ts';
import { fastBackend, maxRelativeError } from '../helpers/theory.ts';

const backend = fastBackend();

/** Simulates from decoupled init and checks loss, every B_e variable and every path value against the recurrence. */
async function checkAgainstRecurrence(name: string, graph: Graph, data: GatedDataset, red: Reduction, b0: Float64Array, lr: number, steps: number, seed: number) {
  const opts = { seed };
  const w0 = decoupledWeights(red, b0, opts);
  const every = Math.max(1, Math.floor(steps / 20));
  const snapshotsAt = Array.from({ length: 21 }, (_, k) => Math.min(steps, k * every));
  const run = await train(graph, data, w0, { backend, steps, lr, recordEvery: every, snapshots: snapshotsAt });
  const rec = red.recurrence(b0, lr, steps, every);
  assert.deepEqual(run.steps, rec.steps);
  const lossErr = maxRelativeError(run.loss, rec.loss, 1e-9 * rec.loss[0]);
  assert.ok(lossErr.error <= 1e-4, `${name}: loss rel. error ${lossErr.error} at step ${rec.steps[lossErr.at]} (${reproducer(seed)})`);
  const R = nodeBases(red, opts);
  const tracked = trackModes(red, run.snapshots, R);
  let worstVar = 0;
  let worstPath = 0;
  let worstOff = 0;
  for (const snap of tracked) {
    const k = rec.steps.indexOf(snap.step);
    const bRef = k >= 0 ? rec.b[k] : red.recurrence(b0, lr, snap.step, Math.max(1, snap.step)).b.at(-1) as Float64Array;
    const scale = Math.max(...Array.from(bRef, Math.abs));
    worstVar = Math.max(worstVar, maxRelativeError(snap.b, bRef, 1e-12 * scale).error);
    const aRef = red.chainValues(bRef);
    snap.paths.forEach((p, i) => {
      const s2 = Math.max(...Array.from(aRef[i], Math.abs));
      worstPath = Math.max(worstPath, maxRelativeError(p.values, aRef[i], 1e-12 * Math.max(s2, 1e-300)).error);
      worstOff = Math.max(worstOff, p.offPattern / Math.max(p.total, 1e-300));
    });
    for (const e of snap.edges) worstOff = Math.max(worstOff, e.offDiagonal / Math.max(e.total, 1e-300));
  }
  assert.ok(worstVar <= 1e-4, `${name}: B_e singular values rel. error ${worstVar} (${reproducer(seed)})`);
  assert.ok(worstPath <= 1e-4, `${name}: path singular values rel. error ${worstPath} (${reproducer(seed)})`);
  // Staying on the manifold: off-diagonal mass stays at rounding level.
  assert.ok(worstOff <= 1e-9, `${name}: off-diagonal mass ${worstOff} (${reproducer(seed)})`);
  return { run, rec };
}

test('XoR four-pathway GDLN: simulation from decoupled init = discrete reduced recurrence (≤1e-4); RK45 ODE within O(lr)', async () => {
  const seed = testSeed();
  const { graph, data } = xorFourPathwayGdln({ hidden: 3 });
  const red = reduceGdln(graph, data);
  assert.equal(red.valid, true);
  assert.ok(red.residual.worst < 1e-12, `residual ${red.residual.worst}`);
  assert.equal(red.modes.length, 4, 'one independent mode system per pathway');
  const lr = 0.02;
  const steps = 1000;
  const b0 = red.alignSigns(red.state(Math.sqrt(1e-3)));
  const { run, rec } = await checkAgainstRecurrence('xor', graph, data, red, b0, lr, steps, seed);
  // Mode tracking without the hidden bases (inferred from the weights): path values are basis-free.
  const inferred = projectWeights(red, run.weights);
  const aEnd = red.chainValues(rec.b.at(-1) as Float64Array);
  inferred.paths.forEach((p, k) => assert.ok(maxRelativeError(p.values, aEnd[k], 1e-12).error < 1e-8, `inferred-basis path ${p.description}`));
  for (const e of inferred.edges) assert.ok(e.offDiagonal <= 1e-9 * e.total, `inferred basis: edge ${e.edge} off-diagonal ${e.offDiagonal}`);
  // Continuous ODE: Euler with lr = 0.02 over the sigmoidal transition; measured gap ≈ 2.4e-3 absolute (L(0) = 0.5).
  const ode = red.integrate(b0, run.steps.map((s) => s * lr));
  const gap = Math.max(...run.steps.map((_, k) => Math.abs(run.loss[k] - ode.loss[k])));
  assert.ok(gap < 5e-3, `xor: |L_sim − L_ode| = ${gap} exceeds the O(lr) bound 5e-3`);
});

test('routing M = 7, K = 4 (4 items × 7 hierarchical features, Fig. 4): simulation = discrete recurrence (≤1e-4); ODE within O(lr)', async () => {
  const seed = testSeed();
  const task = routingTask({ M: 7, K: 4, hidden: 64, seed: seed % 1000 });
  const red = reduceGdln(task.graph, task.data);
  assert.ok(red.residual.worst < 1e-10, `routing residual ${red.residual.worst} (${reproducer(seed)})`);
  assert.equal(red.paths.length, 28, 'only the K·M trained routes are active paths');
  assert.equal(red.modes.length, 4, 'one mode system per singular value of the 4 × 7 hierarchy (two of them equal)');
  // Unbalanced, mode-dependent init so that nothing is accidentally symmetric.
  const b0 = red.state((v) => 0.15 + 0.01 * ((v.index * 7919) % 13));
  const lr = 0.05;
  const steps = 2000;
  const { run } = await checkAgainstRecurrence('routing', task.graph, task.data, red, b0, lr, steps, seed);
  const ode = red.integrate(b0, run.steps.map((s) => s * lr));
  const gap = Math.max(...run.steps.map((_, k) => Math.abs(run.loss[k] - ode.loss[k]) / run.loss[0]));
  // Measured ≈ 5e-3 of L(0) at lr = 0.05; O(lr) bound stated as 2e-2·L(0).
  assert.ok(gap < 2e-2, `routing: |L_sim − L_ode|/L(0) = ${gap} exceeds the O(lr) bound 2e-2`);
});

for (const C of [3, 4, 5]) {
  test(`contextual task with ${C} contexts (App. ${C === 3 ? 'F' : C === 4 ? 'G.1' : 'G.2'}): residual GDLN from symmetric decoupled init = discrete recurrence of the App. F/G reduction (≤1e-4)`, async () => {
    const task = contextualTask({ contexts: C, hidden: 5 });
    const { graph, data } = task.residual;
    const stats = pathStatistics(graph, data);
    const modes = contextualModes(task, stats);
    // The overlaps that make the reduction close (see closedForms.contextualPathwayRhs).
    assert.ok(Math.abs(modes.rho - (C - 2) / (C - 1)) < 1e-12, `ρ = ${modes.rho}`);
    assert.ok(Math.abs(modes.omega + 1 / (C - 1)) < 1e-12, `ω = ${modes.omega}`);
    // The general reducer correctly refuses it: no single U for the shared output node (eq. 7).
    assert.throws(() => reduceGdln(graph, data, { stats }), (e: unknown) => e instanceof GdlnError && e.code === 'GDLN_ASSUMPTION_FAILED');
    const r = modes.S.length;
    const b0 = Array.from({ length: r }, (_, a) => 0.08 + 0.02 * a);
    const b1 = Array.from({ length: r }, (_, a) => 0.12 - 0.01 * a);
    const w0 = WeightSet.fromRecord(graph, contextualDecoupledWeights(task, modes, b0, b1));
    const lr = 0.05;
    const steps = 1500;
    const every = 75;
    const snaps = Array.from({ length: steps / every + 1 }, (_, k) => k * every);
    const run = await train(graph, data, w0, { backend, steps, lr, recordEvery: every, snapshots: snaps });
    let B0 = [...b0];
    let B1 = [...b1];
    const ref: number[][] = [];
    for (let s = 0; s <= steps; s++) {
      if (s % every === 0) ref.push(B0.map((x, a) => x * B1[a]));
      const d = B0.map((_, a) => contextualPathwayRhs(B0[a], B1[a], C, modes.S[a], modes.D[a]));
      B0 = B0.map((x, a) => x + lr * d[a][0]);
      B1 = B1.map((x, a) => x + lr * d[a][1]);
    }
    let half = 0;
    for (const row of task.residual.targets) for (const v of row) half += v * v;
    half /= 2 * data.nSamples;
    const lossRef = ref.map((a) => contextualPathwayLoss(half, C, modes.S, modes.D, a));
    const lossErr = maxRelativeError(run.loss, lossRef, 1e-9 * lossRef[0]);
    assert.ok(lossErr.error <= 1e-4, `C=${C}: loss rel. error ${lossErr.error}`);
    let worst = 0;
    run.snapshots.forEach((s, k) => {
      for (const row of contextualModeValues(task, modes, s.weights)) worst = Math.max(worst, maxRelativeError(row, ref[k], 1e-12).error);
    });
    assert.ok(worst <= 1e-4, `C=${C}: pathway singular values rel. error ${worst}`);
  });
}

test('small random init (σ₀ = 0.2 × Xavier, Fig. 4e): routing simulation tracks the reduction within the stated tolerance', async () => {
  // From random weights the network is not on the decoupled manifold: it aligns (silent
  // alignment) while its modes grow, each mode and path starting from a different random
  // projection. The reduction assumes one aligned value per mode, so it can only match with
  // an *effective* initial singular value b₀ (ERRATA: started at b₀ = σ₀ the ODE runs ahead by
  // about 2× in time; agreement is qualitative unless b₀ is fitted). We therefore fit one
  // scalar b₀ so that the reduced ODE reaches half the initial loss when the simulation does,
  // and require, over the whole curve up to t/τ = 200 (bounds ≈ 1.5× the worst of 24 seeds,
  // measured values in brackets):
  //  (i)   b₀ within a factor 1.5 of the a-priori estimate (RMS of the projected initial path
  //        singular values)^{1/3} [0.74–0.93];
  //  (ii)  times to reach 90% and 10% of L(0) within 20% [≤ 1.3%, ≤ 13%], and 1% of L(0) within
  //        40% [≤ 26%]: the late phase is set by the smallest modes, whose random initial
  //        projections spread most, while the reduction starts every mode at the same b₀;
  //  (iii) max_t |L_sim − L_red| ≤ 0.3·L(0) [≤ 0.21: the sigmoids are steep, so a few % shift
  //        in time is a large loss gap mid-transition];
  //  (iv)  the path maps aligned at the end: off-chain mass < 3% [≤ 1.7%].
  const seed = testSeed();
  const task = routingTask({ M: 7, K: 4, hidden: 64, seed: seed % 1000 });
  const red = reduceGdln(task.graph, task.data);
  const w0 = initWeights(task.graph, { seed, scheme: { kind: 'xavier', gain: 0.2 } });
  const lr = 0.05;
  const steps = 4000;
  const run = await train(task.graph, task.data, w0, { backend, steps, lr, recordEvery: 20 });
  const times = run.steps.map((s) => s * lr);
  const cross = (l: ArrayLike<number>, f: number) => {
    const i = Array.from(l).findIndex((x) => x < f * l[0]);
    assert.ok(i > 0, `loss never fell below ${f}·L(0) (${reproducer(seed)})`);
    const a = l[i - 1] - f * l[0];
    const b = l[i] - f * l[0];
    return times[i - 1] + ((times[i] - times[i - 1]) * a) / (a - b);
  };
  const tSim = cross(run.loss, 0.5);
  let lo = 0.01;
  let hi = 0.5;
  for (let it = 0; it < 25; it++) {
    const mid = Math.sqrt(lo * hi);
    if (cross(red.integrate(red.state(mid), times, { rtol: 1e-8, atol: 1e-12 }).loss, 0.5) > tSim) lo = mid;
    else hi = mid;
  }
  const b0 = Math.sqrt(lo * hi);
  const snap0 = projectWeights(red, w0);
  let s2 = 0;
  let n = 0;
  for (const p of snap0.paths) for (const v of p.values) { s2 += v * v; n++; }
  const estimate = Math.cbrt(Math.sqrt(s2 / n));
  assert.ok(b0 / estimate < 1.5 && estimate / b0 < 1.5, `fitted b0 ${b0} vs estimate ${estimate} (${reproducer(seed)})`);
  const ode = red.integrate(red.state(b0), times);
  for (const [f, tol] of [[0.9, 0.2], [0.1, 0.2], [0.01, 0.4]]) {
    const a = cross(run.loss, f);
    const b = cross(ode.loss, f);
    assert.ok(Math.abs(a - b) / b < tol, `time to ${f}·L(0): sim ${a} vs reduction ${b} (${reproducer(seed)})`);
  }
  const gap = Math.max(...run.loss.map((l, k) => Math.abs(l - ode.loss[k]))) / run.loss[0];
  assert.ok(gap < 0.3, `max |L_sim − L_red|/L(0) = ${gap} (${reproducer(seed)})`);
  const end = projectWeights(red, run.weights);
  for (const p of end.paths) assert.ok(p.offPattern / p.total < 0.03, `path ${p.description} off-chain mass ${p.offPattern / p.total} (${reproducer(seed)})`);
});

test('a hidden node narrower than the modes it must carry is reported', () => {
  const task = routingTask({ M: 3, K: 2, hidden: 2 });
  assert.throws(() => reduceGdln(task.graph, task.data), (e: unknown) => e instanceof GdlnError && e.code === 'GDLN_ASSUMPTION_FAILED' && e.details.node === 'h1' && e.details.modes === 4);
});

test('the reduction fails, naming the culprit path and its residual, on a dataset built to violate eq. 7–8', () => {
  // Two pathways xa → h_a → y and xb → h_b → y on disjoint samples. Pathway a sees orthogonal
  // inputs (fine); pathway b sees correlated inputs x = [1, 0], [1, 1] with y = 1, 0, so its
  // Σʸˣ = ¼[1, 0] has v = e₁ while Σˣ(b,b) = ¼[[2, 1], [1, 1]] does not have e₁ as an
  // eigenvector: no V_xb makes both Σʸˣ and Σˣ diagonal.
  const graph = new Graph({
    nodes: [{ name: 'xa', size: 2 }, { name: 'xb', size: 2 }, { name: 'ha', size: 2 }, { name: 'hb', size: 2 }, { name: 'y', size: 1 }],
    edges: [{ from: 'xa', to: 'ha' }, { from: 'ha', to: 'y' }, { from: 'xb', to: 'hb' }, { from: 'hb', to: 'y' }],
  });
  const a = [1, 1, 0, 0];
  const b = [0, 0, 1, 1];
  const data = new GatedDataset(graph, {
    inputs: { xa: [[1, 0], [0, 1], [0, 0], [0, 0]], xb: [[0, 0], [0, 0], [1, 0], [1, 1]] },
    targets: { y: [[1], [0], [1], [0]] },
    edgeGates: { 'xa->ha': a, 'ha->y': a, 'xb->hb': b, 'hb->y': b },
  });
  assert.throws(
    () => reduceGdln(graph, data),
    (e: unknown) => {
      assert.ok(e instanceof GdlnError);
      assert.equal(e.code, 'GDLN_ASSUMPTION_FAILED');
      assert.equal(e.details.description, 'xb -> hb -> y');
      assert.ok((e.details.residual as number) > 0.1, `residual ${e.details.residual}`);
      assert.match(e.message, /xb -> hb -> y/);
      assert.match(e.message, /residual/);
      return true;
    },
  );
  const red = reduceGdln(graph, data, { onFailure: 'report' });
  assert.equal(red.valid, false);
  assert.equal(red.residual.description, 'xb -> hb -> y');
  // The clean pathway alone has zero residual.
  assert.ok((red.paths.find((p) => p.description === 'xa -> ha -> y')?.residual as number) < 1e-12);
});

test('on request, the non-diagonalisable reduction (make-haste-slowly App. A.1, S·V̂ᵀV) is exact on the violating dataset', async () => {
  // Same dataset as above. The aligned reduction keeps full B_e matrices, so a simulation from
  // any weights equals its discrete recurrence: tolerance ≤ 1e-4 relative, as for the decoupled tests.
  const seed = testSeed();
  const graph = new Graph({
    nodes: [{ name: 'xa', size: 2 }, { name: 'xb', size: 2 }, { name: 'ha', size: 2 }, { name: 'hb', size: 2 }, { name: 'y', size: 1 }],
    edges: [{ from: 'xa', to: 'ha' }, { from: 'ha', to: 'y' }, { from: 'xb', to: 'hb' }, { from: 'hb', to: 'y' }],
  });
  const a = [1, 1, 0, 0];
  const b = [0, 0, 1, 1];
  const data = new GatedDataset(graph, {
    inputs: { xa: [[1, 0], [0, 1], [0, 0], [0, 0]], xb: [[0, 0], [0, 0], [1, 0], [1, 1]] },
    targets: { y: [[1], [0], [1], [0]] },
    edgeGates: { 'xa->ha': a, 'ha->y': a, 'xb->hb': b, 'hb->y': b },
  });
  const ar = reduceGdlnAligned(graph, data);
  assert.ok(ar.inputResidual < 1e-12, 'each Σˣ is diagonal in its own input basis');
  const pb = graph.paths().findIndex((p) => graph.describePath(p) === 'xb -> hb -> y');
  const align = ar.alignment(pb) as import('ml-matrix').Matrix;
  // V̂ = e₁ is not an eigenvector of Σˣ(b,b): the alignment factor has two non-zero entries.
  assert.ok(Math.min(Math.abs(align.get(0, 0)), Math.abs(align.get(0, 1))) > 0.3, `alignment ${align.to2DArray()}`);
  const sT = ar.sTilde(pb) as import('ml-matrix').Matrix;
  assert.ok(Math.abs(Math.abs(sT.get(0, 0)) - 0.25 * Math.abs(align.get(0, 0))) < 1e-12, 'S̃ = S·V̂ᵀV with S = 1/4');
  const w0 = initWeights(graph, { seed, scheme: { kind: 'gaussian', std: 0.3 } });
  const b0 = ar.project(w0);
  const lr = 0.1;
  const steps = 400;
  const run = await train(graph, data, w0, { backend, steps, lr, recordEvery: 20 });
  const rec = ar.recurrence(b0, lr, steps, 20);
  const err = maxRelativeError(run.loss, rec.loss, 1e-9 * rec.loss[0]);
  assert.ok(err.error <= 1e-4, `aligned reduction: loss rel. error ${err.error} (${reproducer(seed)})`);
  const wEnd = ar.weights(rec.b.at(-1) as Float64Array);
  const wErr = maxRelativeError(run.weights.matrices.flatMap((m) => Array.from(m)), wEnd.flatMap((m) => Array.from(m)), 1e-9);
  assert.ok(wErr.error <= 1e-4, `aligned reduction: weights rel. error ${wErr.error} (${reproducer(seed)})`);
});
