#!/usr/bin/env node
// Entry point of the `gdln` CLI: registers tsx (the TypeScript loader gdln
// ships with) and runs lib/cli/gdln.ts.
import { register } from 'tsx/esm/api';

register();
// `gdln list | head`: a closed pipe ends the output, not the process with a stack trace.
process.stdout.on('error', (err) => {
  if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw err;
});
const { main } = await import('../lib/cli/gdln.ts');
process.exitCode = await main(process.argv.slice(2));
