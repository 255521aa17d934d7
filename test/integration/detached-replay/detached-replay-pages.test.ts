import { randomUUID } from 'node:crypto';
import { DescribeTimeToLiveCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetQueueAttributesCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient, GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createDynamoExecutionStore } from '../../../functions/adapters/dynamodb/execution-store.ts';
import { s3ObjectLister } from '../../../functions/adapters/s3/object-lister.ts';
import { createSqsPageQueue, sqsBatchPublisher } from '../../../functions/adapters/sqs/batch-publisher.ts';
import { createDetachedReplayService, type DetachedReplayDependencies } from '../../../functions/core/detached-replay/detached-replay-service.ts';
import type { PageMessage } from '../../../functions/core/detached-replay/execution.ts';
import type { BatchPublisher, PageQueue } from '../../../functions/core/detached-replay/ports.ts';
import { newUuidV7 } from '../../../functions/shared/ids.ts';
import { buckets, queues, tables, workers } from '../../../lib/catalogue.ts';
import { startHttpGateway } from '../../../lib/local/http-gateway.ts';
import { invoke } from '../../../lib/local/invoke.ts';
import { startSqsPollers } from '../../../lib/local/sqs-pollers.ts';
import { waitFor } from '../../../lib/local/wait-for.ts';
import { apiClient } from '../../support/api-client.ts';
import { createTenant, type TestTenant } from '../../support/tenants.ts';
import { drain, purge, routeQueueUrl, seedOutputs, sqs } from './support.ts';

