import { randomUUID } from 'node:crypto';
import { GetQueueAttributesCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createDynamoExecutionStore } from '../../../functions/adapters/dynamodb/execution-store.ts';
import { s3ObjectLister } from '../../../functions/adapters/s3/object-lister.ts';
import { createSqsPageQueue, sqsBatchPublisher } from '../../../functions/adapters/sqs/batch-publisher.ts';
import { createDetachedReplayService, type DetachedReplayDependencies } from '../../../functions/core/detached-replay/detached-replay-service.ts';
import type { PageMessage } from '../../../functions/core/detached-replay/execution.ts';
import type { BatchPublisher } from '../../../functions/core/detached-replay/ports.ts';
import { newUuidV7 } from '../../../functions/shared/ids.ts';
import { buckets, queues, tables, workers } from '../../../lib/catalogue.ts';
import { startHttpGateway } from '../../../lib/local/http-gateway.ts';
import { startSqsPollers } from '../../../lib/local/sqs-pollers.ts';
import { waitFor } from '../../../lib/local/wait-for.ts';
import { apiClient } from '../../support/api-client.ts';
import { createTenant, type TestTenant } from '../../support/tenants.ts';
import { drain, purge, routeQueueUrl, seedOutputs, sqs } from './support.ts';

const pagesQueue = () => process.env[queues.detachedPages.envName]!;
let tenant: TestTenant;
beforeAll(async () => {
  tenant = await createTenant('pages');
});
beforeEach(async () => {
  await purge(routeQueueUrl());
  await purge(pagesQueue());
});

/** The service over the real emulators, with what a test needs to change. */
function service(overrides: Partial<DetachedReplayDependencies> = {}) {
  return createDetachedReplayService({
    store: createDynamoExecutionStore(process.env[tables.detached.envName]!),
    lister: s3ObjectLister,
    publisher: sqsBatchPublisher,
    pages: createSqsPageQueue(pagesQueue()),
    routes: { all: () => [{ name: 'example-ingest', queueUrl: routeQueueUrl() }] },
    bucket: process.env[buckets.outputs.envName]!,
    now: () => new Date(),
    newId: newUuidV7,
    backoff: async () => {},
    ...overrides,
  });
}
const caller = () => ({ projectId: tenant.projectId, keyId: 'key_test' });

async function nextPageMessage(): Promise<PageMessage> {
  const message = await waitFor(
    'a page message',
    async () => (await sqs.send(new ReceiveMessageCommand({ QueueUrl: pagesQueue(), WaitTimeSeconds: 1 }))).Messages?.[0],
    10_000,
    0,
  );
  return JSON.parse(message.Body!) as PageMessage;
}

