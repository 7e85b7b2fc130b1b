/** The CLI: the xor job writes parseable results atomically; bad flags give typed errors. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../lib/cli/gdln.ts';

function capture() {
  const lines: string[] = [];
  return { lines, log: (l: string) => lines.push(l) };
}

test('gdln xor writes xor.json and xor-loss.svg and prints the table', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gdln-cli-'));
  try {
    const out = capture();
    const code = await main(['xor', '--backend', 'js', '--steps', '300', '--out', dir], out.log);
    assert.equal(code, 0);
    assert.deepEqual(readdirSync(dir).sort(), ['xor-loss.svg', 'xor.json']); // no temp files left
    const result = JSON.parse(readFileSync(join(dir, 'xor.json'), 'utf8'));
    assert.equal(result.tOverTau.length, result.theory.length);
    assert.ok(result.maxGapDecoupled < 5e-3);
    assert.match(readFileSync(join(dir, 'xor-loss.svg'), 'utf8'), /^<svg[^>]*>[\s\S]*theory \(eq\. 23\)[\s\S]*<\/svg>\n$/);
    assert.ok(out.lines.some((l) => /half-loss time/.test(l)));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

const bad: [string[], RegExp][] = [
  [['xor', '--lr', 'fast'], /--lr/],
  [['xor', '--lr', '-1'], /lr/],
  [['xor', '--steps', '0'], /steps/],
  [['xor', '--backend', 'tpu'], /--backend/],
  [['xor', '--bogus'], /bogus/],
  [['frobnicate'], /Unknown command "frobnicate"/],
];
for (const [argv, message] of bad) {
  test(`gdln ${argv.join(' ')} → exit 2 with a typed error`, async () => {
    const errors: string[] = [];
    const original = console.error;
    console.error = (l: string) => errors.push(l);
    try {
      assert.equal(await main(argv, () => {}), 2);
    } finally {
      console.error = original;
    }
    assert.match(errors.join('\n'), /GDLN_INVALID_ARGUMENT/);
    assert.match(errors.join('\n'), message);
  });
}

test('gdln doctor lists the js backend', async () => {
  const out = capture();
  assert.equal(await main(['doctor'], out.log), 0);
  assert.ok(out.lines.some((l) => /✓ js/.test(l)));
});