const pagesQueue = () => process.env[queues.detachedPages.envName]!;
const tableName = () => process.env[tables.detached.envName]!;
const dynamo = DynamoDBDocumentClient.from(new DynamoDBClient({}));
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
const caller = () => ({ orgId: tenant.orgId, projectId: tenant.projectId, keyId: 'key_test' });

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
    const twenty = Array.from({ length: 20 }, (_, i) => `earlier error ${i}`);
    const nothing = { found: 0, skipped: 0, published: 0, failed: 0 };
    await store.completePage(tenant.projectId, view.execution_id, 99, { ...nothing, errors: twenty }, { next: 'elsewhere', withErrors: true }, new Date().toISOString());

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

  it('sends the next page when the retried page runs, after SQS failed that send the first time', async () => {
    // Prepare: the third message to the page queue (page 1 sending page 2) fails, as during an SQS outage.
    const from = randomUUID();
    await seedOutputs(tenant.projectId, from, 'stage', 2_500, false);
    const real = createSqsPageQueue(pagesQueue());
    let sends = 0;
    const flaky: PageQueue = {
      async enqueue(message, delaySeconds) {
        if (++sends === 3) throw Object.assign(new Error('injected outage'), { name: 'ServiceUnavailable' });
        return real.enqueue(message, delaySeconds);
      },
    };
    const replay = service({ inlineBudgetMs: 0, pages: flaky });
    const { view } = await replay.start(caller(), { from_execution_id: from, from_stage: 'stage', to_route: 'example-ingest' });
    const page1 = await nextPageMessage();

    // Act: the page fails, and SQS delivers it again.
    const first = await replay.continuePage(page1).then(String, (error: Error) => error.message);
    const retried = await replay.continuePage(page1);
    const page2 = await nextPageMessage();
    const last = await replay.continuePage(page2);
    const messages = await drain(routeQueueUrl(), 2_500);

    // Assess
    expect(first).toBe('injected outage');
    expect([retried, last]).toEqual(['published', 'published']);
    expect(page2).toMatchObject({ kind: 'page', page: 2, after: expect.stringMatching(/doc-01999\.json$/) });
    expect(new Set(messages.map((m) => JSON.parse(m.Body!).object_key)).size).toBe(2_500);
    expect(await replay.get(tenant.projectId, view.execution_id)).toMatchObject({
      status: 'publishing_complete',
      objects_found: 2_500,
      objects_published: 2_500,
      objects_failed: 0,
      errors: null,
    });
  });

  it('counts no page of an execution that has ended, and keeps page items only for their TTL', async () => {
    // Prepare: page 0 published by the request, then the execution ended by the sweeper.
    const from = randomUUID();
    await seedOutputs(tenant.projectId, from, 'stage', 1_500, false);
    const store = createDynamoExecutionStore(tableName());
    const { view } = await service({ inlineBudgetMs: 0 }).start(caller(), { from_execution_id: from, from_stage: 'stage', to_route: 'example-ingest' });
    await store.markStalled(tenant.projectId, view.execution_id, 'stalled', new Date().toISOString());
    const before = await store.get(tenant.projectId, view.execution_id);

    // Act: a page that was publishing when the execution ended comes to be counted.
    const counted = await store.completePage(
      tenant.projectId,
      view.execution_id,
      1,
      { found: 500, skipped: 0, published: 500, failed: 0, errors: ['late error'] },
      { next: null, withErrors: true },
      new Date().toISOString(),
    );
    const after = await store.get(tenant.projectId, view.execution_id);
    const pages = await dynamo.send(new QueryCommand({ TableName: tableName(), KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': `PRJ#${tenant.projectId}#EXE#${view.execution_id}` } }));
    const ttl = await dynamo.send(new DescribeTimeToLiveCommand({ TableName: tableName() }));

    // Assess
    expect(counted).toBe(false);
    expect(after).toEqual(before);
    expect(after).toMatchObject({ status: 'partial_failure', objects_published: 1_000, pages_total: null, errors: ['stalled'] });
    expect(ttl.TimeToLiveDescription).toMatchObject({ TimeToLiveStatus: 'ENABLED', AttributeName: 'expires_at' });
    const sevenDays = Math.floor(Date.now() / 1000) + 7 * 86_400;
    expect(pages.Items!.map((item) => [item.sk, item.done_at !== undefined, item.sent_at !== undefined])).toEqual([
      ['PAGE#0000000000', true, false],
      ['PAGE#0000000001', false, true],
    ]);
    for (const item of pages.Items!) expect(Number(item.expires_at)).toBeGreaterThan(sevenDays - 60);
    for (const item of pages.Items!) expect(Number(item.expires_at)).toBeLessThanOrEqual(sevenDays);
  });

  it('stores no errors attribute while there are none, and answers errors: null', async () => {
    const from = randomUUID();
    await seedOutputs(tenant.projectId, from, 'stage', 20, false);
    const { view } = await service().start(caller(), { from_execution_id: from, from_stage: 'stage', to_route: 'example-ingest' });
    const { Item } = await dynamo.send(new GetCommand({ TableName: tableName(), Key: { pk: `PRJ#${tenant.projectId}`, sk: `EXE#${view.execution_id}` } }));
    await drain(routeQueueUrl(), 20);

    expect(view).toMatchObject({ status: 'publishing_complete', errors: null });
    expect(Item).toBeDefined();
    expect(Item).not.toHaveProperty('errors');
    expect(Item).not.toHaveProperty('queue_url');
  });

  it('resumes through the page worker what a request left when it died, and ends the execution with exact counts', async () => {
    // Prepare: the request's process "dies": no send of page 2 or later ever answers. Its resume message comes at once.
    const from = randomUUID();
    const keys = await seedOutputs(tenant.projectId, from, 'stage', 4_000, false);
    const gone = new Promise<never>(() => {});
    const dying: BatchPublisher = {
      async sendBatch(queueUrl, entries) {
        if (entries.some((entry) => JSON.parse(entry.body).object_key >= keys[2_000]!)) return gone;
        return sqsBatchPublisher.sendBatch(queueUrl, entries);
      },
    };
    const store = createDynamoExecutionStore(tableName());
    let executionId: string | undefined;
    const newId = () => {
      const id = newUuidV7();
      executionId ??= id;
      return id;
    };
    void service({ publisher: dying, resumeAfterSeconds: 0, newId }).start(caller(), {
      from_execution_id: from,
      from_stage: 'stage',
      to_route: 'example-ingest',
    });
    await waitFor('pages 0 and 1 to be counted', async () => executionId && (await store.get(tenant.projectId, executionId))?.pages_done === 2, 20_000);
    const pollers = await startPageWorkers();
    try {
      // Act
      const finished = await waitFor(
        'the execution to end',
        async () => {
          const current = await store.get(tenant.projectId, executionId!);
          return current?.status === 'publishing' ? undefined : current;
        },
        30_000,
      );
      const messages = await drain(routeQueueUrl(), 4_000);

      // Assess
      expect(finished).toMatchObject({ status: 'publishing_complete', objects_found: 4_000, objects_published: 4_000, objects_failed: 0, pages_done: 4, pages_total: 4 });
      expect(new Set(messages.map((m) => JSON.parse(m.Body!).object_key))).toEqual(new Set(keys));
    } finally {
      await pollers.stop();
    }
  });

  it('fails a poison page message without running it, and acknowledges one of an unknown execution', async () => {
    const worker = workers.find((w) => w.queue === 'detachedPages')!;
    const event = (...bodies: string[]) => ({
      Records: bodies.map((body, i) => ({
        messageId: `m${i}`,
        receiptHandle: `r${i}`,
        body,
        attributes: { ApproximateReceiveCount: '1', SentTimestamp: '1', SenderId: 'test', ApproximateFirstReceiveTimestamp: '1' },
        messageAttributes: {},
        md5OfBody: '',
        eventSource: 'aws:sqs',
        eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:reprise-detached-pages',
        awsRegion: 'us-east-1',
      })),
    });
    const unknown = { kind: 'page', project_id: tenant.projectId, execution_id: newUuidV7(), page: 3, after: 'x' };
    const oldShape = { project_id: tenant.projectId, execution_id: newUuidV7(), page: 3, continuation_token: 'tok' };

    const result = await invoke(worker, event('{not json', JSON.stringify(oldShape), JSON.stringify(unknown), JSON.stringify({ ...unknown, kind: 'resume' })));

    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: 'm0' }, { itemIdentifier: 'm1' }] });
  });
});

/** The catalogue's page worker, polling the page queue as the local platform does. */
async function startPageWorkers() {
  const worker = workers.find((w) => w.queue === 'detachedPages')!;
  const arn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: pagesQueue(), AttributeNames: ['QueueArn'] }))).Attributes!.QueueArn!;
  return startSqsPollers([{ function: worker, queueUrl: pagesQueue(), queueArn: arn, batchSize: 1, maxConcurrency: 3 }], {
    region: process.env.AWS_REGION!,
    endpoint: process.env.AWS_ENDPOINT_URL_SQS!,
  });
}

afterAll(() => {
  delete process.env.DETACHED_INLINE_BUDGET_MS;
});
