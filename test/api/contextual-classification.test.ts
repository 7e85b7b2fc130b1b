import { test } from 'node:test';
import assert from 'node:assert/strict';
import { contextualClassificationTask } from '../../lib/data/contextualClassification.ts';
import { pathStatistics } from '../../lib/analyses/pathStatistics.ts';
import { initWeights } from '../../lib/init/initWeights.ts';
import { train } from '../../lib/engine/train.ts';
import { GdlnError } from '../../lib/errors.ts';

const n = 20;
const ex2 = 1 / 3 - 1 / (3 * n * n); // midpoint rule for E[x²] on [−1, 1]

test('gated pathways see the correlations of eq. 26–29 (exact on the grid)', () => {
  const { graph, data } = contextualClassificationTask({ size: n });
  const s = pathStatistics(graph, data);
  const p1 = s.paths.findIndex((p) => p.map((e) => graph.edges[e].name).join() === 'x->h1,h1->y');
  const p2 = s.paths.findIndex((p) => p.map((e) => graph.edges[e].name).join() === 'x->h2,h2->y');
  // Σʸˣ(1) = ½·E[x₁·x] = [E[x²]/2, 0]; eq. 26 with E[x²] = 1/3.
  const close = (a: number, b: number) => assert.ok(Math.abs(a - b) < 1e-12, `${a} vs ${b}`);
  close(s.sigmaYX[p1]!.get(0, 0), ex2 / 2);
  close(s.sigmaYX[p1]!.get(0, 1), 0);
  close(s.sigmaYX[p2]!.get(0, 0), 0);
  close(s.sigmaYX[p2]!.get(0, 1), ex2 / 2);
  const sx11 = s.sigmaX.get(`${p1},${p1}`)!;
  close(sx11.get(0, 0), ex2 / 2);
  close(sx11.get(1, 1), ex2 / 2);
  close(sx11.get(0, 1), 0);
  assert.equal(s.sigmaX.get(`${p1},${p2}`), undefined, 'the two pathways are never active together (eq. 29)');
});

test('one always-on pathway: Σʸˣ = [1/6 1/6], Σˣ = I/3 (eq. 24–25)', () => {
  const { graph, data } = contextualClassificationTask({ size: n, network: 'linear' });
  const s = pathStatistics(graph, data);
  assert.ok(Math.abs(s.sigmaYX[0]!.get(0, 0) - ex2 / 2) < 1e-12);
  assert.ok(Math.abs(s.sigmaYX[0]!.get(0, 1) - ex2 / 2) < 1e-12);
  assert.ok(Math.abs(s.sigmaX.get('0,0')!.get(0, 0) - ex2) < 1e-12);
});

test('training: the gated network picks out x_c (W_tot(c) = e_c), the linear one stops at [½ ½]', async () => {
  for (const network of ['gated', 'linear'] as const) {
    const { graph, data } = contextualClassificationTask({ size: 10, network, hidden: 2 });
    const w0 = initWeights(graph, { seed: 3, scheme: { kind: 'gaussian', std: 0.1 } });
    const run = await train(graph, data, w0, { backend: 'js', steps: 3000, lr: 0.5 });
    const total = (c: number) => {
      const W1 = run.weights.matrix(`x->h${c}`);
      const W2 = run.weights.matrix(`h${c}->y`);
      return W2.mmul(W1).to1DArray();
    };
    if (network === 'gated') {
      for (const [c, want] of [[1, [1, 0]], [2, [0, 1]]] as const) {
        total(c).forEach((v, k) => assert.ok(Math.abs(v - want[k]) < 1e-6, `W_tot(${c}) = ${total(c)}`));
      }
      assert.ok(run.loss.at(-1)! < 1e-10);
    } else {
      total(0).forEach((v) => assert.ok(Math.abs(v - 0.5) < 1e-6, `W_tot = ${total(0)}`));
      // The irreducible error of the best linear map: ½·E[((x₁ − x₂)/2)²] = E[x²]/4 on this grid.
      const e2 = 1 / 3 - 1 / 300;
      assert.ok(Math.abs(run.loss.at(-1)! - e2 / 4) < 1e-8, `loss ${run.loss.at(-1)}`);
    }
  }
});

test('random sampling matches the moments to O(1/√N); bad options are typed errors', () => {
  const { inputs, targets, context } = contextualClassificationTask({ sampling: 'random', size: 20000, seed: 1 });
  const m = inputs.reduce((a, x, i) => a + x[0] * targets[i], 0) / inputs.length;
  assert.ok(Math.abs(m - 1 / 6) < 0.01, `Σʸˣ₁ ≈ ${m}`);
  assert.ok(Math.abs(context.filter((c) => c === 1).length / context.length - 0.5) < 0.02);
  assert.throws(() => contextualClassificationTask({ network: 'relu' as never }), (e: unknown) => e instanceof GdlnError && e.code === 'GDLN_INVALID_ARGUMENT');
  assert.throws(() => contextualClassificationTask({ size: 0 }), (e: unknown) => e instanceof GdlnError && /size/.test(e.message));
});
