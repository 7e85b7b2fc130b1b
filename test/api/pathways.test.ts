/**
 * API of the parallel-pathways tools: graph builder, init, K_a maps (product vs least squares),
 * shares, typed errors, and the `gdln pathways` command writing JSON + SVG.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Matrix } from 'ml-matrix';
import { haarOrthogonal, hierarchyPathwayData, initPathways, parallelPathways, pathwayDataset } from '../../lib/data/pathways.ts';
import { modeShares, pathwayMaps, taskModes } from '../../lib/analyses/pathways.ts';
import { forward } from '../../lib/engine/train.ts';
import { Rng } from '../../lib/init/rng.ts';
import { main } from '../../lib/cli/gdln.ts';

test('parallelPathways builds M chains x → … → y with per-pathway depths and widths', () => {
  const net = parallelPathways({ depths: [1, 2, 4], widths: [[], [5], [3, 4, 6]] });
  assert.equal(net.pathways.length, 3);
  assert.deepEqual(net.pathways.map((p) => p.edges.length), [1, 2, 4]);
  assert.deepEqual(net.graph.weightShape(net.graph.edge('p2w2').index), [4, 3]);
  assert.deepEqual(net.graph.weightShape(net.graph.edge('p2w4').index), [15, 6]);
  assert.equal(net.graph.nodes.length, 2 + 0 + 1 + 3);
  assert.throws(() => parallelPathways({ depths: [3], widths: [[4]] }), { code: 'GDLN_INVALID_ARGUMENT' });
  assert.throws(() => parallelPathways({ depths: [0], widths: 4 }), { code: 'GDLN_INVALID_ARGUMENT' });
  assert.throws(() => parallelPathways({ depths: [2], widths: 4, activation: 'gelu' as never }), { code: 'GDLN_INVALID_ARGUMENT' });
});

test('the graph output is the sum of pathway maps, and K_a = Uᵀ Ω_a V matches the explicit product', () => {
  const net = parallelPathways({ depths: [2, 3], widths: 6 });
  const data = pathwayDataset(net);
  const w = initPathways(net, { kind: 'paper', std: 0.4 }, 5);
  const { inputs, targets } = hierarchyPathwayData();
  const modes = taskModes(inputs, targets);
  assert.ok(Math.abs(modes.S[0] - Math.sqrt(15)) < 1e-12 && Math.abs(modes.inputScale - 1 / 8) < 1e-15);
  const maps = pathwayMaps(net, w, modes, inputs);
  const omega = net.pathways.map((p) => p.edges.map((e) => w.matrix(e)).reduceRight((acc, m) => acc.mmul(m)));
  net.pathways.forEach((_, a) => {
    const K = modes.U.transpose().mmul(omega[a]).mmul(modes.V);
    for (let i = 0; i < K.rows; i++) for (let j = 0; j < K.columns; j++) assert.ok(Math.abs(K.get(i, j) - maps.K[a].get(i, j)) < 1e-12);
  });
  // Engine output on one-hot inputs = Σ_a Ω_a (rows of the output are columns of Ω).
  const y = forward(net.graph, data, w, { backend: 'js' }).y;
  const total = omega[0].add(omega[1]);
  for (let i = 0; i < 8; i++) for (let o = 0; o < 15; o++) assert.ok(Math.abs(y[i * 15 + o] - total.get(o, i)) < 1e-12);
  // Shares and unevenness.
  const { shares, unevenness } = modeShares([[3, 1], [1, 1]]);
  assert.deepEqual(shares, [[0.75, 0.5], [0.25, 0.5]]);
  assert.deepEqual(unevenness, [0.5, 0]);
});

test('nonlinear pathway maps use the pathway outputs; init variants; Haar matrices are orthogonal', () => {
  const net = parallelPathways({ depths: [3, 3], widths: 10, activation: 'tanh' });
  const w = initPathways(net, { kind: 'largeWidth', sigma: 1, lastStd: 0.1, hidden: 'orthogonal' }, 3);
  const W2 = w.matrix('p0w2');
  const gram = W2.transpose().mmul(W2);
  for (let i = 0; i < 10; i++) for (let j = 0; j < 10; j++) assert.ok(Math.abs(gram.get(i, j) - (i === j ? 1 : 0)) < 1e-12);
  const { inputs, targets } = hierarchyPathwayData();
  const maps = pathwayMaps(net, w, taskModes(inputs, targets), inputs);
  assert.equal(maps.K.length, 2);
  assert.ok(maps.K.every((K) => K instanceof Matrix && K.rows === 8));
  const Q = haarOrthogonal(7, new Rng(2), 0.5);
  let err = 0;
  for (let i = 0; i < 7; i++) for (let j = 0; j < 7; j++) { let s = 0; for (let k = 0; k < 7; k++) s += Q[k * 7 + i] * Q[k * 7 + j]; err = Math.max(err, Math.abs(s - (i === j ? 0.25 : 0))); }
  assert.ok(err < 1e-14);
  assert.throws(() => taskModes([[1, 0], [1, 1]], [[1], [0]]), { code: 'GDLN_ASSUMPTION_FAILED' });
});

test('gdln pathways fig3 and fig5 write JSON + SVG; bad figure names are typed errors', async () => {
  const out = mkdtempSync(join(tmpdir(), 'gdln-pathways-'));
  try {
    const lines: string[] = [];
    assert.equal(await main(['pathways', 'fig3', '--out', out, '--count', '8', '--depths', '2,7'], (l) => lines.push(l)), 0);
    const fig3 = JSON.parse(readFileSync(join(out, 'fig3.json'), 'utf8'));
    assert.equal(fig3.panels.length, 4);
    assert.ok(fig3.maxInvariantDrift < 1e-9);
    assert.ok(readFileSync(join(out, 'fig3-phase.svg'), 'utf8').startsWith('<svg'));
    assert.equal(await main(['pathways', 'fig5', '--out', out, '--width', '16', '--depths', '2,3', '--seeds', '1,2', '--epochs', '300', '--records', '5', '--backend', 'js', '--dtype', 'float64'], () => {}), 0);
    const fig5 = JSON.parse(readFileSync(join(out, 'fig5.json'), 'utf8'));
    assert.equal(fig5.runs.length, 4);
    assert.equal(fig5.runs[0].t.length, 6);
    for (const f of ['fig5-trajectories.svg', 'fig5-final.svg', 'fig5-unevenness.svg']) assert.ok(existsSync(join(out, f)), f);
    assert.equal(await main(['pathways', 'fig9', '--out', out], () => {}), 2);
    assert.equal(await main(['pathways', 'fig5', '--seeds', 'a,b'], () => {}), 2);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});
