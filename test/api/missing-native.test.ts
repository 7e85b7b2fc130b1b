/**
 * A missing or broken native build: the cpu backend gives a typed error saying
 * so and how to fix it, `auto` falls back to js, doctor explains, and the
 * process never crashes. Run in child processes with GDLN_ADDON_PATH pointing
 * at a missing file and at a file that is not an addon.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const script = `
import { Graph, GatedDataset, initWeights, train, getBackend, backendStatus } from './lib/index.ts';
const g = new Graph({ nodes: [{ name: 'x', size: 1 }, { name: 'y', size: 1 }], edges: [{ from: 'x', to: 'y' }] });
const d = new GatedDataset(g, { inputs: { x: [[1]] }, targets: { y: [[2]] } });
const w = initWeights(g, { seed: 1, scheme: { kind: 'gaussian', std: 0.1 } });
const out = {};
try { await train(g, d, w, { backend: 'cpu', steps: 1, lr: 0.1 }); out.cpu = 'ran'; } catch (e) { out.cpu = e.code; out.message = e.message; }
out.auto = getBackend('auto').name;
out.status = backendStatus().map((s) => s.name + ':' + s.available);
const t = await train(g, d, w, { steps: 5, lr: 0.1 });
out.autoTrained = t.backend;
console.log(JSON.stringify(out));
`;

function run(addonPath: string): Record<string, unknown> {
  const stdout = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    cwd: join(import.meta.dirname, '..', '..'),
    env: { ...process.env, GDLN_ADDON_PATH: addonPath },
    encoding: 'utf8',
  });
  return JSON.parse(stdout.trim().split('\n').pop() as string);
}

test('missing addon: typed error with fixes; auto falls back to js', () => {
  const out = run('/nonexistent/gdln.node');
  assert.equal(out.cpu, 'GDLN_NATIVE_UNAVAILABLE');
  assert.match(out.message as string, /file not found/);
  assert.match(out.message as string, /npm run build:native/);
  assert.equal(out.auto, 'js');
  assert.equal(out.autoTrained, 'js');
  assert.deepEqual(out.status, ['js:true', 'cpu:false', 'cuda:false']);
});

test('corrupt addon file: typed error naming the load failure, no crash', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gdln-bad-addon-'));
  try {
    const path = join(dir, 'gdln.node');
    writeFileSync(path, 'this is not a shared object');
    const out = run(path);
    assert.equal(out.cpu, 'GDLN_NATIVE_UNAVAILABLE');
    assert.match(out.message as string, /failed to load/);
    assert.equal(out.autoTrained, 'js');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
