/**
 * Cancellation and progress (issue 8): 100 training runs (native cpu when present,
 * js otherwise) aborted at random points — before the start, after a random delay,
 * from a progress callback, twice, right after settlement, at the last progress
 * event — with zero hangs, every rejection a GdlnAbortError whose `partial` holds
 * exactly the records the run had made (monotone steps, finite losses equal to an
 * uninterrupted run's), no progress callback after settlement, and a finished run
 * untouched by a late abort. GDLN_RELIABILITY_CANCEL_RUNS sets the count (the
 * reliability driver runs 1000).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { backendsUnderTest } from '../helpers/backendsUnderTest.ts';
import { testSeed } from '../helpers/seed.ts';
import { formatCancellation, runCancellation } from './cancellation.ts';

const runs = Number(process.env.GDLN_RELIABILITY_CANCEL_RUNS ?? 100);
const cpu = backendsUnderTest().find((b) => b.name === 'cpu');
const backend = (process.env.GDLN_RELIABILITY_CANCEL_BACKEND as 'cpu' | 'js' | undefined) ?? (cpu && (cpu.available || cpu.required) ? 'cpu' : 'js');

test(`${runs} aborted training runs on ${backend}: no hang, no crash, partial results kept`, { timeout: 600_000 }, async () => {
  const seed = testSeed();
  const s = await runCancellation({ runs, backend, seed: seed % 100_000 });
  console.log(`# ${formatCancellation(s)} (GDLN_TEST_SEED=${seed})`);
  const where = `(reproduce with GDLN_TEST_SEED=${seed})`;
  assert.equal(s.hangs, 0, `${s.hangs} hangs ${where}`);
  assert.deepEqual(s.escaped, [], where);
  assert.deepEqual(s.wrongOutcome, [], where);
  assert.deepEqual(s.badPartial.slice(0, 10), [], where);
  assert.equal(s.lateProgress, 0, `progress fired after settlement ${where}`);
  assert.equal(s.lateAbortChanged, 0, `a late abort changed a finished run ${where}`);
  // Every scenario ran, and the mid-run ones really were cut short at least once.
  if (runs >= 60) {
    for (const k of ['before', 'delay', 'in-progress', 'twice', 'after-settle']) assert.ok((s.byScenario[k]?.runs ?? 0) > 0, `scenario ${k} never drawn`);
    assert.ok((s.byScenario['in-progress']?.aborted ?? 0) + (s.byScenario.delay?.aborted ?? 0) > 0, 'no run was aborted mid-way');
  }
});
