/**
 * Body of a runner worker thread. It loads the experiment by reference (built-in
 * name or module path), then runs jobs one at a time on request:
 *
 *   parent → worker  {type:'run', job} | {type:'abort'}
 *   worker → parent  {type:'ready'} | {type:'fatal', code, message}
 *                    {type:'progress', id, fraction, message} | {type:'log', id, line}
 *                    {type:'outcome', outcome}
 */
import { parentPort, workerData } from 'node:worker_threads';
import { executeRun, type RunJob } from './execute.ts';
import { loadExperiment, type ExperimentRef } from './registry.ts';
import type { ExperimentDefinition } from './types.ts';

export type ToWorker = { type: 'run'; job: RunJob } | { type: 'abort' };

const port = parentPort;
if (port) {
  const { ref } = workerData as { ref: ExperimentRef };
  let definition: ExperimentDefinition | undefined;
  try {
    definition = await loadExperiment(ref);
    port.postMessage({ type: 'ready' });
  } catch (err) {
    const e = err as { code?: string; message?: string };
    port.postMessage({ type: 'fatal', code: e.code ?? 'GDLN_INTERNAL', message: e.message ?? String(err) });
  }
  const controller = new AbortController();
  port.on('message', (msg: ToWorker) => {
    if (msg.type === 'abort') {
      controller.abort();
      return;
    }
    if (msg.type !== 'run' || !definition) return;
    const { job } = msg;
    let last = 0;
    executeRun(definition, job, controller.signal, {
      progress: (fraction, message) => {
        const now = Date.now();
        if (fraction < 1 && now - last < 150) return;
        last = now;
        port.postMessage({ type: 'progress', id: job.id, fraction, message });
      },
      log: (line) => port.postMessage({ type: 'log', id: job.id, line }),
    }).then((outcome) => port.postMessage({ type: 'outcome', outcome }));
  });
}
