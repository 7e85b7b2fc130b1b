/**
 * Resident memory stays flat over repeated create → train → drop cycles (issue 8).
 * Normal suite: 1000 cycles on the native cpu backend (js when it is missing), in a
 * child Node with --expose-gc, RSS growth after warm-up < 32 MB. The reliability
 * driver runs 10⁴ cycles and also bounds the growth over the second half (< 4 MB);
 * see rss.ts for the bounds and why RSS first rises to a plateau.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { backendsUnderTest } from '../helpers/backendsUnderTest.ts';
import { formatRss, RSS_BOUNDS, rssWithinBounds, type RssResult } from './rss.ts';
const cycles = Number(process.env.GDLN_RELIABILITY_RSS_CYCLES ?? 1000);
const cpu = backendsUnderTest().find((b) => b.name === 'cpu');
const backend = cpu && (cpu.available || cpu.required) ? 'cpu' : 'js';

export function measureRss(n: number, b: string): RssResult {
  const root = join(import.meta.dirname, '..', '..');
  const out = execFileSync(process.execPath, ['--expose-gc', '--import', 'tsx', join(root, 'test', 'reliability', 'rss.ts'), String(n), b], { cwd: root, encoding: 'utf8', timeout: 900_000 });
  return JSON.parse(out.trim().split('\n').pop() as string) as RssResult;
}

test(`${cycles} create/train/drop cycles on ${backend}: RSS growth < ${RSS_BOUNDS.growthMB} MB`, { timeout: 900_000 }, () => {
  const r = measureRss(backend === 'js' ? Math.min(cycles, 200) : cycles, backend);
  console.log(`# ${formatRss(r)}`);
  assert.ok(rssWithinBounds(r), formatRss(r));
});
