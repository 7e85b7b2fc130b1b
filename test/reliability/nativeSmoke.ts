/**
 * A small workload over every native entry point, for sanitizer and valgrind runs
 * (scripts/sanitize.sh): forward, lossAndGradient and train in both dtypes on random
 * gated DAGs, minibatch + momentum, progress callbacks, aborts (before, during),
 * divergence, and the bad-input rows that reach the addon. Exits non-zero if a
 * result disagrees with the js reference. `node --import tsx test/reliability/nativeSmoke.ts [cases]`
 */
import { train } from '../../lib/engine/train.ts';
import { GdlnAbortError, GdlnError } from '../../lib/errors.ts';
import { generateCase, runCase } from './randomConformance.ts';
import { rows } from './badInput.table.ts';

const cases = Number(process.argv[2] ?? 40);
let bad = 0;
for (let s = 0; s < cases; s++) {
  const c = generateCase(1000 + s);
  const m = await runCase(c, 'cpu');
  if (m.length) {
    bad++;
    console.log(`mismatch case ${c.seed}: ${m[0].what} ${m[0].error}`);
  }
  // Abort mid-run and before the start.
  const ac = new AbortController();
  let calls = 0;
  const run = train(c.graph, c.data, c.weights, { ...c.trainOptions, steps: 200, backend: 'cpu', dtype: c.dtype, progressEvery: 1, signal: ac.signal, onProgress: () => { if (++calls === 3) ac.abort(); } });
  await run.then(() => {}, (e) => { if (!(e instanceof GdlnAbortError)) { bad++; console.log(`abort: ${e}`); } });
  await train(c.graph, c.data, c.weights, { ...c.trainOptions, backend: 'cpu', signal: AbortSignal.abort() }).catch(() => {});
}
// Native-reaching bad input: each must be a typed error (no crash, no sanitizer report).
let typed = 0;
for (const row of rows.filter((r) => r.area === 'native' || r.id.startsWith('diverge.cpu') || r.id === 'weights.detached-cpu' || r.id === 'train.forward-float16-cpu')) {
  try {
    await row.act();
    console.log(`row ${row.id}: no error`);
    bad++;
  } catch (e) {
    if (e instanceof GdlnError) typed++;
    else { bad++; console.log(`row ${row.id}: ${e}`); }
  }
}
await new Promise((r) => setTimeout(r, 50));
console.log(`native smoke: ${cases} cases, ${typed} typed errors from bad input, ${bad} problems`);
process.exitCode = bad === 0 ? 0 : 1;
