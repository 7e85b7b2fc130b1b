// Worker-thread bootstrap: registers the TypeScript loader (tsx, as bin/gdln.js does)
// and then loads the worker body, lib/experiments/framework/worker.ts.
import { workerData } from 'node:worker_threads';

const { register } = await import(workerData.tsxApi);
register();
await import(workerData.entry);
