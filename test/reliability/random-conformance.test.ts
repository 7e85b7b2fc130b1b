/**
 * Randomised conformance (issue 8): seeded random GDLN cases (randomConformance.ts)
 * on every native backend present, against the float64 js reference.
 *
 *   normal:  GDLN_RELIABILITY_CASES (default 300) cases from a fresh seed (GDLN_TEST_SEED to fix it)
 *   long:    GDLN_RELIABILITY_LONG=1 → 10 000 cases
 *   one:     GDLN_CONFORMANCE_CASE=<seed> reruns exactly that case (printed with every failure)
 *
 * A backend missing here is skipped with its reason (or fails when GDLN_REQUIRE_BACKENDS names it).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { backendsUnderTest, skipUnlessAvailable } from '../helpers/backendsUnderTest.ts';
import { testSeed } from '../helpers/seed.ts';
import { formatMismatches, generateCase, reproducerLine, runCase, runMany } from './randomConformance.ts';

const one = process.env.GDLN_CONFORMANCE_CASE;
const long = process.env.GDLN_RELIABILITY_LONG === '1';
const count = Number(process.env.GDLN_RELIABILITY_CASES ?? (long ? 10_000 : 300));

for (const b of backendsUnderTest()) {
  describe(`random conformance: ${b.name} vs js float64`, { skip: skipUnlessAvailable(b) }, () => {
    if (one !== undefined && one !== '') {
      const seed = Number(one) >>> 0;
      test(`case ${seed}`, async () => {
        const c = generateCase(seed);
        console.log(`# case ${seed}: ${c.description}`);
        const m = await runCase(c, b.name);
        assert.deepEqual(m, [], formatMismatches(m));
      });
      return;
    }
    test(`${count} random cases (graphs × gates × nonlinearities × dtypes × losses × optimisers)`, { timeout: long ? 6 * 3600_000 : 300_000 }, async () => {
      const firstSeed = testSeed();
      const s = await runMany({
        count,
        firstSeed,
        backends: [b.name],
        onMismatch: (m) => console.log(`# MISMATCH ${formatMismatches(m)}`),
        onProgress: (done, bad) => console.log(`# ${done}/${count} cases, ${bad} mismatches`),
        maxMismatches: 50,
      });
      console.log(`# random-conformance ${b.name}: ${s.cases} cases (float64 ${s.byDtype.float64}, float32 ${s.byDtype.float32}) from seed ${s.firstSeed}, reference diverged ${s.stats.diverged} / unstable ${s.stats.unstable}, float32 through saturated tanh ${s.stats.saturated}, ${new Set(s.mismatches.map((m) => m.seed)).size} mismatching cases, ${s.seconds.toFixed(1)} s`);
      assert.equal(s.mismatches.length, 0, `${formatMismatches(s.mismatches)}\n(first seed ${firstSeed}; one case: ${reproducerLine(s.mismatches[0]?.seed ?? firstSeed)})`);
    });
  });
}

test('the generator is deterministic and covers every feature', () => {
  const a = generateCase(12345);
  const b = generateCase(12345);
  assert.equal(a.description, b.description);
  assert.deepEqual(a.weights.matrices, b.weights.matrices);
  const seen = new Set<string>();
  for (let s = 0; s < 400; s++) {
    const c = generateCase(s);
    seen.add(`gates:${c.gateStyle}`).add(`dtype:${c.dtype}`).add(`loss:${c.loss}`);
    for (const n of c.graph.nodes) seen.add(`act:${typeof n.activation === 'string' ? n.activation : 'leaky'}`);
    if (c.graph.edges.some((e) => e.name.includes('#'))) seen.add('parallel');
    if (c.description.includes('allOff')) seen.add('allOff');
    if (c.graph.nodes.some((n) => c.data.isPerNeuronGate(n.index))) seen.add('perNeuron');
    if (c.data.nSamples > 64) seen.add('N>64');
    if (c.trainOptions.batchSize !== undefined) seen.add('minibatch');
    if (c.trainOptions.momentum) seen.add('momentum');
    if (c.graph.nodes.length - c.graph.inputs.length - c.graph.outputs.length === 0) seen.add('no hidden');
    if (c.graph.edges.some((e) => c.graph.outgoing[e.source].length > 1)) seen.add('fan-out');
    if (c.graph.nodes.some((n) => c.graph.incoming[n.index].length > 1)) seen.add('fan-in');
  }
  for (const f of ['gates:none', 'gates:binary', 'gates:fractional', 'gates:mixed', 'dtype:float64', 'dtype:float32', 'loss:mse', 'loss:softmaxCrossEntropy',
    'act:linear', 'act:relu', 'act:tanh', 'act:leaky', 'parallel', 'allOff', 'perNeuron', 'N>64', 'minibatch', 'momentum', 'no hidden', 'fan-out', 'fan-in']) {
    assert.ok(seen.has(f), `400 generated cases never exercise ${f}`);
  }
});
