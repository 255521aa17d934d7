import { Worker } from 'node:worker_threads';
import type { FunctionSpec } from '../catalogue.ts';
import type { InvokeReply, InvokeRequest } from './function-worker.ts';
import { invoke } from './invoke.ts';

/** Where the local platform runs handler modules. */
export interface FunctionHost {
  invoke(spec: FunctionSpec, event: unknown): Promise<unknown>;
  stop(): Promise<void>;
}

/** Every handler in this process, sharing its environment (integration tests set it for them). */
export const inProcessHost: FunctionHost = { invoke, stop: async () => {} };

/** An invocation failed inside its worker; `name` is the original error's (e.g. `LambdaTimeoutError`). */
export class FunctionError extends Error {
  constructor(name: string, message: string, stack?: string) {
    super(message);
    this.name = name;
    if (stack) this.stack = stack;
  }
}

interface Running {
  worker: Worker;
  pending: Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>;
}

/**
 * Runs each function in a worker thread of its own, started on its first
 * invocation (as Lambda starts an execution environment), with exactly the
 * environment `environmentOf` gives it and an old-generation heap as large
 * as its memory setting. Functions share no module state and no variables,
 * so a function that lacks a grant fails locally as it would on AWS. A
 * worker that dies fails its invocations in flight; the next invocation
 * starts a fresh one.
 */
export function createIsolatedHost(environmentOf: (spec: FunctionSpec) => Record<string, string>): FunctionHost {
  const running = new Map<string, Running>();
  let nextId = 0;
  let stopped = false;

  function start(spec: FunctionSpec): Running {
    const worker = new Worker(new URL('./function-worker.ts', import.meta.url), {
      workerData: { spec },
      env: environmentOf(spec),
      // Node strips the types itself: no loader of the parent's (tsx, vitest) is needed or wanted.
      execArgv: [],
      resourceLimits: { maxOldGenerationSizeMb: spec.memoryMb },
      name: spec.entry,
    });
    const entry: Running = { worker, pending: new Map() };
    const failAll = (error: Error) => {
      if (running.get(spec.entry) === entry) running.delete(spec.entry);
      for (const { reject } of entry.pending.values()) reject(error);
      entry.pending.clear();
    };
    worker.on('message', (reply: InvokeReply) => {
      const waiting = entry.pending.get(reply.id);
      if (!waiting) return;
      entry.pending.delete(reply.id);
      if (reply.ok) waiting.resolve(reply.result);
      else waiting.reject(new FunctionError(reply.error.name, reply.error.message, reply.error.stack));
    });
    worker.on('error', (error) => failAll(new FunctionError('FunctionCrashed', `${spec.entry} crashed: ${error.message}`, error.stack)));
    worker.on('exit', (code) => failAll(new FunctionError('FunctionCrashed', `${spec.entry} exited with code ${code}`)));
    // Idle workers must not keep the platform's process alive.
    worker.unref();
    running.set(spec.entry, entry);
    return entry;
  }

  return {
    invoke(spec, event) {
      if (stopped) return Promise.reject(new Error('The function host is stopped'));
      const entry = running.get(spec.entry) ?? start(spec);
      const id = nextId++;
      return new Promise((resolve, reject) => {
        entry.pending.set(id, { resolve, reject });
        entry.worker.postMessage({ id, event } satisfies InvokeRequest);
      });
    },
    async stop() {
      stopped = true;
      const workers = [...running.values()].map((entry) => entry.worker);
      running.clear();
      await Promise.all(workers.map((worker) => worker.terminate()));
    },
  };
}
