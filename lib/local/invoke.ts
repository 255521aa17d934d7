import { randomUUID } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';
import { InvokeStore, InvokeStoreBase } from '@aws/lambda-invoke-store';
import type { Context } from 'aws-lambda';
import type { FunctionSpec } from '../catalogue.ts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type LambdaHandler = (event: any, context: Context) => Promise<any>;

const repositoryRoot = resolve(import.meta.dirname, '..', '..');
const loaded = new Map<string, Promise<LambdaHandler>>();

/**
 * Imports the very module Lambda runs for this function, once. The module
 * initialises inside an invoke-store context of its own, as in Lambda's init
 * phase: module-scope Powertools objects (a BatchProcessor) write to the
 * store while they are constructed.
 */
export function loadHandler(entry: string): Promise<LambdaHandler> {
  let handler = loaded.get(entry);
  if (!handler) {
    handler = InvokeStore.getInstanceAsync()
      .then((store) =>
        store.run({ [InvokeStoreBase.PROTECTED_KEYS.REQUEST_ID]: `init-${randomUUID()}` }, () => import(pathToFileURL(resolve(repositoryRoot, entry)).href)),
      )
      .then((module: { handler?: LambdaHandler }) => {
        if (typeof module.handler !== 'function') throw new Error(`${entry} does not export a handler`);
        return module.handler;
      });
    loaded.set(entry, handler);
  }
  return handler;
}

export class LambdaTimeoutError extends Error {
  constructor(seconds: number) {
    super(`Task timed out after ${seconds.toFixed(2)} seconds`);
    this.name = 'LambdaTimeoutError';
  }
}

/**
 * Invokes a handler as Lambda would: a fresh context with a request id and a
 * deadline, inside its own invoke store (the per-invocation scope Powertools
 * keys its logger state by, as on Lambda's multi-concurrency runtime).
 */
export async function invoke(spec: FunctionSpec, event: unknown): Promise<unknown> {
  const handler = await loadHandler(spec.entry);
  const awsRequestId = randomUUID();
  const deadline = Date.now() + spec.timeoutSeconds * 1000;
  const functionName = `reprise-${spec.entry.replace(/^functions\//, '').replace(/\.ts$/, '').replaceAll('/', '-')}`;
  const context: Context = {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:000000000000:function:${functionName}`,
    memoryLimitInMB: String(spec.memoryMb),
    awsRequestId,
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => {},
    fail: () => {},
    succeed: () => {},
  };
  const store = await InvokeStore.getInstanceAsync();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new LambdaTimeoutError(spec.timeoutSeconds)), spec.timeoutSeconds * 1000);
  });
  try {
    return await Promise.race([
      store.run({ [InvokeStoreBase.PROTECTED_KEYS.REQUEST_ID]: awsRequestId }, () => handler(event, context)),
      timeout,
    ]);
  } finally {
    clearTimeout(timer);
  }
}
