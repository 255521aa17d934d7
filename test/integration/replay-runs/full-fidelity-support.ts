import { randomUUID } from 'node:crypto';
import { CreateQueueCommand, DeleteQueueCommand, GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { SQSBatchResponse } from 'aws-lambda';
import { queues, secrets, workers, type WorkerSpec } from '../../../lib/catalogue.ts';
import { startFakeProvider, type FakeProvider, type FakeProviderOptions } from '../../../lib/local/fake-provider.ts';
import { invoke } from '../../../lib/local/invoke.ts';
import { startSqsPollers, type Pollers } from '../../../lib/local/sqs-pollers.ts';
import { waitFor } from '../../../lib/local/wait-for.ts';
import { sqsEvent } from '../../support/sqs-event.ts';
import type { Api } from './support.ts';
import { requiredEnv } from './support.ts';

/** The chunk worker of the catalogue. */
export const chunkWorker: WorkerSpec = (() => {
  const worker = workers.find((w) => w.entry.endsWith('replay-chunk-worker.ts'));
  if (!worker || worker.queue !== 'replayChunks') throw new Error('no replay-chunk worker on the replayChunks queue in the catalogue');
  return worker;
})();

export const API_KEY = 'sk-test-fake-provider-key';

/**
 * A fake provider configured as this process's `openai` and `anthropic`
 * providers (the handlers of this test file run in this process and read
 * REPRISE_PROVIDERS when they call).
 */
export async function fakeProviders(options: FakeProviderOptions = {}): Promise<FakeProvider> {
  const fake = await startFakeProvider({ apiKey: API_KEY, latencyMs: 5, tokensPerSecond: 0, ...options });
  process.env[secrets.providers.localValueEnvName] = JSON.stringify({
    openai: { base_url: fake.baseUrl, api_key: API_KEY },
    anthropic: { base_url: fake.baseUrl, api_key: API_KEY },
  });
  return fake;
}

/**
 * A chunk queue of this test file's own (the catalogue's settings), set as the
 * chunk queue of the handlers this process runs: chunks of this file's runs
 * never reach another file's pollers. Call before the first handler loads.
 */
export async function ownChunkQueue(): Promise<{ url: string; arn: string; sqs: SQSClient; remove(): Promise<void> }> {
  const sqs = new SQSClient({});
  const name = `${queues.replayChunks.localName}-${randomUUID().slice(0, 8)}`;
  await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: { VisibilityTimeout: String(queues.replayChunks.visibilityTimeoutSeconds) } }));
  const url = `${requiredEnv('AWS_ENDPOINT_URL_SQS')}/000000000000/${name}`;
  const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }));
  process.env[queues.replayChunks.envName] = url;
  return {
    url,
    arn: Attributes!.QueueArn!,
    sqs,
    async remove() {
      await sqs.send(new DeleteQueueCommand({ QueueUrl: url })).catch(() => undefined);
      sqs.destroy();
    },
  };
}

/** Lambda-style pollers of that queue for the chunk worker. */
export function startChunkPollers(queue: { url: string; arn: string }): Pollers {
  return startSqsPollers([{ function: chunkWorker, queueUrl: queue.url, queueArn: queue.arn, batchSize: chunkWorker.batchSize, maxConcurrency: chunkWorker.maxConcurrency }], {
    region: requiredEnv('AWS_REGION'),
    endpoint: requiredEnv('AWS_ENDPOINT_URL_SQS'),
  });
}

/** Delivers one chunk message to the chunk worker, as the event source would. */
export async function deliverChunk(message: { project_id: string; run_id: string; chunk: number }, receiveCount = 1): Promise<SQSBatchResponse> {
  return (await invoke(chunkWorker, sqsEvent(JSON.stringify(message), queues.replayChunks.localName, receiveCount))) as SQSBatchResponse;
}

/** Waits until the run has ended, and returns it. */
export async function runEnded(api: Api, runId: string, timeoutMs = 60_000) {
  return waitFor(
    `run ${runId} to end`,
    async () => {
      const run = (await api.get(`/v2/replay-runs/${runId}`)).body;
      return ['completed', 'failed', 'canceled'].includes(run.status) && run;
    },
    timeoutMs,
    50,
  );
}

export { conversations } from '../../support/conversations.ts';
