/**
 * One Lambda function of the local platform, in a worker thread of its own
 * (see function-host.ts): its own module instances, and its own
 * `process.env` — exactly the environment the stack gives the function.
 * Invocations arrive as messages and run as `invoke` runs them in process.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { FunctionSpec } from '../catalogue.ts';
import { invoke, loadHandler } from './invoke.ts';

export interface InvokeRequest {
  id: number;
  event: unknown;
}

export type InvokeReply = { id: number; ok: true; result: unknown } | { id: number; ok: false; error: { name: string; message: string; stack?: string } };

const spec = (workerData as { spec: FunctionSpec }).spec;
const port = parentPort!;

// Initialise at once, as Lambda's init phase does: a module that cannot load fails the first invocation with its reason.
const ready = loadHandler(spec.entry);
ready.catch(() => {});

port.on('message', (request: InvokeRequest) => {
  ready
    .then(() => invoke(spec, request.event))
    .then(
      (result) => port.postMessage({ id: request.id, ok: true, result } satisfies InvokeReply),
      (error: unknown) => {
        const { name = 'Error', message = String(error), stack } = (error ?? {}) as Partial<Error>;
        port.postMessage({ id: request.id, ok: false, error: { name, message, ...(stack ? { stack } : {}) } } satisfies InvokeReply);
      },
    );
});