describe('detached replay pages', () => {
  it('ends partial_failure with exact counts when a page cannot be published', async () => {
    // Prepare: 2,500 objects are pages of 1,000, 1,000 and 500; every call of the second page fails.
    const from = randomUUID();
    const keys = await seedOutputs(tenant.projectId, from, 'stage', 2_500, false);
    const secondPage = new Set(keys.slice(1_000, 2_000));
    const failing: BatchPublisher = {
      async sendBatch(queueUrl, entries) {
        if (entries.some((entry) => secondPage.has(JSON.parse(entry.body).object_key))) throw Object.assign(new Error('injected outage'), { name: 'ServiceUnavailable' });
        return sqsBatchPublisher.sendBatch(queueUrl, entries);
      },
    };

    // Act
    const { view, complete } = await service({ publisher: failing }).start(caller(), { from_execution_id: from, from_stage: 'stage', to_route: 'example-ingest' });
    const messages = await drain(routeQueueUrl(), 1_500);

    // Assess
    expect(complete).toBe(true);
    expect(view).toMatchObject({ status: 'partial_failure', objects_found: 2_500, objects_published: 1_500, objects_failed: 1_000, objects_skipped: 0 });
    expect(view.errors!.length).toBeGreaterThan(0);
    expect(view.errors!.length).toBeLessThanOrEqual(20);
    expect(view.errors![0]).toMatch(/doc-01\d{3}\.json: ServiceUnavailable: injected outage/);
    expect(messages).toHaveLength(1_500);
  });

  it('retries entries SQS reports in Failed[] and publishes them once', async () => {
    const from = randomUUID();
    await seedOutputs(tenant.projectId, from, 'stage', 25, false);
    let calls = 0;
    const flaky: BatchPublisher = {
      async sendBatch(queueUrl, entries) {
        calls++;
        // The first call of each batch loses its first entry, as SQS does under throttling.
        const [first, ...rest] = entries;
        if (calls <= 3 && first) {
          const result = await sqsBatchPublisher.sendBatch(queueUrl, rest);
          return { failed: [...result.failed, { id: first.id, code: 'ThrottlingException', message: 'slow down', senderFault: false }] };
        }
        return sqsBatchPublisher.sendBatch(queueUrl, entries);
      },
    };
    const { view } = await service({ publisher: flaky }).start(caller(), { from_execution_id: from, from_stage: 'stage', to_route: 'example-ingest' });
    const messages = await drain(routeQueueUrl(), 25);
    expect(view).toMatchObject({ status: 'publishing_complete', objects_published: 25, objects_failed: 0 });
    expect(new Set(messages.map((m) => JSON.parse(m.Body!).object_key)).size).toBe(25);
    expect(messages).toHaveLength(25);
  });

  it('hands pages to the queue past its budget, and a redelivered page publishes nothing twice', async () => {
    // Prepare
    const from = randomUUID();
    await seedOutputs(tenant.projectId, from, 'stage', 2_500, false);
    const replay = service({ inlineBudgetMs: 0 });

    // Act: the request publishes page 0 and hands page 1 on; the test plays the worker.
    const { view: started, complete } = await replay.start(caller(), { from_execution_id: from, from_stage: 'stage', to_route: 'example-ingest' });
    const page1 = await nextPageMessage();
    expect(await replay.continuePage(page1)).toBe('published');
    const page2 = await nextPageMessage();
    expect(await replay.continuePage(page2)).toBe('published');
    const again = await replay.continuePage(page1);
    const messages = await drain(routeQueueUrl(), 2_500);
    const leftover = await sqs.send(new ReceiveMessageCommand({ QueueUrl: pagesQueue(), WaitTimeSeconds: 1 }));

    // Assess
    expect(complete).toBe(false);
    expect(started).toMatchObject({ status: 'publishing', objects_published: 1_000 });
    expect([page1.page, page2.page]).toEqual([1, 2]);
    expect(again).toBe('skipped');
    expect(messages).toHaveLength(2_500);
    expect(new Set(messages.map((m) => m.MessageAttributes?.correlation_id?.StringValue)).size).toBe(2_500);
    expect(leftover.Messages ?? []).toEqual([]);
    expect(await replay.get(tenant.projectId, started.execution_id)).toMatchObject({
      status: 'publishing_complete',
      objects_found: 2_500,
      objects_published: 2_500,
      objects_failed: 0,
    });
  });

  it('ends a stalled execution with its reason first among the errors, and a late page then publishes nothing', async () => {
    // Prepare: page 0 published by the request, page 1 waiting in the queue, the execution's errors already at their cap.
    const from = randomUUID();
    await seedOutputs(tenant.projectId, from, 'stage', 1_500, false);
    const store = createDynamoExecutionStore(process.env[tables.detached.envName]!);
    const { view } = await service({ inlineBudgetMs: 0 }).start(caller(), { from_execution_id: from, from_stage: 'stage', to_route: 'example-ingest' });
    const late = await nextPageMessage();
    await store.appendErrors(tenant.projectId, view.execution_id, Array.from({ length: 20 }, (_, i) => `earlier error ${i}`), 20);

    // Act
    const ended = await store.markStalled(tenant.projectId, view.execution_id, 'No page finished for 15 minutes', new Date().toISOString());
    const outcome = await service().continuePage(late);
    const messages = await drain(routeQueueUrl(), 1_000);

    // Assess
    expect(ended).toBe(true);
    expect(outcome).toBe('skipped');
    expect(messages).toHaveLength(1_000);
    const record = await store.get(tenant.projectId, view.execution_id);
    expect(record).toMatchObject({ status: 'partial_failure', objects_published: 1_000 });
    expect(record!.errors![0]).toBe('No page finished for 15 minutes');
  });

  it('goes on through the page worker when the request answers 202', async () => {
    // Prepare: the request may publish nothing itself; the local page worker does the rest.
    process.env.DETACHED_INLINE_BUDGET_MS = '0';
    const gateway = await startHttpGateway({ port: 0 });
    const worker = workers.find((w) => w.queue === 'detachedPages')!;
    const arn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: pagesQueue(), AttributeNames: ['QueueArn'] }))).Attributes!.QueueArn!;
    const pollers = startSqsPollers([{ function: worker, queueUrl: pagesQueue(), queueArn: arn, batchSize: 1, maxConcurrency: 3 }], {
      region: process.env.AWS_REGION!,
      endpoint: process.env.AWS_ENDPOINT_URL_SQS!,
    });
    try {
      const from = randomUUID();
      await seedOutputs(tenant.projectId, from, 'stage', 3_200, true);
      const api = apiClient(gateway.url, tenant.apiKey);

      // Act
      const response = await api.post('/api/v1/replay', { from_execution_id: from, from_stage: 'stage', to_route: 'example-ingest' });
      const finished = await waitFor(
        'the execution to finish',
        async () => {
          const current = await api.get(`/api/v1/replay/executions/${response.body.execution_id}`);
          return current.body.status === 'publishing' ? undefined : current.body;
        },
        60_000,
      );
      const messages = await drain(routeQueueUrl(), 3_200);

      // Assess
      expect(response.status).toBe(202);
      expect(response.body.status).toBe('publishing');
      expect(finished).toMatchObject({ status: 'publishing_complete', objects_found: 3_200, objects_published: 3_200, objects_skipped: 1_600 });
      expect(messages).toHaveLength(3_200);
    } finally {
      delete process.env.DETACHED_INLINE_BUDGET_MS;
      await pollers.stop();
      await gateway.stop();
    }
  });
});

afterAll(() => {
  delete process.env.DETACHED_INLINE_BUDGET_MS;
});
