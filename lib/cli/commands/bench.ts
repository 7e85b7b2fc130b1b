/**
 * `gdln bench [--quick] [--only W0,W1a,W1b,W2] [--no-peers]`: the issue-7 benchmark table
 * (bench/table.ts): gdln against the best tuned PyTorch/NumPy peer on this machine, one run.
 * Runs the harness in a child node process (it needs tsx and the bench/ folder of the package);
 * exit code = the harness's.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const TABLE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../bench/table.ts');

export function benchCommand(argv: string[], log: (line: string) => void): number {
  if (!existsSync(TABLE)) {
    log(`gdln bench: ${TABLE} is missing (the bench/ folder ships with the source package)`);
    return 1;
  }
  const p = spawnSync(process.execPath, ['--import', 'tsx', TABLE, ...argv], { stdio: 'inherit' });
  return p.status ?? 1;
}
