#!/usr/bin/env node
// Entry point of the `gdln` CLI: registers tsx (the TypeScript loader gdln
// ships with) and runs lib/cli/gdln.ts.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../lib/cli/gdln.ts');
process.exitCode = await main(process.argv.slice(2));
